"""In Thai mode every refusal the cashier meets reads in Thai (config.messages),
with what was typed in it; English mode keeps the English words."""

from __future__ import annotations

import re

from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from tests.app.conftest import SIZE, login, message, on, submit, until

# Latin words a Thai message may hold: what was typed, codes and key names.
LATIN = re.compile(r"[A-Za-z]{3,}")


def _english_words(text: str, allowed: set[str]) -> list[str]:
    return [w for w in LATIN.findall(text) if w not in allowed]


async def test_a_wrong_phone_is_refused_in_thai(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await submit(pilot, "#phone", "12345")
        await until(pilot, lambda: message(app, "#lookup-message"), what="refusal")
        text = message(app, "#lookup-message")
        assert "1234 5" in text
        assert "ไม่ใช่เบอร์โทรศัพท์ที่ถูกต้อง" in text
        assert not _english_words(text, set()), text


async def test_a_cashier_cannot_approve_and_reads_why_in_thai(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "th"
        await login(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: on(app, ApprovalDialog), what="approval dialog")
        await submit(pilot, "#approver", "cash1")
        await submit(pilot, "#approver-pin", "1357")
        await until(pilot, lambda: message(app, "#approval-message"), what="refusal")
        text = message(app, "#approval-message")
        assert "cash1" in text and "หัวหน้า" in text
        assert not _english_words(text, {"cash"}), text


async def test_english_mode_keeps_the_english_words(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        app.language = "en"
        await login(pilot)
        await submit(pilot, "#phone", "12345")
        await until(pilot, lambda: message(app, "#lookup-message"), what="refusal")
        assert "1234 5" in message(app, "#lookup-message")  # as the field shows it
        assert "is not a valid phone number" in message(app, "#lookup-message")
