"""Measured latency, throughput and memory of networks on cpu or cuda, as plain results.

For each network and batch size the network is built with the torch backend,
put in eval mode, moved to the device, dtype and memory format, and timed with
`cnncalc.timing.time_loop` under ``torch.inference_mode()`` on one input tensor
allocated before the loop. Reported, per (network, batch):

- latency: median, p10 and p90 of per-call times (ms); throughput = batch / median;
- achieved GFLOP/s = analytic FLOPs of the batch / median latency, where the
  FLOPs are cnncalc's: 2·MACs + the other arithmetic (README conventions);
- the ceiling: a square matmul in the same dtype on the same device, timed the
  same way (2·n³ FLOPs per call, at its p10 latency); on CUDA also the vendor's
  peak dense figure for the card and dtype from `cnncalc.gpus`;
  efficiency = achieved / measured ceiling;
- arithmetic intensity = FLOPs / (parameter bytes + activation bytes), both analytic;
- peak memory: growth during building, warm-up and timing (`timing.MemoryProbe`).

torch is imported inside functions only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from cnncalc.bench.gpus import find_gpu
from cnncalc.bench.timing import (
    MemoryProbe,
    Timing,
    cpu_threads,
    device_name,
    first_line,
    is_missing_kernel,
    resolve_device,
    set_threads,
    synchronize,
    time_loop,
)
from cnncalc.errors import CnnCalcError

FLOPS_CONVENTION = "2·MACs + other ops (analytic, README conventions)"
TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
CEILING_SIZE = {"cpu": 1024, "cuda": 8192}  # square matmul: ~0.1 s on 2 CPU cores, ~1 ms-30 ms on a GPU

Progress = Callable[[str, int, int], None]  # (what is being measured, steps done, steps in all)


@dataclass(frozen=True)
class BenchOptions:
    device: str = "auto"  # cpu | cuda | auto (cuda when available)
    batches: tuple[int, ...] = (1,)
    dtype: str = "fp32"  # fp32 | fp16 | bf16
    channels_last: bool = False
    compile: bool = False  # torch.compile
    threads: int | None = None  # torch's intra-op CPU threads; None: torch's default
    warmup: int = 10
    min_iters: int = 10
    min_time: float = 1.0  # seconds of timed calls, at least


@dataclass(frozen=True)
class Ceiling:
    gflops: float  # measured: a square matmul in the run's dtype
    method: str
    spec_gflops: float | None  # the vendor's peak dense figure (CUDA, known card), else None
    spec_source: str


@dataclass(frozen=True)
class Device:
    kind: str  # cpu | cuda
    name: str
    torch: str
    threads: int

    def describe(self) -> str:
        threads = f", {self.threads} thread{'s' if self.threads != 1 else ''}" if self.kind == "cpu" else ""
        return f"{self.kind}: {self.name}{threads}"


@dataclass(frozen=True)
class BenchResult:
    network: str
    batch: int
    dtype: str
    channels_last: bool
    compiled: bool
    timing: Timing
    throughput: float  # samples per second = batch / median latency
    flops_per_sample: int
    achieved_gflops: float
    ceiling_gflops: float
    efficiency: float  # achieved / measured ceiling
    spec_efficiency: float | None  # achieved / vendor figure
    arithmetic_intensity: float  # FLOPs per byte of parameters + activations
    param_bytes: int
    activation_bytes: int  # for the batch
    peak_memory_bytes: int


@dataclass(frozen=True)
class BenchRun:
    device: Device
    ceiling: Ceiling
    options: BenchOptions
    results: tuple[BenchResult, ...]
    notes: tuple[str, ...]


def torch_dtype(dtype: str) -> Any:
    import torch

    if dtype not in TORCH_DTYPES:
        raise CnnCalcError(f"bench runs in fp32, fp16 or bf16, received {dtype!r}")
    return getattr(torch, TORCH_DTYPES[dtype])


def measure_module(make: Callable[[], Any], input_shape: Sequence[int], *, batch: int, kind: str, dtype: str,
                   channels_last: bool = False, compile: bool = False, warmup: int = 10, min_iters: int = 10,
                   min_time: float = 1.0, label: str = "module") -> tuple[Timing, int]:
    """Time ``make()`` (an nn.Module taking (batch, *input_shape)); returns the timing and the peak memory growth."""
    import gc

    import torch

    gc.collect()  # modules of earlier measurements (fx graphs hold reference cycles) are freed before the probe
    probe = MemoryProbe(kind)
    probe.start()
    module = make().eval().to(device=kind, dtype=torch_dtype(dtype))
    x = torch.randn(batch, *input_shape, device=kind, dtype=torch_dtype(dtype))
    if channels_last:
        fmt = {4: torch.channels_last, 5: torch.channels_last_3d}.get(x.dim())
        if fmt is None:
            raise CnnCalcError(f"{label}: --channels-last needs a 2-D or 3-D image input, received "
                               f"{'×'.join(map(str, input_shape))}")
        module, x = module.to(memory_format=fmt), x.contiguous(memory_format=fmt)
    if compile:
        try:
            module = torch.compile(module, dynamic=False)
        except Exception as exc:
            raise CnnCalcError(f"{label}: torch.compile failed: {first_line(exc)}; run without --compile") from None
    with torch.inference_mode():
        try:
            module(x)  # the first call: compilation, cuDNN autotuning, missing kernels show up here
            synchronize(kind)
        except Exception as exc:
            raise _call_error(exc, label, kind, dtype, compile) from None
        timing = time_loop(lambda: module(x), kind, warmup=warmup, min_iters=min_iters, min_time=min_time)
    return timing, probe.peak_growth()


def _call_error(exc: Exception, label: str, kind: str, dtype: str, compiled: bool) -> CnnCalcError:
    if is_missing_kernel(exc):
        return CnnCalcError(f"{label}: torch has no {dtype} kernel on {kind} for an operation of this network "
                            f"({first_line(exc)}); use --dtype fp32" + (" or --device cuda" if kind == "cpu" else ""))
    if "out of memory" in str(exc).lower():
        return CnnCalcError(f"{label}: out of memory on {kind} ({first_line(exc)}); use a smaller --batch")
    if compiled:
        return CnnCalcError(f"{label}: torch.compile failed: {first_line(exc)}; run without --compile")
    return CnnCalcError(f"{label}: the forward pass failed on {kind}: {first_line(exc)}")


def matmul_ceiling(kind: str, dtype: str, *, n: int | None = None, min_time: float = 0.2) -> Ceiling:
    """The measured ceiling: an n×n·n×n matmul (2·n³ FLOPs) in `dtype` on `kind`, timed like a network;
    the 10th percentile of the per-call latencies (the fast end) makes it a ceiling."""
    import torch

    n = n or CEILING_SIZE[kind]
    a = torch.randn(n, n, device=kind, dtype=torch_dtype(dtype))
    b = torch.randn(n, n, device=kind, dtype=torch_dtype(dtype))
    out = torch.empty(n, n, device=kind, dtype=torch_dtype(dtype))
    with torch.inference_mode():
        try:
            timing = time_loop(lambda: torch.mm(a, b, out=out), kind, warmup=2, min_iters=5, min_time=min_time)
        except Exception as exc:
            raise _call_error(exc, "the matmul ceiling", kind, dtype, False) from None
    gflops = 2 * n**3 / (timing.p10_ms / 1e3) / 1e9  # the fast end: a ceiling, robust to a stray slow call
    method = f"matmul {n}×{n}·{n}×{n} {dtype}, p10 latency of {timing.iterations} calls"
    spec, source = None, "no vendor figure for a CPU" if kind == "cpu" else ""
    if kind == "cuda":
        entry = find_gpu(device_name(kind))
        figure = entry.tflops(dtype) if entry else None
        spec = figure * 1e3 if figure is not None else None
        source = (entry.source if figure is not None else f"{entry.model} has no {dtype} tensor path") if entry \
            else "this GPU is not in cnncalc's table (cnncalc/gpus.py)"
    return Ceiling(gflops, method, spec, source)


def result_of(network: str, batch: int, options: BenchOptions, timing: Timing, peak: int, flops_per_sample: int,
              param_bytes: int, activation_bytes: int, ceiling: Ceiling) -> BenchResult:
    """Derived numbers: throughput, achieved GFLOP/s, efficiencies, arithmetic intensity."""
    seconds = timing.median_ms / 1e3
    achieved = flops_per_sample * batch / seconds / 1e9
    moved = param_bytes + activation_bytes
    return BenchResult(
        network=network, batch=batch, dtype=options.dtype, channels_last=options.channels_last,
        compiled=options.compile, timing=timing, throughput=batch / seconds, flops_per_sample=flops_per_sample,
        achieved_gflops=achieved, ceiling_gflops=ceiling.gflops, efficiency=achieved / ceiling.gflops,
        spec_efficiency=achieved / ceiling.spec_gflops if ceiling.spec_gflops else None,
        arithmetic_intensity=flops_per_sample * batch / moved if moved else 0.0,
        param_bytes=param_bytes, activation_bytes=activation_bytes, peak_memory_bytes=peak,
    )


def _notes(kind: str, options: BenchOptions) -> tuple[str, ...]:
    import torch

    notes = [f"FLOPs = {FLOPS_CONVENTION}"]
    if kind == "cpu" and options.dtype == "fp16":
        notes.append("fp16 on the CPU runs only where torch has fp16 CPU kernels, often slower than fp32")
    if kind == "cuda" and options.dtype == "fp32" and torch.backends.cudnn.allow_tf32:
        notes.append("cuDNN convolutions may use TF32 tensor cores (torch.backends.cudnn.allow_tf32), so fp32 "
                     "efficiency can exceed 100% of the FP32 matmul ceiling")
    return tuple(notes)


def run(sources: Sequence[str], options: BenchOptions, *, input_shape: Sequence[int] | None = None,
        progress: Progress | None = None) -> BenchRun:
    """Benchmark each network (zoo name or YAML path) at each batch size; see the module docstring."""
    import torch

    from cnncalc import load
    from cnncalc.analysis import analyze_graph
    from cnncalc.torch import budget

    if options.dtype not in TORCH_DTYPES:
        raise CnnCalcError(f"bench runs in fp32, fp16 or bf16, received {options.dtype!r}")
    if not options.batches or min(options.batches) < 1:
        raise CnnCalcError(f"batch sizes must be >= 1, received {list(options.batches)}")
    kind = resolve_device(options.device)
    graphs = [load(s, input_shape=input_shape) for s in sources]  # YAML errors before any timing
    for graph in graphs:  # and what each would allocate, before any is built
        budget.check(analyze_graph(graph, batch=max(options.batches), dtype=options.dtype), kind, "bench")
    from cnncalc.torch.lower import build_module

    total = 1 + len(graphs) * len(options.batches)
    report = progress or (lambda label, done, total: None)
    restore = set_threads(options.threads)
    cudnn_benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest algorithms in the warm-up
    try:
        report(f"matmul ceiling ({options.dtype})", 0, total)
        ceiling = matmul_ceiling(kind, options.dtype)
        results = []
        for k, graph in enumerate(graphs):
            for j, batch in enumerate(options.batches):
                name = graph.spec.name
                report(f"{name} batch {batch}", 1 + k * len(options.batches) + j, total)
                analysis = analyze_graph(graph, batch=batch, dtype=options.dtype)
                per_sample = analysis.totals.flops // batch  # every count scales exactly with the batch
                timing, peak = measure_module(
                    partial(build_module, graph, device=kind), graph.spec.input_shape, batch=batch, kind=kind,
                    dtype=options.dtype, channels_last=options.channels_last, compile=options.compile,
                    warmup=options.warmup, min_iters=options.min_iters, min_time=options.min_time,
                    label=f"{name} (batch {batch})")
                results.append(result_of(name, batch, options, timing, peak, per_sample,
                                         analysis.totals.param_bytes, analysis.totals.activation_bytes, ceiling))
        report("done", total, total)
        device = Device(kind, device_name(kind), str(torch.__version__), cpu_threads())
    finally:
        restore()
        torch.backends.cudnn.benchmark = cudnn_benchmark
    return BenchRun(device, ceiling, options, tuple(results), _notes(kind, options))
