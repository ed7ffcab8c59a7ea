"""The RFM segment map (docs/reports.md, "Segments"): each member's recency
score ``r`` and frequency score ``f`` (1..5) name one segment; the monetary
score ``m`` is reported beside them but does not move a member between
segments (in a shop, spend follows visits closely, and a 5x5 grid stays one
table a shop owner can read).

The English name is the stable key (CSV, JSON, scripts); the Thai name is for
the counter's reports screen and Thai text.
"""

from __future__ import annotations

# In the order reports list them: the best customers first.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("Champions", "ลูกค้าชั้นยอด"),
    ("Loyal", "ลูกค้าประจำ"),
    ("Potential loyalist", "ว่าที่ลูกค้าประจำ"),
    ("New", "ลูกค้าใหม่"),
    ("Promising", "มีแววเป็นลูกค้าประจำ"),
    ("Need attention", "ควรใส่ใจ"),
    ("About to sleep", "เริ่มห่างหาย"),
    ("At risk", "เสี่ยงจะเสียไป"),
    ("Can't lose them", "ห้ามเสียไป"),
    ("Hibernating", "จำศีล"),
    ("Lost", "หายไปแล้ว"),
)
NAMES: tuple[str, ...] = tuple(en for en, _ in SEGMENTS)
THAI: dict[str, str] = dict(SEGMENTS)

# r (rows, 5 at the top) by f (columns 1..5): docs/reports.md shows the same table.
GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),
    4: ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),
    3: ("About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),
    1: ("Lost", "Hibernating", "At risk", "At risk", "Can't lose them"),
}

# A member whose last visit is before the window has no scores: Lost.
LAPSED = "Lost"


def segment_of(r: int, f: int) -> str:
    return GRID[r][f - 1]


def label(name: str, language: str) -> str:
    """The segment's name in ``language`` ("th" or "en")."""
    return THAI.get(name, name) if language == "th" else name


def segment_sql(r: str, f: str) -> str:
    """The map as one SQL CASE over the score expressions ``r`` and ``f``."""
    branches = " ".join(
        f"WHEN {score * 10 + col} THEN '{name.replace(chr(39), chr(39) * 2)}'"
        for score, row in GRID.items()
        for col, name in enumerate(row, 1)
    )
    return f"CASE ({r}) * 10 + ({f}) {branches} END"
