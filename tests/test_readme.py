"""The README's example outputs and zoo table are what the commands print now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_examples_are_real_output() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "update_readme.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_documents_every_command() -> None:
    from cnncalc.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"cnncalc {name}" in readme, name
