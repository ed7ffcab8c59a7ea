"""Thai and English text for the counter app, and locale-aware numbers (Babel)."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from babel.numbers import format_currency, format_decimal
from textual.dom import DOMNode

from config.refusal import Refusal
from ledger.localday import shop_zone

if TYPE_CHECKING:
    from config import Settings

R = TypeVar("R", bound=Refusal)

LANGUAGES = ("th", "en")
_LOCALES = {"th": "th_TH", "en": "en_US"}

# key: (English, Thai)
TEXT: dict[str, tuple[str, str]] = {
    # bindings (footer)
    "key.quit": ("Quit", "ออก"),
    "key.language": ("ไทย", "English"),
    "key.logout": ("Log out", "ออกจากระบบ"),
    "key.supervisor": ("Supervisor", "หัวหน้า"),
    "key.redeem": ("Redeem", "แลกแต้ม"),
    "key.back": ("Back", "กลับ"),
    "key.enroll": ("Enroll", "สมัคร"),
    "key.consent": ("Consent", "ยินยอม"),
    "key.cancel": ("Cancel", "ยกเลิก"),
    "key.use": ("Mark used", "ใช้คูปอง"),
    "key.close": ("Close", "ปิด"),
    "print.not_again": ("Job is {status}: not printed again.",
                        "งานพิมพ์อยู่ในสถานะ {status} ไม่ได้พิมพ์ซ้ำ"),
    "coupon.reward": ("{name}", "{name}"),
    "key.reverse": ("Reverse", "ยกเลิกรายการ"),
    "key.ref": ("Sale ref", "เลขที่บิล"),
    "key.next": ("Next", "ถัดไป"),
    # entry kinds
    "kind.earn": ("earn", "สะสม"),
    "kind.redeem": ("redeem", "แลก"),
    "kind.reverse": ("reverse", "ยกเลิก"),
    "kind.adjust": ("adjust", "ปรับ"),
    "kind.expire": ("expire", "หมดอายุ"),
    "kind.bonus": ("bonus", "โบนัส"),
    "kind.transfer": ("transfer", "โอน"),
    # staff roles (ledger.staff.ROLES)
    "role.cashier": ("cashier", "แคชเชียร์"),
    "role.supervisor": ("supervisor", "หัวหน้า"),
    "role.admin": ("admin", "ผู้ดูแล"),
    # login
    "login.title": ("Staff login", "เข้าสู่ระบบพนักงาน"),
    "login.staff": ("Staff id", "รหัสพนักงาน"),
    "login.pin": ("PIN", "รหัส PIN"),
    "login.hint": ("Type your id, Enter, then your PIN, Enter.",
                   "พิมพ์รหัสพนักงาน กด Enter แล้วพิมพ์ PIN กด Enter"),
    # lookup
    "lookup.title": ("Member lookup", "ค้นหาสมาชิก"),
    "lookup.phone": ("Phone number (or scan a coupon)", "เบอร์โทรศัพท์ (หรือสแกนคูปอง)"),
    "lookup.hint": ("Type a phone number, or a part of a name, and press Enter.",
                    "พิมพ์เบอร์โทรศัพท์ หรือบางส่วนของชื่อ แล้วกด Enter"),
    "lookup.enroll": ("Enroll {phone}?", "สมัครสมาชิก {phone}?"),
    "lookup.consent": ("Consent to keep the phone for points (C)",
                       "ยินยอมให้เก็บเบอร์เพื่อสะสมแต้ม (กด C)"),
    "lookup.consent_off": ("NOT agreed yet (C: the customer agrees)",
                           "ยังไม่ยินยอม (กด C เมื่อลูกค้ายินยอม)"),
    "lookup.consent_on": ("AGREED (C: undo)", "ยินยอมแล้ว (กด C เพื่อยกเลิก)"),
    "lookup.consent_scope": ("Covers: points and receipts by phone",
                             "ครอบคลุม: สะสมแต้มและรับใบเสร็จทางโทรศัพท์"),
    "lookup.consent_needed": ("No consent: nothing stored. C if the customer agrees, "
                              "Esc: sale without membership.",
                              "ยังไม่ยินยอม ไม่ได้บันทึกข้อมูล กด C เมื่อลูกค้ายินยอม "
                              "หรือ Esc: ขายแบบไม่เป็นสมาชิก"),
    "lookup.no_membership": ("Sale without membership: nothing about the customer stored.",
                             "ขายแบบไม่เป็นสมาชิก ไม่ได้บันทึกข้อมูลลูกค้า"),
    "lookup.enroll_hint": ("C: consent   Enter: enroll   Esc: no membership",
                           "C: ยินยอม   Enter: สมัคร   Esc: ไม่เป็นสมาชิก"),
    "lookup.earned": ("+{points} points, balance {balance} ({who})",
                      "+{points} แต้ม คงเหลือ {balance} ({who})"),
    "lookup.duplicate": ("Sale {ref} was already recorded: no points added (balance {balance})",
                         "บิล {ref} บันทึกไปแล้ว ไม่ได้เพิ่มแต้ม (คงเหลือ {balance})"),
    "lookup.enrolled": ("Enrolled {phone}", "สมัครสมาชิก {phone} แล้ว"),
    # member card
    "card.title": ("Member", "สมาชิก"),
    "card.noname": ("(no name)", "(ไม่มีชื่อ)"),
    "card.balance": ("Balance", "แต้มคงเหลือ"),
    "card.points": ("{n} points", "{n} แต้ม"),
    "card.tier": ("Tier", "ระดับ"),
    "card.to_next": ("{amount} more to {tier}", "อีก {amount} ถึงระดับ {tier}"),
    "card.top_tier": ("Top tier", "ระดับสูงสุด"),
    "card.expiry": ("Expiring next", "แต้มที่จะหมดอายุ"),
    "card.expiry_value": ("{n} points on {date}", "{n} แต้ม วันที่ {date}"),
    "card.no_expiry": ("nothing", "ไม่มี"),
    "card.visits": ("Last visits", "รายการล่าสุด"),
    "card.no_visits": ("no visits yet", "ยังไม่มีรายการ"),
    "card.rewards": ("Can redeem", "แลกได้"),
    "card.no_rewards": ("nothing yet", "ยังไม่มี"),
    "card.amount": ("Sale amount", "ยอดขาย"),
    "card.amount_hint": ("Type the amount and press Enter.", "พิมพ์ยอดขายแล้วกด Enter"),
    "card.ref": ("Sale ref (optional)", "เลขที่บิล (ไม่บังคับ)"),
    # redeem
    "redeem.title": ("Redeem points", "แลกแต้ม"),
    "redeem.points": ("Or a number of points", "หรือระบุจำนวนแต้ม"),
    "redeem.none": ("No reward is affordable yet.", "ยังไม่มีของรางวัลที่แลกได้"),
    "redeem.done": ("Redeemed {points} points, balance {balance}",
                    "แลก {points} แต้ม คงเหลือ {balance}"),
    "redeem.short": ("Not enough points: the member has {balance}, {cost} needed.",
                     "แต้มไม่พอ: สมาชิกมี {balance} แต้ม ต้องใช้ {cost}"),
    "redeem.pts": ("{n} pts", "{n} แต้ม"),
    "redeem.offline_limit": ("past today's offline limit", "เกินวงเงินแลกแต้มต่อวันขณะออฟไลน์"),
    "redeem.missing": ("{n} more needed", "ขาดอีก {n} แต้ม"),
    "redeem.cannot": ("{reward}: {n} more points needed. Nothing was redeemed.",
                      "{reward}: ขาดอีก {n} แต้ม ยังไม่ได้แลก"),
    "redeem.confirm_title": ("Confirm redemption", "ยืนยันการแลกแต้ม"),
    "redeem.confirm_member": ("Member: {who}", "สมาชิก: {who}"),
    "redeem.confirm_reward": ("Reward: {reward} ({id}), {points} pts",
                              "ของรางวัล: {reward} ({id}) {points} แต้ม"),
    "redeem.confirm_points": ("Customer gets: {points} points off, no cash value; a slip prints",
                              "ลูกค้าได้รับ: หัก {points} แต้ม ไม่มีมูลค่าเป็นเงิน พิมพ์ใบแลกแต้ม"),
    "redeem.confirm_balance": ("Points: {before} -> {after}", "แต้ม: {before} -> {after}"),
    "redeem.confirm_approval": ("A supervisor approves next.", "จากนั้นหัวหน้าต้องอนุมัติ"),
    "redeem.confirm_hint": ("Enter or Y: redeem   Esc: cancel (nothing changes)",
                            "Enter หรือ Y: แลก   Esc: ยกเลิก (ไม่มีอะไรเปลี่ยน)"),
    "redeem.cancelled": ("Cancelled: nothing was redeemed.", "ยกเลิกแล้ว ยังไม่ได้แลกแต้ม"),
    "key.redeem_confirm": ("Redeem", "แลก"),
    # approval
    "approval.title": ("Supervisor approval", "หัวหน้าอนุมัติ"),
    "approval.why": ("{what}: a supervisor types their id and PIN.",
                     "{what}: หัวหน้าพิมพ์รหัสและ PIN"),
    "approval.hint": ("Enter: approve   Esc: cancel (nothing changes)",
                      "Enter: อนุมัติ   Esc: ยกเลิก (ไม่มีการเปลี่ยนแปลง)"),
    "approval.cancelled": ("Cancelled: nothing was changed.", "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลง"),
    # coupons
    "coupon.title": ("Coupon", "คูปอง"),
    "coupon.code": ("Code", "รหัส"),
    "coupon.valid": ("Valid until {date}", "ใช้ได้ถึง {date}"),
    "coupon.status.issued": ("Valid: not used yet", "ใช้ได้ ยังไม่ถูกใช้"),
    "coupon.status.used": ("Already used", "ถูกใช้ไปแล้ว"),
    "coupon.status.void": ("Cancelled", "ถูกยกเลิก"),
    "coupon.status.expired": ("Expired", "หมดอายุ"),
    "coupon.status.forged": ("Not genuine: do not accept", "คูปองปลอม ห้ามรับ"),
    "coupon.use_hint": ("Enter: mark used   Esc: close", "Enter: ใช้คูปอง   Esc: ปิด"),
    "coupon.close_hint": ("Enter or Esc: close", "Enter หรือ Esc: ปิด"),
    "coupon.used_ok": ("Coupon {code} marked used", "ใช้คูปอง {code} แล้ว"),
    # supervisor
    "sup.title": ("Supervisor", "หัวหน้า"),
    "sup.entries": ("Entries", "รายการ"),
    "sup.adjust": ("Adjust", "ปรับแต้ม"),
    "sup.staff": ("Staff", "พนักงาน"),
    "sup.summary": ("Day summary", "สรุปประจำวัน"),
    "sup.reason": ("Reason", "เหตุผล"),
    "sup.phone": ("Phone", "เบอร์โทร"),
    "sup.points": ("Points (+ or -)", "แต้ม (+ หรือ -)"),
    "sup.staff_id": ("New staff id", "รหัสพนักงานใหม่"),
    "sup.staff_name": ("Name", "ชื่อ"),
    "sup.staff_role": ("Role: cashier, supervisor or admin", "บทบาท: แคชเชียร์ หัวหน้า หรือ ผู้ดูแล"),
    "sup.staff_pin": ("PIN (4-8 digits)", "PIN (4-8 หลัก)"),
    "sup.reverse_hint": ("Select an entry, type a reason, press F4.",
                         "เลือกรายการ พิมพ์เหตุผล แล้วกด F4"),
    "sup.reversed": ("Reversed: {points} points", "ยกเลิกรายการแล้ว {points} แต้ม"),
    "sup.adjusted": ("Adjusted {points} points, balance {balance}",
                     "ปรับ {points} แต้ม คงเหลือ {balance}"),
    "sup.staff_added": ("Added {role} {staff}", "เพิ่ม {role} {staff} แล้ว"),
    "sup.col.kind": ("Kind", "ประเภท"),
    "sup.col.count": ("Count", "จำนวน"),
    "sup.col.points": ("Points", "แต้ม"),
    "sup.col.cashier": ("Cashier", "แคชเชียร์"),
    "sup.col.time": ("Time", "เวลา"),
    "sup.col.member": ("Member", "สมาชิก"),
    "sup.col.ref": ("Ref", "อ้างอิง"),
    # staff tab (supervisor screen)
    "key.staff_active": ("(De)activate", "ระงับ/คืนสิทธิ์"),
    "key.reset_pin": ("New PIN", "ตั้ง PIN ใหม่"),
    "key.unlock": ("Unlock", "ปลดล็อก"),
    "sup.col.id": ("Id", "รหัส"),
    "sup.col.name": ("Name", "ชื่อ"),
    "sup.col.role": ("Role", "บทบาท"),
    "sup.col.state": ("State", "สถานะ"),
    "staff.active": ("active", "ใช้งานได้"),
    "staff.locked": ("locked until {time}", "ล็อกถึง {time}"),
    "staff.deactivated": ("deactivated", "ระงับแล้ว"),
    "sup.staff_hint": ("Choose a staff member: F2 deactivate or reactivate (an admin), F3 new "
                       "PIN, F7 unlock (an admin). Below: add staff.",
                       "เลือกพนักงาน: F2 ระงับหรือคืนสิทธิ์ (ผู้ดูแล) F3 ตั้ง PIN ใหม่ "
                       "F7 ปลดล็อก (ผู้ดูแล) ด้านล่าง: เพิ่มพนักงาน"),
    "sup.confirm_deactivate": ("Press F2 again to deactivate {staff}: no more log-ins or "
                               "approvals", "กด F2 อีกครั้งเพื่อระงับ {staff}: "
                               "จะเข้าสู่ระบบและอนุมัติไม่ได้"),
    "sup.confirm_reactivate": ("Press F2 again to reactivate {staff}",
                               "กด F2 อีกครั้งเพื่อคืนสิทธิ์ให้ {staff}"),
    "sup.deactivated": ("{staff} is deactivated: no more log-ins or approvals",
                        "ระงับ {staff} แล้ว: เข้าสู่ระบบและอนุมัติไม่ได้อีก"),
    "sup.reactivated": ("{staff} is active again", "{staff} ใช้งานได้อีกครั้ง"),
    "sup.reset_for": ("New PIN for {staff}, twice:", "PIN ใหม่ของ {staff} สองครั้ง:"),
    "sup.reset_pin": ("New PIN", "PIN ใหม่"),
    "sup.reset_again": ("Again", "อีกครั้ง"),
    "sup.pins_differ": ("The two PINs differ: type the new PIN again",
                        "PIN สองครั้งไม่ตรงกัน: พิมพ์ PIN ใหม่อีกครั้ง"),
    "sup.pin_reset": ("{staff} has a new PIN", "ตั้ง PIN ใหม่ให้ {staff} แล้ว"),
    "sup.pin_reset_locked": ("{staff} has a new PIN but is {state}: an admin can unlock (F7)",
                             "ตั้ง PIN ใหม่ให้ {staff} แล้ว แต่ยัง{state}: ผู้ดูแลปลดล็อกได้ (F7)"),
    "sup.unlocked": ("{staff} can log in again", "{staff} เข้าสู่ระบบได้อีกครั้ง"),
    # day close tab (supervisor screen)
    "key.print_day": ("Print day close", "พิมพ์ปิดยอด"),
    "sup.col.sales": ("Sales", "บิลขาย"),
    "sup.col.amount": ("Amount", "ยอดเงิน"),
    "close.heading": ("Day close {day} ({zone}), terminal {terminal}",
                      "ปิดยอดวันที่ {day} ({zone}) เครื่อง {terminal}"),
    "close.totals": ("Sales {sales}, reversed {reversed}, net {amount}; new members {enrolled}",
                     "ขาย {sales} บิล ยกเลิก {reversed} บิล สุทธิ {amount} สมาชิกใหม่ {enrolled} คน"),
    "close.no_cashier": ("(no cashier)", "(ไม่ระบุพนักงาน)"),
    "close.hint": ("F6 prints this day close (Z report) on the slip printer.",
                   "F6 พิมพ์ปิดยอดประจำวัน (Z report) ที่เครื่องพิมพ์สลิป"),
    "close.printing": ("Printing the day close...", "กำลังพิมพ์ปิดยอด..."),
    "close.printed": ("Day close printed", "พิมพ์ปิดยอดแล้ว"),
    "close.preview": ("Day close saved as a preview: {file}", "บันทึกปิดยอดเป็นตัวอย่างแล้ว: {file}"),
    "close.not_printed": ("Day close NOT printed: {reason}", "ยังไม่ได้พิมพ์ปิดยอด: {reason}"),
    # reversal confirmation (supervisor, F4)
    "key.void": ("Void coupons", "ยกเลิกคูปอง"),
    "key.keep": ("Keep coupons", "เก็บคูปองไว้"),
    "rev.title": ("Reverse this entry?", "ยกเลิกรายการนี้?"),
    "rev.member": ("Member: {who}", "สมาชิก: {who}"),
    "rev.no_member": ("Member: none", "สมาชิก: ไม่มี"),
    "rev.entry": ("Entry: {kind} {points} points, {amount}, {time}",
                  "รายการ: {kind} {points} แต้ม, {amount}, {time}"),
    "rev.entry_points": ("Entry: {kind} {points} points, {time}",
                         "รายการ: {kind} {points} แต้ม, {time}"),
    "rev.balance": ("Balance: {before} → {after} points", "แต้มคงเหลือ: {before} → {after} แต้ม"),
    "rev.negative": ("Warning: the balance goes below zero ({after} points).",
                     "คำเตือน: แต้มคงเหลือจะติดลบ ({after} แต้ม)"),
    "rev.coupons": ("Unused coupons paid with these points:",
                    "คูปองที่แลกด้วยแต้มเหล่านี้และยังไม่ได้ใช้:"),
    "rev.coupon": ("{code}  {reward}  {points} points", "{code}  {reward}  {points} แต้ม"),
    "rev.if_void": ("V: void the coupons, balance {after} points",
                    "V: ยกเลิกคูปอง แต้มคงเหลือ {after} แต้ม"),
    "rev.if_keep": ("K: keep the coupons valid, balance {after} points",
                    "K: เก็บคูปองไว้ใช้ได้ แต้มคงเหลือ {after} แต้ม"),
    "rev.hint": ("Enter: reverse   Esc: back (nothing changes)",
                 "Enter: ยกเลิกรายการ   Esc: กลับ (ไม่มีการเปลี่ยนแปลง)"),
    "rev.choice_hint": ("V: void coupons   K: keep coupons   Esc: back (nothing changes)",
                        "V: ยกเลิกคูปอง   K: เก็บคูปองไว้   Esc: กลับ (ไม่มีการเปลี่ยนแปลง)"),
    "sup.reversed_balance": ("Reversed: {points} points, balance {balance}",
                             "ยกเลิกรายการแล้ว {points} แต้ม คงเหลือ {balance}"),
    "sup.reversed_voided": ("Reversed: {points} points; coupons voided: {codes}; balance {balance}",
                            "ยกเลิกรายการแล้ว {points} แต้ม ยกเลิกคูปอง {codes} แล้ว "
                            "คงเหลือ {balance}"),
    "sup.reversed_kept": ("Reversed: {points} points; coupons kept valid: {codes}; "
                          "balance {balance}",
                          "ยกเลิกรายการแล้ว {points} แต้ม เก็บคูปอง {codes} ไว้ "
                          "คงเหลือ {balance}"),
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
    # help screen (F1): where each key works and what it does; quitting; what F6 printed
    "key.help": ("Help", "ช่วยเหลือ"),
    "key.stay": ("Stay", "อยู่ต่อ"),
    "help.title": ("Keys", "ปุ่มลัด"),
    "help.hint": ("Esc or F1: close   ↑ ↓ PgUp PgDn: scroll",
                  "Esc หรือ F1: ปิด   ↑ ↓ PgUp PgDn: เลื่อน"),
    "help.where.any": ("anywhere", "ทุกหน้าจอ"),
    "help.where.lookup": ("lookup", "ค้นหาสมาชิก"),
    "help.where.enroll": ("enroll offer", "เสนอสมัครสมาชิก"),
    "help.where.card": ("member card", "บัตรสมาชิก"),
    "help.where.redeem": ("redeem", "แลกแต้ม"),
    "help.where.confirm": ("redeem confirmation", "ยืนยันการแลกแต้ม"),
    "help.where.coupon": ("coupon", "คูปอง"),
    "help.where.approval": ("supervisor approval", "หัวหน้าอนุมัติ"),
    "help.where.supervisor": ("supervisor", "หัวหน้า"),
    "help.where.reverse": ("reversal confirmation", "ยืนยันการยกเลิกรายการ"),
    "help.where.login": ("login", "เข้าสู่ระบบ"),
    "help.where.setup": ("setup", "ตั้งค่า"),
    "help.where.quit": ("quit confirmation", "ยืนยันการออก"),
    "help.any.help": ("this help (F1 or Esc closes it)", "หน้าช่วยเหลือนี้ (F1 หรือ Esc เพื่อปิด)"),
    "help.any.language": ("ไทย / English", "ไทย / English"),
    "help.any.supervisor": ("supervisor screen: reverse, adjust, staff, day summary",
                            "หน้าหัวหน้า: ยกเลิกรายการ ปรับแต้ม พนักงาน สรุปประจำวัน"),
    "help.any.quit": ("quit (asks first)", "ออกจากโปรแกรม (ถามก่อน)"),
    "help.any.escape": ("back, cancel or close: nothing changes",
                        "กลับ ยกเลิก หรือปิด ไม่มีการเปลี่ยนแปลง"),
    "help.any.palette": ("command palette: supervisor, language",
                         "รายการคำสั่ง: หน้าหัวหน้า เปลี่ยนภาษา"),
    "help.lookup.enter": ("find the member by phone (or offer to enroll) or by a part of their "
                          "name; a scanned coupon shows its status",
                          "ค้นหาสมาชิกด้วยเบอร์โทร (หรือเสนอสมัคร) หรือบางส่วนของชื่อ "
                          "คูปองที่สแกนจะแสดงสถานะ"),
    "help.lookup.reprint": ("print what is waiting, else reprint the last slip",
                            "พิมพ์สลิปที่ค้างอยู่ ถ้าไม่มีจะพิมพ์สลิปล่าสุดซ้ำ"),
    "help.lookup.logout": ("log out", "ออกจากระบบ"),
    "help.enroll.consent": ("the customer consents to keep their number (again: undo)",
                            "ลูกค้ายินยอมให้เก็บเบอร์โทร (กดอีกครั้งเพื่อยกเลิก)"),
    "help.enroll.enter": ("enroll (only with consent)", "สมัครสมาชิก (เมื่อลูกค้ายินยอมแล้วเท่านั้น)"),
    "help.card.enter": ("record the sale: points for the amount typed",
                        "บันทึกยอดขาย สะสมแต้มตามยอดที่พิมพ์"),
    "help.card.redeem": ("redeem a reward or points (a supervisor approves large ones)",
                         "แลกของรางวัลหรือแต้ม (แลกจำนวนมากหัวหน้าต้องอนุมัติ)"),
    "help.card.ref": ("type the bill number instead of the generated one",
                      "พิมพ์เลขที่บิลเองแทนเลขที่สร้างให้"),
    "help.redeem.enter": ("choose the reward, or the points typed",
                          "เลือกของรางวัล หรือจำนวนแต้มที่พิมพ์"),
    "help.confirm.redeem_confirm": ("redeem", "แลกแต้ม"),
    "help.coupon.use": ("mark the coupon used", "บันทึกว่าใช้คูปองแล้ว"),
    "help.approval.enter": ("next field, then approve with the supervisor's id and PIN",
                            "ไปช่องถัดไป แล้วอนุมัติด้วยรหัสและ PIN ของหัวหน้า"),
    "help.supervisor.staff_active": ("staff tab: deactivate or reactivate the chosen staff "
                                     "member (an admin; press twice)",
                                     "แท็บพนักงาน: ระงับหรือคืนสิทธิ์พนักงานที่เลือก "
                                     "(ผู้ดูแล กดสองครั้ง)"),
    "help.supervisor.reset_pin": ("staff tab: a new PIN for the chosen staff member, typed twice",
                                  "แท็บพนักงาน: ตั้ง PIN ใหม่ให้พนักงานที่เลือก พิมพ์สองครั้ง"),
    "help.supervisor.unlock": ("staff tab: lift the chosen staff member's PIN lock (an admin)",
                               "แท็บพนักงาน: ปลดล็อก PIN ของพนักงานที่เลือก (ผู้ดูแล)"),
    "help.supervisor.print_day": ("day close tab: print the day close (Z report)",
                                  "แท็บสรุปประจำวัน: พิมพ์ปิดยอดประจำวัน (Z report)"),
    "help.supervisor.reverse": ("entries tab: reverse the chosen entry (a confirmation shows "
                                "the member and the balance after)",
                                "แท็บรายการ: ยกเลิกรายการที่เลือก "
                                "(หน้ายืนยันแสดงสมาชิกและแต้มคงเหลือหลังยกเลิก)"),
    "help.reverse.reverse": ("reverse the entry (no coupon to decide on)",
                             "ยกเลิกรายการ (เมื่อไม่มีคูปองให้เลือก)"),
    "help.reverse.void": ("below zero with unused coupons bought since: void them",
                          "แต้มติดลบและมีคูปองที่ยังไม่ใช้: ยกเลิกคูปอง"),
    "help.reverse.keep": ("below zero with unused coupons bought since: keep them",
                          "แต้มติดลบและมีคูปองที่ยังไม่ใช้: เก็บคูปองไว้"),
    "help.login.enter": ("next field, then log in", "ไปช่องถัดไป แล้วเข้าสู่ระบบ"),
    "help.setup.enter": ("next field, then next step", "ไปช่องถัดไป แล้วไปขั้นถัดไป"),
    "help.quit.quit": ("quit", "ออกจากโปรแกรม"),
    "help.quit.stay": ("stay", "อยู่ต่อ"),
    # command palette (Ctrl+P)
    "palette.placeholder": ("Search for a command…", "ค้นหาคำสั่ง…"),
    "palette.supervisor": ("Supervisor", "หน้าหัวหน้า"),
    "palette.supervisor_help": ("Reverse, adjust, staff, day summary (F9)",
                                "ยกเลิกรายการ ปรับแต้ม พนักงาน สรุปประจำวัน (F9)"),
    "palette.language": ("ภาษาไทย", "English"),
    "palette.language_help": ("Screens in Thai for this session (F5)",
                              "เปลี่ยนหน้าจอเป็นภาษาอังกฤษสำหรับรอบนี้ (F5)"),
    "palette.help": ("Keys", "ปุ่มลัด"),
    "palette.help_help": ("Every key and where it works (F1)", "ปุ่มทั้งหมดและหน้าที่ใช้ได้ (F1)"),
    "palette.quit": ("Quit", "ออกจากโปรแกรม"),
    "palette.quit_help": ("Quit Loyalty POS (asks first)", "ออกจาก Loyalty POS (ถามก่อน)"),
    "quit.title": ("Quit Loyalty POS?", "ออกจาก Loyalty POS?"),
    "quit.hint": ("Y or Enter: quit   N or Esc: stay", "Y หรือ Enter: ออก   N หรือ Esc: อยู่ต่อ"),
    "print.waited_one": ("Printed the waiting slip", "พิมพ์สลิปที่ค้างอยู่แล้ว"),
    "print.waited_many": ("Printed {n} waiting slips", "พิมพ์สลิปที่ค้างอยู่ {n} ใบแล้ว"),
    "print.copy_sale": ("Reprinted the slip of sale {ref} (copy)",
                        "พิมพ์สลิปบิล {ref} ซ้ำแล้ว (สำเนา)"),
    "print.copy_slip": ("Reprinted slip {ref} (copy)", "พิมพ์สลิป {ref} ซ้ำแล้ว (สำเนา)"),
    "print.copy_coupon": ("Reprinted coupon {code} (copy)", "พิมพ์คูปอง {code} ซ้ำแล้ว (สำเนา)"),
    # a member's history (card F4), name (card F7), search by name (lookup)
    "key.history": ("History", "ประวัติ"),
    "key.name": ("Name", "ชื่อ"),
    "key.older": ("Older", "เก่ากว่า"),
    "key.newer": ("Newer", "ใหม่กว่า"),
    "history.title": ("History: {who}", "ประวัติ: {who}"),
    "history.col.when": ("When", "วันเวลา"),
    "history.col.kind": ("Kind", "รายการ"),
    "history.col.points": ("Points", "แต้ม"),
    "history.col.amount": ("Sale", "ยอดขาย"),
    "history.col.ref": ("Ref", "เลขที่บิล"),
    "history.col.cashier": ("Cashier", "แคชเชียร์"),
    "history.page": ("Page {page}: entries {first} to {last}",
                     "หน้า {page}: รายการที่ {first} ถึง {last}"),
    "history.first_entry": ("down to the first entry", "ถึงรายการแรกแล้ว"),
    "history.empty": ("No entries yet.", "ยังไม่มีรายการ"),
    "history.no_older": ("Nothing older: the first entry is on this page.",
                         "ไม่มีรายการที่เก่ากว่านี้ รายการแรกอยู่ในหน้านี้"),
    "history.no_newer": ("This is the newest page.", "นี่คือหน้าล่าสุดแล้ว"),
    "history.hint": ("PgDn: older   PgUp: newer   Esc: back to the card",
                     "PgDn: เก่ากว่า   PgUp: ใหม่กว่า   Esc: กลับไปที่บัตรสมาชิก"),
    "name.title": ("Member's name", "ชื่อสมาชิก"),
    "name.field": ("Name (empty: no name)", "ชื่อ (เว้นว่าง: ไม่มีชื่อ)"),
    "name.hint": ("Enter: save   Esc: cancel", "Enter: บันทึก   Esc: ยกเลิก"),
    "name.saved": ("Name saved: {name}", "บันทึกชื่อแล้ว: {name}"),
    "name.removed": ("Name removed", "ลบชื่อแล้ว"),
    "search.title": ("Members whose name holds “{text}”", "สมาชิกที่ชื่อมี “{text}”"),
    "search.more": ("The first {n} only: type more of the name to find others.",
                    "แสดงเพียง {n} รายการแรก พิมพ์ชื่อให้ยาวขึ้นเพื่อหาคนอื่น"),
    "search.none": ("No member's name holds “{text}”.", "ไม่พบสมาชิกที่ชื่อมี “{text}”"),
    "search.hint": ("↑ ↓: choose   Enter: open the card   Esc: back",
                    "↑ ↓: เลือก   Enter: เปิดบัตรสมาชิก   Esc: กลับ"),
    "help.where.history": ("member history", "ประวัติสมาชิก"),
    "help.where.name": ("member's name", "ชื่อสมาชิก"),
    "help.where.search": ("members found by name", "สมาชิกที่ค้นด้วยชื่อ"),
    "help.card.history": ("the member's whole history, a page at a time",
                          "ประวัติทั้งหมดของสมาชิก ทีละหน้า"),
    "help.card.name": ("add or change the member's name", "เพิ่มหรือแก้ไขชื่อสมาชิก"),
    "help.history.older": ("older entries (the next page)", "รายการที่เก่ากว่า (หน้าถัดไป)"),
    "help.history.newer": ("newer entries (the page before)", "รายการที่ใหม่กว่า (หน้าก่อนหน้า)"),
    "help.name.enter": ("save the name (head office gets it at the next sync)",
                        "บันทึกชื่อ (ส่งไปสำนักงานใหญ่เมื่อซิงค์ครั้งถัดไป)"),
    "help.search.enter": ("open the chosen member's card", "เปิดบัตรของสมาชิกที่เลือก"),
}  # fmt: skip


class Translator:
    """The cashier's words, numbers and dates: the language (F5 changes it for
    the session), the shop's time zone and whether Thai years are Buddhist era
    (``locale.timezone``, ``locale.buddhist_era``; see ``pos.times``)."""

    def __init__(
        self, language: str = "th", *, zone: tzinfo | None = None, buddhist_era: bool = True
    ) -> None:
        self.language = language if language in LANGUAGES else "th"
        self.zone: tzinfo = zone or shop_zone("", "TH")
        self.buddhist_era = buddhist_era

    @classmethod
    def of(cls, settings: Settings, language: str | None = None) -> Translator:
        """The words for a till with ``settings`` (in ``language``, else the settings')."""
        locale = settings.locale
        return cls(
            language or locale.language,
            zone=shop_zone(locale.timezone, locale.region),
            buddhist_era=locale.buddhist_era,
        )

    @property
    def locale(self) -> str:
        return _LOCALES[self.language]

    def kind(self, kind: str) -> str:
        """An entry kind (``earn``, ``redeem``...) as the cashier reads it."""
        return self(f"kind.{kind}") if f"kind.{kind}" in TEXT else kind

    def role(self, role: str) -> str:
        """A staff role (``cashier``, ``supervisor``, ``admin``) as the cashier reads it."""
        return self(f"role.{role}") if f"role.{role}" in TEXT else role

    def __call__(self, key: str, **values: Any) -> str:
        pair = TEXT.get(key)
        if pair is None:
            return key
        text = pair[1] if self.language == "th" else pair[0]
        return text.format(**values) if values else text

    def refusal(self, error: R) -> R:
        """``error`` with its message in this language, from the catalogue of
        refusals (config.messages); the original keeps its English for the log."""
        text = error.text(self.language)
        if text == error.message:
            return error
        local = copy.copy(error)
        local.message = text
        return local

    def money(self, minor: int, currency: str = "THB") -> str:
        return format_currency(Decimal(minor) / 100, currency, locale=self.locale)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)


def translate_bindings(node: DOMNode, tr: Translator) -> None:
    """Footer labels in the current language: bindings carry an id that is the
    text key (``key.redeem``); descriptions are replaced in place."""
    mapping = node._bindings.key_to_bindings
    for key, bindings in mapping.items():
        mapping[key] = [
            replace(b, description=tr(b.id)) if b.id and b.id.startswith("key.") else b
            for b in bindings
        ]
