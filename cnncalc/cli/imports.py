"""Networks from PyTorch and other tools' conventions: `import`, `conventions`, and `--as` for shapes/compare.

`conventions` and `--as` never import torch (the tools' rules are cnncalc's own);
`import` and any PyTorch source (``torchvision:NAME``, ``file.py:Name`` ...) do.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.conventions import Counted, counted, tool
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    ArgOpt,
    BatchOpt,
    Format,
    FormatOpt,
    InputOpt,
    SetOpt,
    make_console,
    parse_input,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError
from cnncalc.render import conventions as render
from cnncalc.sources import parse, with_args


def _count(network: str, tools: Sequence[str] | None, input_shape: tuple[int, ...] | None, batch: int,
           dtype: str, overrides: Mapping[str, Any]) -> tuple[cnncalc.Report, Counted]:
    graph = cnncalc.load(network, input_shape=input_shape, overrides=overrides)
    report = analyze_graph(graph, batch=batch, dtype=dtype)
    return report, counted(graph, report, tools)


def shapes_as(network: str, tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
              overrides: Mapping[str, Any], depth: int | None, format: Format) -> None:
    """`cnncalc shapes NET --as TOOL`."""
    report, counts = _count(network, [tool_id], input_shape, batch, dtype, overrides)
    layers = counts.collapsed(report, depth)
    if format is Format.table:
        render.print_shapes_as(make_console(), report, counts, layers, tool(tool_id))
    else:
        sys.stdout.write(render.shapes_as_text(report, counts, layers, tool(tool_id), format.value))


def compare_as(networks: Sequence[str], tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
               format: Format) -> None:
    """`cnncalc compare A B ... --as TOOL`."""
    pairs = [_count(n, [tool_id], input_shape, batch, dtype, {}) for n in networks]
    reports, counts = [p[0] for p in pairs], [p[1] for p in pairs]
    if format is Format.table:
        render.print_comparison_as(make_console(), reports, counts, tool(tool_id))
    else:
        sys.stdout.write(render.comparison_as_text(reports, counts, tool(tool_id), format.value))


@app.command()
def conventions(
    network: Annotated[str, typer.Argument(help="A zoo name, a YAML path or a PyTorch source (torchvision:NAME, "
                                           "file.py:Name ...).")],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    set: SetOpt = None,
    format: FormatOpt = Format.table,
    arg: ArgOpt = None,
) -> None:
    """What fvcore, FlopCounterMode, torchinfo, ptflops and thop count, per operation category: why they disagree."""
    report, counts = _count(with_args(network, arg), None, parse_input(input), batch, "fp32", parse_overrides(set))
    if format is Format.table:
        render.print_conventions(make_console(), report, counts)
    else:
        sys.stdout.write(render.conventions_text(report, counts, format.value))


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(metavar="SRC", help="torchvision:NAME, timm:NAME, path/to/file.py:Name or "
                                          "package.module:Name (a class or a factory function; this runs that "
                                          "code), with options as ?key=value.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the network file here (default: "
                                               "stdout).")] = None,
    input: InputOpt = None,
    arg: ArgOpt = None,
    allow_uncounted: Annotated[bool, typer.Option(
        "--allow-uncounted", help="Import operations cnncalc has no layer kind for as 'uncounted' layers (traced "
        "shape and parameters, no MACs), listed as not counted, instead of stopping at the first.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
) -> None:
    """Trace a PyTorch model into a network file: repeated modules become blocks, stages repeats."""
    parsed = parse(with_args(source, arg))
    if parsed is None:
        raise CnnCalcError(f"{source!r} is not a PyTorch model; write torchvision:NAME, timm:NAME, file.py:Name or "
                           "package.module:Name")
    from cnncalc.torch.importer_sources import import_yaml

    text = import_yaml(parsed, input_shape=parse_input(input), allow_uncounted=allow_uncounted)
    if output is None:
        sys.stdout.write(text)
        return
    write_new(Path(output), text, force)
    sys.stderr.write(f"wrote {output}: {text.count(chr(10))} lines; `cnncalc shapes {output}` analyses it\n")


def write_new(path: Path, text: str, force: bool) -> None:
    """Write `text` to `path` whole or not at all: an existing file only with `force` (keeping its mode,
    and through a symbolic link to its target)."""
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not force:
        raise CnnCalcError(f"{path} exists; use --force to replace it")
    if target.is_dir():
        raise CnnCalcError(f"{path} is a folder; give a file name such as net.yaml")
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as exc:
        raise CnnCalcError(f"cannot write {path}: {exc.strerror}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
