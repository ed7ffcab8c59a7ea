"""Refusals of head office and of sync, and the generic text of each error code
whose refusal carries a ready message (a wrapped library error, an admin's
command): in Thai the code's text stands in for it."""

from __future__ import annotations

_OFFLINE = "sales keep working offline and sync later"
_OFFLINE_TH = "การขายยังทำได้แบบออฟไลน์และจะซิงค์ภายหลัง"

# key: (English, Thai)
SYNC: dict[str, tuple[str, str]] = {
    "hq_unreachable": (
        "Cannot reach head office at {url} ({reason}): check the internet connection and the "
        f"address; {_OFFLINE}.",
        "ติดต่อสำนักงานใหญ่ที่ {url} ไม่ได้ ({reason}) ตรวจการเชื่อมต่ออินเทอร์เน็ตและที่อยู่ "
        f"{_OFFLINE_TH}",
    ),
    "hq_unreachable.timeout_connect": (
        f"Head office at {{url}} took too long to connect: check the internet connection; "
        f"{_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} เชื่อมต่อนานเกินไป ตรวจการเชื่อมต่ออินเทอร์เน็ต {_OFFLINE_TH}",
    ),
    "hq_unreachable.timeout_answer": (
        f"Head office at {{url}} took too long to answer: check the internet connection; "
        f"{_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} ตอบช้าเกินไป ตรวจการเชื่อมต่ออินเทอร์เน็ต {_OFFLINE_TH}",
    ),
    "hq_unreachable.cut": (
        "The connection to head office at {url} was cut ({reason}): it is tried again on the "
        f"next sync; {_OFFLINE}.",
        "การเชื่อมต่อกับสำนักงานใหญ่ที่ {url} ถูกตัด ({reason}) จะลองใหม่ในการซิงค์ครั้งถัดไป "
        f"{_OFFLINE_TH}",
    ),
    "hq_unreachable.server": (
        f"Head office at {{url}} has a problem ({{status}}: {{hq}}): try again later; {_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} มีปัญหา ({{status}}: {{hq}}) ลองใหม่ภายหลัง {_OFFLINE_TH}",
    ),
    "hq_unreachable.not_hq": (
        "{url} answered with something that is not head office's reply (a Wi-Fi login page, "
        f"or a proxy?): check the connection and the address; {_OFFLINE}.",
        "{url} ตอบกลับด้วยสิ่งที่ไม่ใช่คำตอบของสำนักงานใหญ่ (หน้าล็อกอิน Wi-Fi หรือพร็อกซี?) "
        f"ตรวจการเชื่อมต่อและที่อยู่ {_OFFLINE_TH}",
    ),
    "hq_refused": (
        "Head office refused the request ({status}): {hq}",
        "สำนักงานใหญ่ปฏิเสธคำขอ ({status}): {hq}",
    ),
    "hq_refused.address": (
        "'{url}' is not a head-office address: write it like https://hq.example.com (with "
        "http:// or https://).",
        "'{url}' ไม่ใช่ที่อยู่สำนักงานใหญ่ เขียนแบบ https://hq.example.com (ขึ้นต้นด้วย "
        "http:// หรือ https://)",
    ),
    "hq_refused.talk": (
        "Cannot talk to head office at {url} ({reason}): check the address.",
        "คุยกับสำนักงานใหญ่ที่ {url} ไม่ได้ ({reason}) ตรวจที่อยู่อีกครั้ง",
    ),
    "hq_refused.push": (
        "Head office refused this push: {hq}",
        "สำนักงานใหญ่ไม่รับข้อมูลที่ส่งไป: {hq}",
    ),
    "hq_refused.not_hq": (
        "{url} does not look like a Loyalty POS head office (no {path}): check the address.",
        "{url} ไม่ใช่สำนักงานใหญ่ของ Loyalty POS (ไม่มี {path}) ตรวจที่อยู่อีกครั้ง",
    ),
    "hq_unauthorized": (
        "Head office refused this terminal: {hq}",
        "สำนักงานใหญ่ไม่ยอมรับเครื่องนี้: {hq}",
    ),
    "hq_unauthorized.rejoin": (
        "Head office refused this terminal: {hq} Ask head office for a new setup code and run "
        "'pos join HQ_URL SETUP_CODE'.",
        "สำนักงานใหญ่ไม่ยอมรับเครื่องนี้: {hq} ขอรหัสตั้งค่าใหม่จากสำนักงานใหญ่แล้วใช้คำสั่ง "
        "'pos join HQ_URL SETUP_CODE'",
    ),
    "wrong_terminal": (
        "{hq}",
        "รหัสตั้งค่านี้ทำไว้สำหรับเครื่องอื่น ขอรหัสใหม่สำหรับเครื่องนี้จากสำนักงานใหญ่ ({hq})",
    ),
    "sync_busy": (
        "Another sync is already running on this terminal: wait for it to finish.",
        "เครื่องนี้กำลังซิงค์อยู่แล้ว รอให้เสร็จก่อน",
    ),
    "sync_error.losing": (
        "Head office keeps losing this terminal's entries (it acknowledges only up to "
        "{acked}): call head office.",
        "สำนักงานใหญ่ทำรายการของเครื่องนี้หายซ้ำ ๆ (รับไว้ถึงลำดับ {acked} เท่านั้น) "
        "โทรแจ้งสำนักงานใหญ่",
    ),
}  # fmt: skip

