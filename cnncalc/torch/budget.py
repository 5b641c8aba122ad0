"""What `verify` and `bench` may allocate, checked from the analysis before anything is built.

A network of 10⁶×10⁶ weights, an input of 3×2⁴⁰×2⁴⁰ or `bench --batch 100000000`
would make torch ask for terabytes and fail with a traceback (or swap for minutes).
The analysis knows the bytes beforehand: the weights and buffers, and the peak of
the activations alive at once at the batch run. Their sum must fit in half the
device's memory (the machine's physical memory on the CPU, the GPU's on CUDA), the
rest being left for torch's work space, fvcore's traces and the operating system.

`verify --train` holds more: the step's peak (parameters, gradients, optimizer state and
the tensors kept for the backward, from `cnncalc.analysis.training`) in its measurements
one after another, and torchvision's model besides with ``--against``. Measured on
regnet_y_8gf (torch 2.14, CPU, batches 2 and 3), the process grew by 1.6 times the step's
peak, 2.1 times with torchvision's: `TRAIN_PEAKS` and `AGAINST_PEAKS` leave a margin.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cnncalc.analysis import Report
from cnncalc.errors import CnnCalcError
from cnncalc.render.formats import human_bytes

if TYPE_CHECKING:
    from cnncalc.analysis.training import Training

SHARE = 2  # at most 1/SHARE of the device's memory
TRAIN_PEAKS = 2  # verify --train: this many of the analytic step's peak at once
AGAINST_PEAKS = 1  # and this many more with torchvision's model (--against)


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


def check_training(training: Training, device: str, command: str, *, against: bool,
                   memory: int | None = None) -> None:
    """Refuse (before building) a training check whose steps would not fit in the budget."""
    total = device_memory(device) if memory is None else memory
    if total is None:
        return
    peak = training.peak().live.at(training.report.batch)
    times = TRAIN_PEAKS + (AGAINST_PEAKS if against else 0)
    need = peak * times
    if need > total // SHARE:
        raise CnnCalcError(
            f"{command} {training.report.name} at batch {training.report.batch} would allocate about "
            f"{human_bytes(need)} (the peak of a training step, {human_bytes(peak)}, held about {times} times "
            f"over while it is measured), more than half the {human_bytes(total)} of memory on {device}; use a "
            "smaller batch or --input, or a smaller network")


__all__ = ["AGAINST_PEAKS", "SHARE", "TRAIN_PEAKS", "check", "check_training", "device_memory", "needed"]
