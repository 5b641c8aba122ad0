"""How `cnncalc bench` measures: the timed loop, percentiles, the device, peak memory.

Method: warm-up calls, then timed calls until both a minimum count and a minimum
time are reached. Each call is timed on its own: on the CPU with
``time.perf_counter_ns`` around the call; on CUDA with a pair of CUDA events
recorded around it, followed by a synchronize, so a sample is the latency of one
call from launch to completion. The callable is the caller's: no tensor is
allocated by this loop.

torch is imported inside functions only.
"""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cnncalc.errors import CnnCalcError

NO_CUDA = "no CUDA device: use --device cpu"


@dataclass(frozen=True)
class Timing:
    """Per-call latencies of the timed loop, in milliseconds."""

    iterations: int
    median_ms: float
    p10_ms: float
    p90_ms: float
    mean_ms: float


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile (0..100) of sorted values, interpolated linearly between ranks (numpy's default).

    >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50)
    3.0
    >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 10)  # rank 0.4 -> 1 + 0.4·(2 − 1)
    1.4
    """
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(rank), math.ceil(rank)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (rank - lo)


def summarize(samples_ns: list[int] | list[float]) -> Timing:
    """Median, p10, p90 and mean of per-call times given in nanoseconds."""
    ordered = sorted(s / 1e6 for s in samples_ns)
    return Timing(len(ordered), percentile(ordered, 50), percentile(ordered, 10), percentile(ordered, 90),
                  sum(ordered) / len(ordered))


def timed_call(fn: Callable[[], object], kind: str) -> Callable[[], float]:
    """A function that calls `fn` once and returns how long it took, in nanoseconds."""
    if kind == "cuda":
        import torch

        event: Any = torch.cuda.Event  # untyped in torch's stubs
        start, end = event(enable_timing=True), event(enable_timing=True)

        def once_cuda() -> float:
            start.record()
            fn()
            end.record()
            end.synchronize()
            return float(start.elapsed_time(end)) * 1e6

        return once_cuda
    clock = time.perf_counter_ns

    def once_cpu() -> float:
        t0 = clock()
        fn()
        return float(clock() - t0)

    return once_cpu


def time_loop(fn: Callable[[], object], kind: str, *, warmup: int, min_iters: int, min_time: float) -> Timing:
    """Call `fn` `warmup` times untimed, then time calls until >= min_iters calls and >= min_time seconds."""
    for _ in range(warmup):
        fn()
    synchronize(kind)
    once = timed_call(fn, kind)
    samples: list[float] = []
    deadline = time.perf_counter() + min_time
    while len(samples) < min_iters or time.perf_counter() < deadline:
        samples.append(once())
    return summarize(samples)


def synchronize(kind: str) -> None:
    if kind == "cuda":
        import torch

        torch.cuda.synchronize()


def resolve_device(requested: str) -> str:
    """cpu, cuda or auto -> cpu or cuda; asking for cuda without a CUDA device is an error."""
    if requested not in ("cpu", "cuda", "auto"):
        raise CnnCalcError(f"unknown device {requested!r}; use cpu, cuda or auto")
    if requested == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        build = f"CUDA {torch.version.cuda} build" if torch.version.cuda else "CPU-only build"
        raise CnnCalcError(f"{NO_CUDA} (torch {torch.__version__}, {build}, torch.cuda.is_available() is False)")
    return "cpu"


def device_name(kind: str) -> str:
    """The GPU's name as torch reports it, or the CPU's model name from /proc/cpuinfo."""
    if kind == "cuda":
        import torch

        return str(torch.cuda.get_device_name())
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine() or "unknown CPU"


# -- peak memory ---------------------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class MemoryProbe:
    """Peak memory growth from `start()` to `peak_growth()`.

    CUDA: ``torch.cuda.max_memory_allocated`` after ``reset_peak_memory_stats``,
    minus what was allocated at the start. CPU: growth of the resident set size,
    after handing the heap's free memory back to the OS (glibc ``malloc_trim``).
    On Linux the high-water mark (VmHWM) is reset to the current RSS by writing 5
    to /proc/self/clear_refs, so the peak is the peak of this measurement alone;
    where that fails, the growth of ``getrusage``'s ru_maxrss is used, which stays
    0 while an earlier peak of the process was higher.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.base = 0
        self.resettable = False

    def start(self) -> None:
        if self.kind == "cuda":
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.base = int(torch.cuda.memory_allocated())
            return
        _trim_heap()
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            self.resettable = _status_kib("VmHWM") is not None
        except OSError:
            self.resettable = False
        rss = _status_kib("VmRSS") if self.resettable else None
        self.base = rss * 1024 if rss is not None else _maxrss_bytes()

    def peak_growth(self) -> int:
        if self.kind == "cuda":
            import torch

            torch.cuda.synchronize()
            return max(int(torch.cuda.max_memory_allocated()) - self.base, 0)
        hwm = _status_kib("VmHWM") if self.resettable else None
        peak = hwm * 1024 if hwm is not None else _maxrss_bytes()
        return max(peak - self.base, 0)


def _trim_heap() -> None:
    """Give freed heap memory back to the OS (glibc ``malloc_trim``), so that memory freed by earlier
    measurements is not silently reused and missed by the RSS growth. Best effort: a no-op elsewhere."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _maxrss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # KiB on Linux


def cpu_threads() -> int:
    import torch

    return int(torch.get_num_threads())


def set_threads(threads: int | None) -> Callable[[], None]:
    """Set torch's intra-op CPU threads; returns a function that restores the previous number."""
    import torch

    before = int(torch.get_num_threads())
    if threads is not None:
        if threads < 1:
            raise CnnCalcError(f"--threads must be >= 1, received {threads}")
        torch.set_num_threads(threads)

    def restore() -> None:
        torch.set_num_threads(before)

    return restore


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def is_missing_kernel(exc: Any) -> bool:
    """True for torch's "... not implemented for 'Half'" style errors (no kernel for that dtype/device)."""
    return isinstance(exc, (RuntimeError, NotImplementedError)) and "not implemented for" in str(exc)
