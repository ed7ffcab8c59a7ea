"""python-escpos is imported only when printing, and leaves logging alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import logging, sys, tempfile
import printers
from tests.printers.conftest import sale_slip
assert "escpos" not in sys.modules, "import printers loaded escpos"
assert "textual" not in sys.modules and "sqlite3" not in sys.modules
assert printers.build_bytes(sale_slip("en"), "TM-T88V", 42)
folder = tempfile.mkdtemp()
with printers.open_printer("file://" + folder + "/lp0", "TM-T88V") as p:
    p.print_slip(sale_slip("en"))
assert "escpos" in sys.modules
assert logging.getLogger().handlers == [], logging.getLogger().handlers
print("ok")
"""


def test_escpos_is_lazy_and_quiet(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert done.stderr == ""
    assert list((tmp_path / "loyalty-pos" / "escpos").glob("*.capabilities.pickle"))
