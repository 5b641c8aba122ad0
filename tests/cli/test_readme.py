"""The README's example outputs and zoo table are what the commands print now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def test_readme_network_example_is_valid() -> None:
    import re

    import cnncalc

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing a network"):]
    text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    report = cnncalc.analyze_text(text, "README.md")
    # conv1 7x7/2 on 224: (224 - 7)//2 + 1 = 109; maxpool 3/2 ceil: ceil(106/2) + 1 = 54; fire3 out 64 + 64
    by = {r.name: r for r in report.layers}
    assert by["maxpool1"].output_shape == (96, 54, 54)
    assert by["fire3.concat1"].output_shape == (128, 54, 54)
    assert report.totals.output_shape == (1000,)
