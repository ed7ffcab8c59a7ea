"""At 80x24, in Thai and in English, every screen (and the states a cashier
meets on it: messages, the enroll offer, each supervisor tab, each setup step)
shows its labels whole.

For every visible text widget (Static and its kin: Tr, Message, Label, the
footer keys) the text fits its region: an unwrapped line is no wider than the
region, wrapped text needs no more lines than the region has, and every word
of it is on screen. Input placeholders (the field labels here) fit their
field. No widget extends outside the screen or is clipped by its container.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TabbedContent

import ledger.coupons
from pos.app import PosApp
from pos.dialogs.approval import ApprovalDialog
from pos.dialogs.coupon import CouponDialog
from pos.screens.lookup import LookupScreen
from pos.screens.member import MemberScreen
from pos.screens.redeem import RedeemScreen
from pos.screens.setup import SetupScreen
from tests.app.conftest import RICH_PHONE, settle, submit, until
from tests.app.test_snapshots import (
    COUPON_CODE,
    _as_cashier,
    _card,
    _shop,
    nav_supervisor,
)
from tests.conftest import FakeClock

SIZE = (80, 24)
LANGUAGES = ["th", "en"]
# Reported separately (see test_the_consent_checkbox_is_not_cut_off).
KNOWN = {"#consent"}


def describe(widget: Widget) -> str:
    return f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__


def _source_text(widget: Static) -> str | None:
    visual = widget.render()
    if isinstance(visual, Content):
        return visual.plain
    if isinstance(visual, str):
        return visual
    plain = getattr(visual, "plain", None)
    return plain if isinstance(plain, str) else None


def _text_problems(widget: Widget, where: str) -> list[str]:
    problems: list[str] = []
    name = describe(widget)
    box = widget.content_region
    width, height = box.width, box.height
    if isinstance(widget, Input):
        if not widget.value and cell_len(widget.placeholder) > width:
            problems.append(
                f"{where}: {name} placeholder {widget.placeholder!r} "
                f"({cell_len(widget.placeholder)} cells) is wider than its field ({width})"
            )
        return problems
    if not isinstance(widget, Static):
        return problems
    text = _source_text(widget)
    if not text or not text.strip():
        return problems
    if widget.styles.text_wrap == "nowrap":
        for line in text.split("\n"):
            if cell_len(line) > width:
                problems.append(
                    f"{where}: {name} line {line!r} ({cell_len(line)} cells) is cut to {width}"
                )
    else:
        lines = Content(text).wrap(width)
        if len(lines) > height:
            problems.append(
                f"{where}: {name} needs {len(lines)} lines at width {width}, has {height}: {text!r}"
            )
        for line in lines:
            if line.cell_length > width:
                problems.append(f"{where}: {name} line {line.plain!r} is wider than {width}")
    # Whatever the wrapping: every word of the text is on screen, whole.
    strips = widget.render_lines(Region(0, 0, widget.region.width, widget.region.height))
    shown = "\n".join(strip.text for strip in strips)
    at = 0
    for word in text.split():
        found = shown.find(word, at)
        if found < 0:
            problems.append(f"{where}: {name} does not show {word!r} of {text!r}")
            break
        at = found + len(word)
    return problems


def layout_problems(app: PosApp, where: str, *, known: set[str] = KNOWN) -> list[str]:
    screen = app.screen
    bounds = Region(0, 0, *app.size)
    problems: list[str] = []
    skip = {w for selector in known for w in screen.query(selector)}
    for widget, (region, clip) in screen._compositor.visible_widgets.items():
        if widget in skip or widget is screen:
            continue
        name = describe(widget)
        if not bounds.contains_region(region):
            problems.append(f"{where}: {name} {region} extends outside the {bounds.size} screen")
        text_widget = isinstance(widget, (Static, Input)) or type(widget).__name__ == "FooterKey"
        if text_widget and not clip.contains_region(region):
            problems.append(f"{where}: {name} {region} is clipped by its container to {clip}")
        if text_widget:
            problems += _text_problems(widget, where)
    return problems


async def check(pilot: Pilot[Any], where: str, found: list[str]) -> None:
    await settle(pilot)
    await pilot.pause(0.02)
    app: PosApp = pilot.app  # type: ignore[assignment]
    found += layout_problems(app, f"{app.language} {where}")


# -- journeys -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
async def test_setup_wizard_fits(language: str, db_path: Path, clock: FakeClock) -> None:
    app = _shop(db_path, language, clock, setup_done=False)
    found: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SetupScreen))
            await check(pilot, "setup step 1", found)
            await submit(pilot, "#store", "")
            await submit(pilot, "#terminal", "T1")
            await until(pilot, lambda: app.screen.query_one("#setup-message").render().plain)
            await check(pilot, "setup step 1 with an error", found)
            await submit(pilot, "#store", "S1")
            await submit(pilot, "#terminal", "T1")
            screen = app.screen
            assert isinstance(screen, SetupScreen)
            await until(pilot, lambda: screen.step == 2)
            await check(pilot, "setup step 2", found)
            screen.query_one("#language", OptionList).highlighted = LANGUAGES.index(language)
            await pilot.press("enter")
            await until(pilot, lambda: screen.step == 3)
            await check(pilot, "setup step 3 (test print)", found)
            await submit(pilot, "#printer", "tcp://printer")
            await check(pilot, "setup step 3 with an error", found)
            await submit(pilot, "#printer", "preview")
            await until(pilot, lambda: screen.step == 4)
            await check(pilot, "setup step 4", found)
            screen.query_one("#sup-pin", Input).value = "2468"
            await submit(pilot, "#sup-pin2", "8642")
            await check(pilot, "setup step 4 with an error", found)
    finally:
        app.ledger.close()
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_counter_screens_fit(
    language: str, db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger.coupons, "new_code", lambda: COUPON_CODE)
    app = _shop(db_path, language, clock, setup_done=True)
    found: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await check(pilot, "login", found)
            await submit(pilot, "#staff", "cash1")
            await submit(pilot, "#pin", "0000")
            await until(pilot, lambda: app.screen.query_one("#login-message").render().plain)
            await check(pilot, "login with a wrong PIN", found)

            await _as_cashier(pilot)
            await check(pilot, "lookup", found)
            await submit(pilot, "#phone", "12345")
            await check(pilot, "lookup with an invalid phone", found)
            await submit(pilot, "#phone", "0811111111")
            await until(pilot, lambda: app.screen.query_one("#enroll").display)
            await check(pilot, "lookup offering to enroll", found)
            await pilot.press("escape")

            await _card(pilot)
            await check(pilot, "member card", found)
            await submit(pilot, "#amount", "2.505")
            await until(pilot, lambda: app.screen.query_one("#card-message").render().plain)
            await check(pilot, "member card with an error", found)

            await pilot.press("f2")
            await until(pilot, lambda: isinstance(app.screen, RedeemScreen))
            await check(pilot, "redeem", found)
            await submit(pilot, "#points", "5000")
            await until(pilot, lambda: app.screen.query_one("#redeem-message").render().plain)
            await check(pilot, "redeem with an error", found)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, MemberScreen))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, LookupScreen))
            await pilot.press("f9")
            await until(pilot, lambda: isinstance(app.screen, ApprovalDialog))
            await check(pilot, "approval dialog", found)
            await submit(pilot, "#approver", "cash1")
            await submit(pilot, "#approver-pin", "1357")
            await until(pilot, lambda: app.screen.query_one("#approval-message").render().plain)
            await check(pilot, "approval dialog with an error", found)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, LookupScreen))

            await submit(pilot, "#phone", app.ledger.check_coupon(COUPON_CODE).payload)
            await until(pilot, lambda: isinstance(app.screen, CouponDialog))
            await check(pilot, "coupon dialog", found)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, LookupScreen))
            await check(pilot, "lookup after using a coupon", found)

            await nav_supervisor(pilot)
            tabs = app.screen.query_one("#sup-tabs", TabbedContent)
            await check(pilot, "supervisor entries", found)
            for tab in ("tab-adjust", "tab-staff", "tab-summary"):
                tabs.active = tab
                await check(pilot, f"supervisor {tab}", found)
            tabs.active = "tab-adjust"
            await submit(pilot, "#adjust-phone", RICH_PHONE)
            await submit(pilot, "#adjust-points", "-99999")
            await submit(pilot, "#adjust-reason", "test")
            await until(pilot, lambda: app.screen.query_one("#sup-message").render().plain)
            await check(pilot, "supervisor with an error", found)
    finally:
        app.ledger.close()
    assert found == []


@pytest.mark.parametrize("language", ["en"])
async def test_the_consent_checkbox_is_not_cut_off(
    language: str, db_path: Path, clock: FakeClock
) -> None:
    app = _shop(db_path, language, clock, setup_done=True)
    found: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _as_cashier(pilot)
            await submit(pilot, "#phone", "0811111111")
            await until(pilot, lambda: app.screen.query_one("#enroll").display)
            await settle(pilot)
            found = layout_problems(app, "enroll offer", known=set())
    finally:
        app.ledger.close()
    assert found == []


async def test_the_checker_finds_a_cut_label() -> None:
    """The checker itself: a label squeezed into too little room is reported."""

    class Tiny(App[None]):
        CSS = "#a { width: 10; height: 1; } #b { width: 6; text-wrap: nowrap; }"

        def compose(self) -> ComposeResult:
            yield Static("a label that does not fit", id="a")
            yield Static("too wide", id="b")
            yield Input(placeholder="a very long placeholder", id="c")

    app = Tiny()
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        problems = layout_problems(app, "tiny", known=set())  # type: ignore[arg-type]
    assert any("Static#a needs" in p for p in problems), problems
    assert any("Static#b line" in p for p in problems), problems
    assert any("Input#c placeholder" in p for p in problems), problems
