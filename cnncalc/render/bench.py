"""Formatting of `cnncalc bench` results (table, JSON, CSV, Markdown) and its progress bar. Never computes.

The JSON keys are a contract: added, never renamed or dropped. rich is imported
only inside the functions that draw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc.analysis.compare import ComparisonRow
from cnncalc.bench import FLOPS_CONVENTION, BenchResult, BenchRun, Progress
from cnncalc.render.formats import binary_bytes
from cnncalc.render.tables import comparison_cells, comparison_dict, human, to_csv, to_json, to_markdown

if TYPE_CHECKING:
    from rich.console import Console


def result_dict(r: BenchResult) -> dict[str, Any]:
    t = r.timing
    return {
        "network": r.network, "batch": r.batch, "dtype": r.dtype, "channels_last": r.channels_last,
        "compiled": r.compiled, "iterations": t.iterations,
        "latency_ms": {"median": t.median_ms, "p10": t.p10_ms, "p90": t.p90_ms, "mean": t.mean_ms},
        "throughput": r.throughput, "flops_per_sample": r.flops_per_sample, "achieved_gflops": r.achieved_gflops,
        "ceiling_gflops": r.ceiling_gflops, "efficiency": r.efficiency, "spec_efficiency": r.spec_efficiency,
        "peak_memory_bytes": r.peak_memory_bytes, "arithmetic_intensity": r.arithmetic_intensity,
        "param_bytes": r.param_bytes, "activation_bytes": r.activation_bytes,
    }


def run_dict(run: BenchRun) -> dict[str, Any]:
    d, c, o = run.device, run.ceiling, run.options
    return {
        "device": d.describe(), "torch": d.torch, "device_kind": d.kind, "device_name": d.name,
        "threads": d.threads, "flops_convention": FLOPS_CONVENTION,
        "ceiling": {"measured_gflops": c.gflops, "method": c.method, "spec_gflops": c.spec_gflops,
                    "spec_source": c.spec_source},
        "method": {"warmup": o.warmup, "min_iters": o.min_iters, "min_time_s": o.min_time,
                   "timer": "CUDA events per call" if d.kind == "cuda" else "time.perf_counter_ns per call"},
        "notes": list(run.notes),
        "results": [result_dict(r) for r in run.results],
    }


HEADER = ("network", "batch", "dtype", "iters", "median ms", "p10 ms", "p90 ms", "samples/s", "GFLOP/s",
          "% ceiling", "% spec", "FLOP/byte", "peak memory")
CSV_HEADER = ("network", "batch", "dtype", "channels_last", "compiled", "iterations", "median_ms", "p10_ms",
              "p90_ms", "throughput", "flops_per_sample", "achieved_gflops", "ceiling_gflops", "efficiency",
              "spec_efficiency", "arithmetic_intensity", "peak_memory_bytes")


def _dtype_cell(r: BenchResult) -> str:
    return r.dtype + (" cl" if r.channels_last else "") + (" compiled" if r.compiled else "")


def _has_spec(run: BenchRun) -> bool:
    return run.device.kind == "cuda"  # a vendor figure exists only for GPUs (when the card is in the table)


def _header(run: BenchRun) -> tuple[str, ...]:
    return HEADER if _has_spec(run) else tuple(h for h in HEADER if h != "% spec")


def result_cells(r: BenchResult, spec: bool = True) -> list[str]:
    t = r.timing
    cells = [r.network, str(r.batch), _dtype_cell(r), str(t.iterations), f"{t.median_ms:.3f}", f"{t.p10_ms:.3f}",
             f"{t.p90_ms:.3f}", f"{r.throughput:,.1f}", f"{r.achieved_gflops:,.1f}", f"{100 * r.efficiency:.1f}"]
    if spec:
        cells.append(f"{100 * r.spec_efficiency:.1f}" if r.spec_efficiency is not None else "—")
    return [*cells, f"{r.arithmetic_intensity:.1f}", binary_bytes(r.peak_memory_bytes)]


def header_lines(run: BenchRun) -> list[str]:
    c = run.ceiling
    spec = f"; vendor peak {human(c.spec_gflops * 1e9, 'FLOP/s')} ({c.spec_source})" if c.spec_gflops else ""
    return [f"device: {run.device.describe()}; torch {run.device.torch}",
            f"ceiling: {human(c.gflops * 1e9, 'FLOP/s')} measured ({c.method}){spec}",
            *run.notes]


def bench_text(run: BenchRun, fmt: str) -> str:
    """The results as json, csv or markdown."""
    if fmt == "json":
        return to_json(run_dict(run)) + "\n"
    if fmt == "csv":
        rows = [[r.network, r.batch, r.dtype, r.channels_last, r.compiled, r.timing.iterations, r.timing.median_ms,
                 r.timing.p10_ms, r.timing.p90_ms, r.throughput, r.flops_per_sample, r.achieved_gflops,
                 r.ceiling_gflops, r.efficiency, "" if r.spec_efficiency is None else r.spec_efficiency,
                 r.arithmetic_intensity, r.peak_memory_bytes] for r in run.results]
        return to_csv(CSV_HEADER, rows)
    header = _header(run)
    cells = [result_cells(r, _has_spec(run)) for r in run.results]
    md = to_markdown(header, cells, [h not in ("network", "dtype") for h in header])
    return "\n".join(f"- {line}" for line in header_lines(run)) + "\n\n" + md


def print_bench(console: Console, run: BenchRun) -> None:
    from rich.table import Table

    table = Table(title=f"bench on {run.device.describe()}", title_justify="left")
    for col in _header(run):
        table.add_column(col, justify="left" if col in ("network", "dtype") else "right", no_wrap=col == "network")
    for r in run.results:
        table.add_row(*result_cells(r, _has_spec(run)))
    console.print(table)
    for line in header_lines(run):
        console.print(f"  {line}", highlight=False)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A rich progress bar on stderr (drawn only on a terminal); yields the callback `bench.run` takes."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    task = bar.add_task("bench", total=None)

    def update(label: str, done: int, total: int) -> None:
        bar.update(task, description=label, completed=done, total=total)

    with bar:
        yield update


def save(path: str | Path, text: str) -> None:
    """Write `text` to `path` whole (`cnncalc.render.files`: never half a file, mode and links kept); an
    existing file is replaced, as `bench -o` always has."""
    from cnncalc.render.files import write_text

    write_text(path, text, force=True)


# -- compare --bench -------------------------------------------------------------------------------


def _by_network(rows: Sequence[ComparisonRow], run: BenchRun) -> list[BenchResult]:
    if len(run.results) != len(rows):
        raise ValueError("compare --bench needs one measured result per network")
    return list(run.results)  # `bench.run` keeps the order of its sources, one batch each


def comparison_bench_text(rows: Sequence[ComparisonRow], run: BenchRun, fmt: str) -> str:
    """`compare --bench` as json, csv or markdown: the comparison plus measured latency and throughput."""
    from cnncalc.render.tables import COMPARE_HEADER

    results = _by_network(rows, run)
    if fmt == "json":
        data = comparison_dict(rows)
        for entry, r in zip(data["networks"], results, strict=True):
            entry["bench"] = result_dict(r)
        data["bench"] = {k: v for k, v in run_dict(run).items() if k != "results"}
        return to_json(data) + "\n"
    header = (*COMPARE_HEADER, "median ms", "samples/s")
    cells = [[*comparison_cells(row, exact=True), f"{r.timing.median_ms:.3f}", f"{r.throughput:.1f}"]
             for row, r in zip(rows, results, strict=True)]
    if fmt == "csv":
        return to_csv(header, cells)
    return to_markdown(header, cells, [False, False, *[True] * 6, False, True, True, True, True])


def print_comparison_bench(console: Console, rows: Sequence[ComparisonRow], run: BenchRun) -> None:
    from rich.table import Table

    from cnncalc.render.tables import COMPARE_HEADER

    table = Table(title=f"{len(rows)} networks, ratios to {rows[0].report.name}; measured on "
                        f"{run.device.describe()}, batch {run.results[0].batch}, {run.options.dtype}",
                  title_justify="left")
    for col in (*COMPARE_HEADER, "median ms", "samples/s"):
        table.add_column(col, justify="left" if col in ("network", "input", "RF") else "right",
                         no_wrap=col in ("network", "input"))
    for row, r in zip(rows, _by_network(rows, run), strict=True):
        table.add_row(*comparison_cells(row, exact=False), f"{r.timing.median_ms:.2f}", f"{r.throughput:,.1f}")
    console.print(table)