# A code's Thai text where its refusal was built from a ready English message.
GENERIC: dict[str, tuple[str, str]] = {
    "not_joined": (
        "This terminal has not joined head office yet.",
        "เครื่องนี้ยังไม่ได้เชื่อมกับสำนักงานใหญ่ (pos join)",
    ),
    "sync_error": ("Sync failed.", "การซิงค์ไม่สำเร็จ ลองใหม่ภายหลัง"),
    "ledger_diverged": (
        "This till's journal and head office's disagree.",
        "ข้อมูลเครื่องนี้ไม่ตรงกับสำนักงานใหญ่ แจ้งหัวหน้าหรือผู้ดูแล ห้ามลบไฟล์",
    ),
    "stale_ledger": (
        "This ledger must be synced or restored before selling.",
        "ต้องซิงค์หรือกู้คืนฐานข้อมูลนี้ก่อนขาย แจ้งผู้ดูแล",
    ),
    "corrupt_database": (
        "The ledger file is damaged.",
        "ไฟล์ฐานข้อมูลเสียหาย แจ้งผู้ดูแลให้กู้คืนจากสำรอง ห้ามลบไฟล์",
    ),
    "damaged_text": (
        "Text in the ledger is damaged.",
        "ข้อความในฐานข้อมูลเสียหาย แจ้งผู้ดูแลให้กู้คืนจากสำรอง",
    ),
    "ledger_missing": (
        "The ledger is missing.",
        "ไม่พบฐานข้อมูลของเครื่องนี้ แจ้งผู้ดูแลทันที ห้ามเริ่มใหม่",
    ),
    "not_a_file": ("The ledger path is not a file.", "ที่อยู่ฐานข้อมูลไม่ใช่ไฟล์ แจ้งผู้ดูแล"),
    "database_unavailable": (
        "The ledger cannot be used right now.",
        "ใช้ฐานข้อมูลไม่ได้ในขณะนี้ ลองใหม่อีกครั้ง ถ้ายังไม่ได้แจ้งผู้ดูแล",
    ),
    "disk_full": ("The disk is full.", "ดิสก์เต็ม ยังไม่ได้บันทึกอะไร แจ้งผู้ดูแลให้เพิ่มพื้นที่"),
    "read_only": (
        "The ledger is read-only.",
        "ฐานข้อมูลเขียนไม่ได้ (อ่านอย่างเดียว) แจ้งผู้ดูแลตรวจสิทธิ์ไฟล์",
    ),
    "secrets_error": (
        "The secrets file is damaged.",
        "ไฟล์ความลับ (กุญแจคูปอง) มีปัญหา แจ้งผู้ดูแลให้กู้คืนจากสำรอง",
    ),
    "secrets_missing": (
        "The secrets file is missing.",
        "ไม่พบไฟล์ความลับ (กุญแจคูปอง) แจ้งผู้ดูแลให้กู้คืนจากสำรอง",
    ),
    "secrets_unavailable": (
        "The secrets file cannot be used right now.",
        "ใช้ไฟล์ความลับไม่ได้ในขณะนี้ แจ้งผู้ดูแลตรวจสิทธิ์ไฟล์และพื้นที่ดิสก์",
    ),
    "already_initialized": (
        "This ledger already belongs to another terminal.",
        "ฐานข้อมูลนี้เป็นของเครื่องอื่นแล้ว",
    ),
    "invalid_input": ("That input is not valid.", "ข้อมูลที่พิมพ์ไม่ถูกต้อง ตรวจอีกครั้ง"),
    "not_found": ("Not found.", "ไม่พบข้อมูล"),
    "not_permitted": ("Not permitted.", "ไม่มีสิทธิ์ทำรายการนี้"),
    "printer_unavailable": (
        "The printer cannot print now.",
        "เครื่องพิมพ์พิมพ์ไม่ได้ในขณะนี้ เก็บสลิปไว้แล้ว จะพิมพ์เมื่อพร้อม",
    ),
    "print_failed": (
        "Printing failed.",
        "พิมพ์ไม่สำเร็จ เก็บสลิปไว้แล้ว ตรวจเครื่องพิมพ์แล้วกด F6",
    ),
    "unexpected": ("Something went wrong.", "เกิดข้อผิดพลาด บันทึกไว้แล้ว ลองใหม่หรือติดต่อผู้ดูแล"),
}  # fmt: skip
