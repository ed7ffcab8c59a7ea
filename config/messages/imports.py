"""Refusals of ``pos import members|sales`` (ledger.imports): the file as a
whole (``import_refused.*``) and each bad row (``import_row.*``). Keys as in
config/messages/__init__.py."""

from __future__ import annotations

_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8'"
_SAVE_AS_TH = "บันทึกจากโปรแกรมตารางเป็น 'CSV UTF-8'"

IMPORTS: dict[str, tuple[str, str]] = {
    "import_refused": (
        "The file {path} cannot be imported: nothing was changed.",
        "นำเข้าไฟล์ {path} ไม่ได้ ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    "import_refused.no_file": (
        "There is no file {path}: check the name and the folder (nothing was changed).",
        "ไม่พบไฟล์ {path} ตรวจชื่อและโฟลเดอร์อีกครั้ง (ยังไม่มีการเปลี่ยนแปลงใด ๆ)",
    ),
    "import_refused.not_a_file": (
        "{path} is not a file: name the CSV file itself (nothing was changed).",
        "{path} ไม่ใช่ไฟล์ ระบุไฟล์ CSV โดยตรง (ยังไม่มีการเปลี่ยนแปลงใด ๆ)",
    ),
    "import_refused.unreadable": (
        "Cannot read {path} ({reason}): check the file's permissions, then import again.",
        "อ่านไฟล์ {path} ไม่ได้ ({reason}) ตรวจสิทธิ์ของไฟล์ แล้วนำเข้าอีกครั้ง",
    ),
    "import_refused.not_utf8": (
        f"{{path}} is not UTF-8 text (line {{line}}): {_SAVE_AS} and import it again; "
        "nothing was changed.",
        f"ไฟล์ {{path}} ไม่ใช่ข้อความ UTF-8 (บรรทัด {{line}}) {_SAVE_AS_TH} แล้วนำเข้าอีกครั้ง "
        "ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    "import_refused.not_csv": (
        f"{{path}} line {{line}} is not CSV ({{reason}}): {_SAVE_AS}; nothing was changed.",
        f"ไฟล์ {{path}} บรรทัด {{line}} ไม่ใช่ CSV ({{reason}}) {_SAVE_AS_TH} ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    "import_refused.empty": (
        "{path} is empty: the first line names the columns ({columns}), then one line per row.",
        "ไฟล์ {path} ว่าง บรรทัดแรกต้องเป็นชื่อคอลัมน์ ({columns}) แล้วตามด้วยข้อมูลบรรทัดละรายการ",
    ),
    "import_refused.missing_column": (
        "{path} has no column '{column}' (its first line: {header}): add it; the columns are "
        "{columns}. Nothing was changed.",
        "ไฟล์ {path} ไม่มีคอลัมน์ '{column}' (บรรทัดแรก: {header}) เพิ่มคอลัมน์นี้ "
        "คอลัมน์ที่ใช้ได้คือ {columns} ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    "import_refused.member_column": (
        "{path} needs a column 'phone' or 'external_id' to find each sale's member (its first "
        "line: {header}). Nothing was changed.",
        "ไฟล์ {path} ต้องมีคอลัมน์ 'phone' หรือ 'external_id' เพื่อหาสมาชิกของแต่ละยอดขาย "
        "(บรรทัดแรก: {header}) ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    "import_refused.duplicate_column": (
        "{path} has the column '{column}' twice: keep one, then import again.",
        "ไฟล์ {path} มีคอลัมน์ '{column}' ซ้ำ ให้เหลือคอลัมน์เดียว แล้วนำเข้าอีกครั้ง",
    ),
    "approval_required.import_balances": (
        "This file brings opening balances (column 'balance'): a supervisor approves the "
        "import (--approver STAFF_ID, the PIN on stdin). Nothing was changed.",
        "ไฟล์นี้มียอดแต้มยกมา (คอลัมน์ 'balance') หัวหน้าต้องอนุมัติการนำเข้า "
        "(--approver รหัสพนักงาน และรหัส PIN) ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
    # -- one bad row: said after "line N, column:" ---------------------------
    "import_row.fields": (
        "{found} fields where the first line names {expected}: check the quotes and commas "
        "on this line.",
        "มี {found} ช่อง แต่บรรทัดแรกมี {expected} คอลัมน์ ตรวจเครื่องหมายคำพูดและจุลภาคในบรรทัดนี้",
    ),
    "import_row.duplicate_phone": (
        "the phone {phone} is also on line {first}: one line per member (this line is not "
        "imported).",
        "เบอร์ {phone} อยู่ในบรรทัด {first} แล้ว สมาชิกหนึ่งคนใช้หนึ่งบรรทัด (บรรทัดนี้ไม่ถูกนำเข้า)",
    ),
    "import_row.duplicate_external_id": (
        "the external id '{value}' is also on line {first}: one line per member (this line "
        "is not imported).",
        "รหัสเดิม '{value}' อยู่ในบรรทัด {first} แล้ว สมาชิกหนึ่งคนใช้หนึ่งบรรทัด (บรรทัดนี้ไม่ถูกนำเข้า)",
    ),
    "import_row.phone_held": (
        "{phone} is already a member here, not from this import: leave the line out, or "
        "give their old balance with 'pos adjust'.",
        "{phone} เป็นสมาชิกที่นี่อยู่แล้ว (ไม่ได้มาจากการนำเข้านี้) ตัดบรรทัดนี้ออก หรือเพิ่มแต้มเดิมด้วย 'pos adjust'",
    ),
    "import_row.external_id_held": (
        "the external id '{value}' belongs to another member here: check the line.",
        "รหัสเดิม '{value}' เป็นของสมาชิกคนอื่นที่นี่ ตรวจบรรทัดนี้อีกครั้ง",
    ),
    "import_row.external_id": (
        "'{value}' cannot be an external id: at most 64 printable characters.",
        "'{value}' ใช้เป็นรหัสเดิมไม่ได้ ต้องไม่เกิน 64 ตัวอักษรที่พิมพ์ได้",
    ),
    "import_row.ref": (
        "'{value}' cannot be a bill number: at most 64 printable characters.",
        "'{value}' ใช้เป็นเลขที่บิลไม่ได้ ต้องไม่เกิน 64 ตัวอักษรที่พิมพ์ได้",
    ),
    "import_row.date": (
        "'{value}' is not a date: write YYYY-MM-DD (2024-03-01) or an ISO date-time "
        "(2024-03-01T14:30:00+07:00).",
        "'{value}' ไม่ใช่วันที่ เขียนเป็น YYYY-MM-DD (2024-03-01) หรือวันเวลาแบบ ISO "
        "(2024-03-01T14:30:00+07:00)",
    ),
    "import_row.date_required": (
        "the date is empty: every sale needs its date (YYYY-MM-DD).",
        "ไม่มีวันที่ ทุกยอดขายต้องมีวันที่ (YYYY-MM-DD)",
    ),
    "import_row.future": (
        "'{value}' is in the future: check the date.",
        "'{value}' เป็นวันในอนาคต ตรวจวันที่อีกครั้ง",
    ),
    "import_row.birthday": (
        "'{value}' is not a birthday: write YYYY-MM-DD (1990-07-15), or leave it empty.",
        "'{value}' ไม่ใช่วันเกิด เขียนเป็น YYYY-MM-DD (1990-07-15) หรือเว้นว่างไว้",
    ),
    "import_row.balance": (
        "'{value}' is not a number of points: a whole number such as 1200, or empty for none.",
        "'{value}' ไม่ใช่จำนวนแต้ม ใส่จำนวนเต็ม เช่น 1200 หรือเว้นว่างถ้าไม่มี",
    ),
    "import_row.balance_negative": (
        "'{value}': a balance below zero is not imported; settle it in the old system or "
        "with 'pos adjust' after the import.",
        "'{value}' ยอดแต้มติดลบนำเข้าไม่ได้ ปรับในระบบเดิม หรือใช้ 'pos adjust' หลังนำเข้า",
    ),
    "import_row.amount_required": (
        "the amount is empty: every sale needs its amount, such as 250.00.",
        "ไม่มียอดเงิน ทุกยอดขายต้องมียอดเงิน เช่น 250.00",
    ),
    "import_row.no_member": (
        "neither a phone nor an external id: the sale's member cannot be found.",
        "ไม่มีทั้งเบอร์โทรและรหัสเดิม จึงหาสมาชิกของยอดขายนี้ไม่ได้",
    ),
    "import_row.unknown_phone": (
        "no member here with the phone {phone}: import the members first (pos import members).",
        "ไม่พบสมาชิกเบอร์ {phone} ที่นี่ ให้นำเข้าสมาชิกก่อน (pos import members)",
    ),
    "import_row.unknown_external_id": (
        "no member here with the external id '{value}': import the members first "
        "(pos import members).",
        "ไม่พบสมาชิกที่มีรหัสเดิม '{value}' ที่นี่ ให้นำเข้าสมาชิกก่อน (pos import members)",
    ),
    "import_row.member_mismatch": (
        "the phone and the external id are two different members here: check the line.",
        "เบอร์โทรและรหัสเดิมเป็นสมาชิกคนละคนกัน ตรวจบรรทัดนี้อีกครั้ง",
    ),
    "import_row.duplicate_ref": (
        "the bill number '{value}' is also on line {first}: one line per sale (this line is "
        "not imported).",
        "เลขที่บิล '{value}' อยู่ในบรรทัด {first} แล้ว ยอดขายหนึ่งรายการใช้หนึ่งบรรทัด (บรรทัดนี้ไม่ถูกนำเข้า)",
    ),
    "import_row.ref_held": (
        "the bill number '{value}' was imported before for another sale: check the line.",
        "เลขที่บิล '{value}' ถูกนำเข้าแล้วสำหรับยอดขายอื่น ตรวจบรรทัดนี้อีกครั้ง",
    ),
}
