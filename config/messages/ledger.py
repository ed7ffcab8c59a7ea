"""Refusals of what was typed or scanned at the counter: phone numbers, amounts,
points, ids, names, reasons, PINs, coupon codes; and of the till's own state
(its ids, its clock, its print jobs)."""

from __future__ import annotations

# key: (English, Thai)
LEDGER: dict[str, tuple[str, str]] = {
    # phone numbers
    "invalid_phone": (
        "'{value}' is not a valid phone number: check the digits (a Thai mobile has 10 "
        "digits, e.g. 081-234-5678).",
        "'{value}' ไม่ใช่เบอร์โทรศัพท์ที่ถูกต้อง ตรวจตัวเลขอีกครั้ง (มือถือไทยมี 10 หลัก "
        "เช่น 081-234-5678)",
    ),
    "invalid_phone.digits": (
        "'{value}' is not a phone number: use digits only, e.g. 081-234-5678.",
        "'{value}' ไม่ใช่เบอร์โทรศัพท์ พิมพ์เฉพาะตัวเลข เช่น 081-234-5678",
    ),
    "invalid_phone.empty": (
        "Type the member's phone number.",
        "พิมพ์เบอร์โทรศัพท์ของสมาชิก",
    ),
    "invalid_phone.type": (
        "A phone number must be typed as text.",
        "เบอร์โทรศัพท์ต้องพิมพ์เป็นข้อความ",
    ),
    # sale amounts
    "invalid_amount": (
        "'{value}' is not an amount: type a number such as 250 or 250.50.",
        "'{value}' ไม่ใช่ยอดเงิน พิมพ์เป็นตัวเลข เช่น 250 หรือ 250.50",
    ),
    "invalid_amount.negative": (
        "'{value}' is negative: type the amount paid, e.g. 250.50. A refund is a reversal, "
        "done by a supervisor (pos reverse).",
        "'{value}' ติดลบ พิมพ์ยอดที่ลูกค้าจ่าย เช่น 250.50 การคืนเงินคือการยกเลิกรายการ "
        "ซึ่งหัวหน้าเป็นผู้ทำ (pos reverse)",
    ),
    "invalid_amount.decimals": (
        "'{value}' has more than two decimals: type at most satang, e.g. 250.50.",
        "'{value}' มีทศนิยมเกินสองตำแหน่ง พิมพ์ถึงสตางค์ เช่น 250.50",
    ),
    "invalid_amount.zero": (
        "The amount must be more than zero.",
        "ยอดเงินต้องมากกว่าศูนย์",
    ),
    "invalid_amount.too_large": (
        "{amount} is more than the largest accepted sale ({limit}): check the amount.",
        "{amount} เกินยอดขายสูงสุดที่รับได้ ({limit}) ตรวจสอบยอดอีกครั้ง",
    ),
    "invalid_amount.float": (
        "Amounts must be given as text or Decimal, never as a float.",
        "ยอดเงินต้องส่งเป็นข้อความหรือ Decimal ห้ามเป็น float",
    ),
    "invalid_amount.type": (
        "Amounts must be given as text or Decimal.",
        "ยอดเงินต้องส่งเป็นข้อความหรือ Decimal",
    ),
    # points typed
    "invalid_points": (
        "'{value}' is not a whole number of points.",
        "'{value}' ไม่ใช่จำนวนแต้มเต็มหน่วย",
    ),
    "invalid_points.zero": (
        "The number of points must not be zero.",
        "จำนวนแต้มต้องไม่เป็นศูนย์",
    ),
    "invalid_points.negative": (
        "{value} is negative: type a positive number of points.",
        "{value} ติดลบ พิมพ์จำนวนแต้มที่เป็นบวก",
    ),
    "invalid_points.range": (
        "{value} points is out of range.",
        "{value} แต้ม มากเกินกว่าที่รับได้",
    ),
    "invalid_points.float": (
        "Points are whole numbers, never a float.",
        "แต้มเป็นจำนวนเต็ม ห้ามเป็น float",
    ),
    # ids, names and reasons
    "invalid_input.staff_id": (
        "The staff id must be 1 to 64 printable characters.",
        "รหัสพนักงานต้องมี 1 ถึง 64 ตัวอักษรที่พิมพ์ได้",
    ),
    "invalid_input.ref": (
        "The sale reference must be 1 to 64 printable characters.",
        "เลขที่บิลต้องมี 1 ถึง 64 ตัวอักษรที่พิมพ์ได้",
    ),
    "invalid_input.store_id": (
        "The store id '{value}' is not a code: use 1 to 32 letters, digits, - or _, "
        "e.g. {example} (the shop's name is set separately).",
        "รหัสร้าน '{value}' ใช้ไม่ได้: ใช้อักษรอังกฤษ ตัวเลข - หรือ _ 1 ถึง 32 ตัว "
        "เช่น {example} (ชื่อร้านตั้งแยกต่างหาก)",
    ),
    "invalid_input.terminal_id": (
        "The terminal id '{value}' is not a code: use 1 to 32 letters, digits, - or _, "
        "e.g. {example}.",
        "รหัสเครื่อง '{value}' ใช้ไม่ได้: ใช้อักษรอังกฤษ ตัวเลข - หรือ _ 1 ถึง 32 ตัว "
        "เช่น {example}",
    ),
    "invalid_input.reason_required": (
        "A reason is required: say why, in a few words.",
        "ต้องระบุเหตุผล พิมพ์สั้น ๆ ว่าทำไม",
    ),
    "invalid_input.reason_too_long": (
        "The reason must be at most {limit} printable characters.",
        "เหตุผลต้องไม่เกิน {limit} ตัวอักษรที่พิมพ์ได้",
    ),
    "invalid_input.name_too_long": (
        "The name must be at most {limit} printable characters.",
        "ชื่อต้องไม่เกิน {limit} ตัวอักษรที่พิมพ์ได้",
    ),
    "invalid_input.coupon_code": (
        "'{value}' is not a coupon code: a code looks like K7QM-2XPA; or scan the QR.",
        "'{value}' ไม่ใช่รหัสคูปอง รหัสมีรูปแบบเช่น K7QM-2XPA หรือสแกน QR",
    ),
    "invalid_input.job_done": (
        "Print job {job_id} is {status}: use reprint instead.",
        "งานพิมพ์ {job_id} อยู่ในสถานะ {status} ให้ใช้การพิมพ์ซ้ำแทน",
    ),
    "invalid_input.export_exists": (
        "{path} already exists: name a new file or folder (a member's copy never replaces "
        "a file).",
        "{path} มีอยู่แล้ว ตั้งชื่อไฟล์หรือโฟลเดอร์ใหม่ (สำเนาข้อมูลสมาชิกจะไม่เขียนทับไฟล์เดิม)",
    ),
    "invalid_input.export_folder": (
        "The folder {path} does not exist (or is not a folder): create it, or name another.",
        "ไม่มีโฟลเดอร์ {path} (หรือไม่ใช่โฟลเดอร์) สร้างโฟลเดอร์ก่อน หรือระบุที่อื่น",
    ),
    # PINs
    "weak_pin.length": ("A PIN is 4 to 8 digits.", "PIN ต้องเป็นตัวเลข 4 ถึง 8 หลัก"),
    "weak_pin.repeated": (
        "A PIN of one repeated digit is too easy to guess: choose another.",
        "PIN ที่เป็นเลขซ้ำตัวเดียวเดาง่ายเกินไป เลือก PIN อื่น",
    ),
    "weak_pin.sequence": (
        "A PIN of consecutive digits (like 1234) is too easy to guess.",
        "PIN ที่เป็นเลขเรียงกัน (เช่น 1234) เดาง่ายเกินไป เลือก PIN อื่น",
    ),
    "weak_pin.common": (
        "That PIN is among the most guessed: choose another.",
        "PIN นี้เป็นหนึ่งในรหัสที่ถูกเดาบ่อยที่สุด เลือก PIN อื่น",
    ),
    # the till's ids and clock
    "not_initialized": (
        "This terminal is not set up yet: run 'pos init --store STORE_ID --terminal "
        "TERMINAL_ID' (or the setup wizard in 'pos run').",
        "เครื่องนี้ยังไม่ได้ตั้งค่า เปิด 'pos run' เพื่อตั้งค่า (หรือ 'pos init --store "
        "STORE_ID --terminal TERMINAL_ID')",
    ),
    "already_initialized.ids": (
        "This ledger already belongs to store {store}, terminal {terminal}: use another --db "
        "for another terminal.",
        "ฐานข้อมูลนี้เป็นของร้าน {store} เครื่อง {terminal} แล้ว ใช้ --db อื่นสำหรับเครื่องอื่น",
    ),
    "not_permitted.ids_joined": (
        "The ids stay {store} / {terminal}: this till has joined head office, which knows "
        "it by them.",
        "รหัสร้านและรหัสเครื่องคงเป็น {store} / {terminal} เพราะเครื่องนี้เชื่อมกับ"
        "สำนักงานใหญ่แล้ว",
    ),
    "not_permitted.rename_elsewhere": (
        "This member was enrolled at terminal {terminal_id}: their name is changed there or "
        "at head office.",
        "สมาชิกนี้สมัครที่เครื่อง {terminal_id} เปลี่ยนชื่อได้ที่เครื่องนั้นหรือที่สำนักงานใหญ่",
    ),
    "not_permitted.rename_merged": (
        "This member's phone was also enrolled at another terminal and head office merged "
        "the two: their name is changed at head office.",
        "เบอร์นี้สมัครไว้ที่เครื่องอื่นด้วย และสำนักงานใหญ่รวมเป็นสมาชิกเดียวกันแล้ว "
        "เปลี่ยนชื่อได้ที่สำนักงานใหญ่",
    ),
    "not_permitted.consent_elsewhere": (
        "This member was enrolled at terminal {terminal_id}: their consent is given or "
        "withdrawn there or at head office.",
        "สมาชิกนี้สมัครที่เครื่อง {terminal_id} ให้หรือถอนความยินยอมได้ที่เครื่องนั้นหรือที่"
        "สำนักงานใหญ่",
    ),
    "not_permitted.ids_used": (
        "The ids stay {store} / {terminal}: entries are already recorded under them.",
        "รหัสร้านและรหัสเครื่องคงเป็น {store} / {terminal} เพราะมีรายการบันทึกไว้แล้ว",
    ),
    "clock_wrong.behind": (
        "This till's clock says {now}, earlier than its last entry ({last}): set the date "
        "and time (a flat clock battery does this). Until then new entries are dated {last}.",
        "นาฬิกาเครื่องนี้บอก {now} ซึ่งก่อนรายการล่าสุด ({last}) ตั้งวันและเวลาให้ถูกต้อง "
        "(แบตเตอรี่นาฬิกาหมดมักทำให้เป็นเช่นนี้) ระหว่างนี้รายการใหม่จะลงวันที่ {last}",
    ),
    "clock_wrong.ahead": (
        "This till's clock says {now}, {days} days after anything this ledger has seen "
        "({known}): set the date and time. If it is right (the till was not used for that "
        "long), a supervisor confirms it: pos ledger clock --confirm --approver STAFF_ID.",
        "นาฬิกาเครื่องนี้บอก {now} ซึ่งเลยรายการที่เคยเห็นไป {days} วัน ({known}) "
        "ตั้งวันและเวลาให้ถูกต้อง ถ้าถูกแล้ว (ไม่ได้ใช้เครื่องนานขนาดนั้น) ให้หัวหน้ายืนยัน: "
        "pos ledger clock --confirm --approver STAFF_ID",
    ),
    "clock_wrong.ahead_refused": (
        "This till's clock says {now}, {days} days after anything this ledger has seen "
        "({known}): set the date and time. If it is right (the till was not used for that "
        "long), a supervisor confirms it: pos ledger clock --confirm --approver STAFF_ID. "
        "Nothing was recorded.",
        "นาฬิกาเครื่องนี้บอก {now} ซึ่งเลยรายการที่เคยเห็นไป {days} วัน ({known}) "
        "ตั้งวันและเวลาให้ถูกต้อง ถ้าถูกแล้วให้หัวหน้ายืนยัน: pos ledger clock --confirm "
        "--approver STAFF_ID ยังไม่ได้บันทึกอะไร",
    ),
    # print jobs
    "job_not_found": ("No print job '{job_id}'.", "ไม่พบงานพิมพ์ '{job_id}'"),
    "nothing_to_print": (
        "Entry {entry_id} is a {kind}: only sales and coupons have slips.",
        "รายการ {entry_id} ไม่มีสลิป มีสลิปเฉพาะการขายและคูปอง",
    ),
}  # fmt: skip
