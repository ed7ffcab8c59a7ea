"""Refusals of ``pos member merge`` (ledger.merge): two members made one. Keys
as in config/messages/__init__.py."""

from __future__ import annotations

MERGE: dict[str, tuple[str, str]] = {
    "invalid_input.merge_same": (
        "Both numbers are the same member: type the number of the member to merge into it.",
        "ทั้งสองเบอร์เป็นสมาชิกคนเดียวกัน พิมพ์เบอร์ของสมาชิกที่จะรวมเข้ามา",
    ),
    "member_not_found.merge": (
        "No member with phone {phone}: check the number (nothing was merged).",
        "ไม่พบสมาชิกเบอร์ {phone} ตรวจสอบเบอร์อีกครั้ง (ยังไม่ได้รวมสมาชิก)",
    ),
    "invalid_input.merge_into_merged": (
        "{phone} was merged into another member: merge into that member's number instead.",
        "{phone} ถูกรวมเข้ากับสมาชิกอื่นแล้ว ให้รวมเข้ากับเบอร์ของสมาชิกคนนั้นแทน",
    ),
    "invalid_input.merge_merged": (
        "{phone} was already merged into another member: nothing to merge.",
        "{phone} ถูกรวมเข้ากับสมาชิกอื่นไปแล้ว ไม่มีอะไรต้องรวม",
    ),
    "invalid_input.merge_negative": (
        "{phone} owes {points} points: settle the balance first (a supervisor's adjustment), "
        "then merge.",
        "{phone} มีแต้มติดลบ {points} แต้ม ปรับยอดให้เป็นศูนย์ก่อน (หัวหน้าปรับแต้ม) แล้วจึงรวมสมาชิก",
    ),
    "not_permitted.merge_elsewhere": (
        "{phone} was enrolled at terminal {terminal_id}: it is merged into another member "
        "there, or by head office.",
        "{phone} สมัครที่เครื่อง {terminal_id} รวมเข้ากับสมาชิกอื่นได้ที่เครื่องนั้น หรือที่สำนักงานใหญ่",
    ),
}
