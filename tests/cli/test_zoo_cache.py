"""`cnncalc list` reads the zoo's totals from a cache that any change to the zoo or the code refreshes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncalc
from cnncalc import zoo
from cnncalc.analysis import catalogue


def test_cached_entries_equal_fresh_analyses(tmp_path: Path) -> None:
    first = catalogue.entries(tmp_path)
    (path,) = tmp_path.glob("zoo-*.json")
    again = catalogue.entries(tmp_path)  # read back from the file
    assert again == first
    assert [e.name for e in first] == [r.name for r in cnncalc.catalogue()]
    for entry in first[:: max(1, len(first) // 6)]:  # a sample, against the analysis itself
        report = cnncalc.analyze(entry.name)
        assert (entry.params, entry.macs, entry.flops, entry.depth) == (
            report.totals.params, report.totals.macs, report.totals.flops, report.totals.depth)
        assert entry.input_shape == report.input_shape and entry.title == report.title
    assert json.loads(path.read_text())["key"]


def test_a_stale_or_broken_cache_is_recomputed(tmp_path: Path) -> None:
    catalogue.entries(tmp_path)
    (path,) = tmp_path.glob("zoo-*.json")
    data = json.loads(path.read_text())
    data["entries"][0]["params"] = -1
    data["key"] = "another key"
    path.write_text(json.dumps(data))
    assert all(e.params > 0 for e in catalogue.entries(tmp_path))
    path.write_text("{not json")
    assert all(e.params > 0 for e in catalogue.entries(tmp_path))


def test_the_key_follows_the_code_and_the_zoo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = catalogue._key()
    folder = tmp_path / "archs"
    folder.mkdir()
    for p in zoo.archs_dir().glob("*.yaml"):
        (folder / p.name).write_bytes(p.read_bytes())
    monkeypatch.setattr(zoo, "archs_dir", lambda: folder)
    assert catalogue._key() == before
    (folder / "lenet5.yaml").write_text((folder / "lenet5.yaml").read_text() + "\n# edited\n")
    assert catalogue._key() != before


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert len(catalogue.entries(blocked / "cnncalc")) == len(zoo.names())
