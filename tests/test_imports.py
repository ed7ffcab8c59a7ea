"""The import-direction rule: the core packages never depend on the UI.

``ledger``, ``config``, ``printers``, ``sync`` and ``hq`` must import without
``pos`` (the CLI) or ``textual`` (the counter app); ``ledger`` also stays free of
printer and network libraries. Checked twice: by importing every submodule in a
fresh interpreter, and statically over the source, which also catches an import
hidden in a function that the first check never runs.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ("ledger", "config", "printers", "sync", "hq")
UI = ("pos", "textual")
NOT_IN_LEDGER = ("escpos", "httpx", "fastapi", "starlette")

_PROBE = """
import importlib, json, pkgutil, sys

def fail(name):
    raise ImportError(f"cannot import {name}")

package = importlib.import_module(sys.argv[1])
names = [package.__name__]
for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".", onerror=fail):
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def _forbidden(package: str) -> tuple[str, ...]:
    return UI + NOT_IN_LEDGER if package == "ledger" else UI


def _loaded(modules: list[str], top: str) -> list[str]:
    return [m for m in modules if m == top or m.startswith(top + ".")]


@pytest.mark.parametrize("package", CORE)
def test_core_package_imports_without_ui(package: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, package],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["imported"][0] == package
    submodules = {p.stem for p in (ROOT / package).glob("*.py") if p.stem != "__init__"}
    assert {n.rsplit(".", 1)[-1] for n in result["imported"][1:]} >= submodules
    for top in _forbidden(package):
        assert not _loaded(result["modules"], top), f"importing {package} loads {top}"


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for each absolute import, plus import_module("x")/__import__("x")."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                found.append((node.lineno, first.value))
    return found


@pytest.mark.parametrize("package", CORE)
def test_core_source_never_imports_ui(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no sources under {package}/"
    bad = [
        f"{path.relative_to(ROOT)}:{line}: import {name}"
        for path in files
        for line, name in _imported_names(ast.parse(path.read_text("utf-8"), str(path)))
        if name.split(".")[0] in _forbidden(package)
    ]
    assert not bad, "\n".join(bad)


def test_static_check_sees_imports() -> None:
    tree = ast.parse(
        "import pos.cli\nfrom textual.app import App\nfrom . import x\n"
        "def f():\n    importlib.import_module('escpos')\n"
    )
    assert [name for _, name in _imported_names(tree)] == ["pos.cli", "textual.app", "escpos"]
