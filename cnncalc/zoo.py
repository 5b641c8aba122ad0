"""The built-in zoo: architectures shipped as YAML files, found by name.

In a source checkout the files are in ``archs/`` beside the package; an
installed wheel carries them inside the package as ``cnncalc/archs``.

A file is one network, named by its stem (``resnet50.yaml``), or a family with
``variants`` (``efficientnet.yaml``: efficientnet_b0 … efficientnet_b7): each
variant is a zoo name of its own, the file read with the variant's settings.
Their totals, as `cnncalc list` shows them, are `cnncalc.analysis.catalogue`'s.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from cnncalc.errors import CnnCalcError, UnknownArchitecture
from cnncalc.layers.text import Msg

VARIANTS_KEY = "\nvariants:"  # a family file says so at the top level; other files are not parsed to list them


def archs_dir() -> Path:
    """The folder that holds the zoo's YAML files."""
    inside = Path(__file__).resolve().parent / "archs"
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / "archs"


def variants_of(path: Path) -> tuple[str, ...]:
    """The variant names a family file declares (none for a single network)."""
    return _variants(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _variants(path: Path, mtime: int) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    if VARIANTS_KEY not in text:
        return ()
    from cnncalc.dsl.document import variant_table  # the YAML reader, only when a family file is read
    from cnncalc.dsl.loader import YMap, load_text

    doc = load_text(text, str(path))
    return tuple(variant_table(doc)) if isinstance(doc, YMap) else ()


def networks() -> list[tuple[str, Path, str | None]]:
    """Every zoo network: (zoo name, file, variant or None), in file order."""
    folder = archs_dir()
    result: list[tuple[str, Path, str | None]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        found = variants_of(path)
        result += [(v, path, v) for v in found] if found else [(path.stem, path, None)]
    return result


def names() -> list[str]:
    """Every zoo network's name, sorted (a family file lists its variants, not itself)."""
    return sorted(name for name, _, _ in networks())


def is_name(text: str) -> bool:
    """Whether `text` is a zoo name (a family file's own stem is not: its variants are), found as `locate`
    finds it, without reading every family file as `names` does (a third of a second)."""
    found = _find(text)
    return found is not None and (found[1] is not None or not variants_of(found[0]))


def _find(text: str) -> tuple[Path, str | None] | None:
    """The zoo's file named `text`, else the family file that has `text` as a variant (those whose name
    begins it are read first), with the variant; None if neither."""
    folder = archs_dir()
    candidate = folder / f"{text}.yaml"
    if candidate.is_file():
        return candidate, None
    family_files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    family_files.sort(key=lambda p: not text.startswith(p.stem))  # likely families first; stable otherwise
    for family in family_files:
        try:
            if text in variants_of(family):
                return family, text
        except CnnCalcError:
            continue  # a broken file in the zoo is reported when it is read by name
    return None


SMALL_SIZES = (64, 96, 128)  # the input sizes the zoo's torch checks try before a network's own


def small_input(name: str, overrides: Mapping[str, Any] | None = None) -> tuple[int, ...]:
    """The network's input at the smallest of SMALL_SIZES pixels it accepts, else its own (`overrides`: vars)."""
    from cnncalc import analyze, load

    channels, *spatial = own = load(name, overrides=overrides).spec.input_shape
    for candidate in [(channels, *[s] * len(spatial)) for s in SMALL_SIZES if spatial and s < max(spatial)]:
        try:
            analyze(name, input_shape=candidate, overrides=overrides)
        except CnnCalcError:
            continue
        return candidate
    return own


def torchvision_pairs(models: Collection[str]) -> list[tuple[str, str]]:
    """(zoo name, model) for every zoo network that is one of torchvision's `models`, sorted: ``X_tv`` is
    torchvision's ``X``; where both exist, ``X`` is the paper's network (googlenet with LRN and biases)."""
    every = names()
    pairs = [(n, n.removesuffix("_tv")) for n in every if n.endswith("_tv")]
    pairs += [(n, n) for n in every if n in models and f"{n}_tv" not in every]
    return sorted(p for p in pairs if p[1] in models)


# Names as people say them (the notes, the papers): normalised (lower case, without - _ . and spaces) ->
# the zoo network they mean. Zoo names themselves are found normalised too (``VGG-16`` -> vgg16); a name that
# begins several zoo names and is none of these (``vgg``, ``resnet``) lists them.
ALIASES = {
    "squeezenet": "squeezenet1_0", "inceptionv1": "googlenet", "inceptionv2": "inception_bn",
    "inceptionresnet": "inception_resnet_v2", "vgga": "vgg11", "vggalrn": "vgg11_lrn", "vggb": "vgg13",
    "vggc": "vgg16c", "vggd": "vgg16", "vgge": "vgg19", "lenet": "lenet5_1998", "lenet1998": "lenet5_1998",
    "alexnetpaper": "alexnet_original", "alexnet2012": "alexnet_original", "networkinnetwork": "nin",
    "zf": "zfnet", "spp": "sppnet", "resnet20": "resnet20_cifar", "resnet56": "resnet56_cifar",
    "plain20": "plain20_cifar", "plain56": "plain56_cifar", "seresnet": "se_resnet50",
    "seresnext": "se_resnext50_32x4d",
}


def normalised(text: str) -> str:
    """``VGG-16`` -> ``vgg16``, ``SqueezeNet 1.0`` -> ``squeezenet10``: how names are matched."""
    return "".join(c for c in text.lower() if c not in "-_. ")


def alias(text: str) -> str | None:
    """The zoo name `text` means when it is not one itself (an alias, or a zoo name written otherwise), or None.

    >>> alias("SqueezeNet"), alias("VGG-16"), alias("vgg16"), alias("vgg_d")
    ('squeezenet1_0', 'vgg16', None, 'vgg16')
    """
    if is_name(text):
        return None
    zoo_names = names()
    key = normalised(text)
    if key in ALIASES and ALIASES[key] in zoo_names:
        return ALIASES[key]
    same = [n for n in zoo_names if normalised(n) == key]
    return same[0] if len(same) == 1 else None


def choices(text: str) -> list[str]:
    """The zoo names a family name such as ``vgg`` or ``resnet`` could mean (those it begins)."""
    key = normalised(text)
    return [n for n in names() if normalised(n).startswith(key)] if len(key) >= 2 else []


def meaning(source: str | Path) -> tuple[str, Msg | None]:
    """What a network argument reads: `source` itself, or the zoo name it stands for with a line saying so.

    A missing file whose stem is a zoo name (``vgg16.yaml``) is the zoo's file; an alias (``squeezenet``)
    is the network it names. Anything else is returned as given (`locate` reports what is wrong with it).
    """
    text = str(source)
    if Path(text).is_file() or ":" in text:  # a file, or a PyTorch model (torchvision:NAME, file.py:Name)
        return text, None
    if "/" in text or "\\" in text or text.endswith((".yaml", ".yml")):
        stem = Path(text).stem
        name = stem if is_name(stem) else alias(stem)
        if name is None:
            return text, None
        return name, Msg("there is no file {path}; reading the zoo's {name} ({file})", path=text, name=name,
                         file=_display(locate(name)[0]))
    name = alias(text)
    if name is None:
        return text, None
    return name, Msg("{said} is the zoo's {name}", said=repr(text), name=name)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def locate(source: str | Path, *, files: bool = True) -> tuple[Path, str | None]:
    """A zoo name or a path to a YAML file -> the file's path and the variant to read (None: the file as is).

    A string that names an existing file, or that looks like a path (a slash or a
    .yaml/.yml suffix), is a path; anything else is looked up in the zoo: a file of
    that name, else a variant of a family file (those whose name begins the variant's
    are searched first), else an alias (`meaning`). A family name that begins several
    zoo names (``vgg``) lists them. With ``files=False`` only the zoo is searched (an
    answer file's ``network:`` names no file outside its folder).
    """
    path = Path(source)
    text = str(source)
    if files and path.is_file():
        return path, None
    if "/" in text or text.endswith((".yaml", ".yml")):
        name, _ = meaning(text) if files else (text, None)
        if name == text:
            raise UnknownArchitecture(f"no such file: {text}")
        return locate(name)
    if not files and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_\-]*", text):
        raise UnknownArchitecture(f"{text!r} is not a zoo name")
    found = _find(text)
    if found is not None:
        return found
    meant = alias(text)
    if meant is not None:
        return locate(meant)
    several = choices(text)
    if len(several) > 1:
        raise UnknownArchitecture(f"{text!r} names several zoo networks: {', '.join(several)}; say which")
    close = difflib.get_close_matches(text, names(), n=4, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UnknownArchitecture(
        f"unknown network {text!r}: neither a zoo name nor a file; {hint}`cnncalc list` shows the zoo"
    )


def resolve(source: str | Path) -> Path:
    """The file a zoo name or path is read from (for a variant: its family's file; see `locate`)."""
    return locate(source)[0]

