"""The zoo's totals, as `cnncalc list` shows them, kept in a cache.

Analysing all the zoo's networks takes seconds; their totals change only when a zoo
file or the analytic code changes. `entries` keeps them in the user's cache folder
(``$XDG_CACHE_HOME/cnncalc``, else ``~/.cache/cnncalc``) under a key made of the
cnncalc version, every zoo file's text and the size and modification time of every
module of the analytic core, so that any edit recomputes them. A cache that cannot be
read or written is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc import zoo
from cnncalc.spec import Published

if TYPE_CHECKING:
    from cnncalc.analysis.report import Report

FAMILY_ORDER = ("Classic", "VGG", "NiN", "Inception", "ResNet", "ResNeXt", "SENet", "DenseNet", "SqueezeNet",
                "SPP", "MobileNet", "ShuffleNet", "MNASNet", "EfficientNet", "RegNet", "ConvNeXt")
CORE = ("layers", "analysis", "dsl", "spec.py", "graph.py", "zoo.py", "__init__.py")  # what the totals depend on


@dataclass(frozen=True)
class Entry:
    """One zoo network's header and totals, as `cnncalc list` shows them."""

    name: str
    title: str
    family: str
    source: str
    input_shape: tuple[int, ...]
    params: int
    macs: int
    flops: int
    depth: int
    param_bytes: int = 0  # float32
    accuracy: Published | None = None  # published accuracy (`cnncalc.analysis.accuracy`)

    @classmethod
    def of(cls, report: Report) -> Entry:
        from cnncalc.analysis.accuracy import report_accuracy

        t = report.totals
        return cls(report.name, report.title, report.family, report.source, tuple(report.input_shape),
                   t.params, t.macs, t.flops, t.depth, t.param_bytes, report_accuracy(report))


def place(family: str, params: int, name: str) -> tuple[int, str, int, str]:
    """Where a network goes in the catalogue: grouped by family in history order, then by size."""
    rank = FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER)
    return rank, family, params, name


def ordered(entries: list[Entry]) -> list[Entry]:
    """Grouped by family in history order, then by size (`place`)."""
    return sorted(entries, key=lambda e: place(e.family, e.params, e.name))


def entries(cache: Path | None = None) -> list[Entry]:
    """Every zoo network's entry, in catalogue order (see the module docstring for the cache)."""
    folder = cache if cache is not None else cache_folder()
    key = _key()
    path = folder / f"zoo-{key[:32]}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") == key:
            return [Entry(**{**e, "input_shape": tuple(e["input_shape"]),
                              "accuracy": e["accuracy"] and Published(**e["accuracy"])}) for e in data["entries"]]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    import cnncalc

    fresh = ordered([Entry.of(cnncalc.analyze(name)) for name in zoo.names()])
    _write(path, {"key": key, "entries": [asdict(e) for e in fresh]})
    return fresh


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnncalc"


def _key() -> str:
    from cnncalc import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(zoo.archs_dir().glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    package = Path(__file__).resolve().parent.parent
    for part in CORE:
        files = sorted((package / part).rglob("*.py")) if (package / part).is_dir() else [package / part]
        for f in files:
            stat = f.stat()
            digest.update(f"{f.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write the cache atomically; a folder we may not write to just means no cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".zoo-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
