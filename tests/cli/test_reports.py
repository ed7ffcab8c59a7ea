"""``pos report rfm|onboarding|flow|top|dormant`` as a user runs them: one JSON
object with --json, a new 0600 CSV with masked phones and formula-looking
cells quoted, and hostile options refused with the usual exit status and no
traceback (tests.cli.test_cli.Shop checks both on every call)."""

from __future__ import annotations

import csv
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from tests.cli.test_cli import REFUSED, USAGE, Shop

PHONES = [f"08123450{n:02d}" for n in range(6)]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    terminal = Shop(tmp_path_factory.mktemp("reports"))
    terminal.setup()
    for n, phone in enumerate(PHONES):
        terminal.ok("member", "enroll", phone, "--consent")
        for k in range(n + 1):
            terminal.ok("earn", phone, f"{(n + 1) * 100}", "--ref", f"B{n}-{k}")
    terminal.ok("member", "consent", PHONES[5], "--withdraw")
    return terminal


def test_rfm_json_and_csv(shop: Shop) -> None:
    body = shop.ok("report", "rfm")
    assert body["scored"] == 6 and body["hidden"] == 1 and len(body["rows"]) == 5
    assert sum(body["segments"].values()) == 6
    assert all(row["phone"].startswith("08x-xxx-") for row in body["rows"])
    assert not any(row["phone"].endswith("5005") for row in body["rows"])  # withdrew consent
    target = shop.home / "rfm.csv"
    body = shop.ok("report", "rfm", "--csv", str(target))
    assert body["csv"] == {"path": str(target), "rows": 5}
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with target.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == [
        "member_id",
        "external_id",
        "phone",
        "first_visit",
        "last_visit",
        "recency_days",
        "frequency",
        "monetary",
        "r",
        "f",
        "m",
        "segment",
    ]
    assert rows[1][2].startswith("08x-xxx-") and rows[1][11] == "Loyal"  # all came today: r 3
    raw = target.read_bytes()
    for phone in PHONES:
        assert phone.encode() not in raw and phone[1:].encode() not in raw


def test_an_existing_csv_file_is_refused_and_kept(shop: Shop) -> None:
    target = shop.home / "keep.csv"
    target.write_text("mine\n")
    for command in (["rfm"], ["onboarding"], ["flow"], ["top"], ["dormant"]):
        message = shop.fails(REFUSED, "invalid_input", "report", *command, "--csv", str(target))
        assert "already exists" in message
    assert target.read_text() == "mine\n"
    link = shop.home / "link.csv"
    link.symlink_to(shop.home / "nowhere.csv")
    shop.fails(REFUSED, "invalid_input", "report", "top", "--csv", str(link))
    assert not (shop.home / "nowhere.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["rfm", "--as-of", "2026-02-30"],
        ["rfm", "--as-of", "31/12/2026"],
        ["rfm", "--as-of", "'; DROP TABLE entries; --"],
        ["rfm", "--window-days", "0"],
        ["onboarding", "--as-of", "yesterday"],
        ["flow", "--from", "2026-1-1x"],
        ["flow", "--by", "year"],
        ["top", "--limit", "0"],
        ["top", "--limit", "-5"],
        ["dormant", "--days", "0"],
        ["dormant", "--days", "-30"],
        ["dormant", "--days", "ninety"],
    ],
)
def test_hostile_options_are_refused_as_usage(shop: Shop, args: list[str]) -> None:
    message = shop.fails(USAGE, "usage", "report", *args)
    assert message
    assert shop.ok("member", "show", PHONES[0])["balance"] >= 0  # the ledger is fine


def test_flow_with_its_start_after_its_end_is_refused(shop: Shop) -> None:
    message = shop.fails(
        REFUSED, "invalid_input", "report", "flow", "--from", "2026-05-01", "--to", "2026-04-01"
    )
    assert "2026-05-01" in message


def test_flow_top_dormant_onboarding_answer(shop: Shop) -> None:
    today = date.today().isoformat()
    flow = shop.ok("report", "flow", "--by", "month")
    assert flow["to"] <= today and flow["closing"] == sum(shop.member(p)["balance"] for p in PHONES)
    assert flow["rate"]["reward_id"] == "VOUCHER500"  # 1800 points for 500.00: the best
    top = shop.ok("report", "top", "--limit", "2")
    assert [r["visits"] for r in top["rows"] if r["list"] == "visits"] == [5, 4]  # 6 withdrew
    dormant = shop.ok("report", "dormant", "--days", "1")
    assert dormant["dormant"] == 0 and dormant["members"] == 6
    onboarding = shop.ok("report", "onboarding")
    (cohort,) = onboarding["cohorts"]
    assert cohort["enrolled"] == 6 and cohort["activated_30d"] == 6
    text = shop.pos("report", "rfm", json_out=False)
    assert text.status == 0 and "Champions" in text.stdout


def test_day_close_still_answers(shop: Shop) -> None:
    body = shop.ok("report", "day")
    assert body["sales"]["count"] == 21


def test_a_report_on_an_empty_ledger(tmp_path: Path) -> None:
    empty = Shop(tmp_path)
    empty.setup()
    assert empty.ok("report", "rfm")["rows"] == []
    assert empty.ok("report", "onboarding")["cohorts"] == []
    assert empty.ok("report", "top")["rows"] == []
    assert empty.ok("report", "flow")["closing"] == 0
