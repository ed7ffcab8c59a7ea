"""The setup wizard's words, the test page's, the status bar's, the printer's own
status, and the screens' own error texts."""

from __future__ import annotations

# key: (English, Thai)
SETUP: dict[str, tuple[str, str]] = {
    # setup wizard
    "setup.title": ("Setup: step {n} of 4", "ตั้งค่า: ขั้นที่ {n} จาก 4"),
    "setup.ids": ("Store and terminal", "ร้านและเครื่อง"),
    "setup.store": ("Store id (e.g. BKK01)", "รหัสร้าน (เช่น BKK01)"),
    "setup.terminal": ("Terminal id (e.g. T1)", "รหัสเครื่อง (เช่น T1)"),
    "setup.language": ("Language: type th or en", "ภาษา: พิมพ์ th หรือ en"),
    "setup.language_title": ("Language", "ภาษา"),
    "setup.printer_title": ("Printer", "เครื่องพิมพ์"),
    "setup.printer": ("Printer: preview or its address (see above)",
                      "เครื่องพิมพ์: preview หรือที่อยู่เครื่องพิมพ์ (ดูด้านบน)"),
    "setup.printer_note": ("Network tcp://192.168.1.50:9100   USB usb://04b8:0202\n"
                           "Serial serial:///dev/ttyUSB0?baudrate=19200   CUPS cups://QUEUE\n"
                           "preview: no printer, slips are saved as pictures",
                           "เครือข่าย tcp://192.168.1.50:9100   USB usb://04b8:0202\n"
                           "พอร์ตอนุกรม serial:///dev/ttyUSB0?baudrate=19200   CUPS cups://คิว\n"
                           "preview: ไม่มีเครื่องพิมพ์ บันทึกสลิปเป็นรูปภาพ"),
    "setup.paper": ("Paper width: 58 or 80 (mm)", "ความกว้างกระดาษ: 58 หรือ 80 (มม.)"),
    "setup.paper_bad": ("Paper width is 58 or 80 (mm): type one of them.",
                        "ความกว้างกระดาษต้องเป็น 58 หรือ 80 (มม.)"),
    "setup.preview_dir": ("Preview slips are saved in {path}", "สลิปตัวอย่างบันทึกไว้ที่ {path}"),
    "setup.store_name": ("Shop name, printed at the top of slips", "ชื่อร้าน (พิมพ์บนหัวสลิป)"),
    "setup.store_name_bad": ("Type the shop's name as slips should show it (at most 48 "
                             "characters).",
                             "พิมพ์ชื่อร้านตามที่จะพิมพ์บนสลิป (ไม่เกิน 48 ตัวอักษร)"),
    "setup.id_bad_store": ("The store id '{value}' is not a code: use 1 to 32 letters, digits, - "
                           "or _, e.g. {example}. The shop's name goes in its own field.",
                           "รหัสร้าน '{value}' ใช้ไม่ได้: ใช้อักษรอังกฤษ ตัวเลข - หรือ _ 1 ถึง 32 "
                           "ตัว เช่น {example} ชื่อร้านให้ใส่ในช่องชื่อร้าน"),
    "setup.id_bad_terminal": ("The terminal id '{value}' is not a code: use 1 to 32 letters, "
                              "digits, - or _, e.g. {example}.",
                              "รหัสเครื่อง '{value}' ใช้ไม่ได้: ใช้อักษรอังกฤษ ตัวเลข - หรือ _ "
                              "1 ถึง 32 ตัว เช่น {example}"),
    "setup.ids_fixed_entries": ("The ids stay {store} / {terminal}: sales are already recorded "
                                "under them.",
                                "รหัสร้านและรหัสเครื่องคงเป็น {store} / {terminal} "
                                "เพราะมีรายการบันทึกไว้แล้ว"),
    "setup.ids_fixed_joined": ("The ids stay {store} / {terminal}: this till has joined head "
                               "office, which knows it by them.",
                               "รหัสร้านและรหัสเครื่องคงเป็น {store} / {terminal} "
                               "เพราะเครื่องนี้เชื่อมกับสำนักงานใหญ่แล้ว"),
    "setup.supervisor_title": ("First supervisor", "หัวหน้าคนแรก"),
    "setup.sup_id": ("Supervisor id", "รหัสหัวหน้า"),
    "setup.sup_pin": ("PIN (4-8 digits)", "PIN (4-8 หลัก)"),
    "setup.sup_pin2": ("Repeat the PIN", "PIN อีกครั้ง"),
    "setup.hint": ("Enter: next field / next step   Esc: back", "Enter: ถัดไป   Esc: ย้อนกลับ"),
    "setup.pin_mismatch": ("The two PINs differ: type them again.", "PIN ทั้งสองไม่ตรงกัน"),
    "setup.language_bad": ("Type th or en.", "พิมพ์ th หรือ en"),
    "setup.printer_bad": ("'{url}' is not a printer address: type preview, or one of the forms "
                          "above, e.g. tcp://192.168.1.50:9100.",
                          "'{url}' ไม่ใช่ที่อยู่เครื่องพิมพ์ พิมพ์ preview หรือตามรูปแบบด้านบน "
                          "เช่น tcp://192.168.1.50:9100"),
    "setup.test_print": ("TEST PRINT  ทดสอบการพิมพ์  OK", "TEST PRINT  ทดสอบการพิมพ์  OK"),
    "setup.done": ("Setup complete: log in as {staff}.", "ตั้งค่าเสร็จแล้ว เข้าสู่ระบบด้วย {staff}"),
    "setup.test_hint": ("F2: print this page on the printer above (nothing is saved yet)",
                        "F2: พิมพ์หน้านี้ที่เครื่องพิมพ์ด้านบน (ยังไม่บันทึก)"),
    "key.test_print": ("Test print", "ทดสอบพิมพ์"),
    "help.setup.test_print": ("print a test page on the printer typed, before saving it",
                              "พิมพ์หน้าทดสอบที่เครื่องพิมพ์ที่พิมพ์ไว้ ก่อนบันทึก"),
    # the test page (setup wizard F2, pos print test): pos.test_print
    "test_print.busy": ("Printing the test page on {where}...", "กำลังพิมพ์หน้าทดสอบที่ {where}..."),
    "test_print.printed": ("Test page printed on {where}: check the Thai line and that the QR "
                           "scans.",
                           "พิมพ์หน้าทดสอบที่ {where} แล้ว ตรวจบรรทัดภาษาไทยและลองสแกน QR"),
    "test_print.sent": ("Test page sent to {where}; this printer cannot say whether it came out: "
                        "check the paper.",
                        "ส่งหน้าทดสอบไปที่ {where} แล้ว เครื่องพิมพ์นี้บอกสถานะไม่ได้ ตรวจดูที่กระดาษ"),
    "test_print.saved": ("Preview: the test page is saved as a picture: {path}",
                         "ตัวอย่าง: บันทึกหน้าทดสอบเป็นรูปภาพแล้วที่ {path}"),
    "test_print.paper_out": ("Test page not printed: the printer is out of paper. Load a new roll "
                             "and try again.",
                             "ยังไม่ได้พิมพ์หน้าทดสอบ: กระดาษหมด ใส่กระดาษม้วนใหม่แล้วลองอีกครั้ง"),
    "test_print.cover_open": ("Test page not printed: the printer's cover is open. Close it and "
                              "try again.",
                              "ยังไม่ได้พิมพ์หน้าทดสอบ: ฝาเครื่องพิมพ์เปิดอยู่ ปิดฝาแล้วลองอีกครั้ง"),
    "test_print.offline": ("Test page not printed: the printer is offline. Check it is on and "
                           "ready, and try again.",
                           "ยังไม่ได้พิมพ์หน้าทดสอบ: เครื่องพิมพ์ออฟไลน์ ตรวจว่าเปิดเครื่องและพร้อมพิมพ์ "
                           "แล้วลองอีกครั้ง"),
    "test_print.unreachable": ("Test page not printed: no printer answers at {where}. Check it is "
                               "on and connected, and the address.",
                               "ยังไม่ได้พิมพ์หน้าทดสอบ: ไม่มีเครื่องพิมพ์ตอบที่ {where} "
                               "ตรวจว่าเปิดเครื่องและต่อสายแล้ว และที่อยู่ถูกต้อง"),
    "test_print.not_found": ("Test page not printed: printer {where} is not found. Check the "
                             "cable, that it is switched on, and the address.",
                             "ยังไม่ได้พิมพ์หน้าทดสอบ: ไม่พบเครื่องพิมพ์ {where} ตรวจสาย "
                             "ตรวจว่าเปิดเครื่อง และที่อยู่ถูกต้อง"),
    "test_print.no_access": ("Test page not printed: this till's user may not use printer {where}; "
                             "give it access to the device (e.g. the lp or dialout group).",
                             "ยังไม่ได้พิมพ์หน้าทดสอบ: ผู้ใช้ของเครื่องนี้ไม่มีสิทธิ์ใช้เครื่องพิมพ์ {where} "
                             "ให้สิทธิ์เข้าถึงอุปกรณ์ (เช่น กลุ่ม lp หรือ dialout)"),
    "test_print.stopped": ("The printer stopped during the test page ({fault}): check what came "
                           "out.",
                           "เครื่องพิมพ์หยุดระหว่างพิมพ์หน้าทดสอบ ({fault}) ตรวจดูว่าพิมพ์ออกมาครบหรือไม่"),
    "test_print.failed": ("Test page not printed: {detail}", "ยังไม่ได้พิมพ์หน้าทดสอบ: {detail}"),
    "test_print.state.paper_out": ("out of paper", "กระดาษหมด"),
    "test_print.state.cover_open": ("cover open", "ฝาเปิดอยู่"),
    "test_print.state.offline": ("offline", "ออฟไลน์"),
    # status bar
    "status.nobody": ("not logged in", "ยังไม่เข้าสู่ระบบ"),
    "status.printer": ("printer: {state}", "พิมพ์: {state}"),
    "status.printer_ok": ("ok", "พร้อม"),
    "status.printer_preview": ("preview", "ตัวอย่าง"),
    "status.printer_unknown": ("-", "-"),
    "status.printer_down": ("NOT PRINTING", "พิมพ์ไม่ได้"),
    "print.failed": ("Slip not printed (kept, F6 retries)", "ยังไม่ได้พิมพ์ (เก็บไว้ กด F6 พิมพ์ใหม่)"),
    "print.nothing": ("Nothing printed yet.", "ยังไม่มีการพิมพ์"),
    # the printer's own status (DLE EOT), said before a slip is sent
    "printer.paper_out": ("Printer is out of paper: load a new roll; the slip is kept",
                          "เครื่องพิมพ์กระดาษหมด: ใส่กระดาษม้วนใหม่ (เก็บสลิปไว้แล้ว)"),
    "printer.cover_open": ("Printer cover is open: close it; the slip is kept",
                           "ฝาเครื่องพิมพ์เปิดอยู่: ปิดฝาให้สนิท (เก็บสลิปไว้แล้ว)"),
    "printer.offline": ("Printer is offline: check it is on and ready; the slip is kept",
                        "เครื่องพิมพ์ไม่พร้อม: ตรวจว่าเปิดเครื่องและพร้อมพิมพ์ (เก็บสลิปไว้แล้ว)"),
    "printer.stopped": ("Printer stopped during the slip: check what came out, reprint if missing",
                        "เครื่องพิมพ์หยุดระหว่างพิมพ์: ตรวจดูสลิป ถ้าไม่ครบให้พิมพ์ใหม่"),
    "status.printer_paper_out": ("NO PAPER", "กระดาษหมด"),
    "status.printer_cover_open": ("COVER OPEN", "ฝาเปิด"),
    "status.printer_offline": ("OFFLINE", "ไม่พร้อม"),
    "key.reprint": ("Reprint", "พิมพ์ซ้ำ"),
    "status.offline": ("OFFLINE", "ออฟไลน์"),
    "status.synced": ("sync {time}", "ซิงค์ {time}"),
    "status.never": ("not synced yet", "ยังไม่ซิงค์"),
    "sync.title": ("Sync", "ซิงค์"),
    "sync.conflicts": ("Head office found a conflict: tell a supervisor",
                       "สำนักงานใหญ่พบรายการขัดแย้ง แจ้งหัวหน้า"),
    "lookup.asking_hq": ("Not on this terminal: asking head office…",
                         "ไม่พบในเครื่องนี้ กำลังถามสำนักงานใหญ่…"),
    "status.sync_none": ("sync: off", "ซิงค์: ปิด"),
    "status.pending": ("{n} pending", "ค้าง {n}"),
    # errors
    "error.unexpected": ("Something went wrong; it was logged. Try again or call support.",
                         "เกิดข้อผิดพลาด บันทึกไว้แล้ว ลองใหม่หรือติดต่อผู้ดูแล"),
    "error.amount_empty": ("Type the sale amount, e.g. 250.50.", "พิมพ์ยอดขาย เช่น 250.50"),
    "error.amount_bad": ("'{value}' is not an amount: type digits, e.g. 250 or 1,250.50.",
                         "'{value}' ไม่ใช่ยอดเงิน พิมพ์เป็นตัวเลข เช่น 250 หรือ 1,250.50"),
    "error.amount_negative": ("'{value}' is negative: type the amount paid. A refund is a "
                              "reversal, done by a supervisor (F9, or pos reverse).",
                              "'{value}' ติดลบ พิมพ์ยอดที่ลูกค้าจ่าย การคืนเงินคือการยกเลิกรายการ "
                              "ซึ่งหัวหน้าเป็นผู้ทำ (F9 หรือ pos reverse)"),
    "error.amount_decimals": ("'{value}' has more than two decimals: type at most satang, "
                              "e.g. 250.50.",
                              "'{value}' มีทศนิยมเกินสองตำแหน่ง พิมพ์ถึงสตางค์ เช่น 250.50"),
    "error.amount_zero": ("The amount must be more than zero.", "ยอดขายต้องมากกว่าศูนย์"),
    "error.amount_too_large": ("{amount} is more than the largest accepted sale ({limit}): "
                               "check the amount.",
                               "{amount} เกินยอดขายสูงสุดที่รับได้ ({limit}) ตรวจสอบยอดอีกครั้ง"),
    "approval.wrong_pin": ("Wrong PIN for {staff}: {left} more wrong PIN(s) will lock this id. "
                           "Type the PIN again.",
                           "PIN ของ {staff} ไม่ถูกต้อง ผิดอีก {left} ครั้งรหัสนี้จะถูกล็อก "
                           "พิมพ์ PIN ใหม่"),
    "approval.locked": ("{staff} is locked after too many wrong PINs: try again in {minutes} min.",
                        "{staff} ถูกล็อกเพราะใส่ PIN ผิดหลายครั้ง ลองใหม่ในอีก {minutes} นาที"),
    "approval.unlock_by": ("An admin can lift it now: {admins}, with "
                           "pos staff unlock {staff} --approver {admin_id}.",
                           "ผู้ดูแลปลดล็อกได้ทันที: {admins} ด้วยคำสั่ง "
                           "pos staff unlock {staff} --approver {admin_id}"),
    "approval.unlock_nobody": ("Only an admin can lift it sooner, and none is set up.",
                               "มีเพียงผู้ดูแลที่ปลดล็อกได้ก่อนเวลา แต่ยังไม่มีผู้ดูแลในระบบ"),
}  # fmt: skip
