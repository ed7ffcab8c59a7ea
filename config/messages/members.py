"""Refusals about a member's data requests: a new number, erasure (forget),
merging two members. Keys as in config/messages/__init__.py."""

from __future__ import annotations

MEMBERS: dict[str, tuple[str, str]] = {
    "not_permitted.forget_elsewhere": (
        "This member was enrolled at terminal {terminal_id}: they are forgotten there or at "
        "head office (pos-hq member forget).",
        "สมาชิกนี้สมัครที่เครื่อง {terminal_id} ลบข้อมูลได้ที่เครื่องนั้นหรือที่สำนักงานใหญ่ (pos-hq member forget)",
    ),
    "not_permitted.forget_merged": (
        "A member of another terminal was merged into this one (or this one into another): "
        "they are forgotten at head office (pos-hq member forget).",
        "สมาชิกของเครื่องอื่นถูกรวมเข้ากับสมาชิกนี้ (หรือสมาชิกนี้ถูกรวมไปแล้ว) "
        "ลบข้อมูลได้ที่สำนักงานใหญ่ (pos-hq member forget)",
    ),
    "not_permitted.phone_elsewhere": (
        "This member was enrolled at terminal {terminal_id}: their number is changed there.",
        "สมาชิกนี้สมัครที่เครื่อง {terminal_id} เปลี่ยนเบอร์ได้ที่เครื่องนั้น",
    ),
    "not_permitted.phone_merged": (
        "A member of another terminal was merged into this one (or this one into another): "
        "their number cannot be changed at a till.",
        "สมาชิกของเครื่องอื่นถูกรวมเข้ากับสมาชิกนี้ (หรือสมาชิกนี้ถูกรวมไปแล้ว) เปลี่ยนเบอร์ที่เครื่องขายไม่ได้",
    ),
    "invalid_input.same_phone": (
        "{phone} is already this member's number: type the new number.",
        "{phone} เป็นเบอร์ของสมาชิกนี้อยู่แล้ว พิมพ์เบอร์ใหม่",
    ),
    "invalid_input.phone_taken": (
        "{phone} belongs to another member: to make them one, merge the two (pos member "
        "merge); nothing was changed.",
        "{phone} เป็นเบอร์ของสมาชิกอีกคน ถ้าเป็นคนเดียวกันให้รวมสมาชิก (pos member merge) "
        "ยังไม่มีการเปลี่ยนแปลงใด ๆ",
    ),
}
