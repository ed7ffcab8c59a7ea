"""Refusals about staff: ids, roles, PINs, locks, who may do what."""

from __future__ import annotations

_NOT_APPROVER = (
    "{staff} is a cashier: ask a supervisor.",
    "{staff} เป็นแคชเชียร์ อนุมัติไม่ได้ ให้หัวหน้าอนุมัติ",
)

# key: (English, Thai)
STAFF: dict[str, tuple[str, str]] = {
    "staff_not_found": (
        "No staff member with id '{staff}': check the id.",
        "ไม่พบพนักงานรหัส '{staff}' ตรวจรหัสอีกครั้ง",
    ),
    "staff_exists": (
        "Staff id {staff} is taken: choose another id.",
        "รหัสพนักงาน {staff} มีอยู่แล้ว เลือกรหัสอื่น",
    ),
    "invalid_input.role": (
        "Role '{role}' is unknown: use one of {roles}.",
        "ไม่รู้จักตำแหน่ง '{role}' ใช้ได้: cashier (แคชเชียร์), supervisor (หัวหน้า), "
        "admin (ผู้ดูแล)",
    ),
    "wrong_pin": (
        "Wrong PIN for {staff_id}: {left} more wrong PIN(s) will lock this id.",
        "PIN ของ {staff_id} ไม่ถูกต้อง ผิดอีก {left} ครั้ง รหัสนี้จะถูกล็อก",
    ),
    "staff_locked": (
        "{staff_id} is locked after too many wrong PINs: try again in {minutes} min, or an "
        "admin lifts the lock now ({names}): pos staff unlock {staff_id} --approver {admin_id}.",
        "{staff_id} ถูกล็อกเพราะใส่ PIN ผิดหลายครั้ง ลองใหม่ในอีก {minutes} นาที หรือให้ผู้ดูแล"
        "ปลดล็อกทันที ({names}): pos staff unlock {staff_id} --approver {admin_id}",
    ),
    "staff_locked.no_admin": (
        "{staff_id} is locked after too many wrong PINs: try again in {minutes} min; only an "
        "admin could lift it sooner, and there is no admin yet.",
        "{staff_id} ถูกล็อกเพราะใส่ PIN ผิดหลายครั้ง ลองใหม่ในอีก {minutes} นาที "
        "มีเพียงผู้ดูแลที่ปลดล็อกได้ก่อนเวลา แต่ยังไม่มีผู้ดูแลในระบบ",
    ),
    "staff_deactivated": (
        "{staff_id} is deactivated: no more log-ins, approvals or sales: an admin can "
        "reactivate this id ({names}): pos staff reactivate {staff_id} --approver {admin_id}.",
        "{staff_id} ถูกระงับแล้ว เข้าสู่ระบบ อนุมัติ หรือขายไม่ได้อีก ผู้ดูแลคืนสิทธิ์ได้ "
        "({names}): pos staff reactivate {staff_id} --approver {admin_id}",
    ),
    "staff_deactivated.no_admin": (
        "{staff_id} is deactivated: no more log-ins, approvals or sales: only an admin could "
        "reactivate it, and there is no active admin.",
        "{staff_id} ถูกระงับแล้ว เข้าสู่ระบบ อนุมัติ หรือขายไม่ได้อีก มีเพียงผู้ดูแลที่คืนสิทธิ์ได้ "
        "และตอนนี้ไม่มีผู้ดูแลที่ใช้งานได้",
    ),
    "not_permitted.not_approver": _NOT_APPROVER,
    "not_permitted.add_supervisor": (
        "{staff} is a supervisor and can add only cashiers: an admin adds a supervisor.",
        "{staff} เป็นหัวหน้า เพิ่มได้เฉพาะแคชเชียร์ ให้ผู้ดูแลเพิ่มหัวหน้า",
    ),
    "not_permitted.add_admin": (
        "{staff} is a supervisor and can add only cashiers: an admin adds an admin.",
        "{staff} เป็นหัวหน้า เพิ่มได้เฉพาะแคชเชียร์ ให้ผู้ดูแลเพิ่มผู้ดูแล",
    ),
    "not_permitted.admin_unlock": (
        "{staff} may not lift a PIN lock: only an admin can ({admins}).",
        "{staff} ปลดล็อก PIN ไม่ได้ มีเพียงผู้ดูแลที่ทำได้ ({admins})",
    ),
    "not_permitted.admin_deactivate": (
        "{staff} may not deactivate staff: only an admin can ({admins}).",
        "{staff} ระงับพนักงานไม่ได้ มีเพียงผู้ดูแลที่ทำได้ ({admins})",
    ),
    "not_permitted.admin_reactivate": (
        "{staff} may not reactivate staff: only an admin can ({admins}).",
        "{staff} คืนสิทธิ์พนักงานไม่ได้ มีเพียงผู้ดูแลที่ทำได้ ({admins})",
    ),
    "not_permitted.deactivate_self": (
        "{staff} cannot deactivate their own id: another admin can.",
        "{staff} ระงับรหัสของตัวเองไม่ได้ ให้ผู้ดูแลคนอื่นทำ",
    ),
    "not_permitted.last_admin": (
        "{staff} is the last active admin and stays active: add or reactivate another admin "
        "first.",
        "{staff} เป็นผู้ดูแลคนสุดท้ายที่ใช้งานได้ จึงระงับไม่ได้ เพิ่มหรือคืนสิทธิ์ผู้ดูแลอีกคนก่อน",
    ),
    "not_permitted.reset_supervisor": (
        "{staff} is a supervisor and can reset only cashiers' PINs and their own: an admin "
        "resets a supervisor's PIN.",
        "{staff} เป็นหัวหน้า ตั้ง PIN ใหม่ได้เฉพาะของแคชเชียร์และของตัวเอง "
        "ให้ผู้ดูแลตั้ง PIN ใหม่ของหัวหน้า",
    ),
    "not_permitted.reset_admin": (
        "{staff} is a supervisor and can reset only cashiers' PINs and their own: an admin "
        "resets an admin's PIN.",
        "{staff} เป็นหัวหน้า ตั้ง PIN ใหม่ได้เฉพาะของแคชเชียร์และของตัวเอง "
        "ให้ผู้ดูแลตั้ง PIN ใหม่ของผู้ดูแล",
    ),
    "not_permitted.reset_deactivated": (
        "{staff} is a supervisor and can reset only cashiers' PINs and their own: an admin "
        "resets a deactivated id's PIN.",
        "{staff} เป็นหัวหน้า ตั้ง PIN ใหม่ได้เฉพาะของแคชเชียร์และของตัวเอง "
        "ให้ผู้ดูแลตั้ง PIN ใหม่ของรหัสที่ถูกระงับ",
    ),
}  # fmt: skip
