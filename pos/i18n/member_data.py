"""The words of a member's data requests at the counter (card F8): consent,
the member's copy, a new phone number, a merge, forgetting the member."""

from __future__ import annotations

# key: (English, Thai)
MEMBER_DATA: dict[str, tuple[str, str]] = {
    # keys (the card's F8, the dialog's letters)
    "key.member_data": ("Member data", "ข้อมูลสมาชิก"),
    "key.data_withdraw": ("Withdraw consent", "ถอนความยินยอม"),
    "key.data_give": ("Consent again", "ยินยอมอีกครั้ง"),
    "key.data_export": ("Export", "ส่งออก"),
    "key.data_phone": ("New phone", "เบอร์ใหม่"),
    "key.data_merge": ("Merge", "รวมสมาชิก"),
    "key.data_forget": ("Forget", "ลบข้อมูล"),
    "key.data_merge_yes": ("Merge", "รวม"),
    # help (F1)
    "help.where.data": ("member data", "ข้อมูลสมาชิก"),
    "help.card.member_data": ("the member's data: consent, their copy, a new phone, merge, "
                              "forget (a supervisor approves)",
                              "ข้อมูลสมาชิก: ความยินยอม สำเนาข้อมูล เบอร์ใหม่ รวมสมาชิก "
                              "ลบข้อมูล (หัวหน้าอนุมัติ)"),
    "help.data.data_withdraw": ("record that the member withdraws consent (no PIN)",
                                "บันทึกว่าสมาชิกถอนความยินยอม (ไม่ต้องใช้ PIN)"),
    "help.data.data_give": ("record the member's consent again (no PIN)",
                            "บันทึกว่าสมาชิกยินยอมอีกครั้ง (ไม่ต้องใช้ PIN)"),
    "help.data.data_export": ("write the member's copy to a file (a supervisor approves)",
                              "เขียนสำเนาข้อมูลของสมาชิกลงไฟล์ (หัวหน้าอนุมัติ)"),
    "help.data.data_phone": ("move the member to a new phone number, points kept "
                             "(a supervisor approves)",
                             "ย้ายสมาชิกไปเบอร์ใหม่ แต้มยังอยู่ (หัวหน้าอนุมัติ)"),
    "help.data.data_merge": ("merge another member into this one, points kept "
                             "(a supervisor approves)",
                             "รวมสมาชิกอีกคนเข้ากับคนนี้ แต้มยังอยู่ (หัวหน้าอนุมัติ)"),
    "help.data.data_forget": ("forget the member: phone and name erased, cannot be undone "
                              "(press twice; a supervisor approves)",
                              "ลบข้อมูลสมาชิก: ลบเบอร์และชื่อ ย้อนกลับไม่ได้ "
                              "(กดสองครั้ง หัวหน้าอนุมัติ)"),
    "help.data.data_merge_yes": ("merge, once both members are shown",
                                 "รวม เมื่อแสดงสมาชิกทั้งสองคนแล้ว"),
    "help.data.enter": ("the phone typed: next step", "เบอร์ที่พิมพ์: ไปขั้นถัดไป"),
    # the dialog
    "data.title": ("Member data", "ข้อมูลสมาชิก"),
    "data.member": ("{who} · {points} points · {consent}", "{who} · {points} แต้ม · {consent}"),
    "data.consent_yes": ("consent given", "ยินยอมแล้ว"),
    "data.consent_no": ("consent withdrawn", "ถอนความยินยอมแล้ว"),
    "data.consent_none": ("no consent recorded here", "ไม่มีบันทึกความยินยอมที่นี่"),
    "data.do_withdraw": ("withdraw consent (no PIN)", "ถอนความยินยอม (ไม่ต้องใช้ PIN)"),
    "data.do_give": ("consent again (no PIN)", "ยินยอมอีกครั้ง (ไม่ต้องใช้ PIN)"),
    "data.do_export": ("the member's copy, written to a file", "สำเนาข้อมูลสมาชิก เขียนลงไฟล์"),
    "data.do_phone": ("a new phone number, points kept", "เปลี่ยนเบอร์โทรศัพท์ แต้มยังอยู่"),
    "data.do_merge": ("merge another member into this one", "รวมสมาชิกอีกคนเข้ากับคนนี้"),
    "data.do_forget": ("forget the member: cannot be undone", "ลบข้อมูลสมาชิก ย้อนกลับไม่ได้"),
    "data.supervisor": ("All but consent: a supervisor approves with their id and PIN.",
                        "ทุกอย่างยกเว้นความยินยอม หัวหน้าอนุมัติด้วยรหัสและ PIN"),
    "data.hint": ("Choose with a key.   Esc: back to the card",
                  "เลือกด้วยปุ่มลัด   Esc: กลับไปที่บัตรสมาชิก"),
    "data.phone_field": ("New phone number", "เบอร์โทรศัพท์ใหม่"),
    "data.phone_hint": ("Type the new number, Enter; a supervisor approves next.   Esc: back",
                        "พิมพ์เบอร์ใหม่ กด Enter จากนั้นหัวหน้าอนุมัติ   Esc: กลับ"),
    "data.merge_field": ("Phone of the member to merge into this one",
                         "เบอร์ของสมาชิกที่จะรวมเข้ากับคนนี้"),
    "data.merge_hint": ("Type the other member's phone, Enter: both are shown.   Esc: back",
                        "พิมพ์เบอร์ของสมาชิกอีกคน กด Enter เพื่อดูทั้งสองคน   Esc: กลับ"),
    "data.merge_keep": ("Stays: {who}, {points} points", "คงไว้: {who} {points} แต้ม"),
    "data.merge_gone": ("Merged into it and closed: {who}, {points} points",
                        "รวมเข้ามาแล้วปิด: {who} {points} แต้ม"),
    "data.merge_after": ("After the merge: {points} points", "หลังรวม: {points} แต้ม"),
    "data.merge_confirm": ("Y: merge (a supervisor approves)   Esc: back",
                           "Y: รวม (หัวหน้าอนุมัติ)   Esc: กลับ"),
    "data.forget_warn": ("Forget {who}? The phone and name are erased here and at head "
                         "office; the entries stay under a pseudonym. This cannot be undone.",
                         "ลบข้อมูล {who}? เบอร์และชื่อจะถูกลบที่นี่และที่สำนักงานใหญ่ "
                         "รายการแต้มยังอยู่ภายใต้นามแฝง ย้อนกลับไม่ได้"),
    "data.forget_again": ("F again: forget (a supervisor approves)   Esc: back",
                          "กด F อีกครั้ง: ลบข้อมูล (หัวหน้าอนุมัติ)   Esc: กลับ"),
    "data.approve_export": ("The member's copy", "สำเนาข้อมูลสมาชิก"),
    "data.approve_phone": ("New phone number", "เปลี่ยนเบอร์โทรศัพท์"),
    "data.approve_merge": ("Merge two members", "รวมสมาชิกสองคน"),
    "data.approve_forget": ("Forget the member", "ลบข้อมูลสมาชิก"),
    "data.working": ("Working…", "กำลังดำเนินการ…"),
    # outcomes
    "data.withdrawn": ("Consent withdrawn: the points stay and can be redeemed; "
                       "head office learns of it at the next sync.",
                       "ถอนความยินยอมแล้ว แต้มยังอยู่และแลกได้ "
                       "สำนักงานใหญ่จะได้รับเมื่อซิงค์ครั้งถัดไป"),
    "data.given": ("Consent recorded; head office learns of it at the next sync.",
                   "บันทึกความยินยอมแล้ว สำนักงานใหญ่จะได้รับเมื่อซิงค์ครั้งถัดไป"),
    "data.consent_same": ("Already so since {date}: nothing changed.",
                          "เป็นเช่นนี้อยู่แล้วตั้งแต่ {date} ไม่มีการเปลี่ยนแปลง"),
    "data.exported": ("The member's copy was written (a private file):",
                      "เขียนสำเนาข้อมูลสมาชิกแล้ว (ไฟล์ส่วนตัว):"),
    "data.phone_done": ("New phone number {phone}: the points stay with the member.",
                        "เปลี่ยนเป็นเบอร์ {phone} แล้ว แต้มยังอยู่กับสมาชิก"),
    "data.merged": ("{other} merged into this member: {points} points now.",
                    "รวม {other} เข้ากับสมาชิกนี้แล้ว ตอนนี้มี {points} แต้ม"),
    "data.forgotten": ("Member {who} forgotten: phone and name erased.",
                       "ลบข้อมูลสมาชิก {who} แล้ว เบอร์และชื่อถูกลบ"),
}  # fmt: skip
