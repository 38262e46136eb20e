"""The seams stay honest: the core imports no desktop library and no clock."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parents[1] / "microbreak" / "core"
FORBIDDEN = ("pystray", "plyer", "gi", "dbus", "Xlib", "PIL", "pydantic")


def test_core_imports_no_desktop_library() -> None:
    code = (
        "import sys, json, pkgutil, importlib, microbreak.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module('microbreak.core.' + m.name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    bad = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_core_never_reads_the_clock() -> None:
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"now", "utcnow", "today", "time"}:
                base = node.value
                name = base.id if isinstance(base, ast.Name) else ""
                assert name not in {"datetime", "date", "time"}, f"{path.name}:{node.lineno}"
