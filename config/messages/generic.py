"""The text of each error code, for a refusal built from a ready English
message (a wrapped library error, an administrator's command, a damaged file):
in Thai the code's text stands in for it, so a Thai screen never shows English."""

from __future__ import annotations

# The ledger file as SQLite found it (ledger.db.explain): the path in both
# languages; SQLite's words and the procedure only in English.
FILES: dict[str, tuple[str, str]] = {
    "damaged_text.ledger": (
        "The ledger {path} holds damaged text (bytes that are not valid text, UTF-8): nothing "
        "was changed. Run 'pos ledger verify' to see which entry, then {restore}.",
        "ฐานข้อมูล {path} มีข้อความที่เสียหาย ไม่มีอะไรเปลี่ยน แจ้งผู้ดูแลให้ตรวจด้วย "
        "'pos ledger verify' และกู้คืนจากสำรอง",
    ),
    "disk_full.ledger": (
        "Cannot write the ledger {path}: {why}. Nothing was saved: free some space on that "
        "disk, then run the command again.",
        "เขียนฐานข้อมูล {path} ไม่ได้ ดิสก์เต็ม ยังไม่ได้บันทึกอะไร ทำพื้นที่ว่างบนดิสก์นั้น"
        "แล้วลองใหม่ (แจ้งผู้ดูแล)",
    ),
    "read_only.ledger": (
        "Cannot write the ledger {path}: {why}",
        "เขียนฐานข้อมูล {path} ไม่ได้ (อ่านอย่างเดียวหรือไม่มีสิทธิ์) ไม่มีอะไรเปลี่ยน "
        "แจ้งผู้ดูแลตรวจสิทธิ์ไฟล์และโฟลเดอร์",
    ),
    "corrupt_database.ledger": (
        "The ledger {path} is damaged or not a ledger database ({error}): nothing was changed. "
        "Check that --db names the right file; if it does, {restore}.",
        "ฐานข้อมูล {path} เสียหายหรือไม่ใช่ฐานข้อมูลของระบบ ไม่มีอะไรเปลี่ยน แจ้งผู้ดูแล"
        "ให้ตรวจไฟล์และกู้คืนจากสำรอง ห้ามลบไฟล์",
    ),
    "database_unavailable.busy": (
        "The ledger {path} is busy: another program has held it for too long. Nothing was "
        "changed: try again in a moment (and check for a stuck 'pos' process).",
        "ฐานข้อมูล {path} ถูกโปรแกรมอื่นใช้อยู่นานเกินไป ไม่มีอะไรเปลี่ยน ลองใหม่อีกครั้ง",
    ),
    "database_unavailable.io": (
        "Cannot read or write the ledger {path} ({error}): nothing was changed. Check the disk "
        "and the folder's permissions, then run the command again.",
        "อ่านหรือเขียนฐานข้อมูล {path} ไม่ได้ ไม่มีอะไรเปลี่ยน แจ้งผู้ดูแลตรวจดิสก์และสิทธิ์โฟลเดอร์",
    ),
}  # fmt: skip

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
        "เครื่องพิมพ์พิมพ์ไม่ได้ในขณะนี้ ตรวจเครื่องพิมพ์ (รายละเอียดอยู่ใน pos.log)",
    ),
    "print_failed.no_coupon": (
        "Entry {entry_id} issued no coupon: nothing to print.",
        "รายการ {entry_id} ไม่ได้ออกคูปอง ไม่มีอะไรให้พิมพ์",
    ),
    "print_failed": (
        "Printing failed.",
        "พิมพ์ไม่สำเร็จ เก็บสลิปไว้แล้ว ตรวจเครื่องพิมพ์แล้วกด F6",
    ),
    "backup_error": ("The backup failed.", "สำรองข้อมูลไม่สำเร็จ แจ้งผู้ดูแล"),
    "restore_failed": ("The restore failed.", "กู้คืนข้อมูลไม่สำเร็จ ไม่มีอะไรเปลี่ยน แจ้งผู้ดูแล"),
    "nothing_to_restore": ("Nothing to restore.", "ไม่มีข้อมูลให้กู้คืน"),
    "clock_wrong": (
        "This till's clock is wrong.",
        "นาฬิกาเครื่องนี้ไม่ถูกต้อง ตั้งวันและเวลาให้ถูกต้อง",
    ),
    "coupon_unusable": ("This coupon cannot be used.", "คูปองนี้ใช้ไม่ได้"),
    "ledger_error": ("The ledger refused.", "ระบบไม่รับรายการนี้ ไม่มีอะไรเปลี่ยน"),
    "member_not_found": ("No such member.", "ไม่พบสมาชิก"),
    "no_terminal": (
        "The counter app needs a terminal window.",
        "แอปหน้าร้านต้องเปิดในหน้าต่างเทอร์มินัล",
    ),
    "not_reversible": ("This entry cannot be reversed.", "รายการนี้ยกเลิกไม่ได้"),
    "print_job_not_found": ("No such print job.", "ไม่พบงานพิมพ์"),
    "ref_conflict": (
        "That reference was already used.",
        "เลขที่บิลหรือเลขอ้างอิงนี้ใช้ไปแล้ว ตรวจอีกครั้ง",
    ),
    "refused": ("Refused.", "ไม่สามารถทำรายการได้ ไม่มีอะไรเปลี่ยน"),
    "staff_deactivated": (
        "This staff id is deactivated.",
        "รหัสพนักงานนี้ถูกปิดใช้งาน ผู้ดูแลเปิดใช้งานได้",
    ),
    "staff_exists": ("That staff id is taken.", "รหัสพนักงานนี้มีอยู่แล้ว เลือกรหัสอื่น"),
    "staff_locked": (
        "This staff id is locked.",
        "รหัสพนักงานนี้ถูกล็อกเพราะใส่ PIN ผิดหลายครั้ง",
    ),
    "staff_not_found": ("No such staff id.", "ไม่พบรหัสพนักงานนี้ ตรวจรหัสอีกครั้ง"),
    "weak_pin": ("That PIN is too weak.", "PIN นี้เดาง่ายเกินไป เลือก PIN อื่น"),
    "wrong_pin": ("Wrong PIN.", "PIN ไม่ถูกต้อง"),
    "unexpected": ("Something went wrong.", "เกิดข้อผิดพลาด บันทึกไว้แล้ว ลองใหม่หรือติดต่อผู้ดูแล"),
}  # fmt: skip
