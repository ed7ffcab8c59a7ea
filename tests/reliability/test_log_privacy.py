"""pos.log names no phone and carries no control character (breaks 5 and 13).

Run in a process of its own: pytest's log capture already holds a file
handler here, and the point is what the program's own setup writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

_LOGS = textwrap.dedent(
    """
    import logging
    from pos.logs import setup_logging

    setup_logging()
    log = logging.getLogger("pos.cli")
    log.info("unexpected error in pos %s", "earn 0812345678 100 --ref B1")
    log.info("lookup %s", "+66 81 234 5678")
    log.info("refused: %s", "Somchai\\x1b[2J\\nFAKE 2026-01-01 INFO pos.cli: all good\\x1bp")
    try:
        raise ValueError("no member with phone 0898765432")
    except ValueError:
        log.exception("failed")
    """
)


def test_the_log_masks_phones_and_escapes_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "pos.log"
    env = {**os.environ, "POS_LOG_FILE": str(path)}
    subprocess.run([sys.executable, "-c", _LOGS], env=env, check=True)
    text = path.read_text(encoding="utf-8")
    assert "812345678" not in text and "81 234 5678" not in text and "898765432" not in text
    assert "08x-xxx-5678" in text and "08x-xxx-5432" in text
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert "\nFAKE" not in text  # a name cannot start a log line of its own
    assert "Traceback (most recent call last):\n" in text  # tracebacks keep their lines
