"""Refusals of what moves points: sales, redemptions, approvals, reversals and
coupons."""

from __future__ import annotations

# key: (English, Thai)
POINTS: dict[str, tuple[str, str]] = {
    "ref_conflict.sale": (
        "Sale {ref} was already recorded for another member or amount ({amount}): check the "
        "bill number.",
        "บิล {ref} บันทึกไว้แล้วกับสมาชิกหรือยอดเงินอื่น ({amount}) ตรวจเลขที่บิลอีกครั้ง",
    ),
    "ref_conflict.redeem": (
        "Reference {ref} was already used for another redemption: use a new reference.",
        "เลขอ้างอิง {ref} ใช้กับการแลกแต้มอื่นไปแล้ว ใช้เลขอ้างอิงใหม่",
    ),
    "invalid_input.redeem_what": (
        "Redeem either a number of points or a reward, not both.",
        "แลกได้ทีละอย่าง: จำนวนแต้มหรือของรางวัล",
    ),
    "insufficient_points": (
        "Not enough points: {who} has {balance} points, {needed} needed.",
        "แต้มไม่พอ: {who} มี {balance} แต้ม ต้องใช้ {needed} แต้ม",
    ),
    "insufficient_points.anonymous": (
        "Not enough points: this member has {balance} points, {needed} needed.",
        "แต้มไม่พอ: สมาชิกมี {balance} แต้ม ต้องใช้ {needed} แต้ม",
    ),
    "reward_not_found": (
        "No reward '{reward}' in the catalog: see 'pos rewards list'.",
        "ไม่มีของรางวัล '{reward}' ในรายการ ดูรายการด้วย 'pos rewards list'",
    ),
    "entry_not_found": (
        "No entry with id '{entry_id}': check the id.",
        "ไม่พบรายการรหัส '{entry_id}' ตรวจรหัสอีกครั้ง",
    ),
    "approval_required": (
        "Redeeming {points} points is above {limit}: a supervisor must approve with their "
        "id and PIN.",
        "แลก {points} แต้ม เกิน {limit} แต้ม หัวหน้าต้องอนุมัติด้วยรหัสและ PIN",
    ),
    "approval_required.offline": (
        "Head office cannot be reached (or this till has not synced lately) and this would "
        "pass the offline limit of {limit} points a day for this member ({redeemed_today} "
        "redeemed since 00:00 {zone} time): a supervisor must approve with their id and PIN.",
        "ติดต่อสำนักงานใหญ่ไม่ได้ (หรือเครื่องนี้ไม่ได้ซิงค์มาระยะหนึ่ง) และการแลกนี้จะเกินวงเงิน"
        "ออฟไลน์ {limit} แต้มต่อวันของสมาชิกนี้ (แลกไปแล้ว {redeemed_today} แต้มตั้งแต่ 00:00 "
        "เวลา {zone}) หัวหน้าต้องอนุมัติด้วยรหัสและ PIN",
    ),
    "approval_required.early_expiry": (
        "Expiring points as of {as_of} is after today ({today} by this till's clock): it would "
        "take members' points before their date. Nothing was expired. Points expire on their "
        "own date with 'pos expire'; if it is really meant, a supervisor approves with "
        "--approver STAFF_ID (PIN on stdin).",
        "การตัดแต้มหมดอายุ ณ วันที่ {as_of} เลยวันนี้ ({today} ตามนาฬิกาเครื่อง) จะตัดแต้มสมาชิก"
        "ก่อนวันหมดอายุจริง ยังไม่ได้ตัดแต้ม แต้มหมดอายุตามวันของมันเองด้วย 'pos expire' "
        "ถ้าตั้งใจจริง หัวหน้าอนุมัติด้วย --approver STAFF_ID (PIN ทาง stdin)",
    ),
    # reversals
    "invalid_input.coupon_choice": (
        "Coupons are either voided or kept, not '{value}'.",
        "คูปองต้องเลือกยกเลิก (void) หรือเก็บไว้ (keep) ไม่ใช่ '{value}'",
    ),
    "coupon_choice_required": (
        "Reversing this entry takes the balance to {after} points, and these unused coupons "
        "were paid with its points: {listed}. Choose: void them (their redemptions are "
        "reversed too: balance {after_void}) or keep them valid (balance {after}).",
        "การยกเลิกรายการนี้ทำให้แต้มคงเหลือเป็น {after} แต้ม และคูปองที่ยังไม่ใช้เหล่านี้แลกด้วย"
        "แต้มจากรายการนี้: {listed} เลือก: ยกเลิกคูปอง (ยกเลิกการแลกด้วย แต้มคงเหลือ "
        "{after_void}) หรือเก็บคูปองไว้ใช้ได้ (แต้มคงเหลือ {after})",
    ),
    "not_reversible.reverse": (
        "A reverse entry cannot be reversed: make an adjustment instead.",
        "รายการยกเลิกไม่สามารถยกเลิกซ้ำได้ ให้ปรับแต้มแทน",
    ),
    "not_reversible.expire": (
        "An expire entry cannot be reversed: make an adjustment instead.",
        "รายการแต้มหมดอายุยกเลิกไม่ได้ ให้ปรับแต้มแทน",
    ),
    "not_reversible.done": (
        "This entry ({what}) was already reversed on {at}: nothing was changed.",
        "รายการนี้ ({what}) ถูกยกเลิกไปแล้วเมื่อ {at} ไม่มีการเปลี่ยนแปลง",
    ),
    "not_reversible.used": (
        "Coupon {code} was already used: this redemption cannot be reversed.",
        "คูปอง {code} ถูกใช้ไปแล้ว จึงยกเลิกการแลกนี้ไม่ได้",
    ),
    "not_reversible.elsewhere": (
        "This redemption was made at terminal {terminal}: reverse it there (only the terminal "
        "that issued its coupon can void it).",
        "การแลกนี้ทำที่เครื่อง {terminal} ให้ยกเลิกที่เครื่องนั้น (เฉพาะเครื่องที่ออกคูปอง"
        "เท่านั้นที่ยกเลิกคูปองได้)",
    ),
    "not_reversible.foreign_coupons": (
        "Coupon {codes} was issued at terminal {terminals} and only that terminal can void "
        "it: keep the coupons, or reverse that redemption there first.",
        "คูปอง {codes} ออกที่เครื่อง {terminals} และเฉพาะเครื่องนั้นที่ยกเลิกได้ ให้เก็บคูปองไว้ "
        "หรือยกเลิกการแลกนั้นที่เครื่องนั้นก่อน",
    ),
    # coupons
    "coupon_not_found": (
        "No coupon {code} in this terminal's ledger: check the code (or sync with head office).",
        "ไม่พบคูปอง {code} ในเครื่องนี้ ตรวจรหัสอีกครั้ง (หรือซิงค์กับสำนักงานใหญ่)",
    ),
    "coupon_unusable.used": (
        "Coupon {code} was already used.",
        "คูปอง {code} ถูกใช้ไปแล้ว",
    ),
    "coupon_unusable.void": (
        "Coupon {code} was cancelled (its redemption was reversed).",
        "คูปอง {code} ถูกยกเลิกแล้ว (การแลกถูกยกเลิก)",
    ),
    "coupon_unusable.expired": (
        "Coupon {code} expired on {expires}.",
        "คูปอง {code} หมดอายุเมื่อ {expires}",
    ),
    "coupon_unusable.forged": (
        "This coupon is not genuine (its signature does not match): do not accept it.",
        "คูปองนี้ไม่ใช่ของจริง (ลายเซ็นไม่ตรง) ห้ามรับ",
    ),
    "coupon_unusable.other": (
        "Coupon {code} cannot be used ({status}).",
        "คูปอง {code} ใช้ไม่ได้ ({status})",
    ),
}  # fmt: skip
