"""`cnncalc bench` and `compare --bench`: measured latency (torch is imported inside)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.needs import require
from cnncalc.cli.options import Format, FormatOpt, InputOpt, Layout, LayoutOpt, make_console, meant
from cnncalc.errors import CnnCalcError

# -- bench ----------------------------------------------------------------------------------------


class BenchDevice(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


class BenchDtype(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"


def _batches(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise CnnCalcError(f"--batch {text!r}: give batch sizes >= 1 separated by commas, e.g. 1,8,32")
    return values


@app.command()
def bench(
    ctx: typer.Context,
    networks: Annotated[list[str], typer.Argument(
        help="Zoo names, YAML paths or PyTorch models (torchvision:NAME, file.py:Name ...).", callback=meant)],
    device: Annotated[BenchDevice, typer.Option("--device", help="cpu, cuda, or auto (cuda if available).")]
    = BenchDevice.auto,
    batch: Annotated[str, typer.Option("--batch", "-b", help="Batch sizes, a sweep: 1,8,32.")] = "1",
    dtype: Annotated[BenchDtype, typer.Option("--dtype", help="fp32, fp16 or bf16.")] = BenchDtype.fp32,
    channels_last: Annotated[bool, typer.Option("--channels-last", help="NHWC memory format.")] = False,
    compile_: Annotated[bool, typer.Option("--compile", help="Run the module through torch.compile.")] = False,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="torch's CPU threads.")] = None,
    warmup: Annotated[int, typer.Option("--warmup", min=0, help="Untimed calls first.")] = 10,
    min_iters: Annotated[int, typer.Option("--min-iters", min=1, help="Timed calls, at least.")] = 10,
    min_time: Annotated[float, typer.Option("--min-time", min=0, help="Seconds of timed calls, at least.")] = 1.0,
    input: InputOpt = None,
    layout: LayoutOpt = Layout.chw,
    format: FormatOpt = Format.table,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Also save the results to FILE (in "
                                               "--format; JSON when the format is table).")] = None,
) -> None:
    """Measured latency, throughput, GFLOP/s against the device's ceiling, and peak memory."""
    require("bench", "torch")
    from cnncalc import bench as bench_lib
    from cnncalc.cli.inputs import optional
    from cnncalc.render import bench as render_bench

    if output is not None:
        from cnncalc.render.files import writable

        writable(output, force=True)  # before the run: a bad path must not lose its results
    options = bench_lib.BenchOptions(device=device.value, batches=_batches(batch), dtype=dtype.value,
                                     channels_last=channels_last, compile=compile_, threads=threads,
                                     warmup=warmup, min_iters=min_iters, min_time=min_time)
    with render_bench.progress_bar() as progress:
        run = bench_lib.run(networks, options, input_shape=optional(ctx, input, layout.value, networks[0]),
                            progress=progress)
    if output is not None:
        render_bench.save(output, render_bench.bench_text(run, "json" if format is Format.table else format.value))
    if format is Format.table:
        render_bench.print_bench(make_console(), run)
    else:
        sys.stdout.write(render_bench.bench_text(run, format.value))


def compare_bench(rows: list[cnncalc.ComparisonRow], networks: list[str], input_shape: tuple[int, ...] | None,
                   batch: int, dtype: str, format: Format) -> None:
    require("compare --bench", "torch")
    from cnncalc import bench as bench_lib
    from cnncalc.render import bench as render_bench

    with render_bench.progress_bar() as progress:
        run = bench_lib.run(networks, bench_lib.BenchOptions(batches=(batch,), dtype=dtype),
                            input_shape=input_shape, progress=progress)
    if format is Format.table:
        render_bench.print_comparison_bench(make_console(), rows, run)
    else:
        sys.stdout.write(render_bench.comparison_bench_text(rows, run, format.value))
