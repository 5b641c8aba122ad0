"""The zoo ships inside the wheel, so names resolve after a non-editable `pip install .`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_the_zoo_and_the_command(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("cnncalc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    zoo = {p.name for p in (ROOT / "archs").glob("*.yaml")}
    assert {f"cnncalc/archs/{n}" for n in zoo} <= names
    assert "cnncalc/cli/__init__.py" in names
    assert "cnncalc/locale/ru/LC_MESSAGES/cnncalc.mo" in names  # the Russian catalog, compiled
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "cnncalc = cnncalc.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
