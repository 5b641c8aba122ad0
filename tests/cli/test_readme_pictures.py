"""The README's pictures are what `cnncalc draw` and `--plot` draw now, and the README shows them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from picture_tools import dot, need_matplotlib

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from update_pictures import COMMANDS, IMAGES, outputs  # noqa: E402


def test_the_readme_shows_the_committed_pictures() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r'(?:src="|\]\()(docs/images/[^")]+)', readme)
    assert sorted(shown) == ["docs/images/compare.svg", "docs/images/googlenet.svg"]
    for path in shown:
        assert (ROOT / path).is_file(), path
    assert set(outputs()) >= {Path(p).name for p in shown}
    # the README names the command that drew each picture
    flat = " ".join(readme.split())
    for command in COMMANDS:
        if command.endswith(".svg"):
            assert command in flat, command
    assert all(c.split()[-1].startswith(f"{IMAGES}/") for c in COMMANDS)


@pytest.mark.slow
def test_the_pictures_are_current() -> None:
    dot()
    need_matplotlib()
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "update_pictures.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
