"""What `verify` and `bench` may allocate, checked from the analysis before anything is built.

A network of 10⁶×10⁶ weights, an input of 3×2⁴⁰×2⁴⁰ or `bench --batch 100000000`
would make torch ask for terabytes and fail with a traceback (or swap for minutes).
The analysis knows the bytes beforehand: the weights and buffers, and the peak of
the activations alive at once at the batch run. Their sum must fit in half the
device's memory (the machine's physical memory on the CPU, the GPU's on CUDA), the
rest being left for torch's work space, fvcore's traces and the operating system.
"""

from __future__ import annotations

import os

from cnncalc.analysis import Report
from cnncalc.errors import CnnCalcError
from cnncalc.render.formats import human_bytes

SHARE = 2  # at most 1/SHARE of the device's memory


def device_memory(device: str) -> int | None:
    """The device's memory in bytes (None when it cannot be told)."""
    if device.startswith("cuda"):
        import torch

        return int(torch.cuda.get_device_properties(torch.device(device)).total_memory)
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def needed(report: Report) -> int:
    """Bytes the module and one forward pass hold at once: weights, buffers and the activations' peak."""
    return report.totals.param_bytes + report.totals.buffer_bytes + report.totals.peak_activation_bytes


def check(report: Report, device: str, command: str, memory: int | None = None) -> None:
    """Refuse (before building) a network whose weights and activations would not fit in the budget."""
    total = device_memory(device) if memory is None else memory
    if total is None:
        return
    need, limit = needed(report), total // SHARE
    if need > limit:
        t = report.totals
        raise CnnCalcError(
            f"{command} {report.name} at batch {report.batch} would allocate about {human_bytes(need)} "
            f"({human_bytes(t.param_bytes + t.buffer_bytes)} of weights and buffers, "
            f"{human_bytes(t.peak_activation_bytes)} of activations at the peak), more than half the "
            f"{human_bytes(total)} of memory on {device}; use a smaller batch or --input, or a smaller network")


__all__ = ["SHARE", "check", "device_memory", "needed"]
