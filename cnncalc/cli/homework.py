"""CLI commands for homework and exams: `layer`, `explain`, `check` and `quiz`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli import inputs as cli_inputs
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    InputOpt,
    LangOpt,
    Layout,
    LayoutOpt,
    NetworkArg,
    QuietOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    make_console,
    meant,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError
from cnncalc.render import i18n

# -- worked formulas: layer, explain, check, quiz -----------------------------------------------


@app.command()
def layer(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="TYPE", help="A layer type: conv, maxpool, linear, bn ...")],
    args: Annotated[list[str] | None, typer.Argument(metavar="[KEY=VALUE]...", help="The layer's arguments, "
                                                     "as in YAML: out=10 kernel=5 padding=2 (or same).")] = None,
    inputs: Annotated[list[str], typer.Option("--input", "-i", help="Input shape, channels first unless "
                                              "--layout hwc: 3x32x32 (repeat for merges).")] = [],  # noqa: B006
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    format: TableOrJsonOpt = TableOrJson.table,
    train: Annotated[bool, typer.Option("--train", help="Also what it keeps for the backward pass (bytes, "
                                        "batch 1, float32), with its formula.")] = False,
) -> None:
    """One layer, no network: output shape, params, MACs, FLOPs and receptive field, each with its formula."""
    from cnncalc.homework import worked
    from cnncalc.render import homework as render_worked

    language = i18n.choose(lang)
    if not inputs:
        raise CnnCalcError("give the input shape with --input, e.g. --input 3x32x32 (or 32x32x3 --layout hwc)")
    shapes = cli_inputs.read_all(ctx, inputs, layout.value, language)
    solved = worked.solve_layer(kind, worked.parse_layer_args(args or []), shapes)
    saved = None
    if train:
        from cnncalc.analysis.training import saved_lines

        saved = saved_lines([solved])
    if format is TableOrJson.json:
        sys.stdout.write(render_worked.solved_text([solved], language, saved=saved) + "\n")
    else:
        render_worked.print_solved(make_console(), [solved], layout.value, language, saved=saved)


@app.command()
def explain(
    ctx: typer.Context,
    network: NetworkArg,
    name: Annotated[str, typer.Argument(metavar="LAYER", help="A layer or block name from `cnncalc shapes`, "
                                        "or 'total' for where the parameters and MACs are.")],
    input: InputOpt = None,
    set: SetOpt = None,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="With 'total': how many of the largest layers.")] = 5,
    format: TableOrJsonOpt = TableOrJson.table,
    train: Annotated[bool, typer.Option("--train", help="Also what each layer keeps for the backward pass in "
                                        "its network (bytes, batch 1, float32), with its formula.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """The worked formulas of one layer inside a network (a block: its layers and its totals), or the
    breakdown of the network's totals."""
    from cnncalc.homework import worked
    from cnncalc.homework.targets import TOTAL, Net
    from cnncalc.render import homework as render_worked
    from cnncalc.render.tables import to_json

    language = i18n.choose(lang)
    shape = cli_inputs.optional(ctx, input, layout.value, network, language)
    net = Net.of(cnncalc.load(network, input_shape=shape, overrides=parse_overrides(set)))
    if name == TOTAL:
        result = worked.breakdown(net, top)
        if format is TableOrJson.json:
            sys.stdout.write(to_json(render_worked.breakdown_dict(result)) + "\n")
        else:
            render_worked.print_breakdown(make_console(), result, layout.value, language, notes=not quiet)
        return
    solved = worked.explain(net, name)
    block = worked.block_summary(net, name)
    saved = None
    if train:
        from cnncalc.analysis.training import analyze_training, saved_lines

        saved = saved_lines(solved, analyze_training(net.graph, report=net.report))
    if format is TableOrJson.json:
        sys.stdout.write(render_worked.solved_text(solved, language, block, saved) + "\n")
    else:
        render_worked.print_solved(make_console(), solved, layout.value, language, block, saved)


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="ANSWERS", help="An answer file (YAML): network and answers.")],
    fill: Annotated[bool, typer.Option("--fill", help="Write the right value in place of every '?' (the "
                                       "answer key), in the file itself or in --output.")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o", help="With --fill: write to FILE "
                                               "instead.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --output: replace FILE if it exists.")] = False,
    allow: Annotated[list[str] | None, typer.Option("--allow", metavar="DIR", help="Also read the network files "
                                                    "the answer file names from under DIR (repeatable; "
                                                    "by default only from under the answer file's folder).")]
    = None,
    lang: LangOpt = None,
    format: TableOrJsonOpt = TableOrJson.table,
) -> None:
    """Check homework or exam answers; each wrong one with its formula and the likely mistake.

    Exit status 0 when all are right, 1 when any is wrong or unanswered ('?' without --fill), 2 for a
    bad file."""

    from cnncalc.homework import check as check_lib
    from cnncalc.render import check as render_check
    from cnncalc.render.tables import to_json

    language = i18n.choose(lang)
    if output is not None and not fill:
        raise CnnCalcError("--output goes with --fill")
    if output is not None and not (Path(output).exists() and Path(file).exists()
                                   and os.path.samefile(output, file)):
        from cnncalc.render.files import writable

        writable(output, force=force)  # before the work, so that a bad path loses nothing
    report = check_lib.check_file(Path(file), filling=fill, allow=allow or ())
    written = check_lib.fill(report, Path(file), Path(output) if output else None, force=force) \
        if fill and report.filled else None
    if format is TableOrJson.json:
        sys.stdout.write(to_json(render_check.check_dict(report, language)) + "\n")
    else:
        render_check.print_check(make_console(), report, written, language)
    if not report.passed:
        raise typer.Exit(code=1)


@app.command()
def quiz(
    ctx: typer.Context,
    network: Annotated[str | None, typer.Argument(help="A zoo name or YAML path (leave out with "
                                                  "--single).", callback=meant)] = None,
    n: Annotated[int, typer.Option("-n", "--questions", min=1, help="How many questions.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same quiz.")] = 0,
    single: Annotated[bool, typer.Option("--single", help="Problems of one to three layers whose sizes tile "
                                         "exactly, instead of questions about a network.")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o", help="File stem: writes STEM.md (questions), "
                                               "STEM.key.yaml (answers) and STEM.sheet.yaml (to fill in); "
                                               "default quiz_NETWORK_SEED.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the files if they exist.")] = False,
    input: InputOpt = None,
    set: SetOpt = None,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
) -> None:
    """Draw a quiz: questions in Markdown and an answer key that `cnncalc check` accepts."""

    from cnncalc.homework import quiz as quiz_lib
    from cnncalc.homework.quiz_files import stem_of, write
    from cnncalc.homework.quiz_single import single_quiz
    from cnncalc.homework.targets import Net
    from cnncalc.render import check as render_check

    language = i18n.choose(lang)
    if single == (network is not None):
        raise CnnCalcError("give a network, or --single for single-layer problems (not both)")
    if network is None:
        made = single_quiz(n, seed, layout.value)
    else:
        shape = cli_inputs.optional(ctx, input, layout.value, network, language)
        net = Net.of(cnncalc.load(network, input_shape=shape, overrides=parse_overrides(set)))
        made = quiz_lib.network_quiz(net, network, n, seed, layout.value)
    stem = stem_of(output, f"quiz_{'single' if network is None else Path(network).stem}_{seed}")
    paths = write(made, stem, language, force=force)
    render_check.quiz_written(make_console(), paths, made.count, language)
