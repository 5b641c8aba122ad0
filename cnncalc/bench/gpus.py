"""Peak dense throughput of known GPUs, per dtype, with the source of every figure.

`cnncalc bench` divides the achieved FLOP/s of a network by these figures (and by
a measured matmul ceiling) to show how far a design is from what the card can do.

Conventions of the table:

- TFLOP/s (10¹² floating-point operations per second, one multiply-add = 2), at
  the boost clock, as the vendor publishes them.
- **dense**: NVIDIA's data-center datasheets print tensor-core figures "with
  sparsity" (2:4 structured sparsity, marked with an asterisk); a dense network
  can reach half of that, so those figures are halved here and the entry says so.
- fp32 is the CUDA-core (non-tensor) rate: what ``torch.matmul`` in float32 uses
  while ``torch.backends.cuda.matmul.allow_tf32`` is False (torch's default).
  cuDNN convolutions may use TF32 tensor cores by default
  (``torch.backends.cudnn.allow_tf32`` is True), so an fp32 network can exceed
  100 % of this figure; the tf32 figure is kept for that comparison.
- fp16 and bf16 are tensor-core rates with fp32 accumulation (what torch uses).
  ``None``: the hardware has no such path (T4 and V100 have no bf16).

Nothing here imports torch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DATASHEET_HALVED = "tensor figures are the datasheet's 'with sparsity' numbers halved"


@dataclass(frozen=True)
class GpuPeak:
    """Peak dense TFLOP/s of one GPU model; `pattern` is matched against torch's device name."""

    model: str
    pattern: str  # a regular expression, searched case-insensitively in torch.cuda.get_device_name()
    fp32: float
    tf32: float | None
    fp16: float
    bf16: float | None
    source: str

    def tflops(self, dtype: str) -> float | None:
        """The figure for fp32/tf32/fp16/bf16 (None: no such hardware path)."""
        value: float | None = getattr(self, dtype)
        return value


# Order matters: the first entry whose pattern matches the device name wins, so
# variants (PCIe, NVL) come before the plain model name.
GPU_PEAKS: tuple[GpuPeak, ...] = (
    GpuPeak("H100 PCIe", r"H100.*PCI", 51.0, 378.0, 756.5, 756.5,
            f"NVIDIA H100 Tensor Core GPU datasheet, PCIe column (TF32 756*, BF16/FP16 1,513*); {DATASHEET_HALVED}"),
    GpuPeak("H100 NVL", r"H100.*NVL", 60.0, 417.5, 835.5, 835.5,
            f"NVIDIA H100 Tensor Core GPU datasheet, NVL column (TF32 835*, BF16/FP16 1,671*); {DATASHEET_HALVED}"),
    GpuPeak("H100 SXM", r"H100", 67.0, 494.5, 989.5, 989.5,
            f"NVIDIA H100 Tensor Core GPU datasheet, SXM column (TF32 989*, BF16/FP16 1,979*); {DATASHEET_HALVED}"),
    GpuPeak("H200 NVL", r"H200.*NVL", 60.0, 417.5, 835.5, 835.5,
            f"NVIDIA H200 Tensor Core GPU datasheet, NVL column (TF32 835*, BF16/FP16 1,671*); {DATASHEET_HALVED}"),
    GpuPeak("H200 SXM", r"H200", 67.0, 494.5, 989.5, 989.5,
            f"NVIDIA H200 Tensor Core GPU datasheet, SXM column (TF32 989*, BF16/FP16 1,979*); {DATASHEET_HALVED}"),
    GpuPeak("A100 (40 GB and 80 GB, SXM4 and PCIe)", r"A100", 19.5, 156.0, 312.0, 312.0,
            "NVIDIA A100 Tensor Core GPU datasheet (dense figures: TF32 156, BF16/FP16 312; "
            "the same for the 40 GB, 80 GB, SXM4 and PCIe cards)"),
    GpuPeak("A10", r"\bA10\b", 31.2, 62.5, 125.0, 125.0,
            "NVIDIA A10 Tensor Core GPU datasheet (TF32 62.5, BF16/FP16 125 dense; 125*/250* with sparsity)"),
    GpuPeak("L40S", r"L40S", 91.6, 183.0, 366.5, 366.5,
            f"NVIDIA L40S datasheet (TF32 366*, BF16/FP16 733*); {DATASHEET_HALVED}"),
    GpuPeak("L40", r"\bL40\b", 90.5, 90.5, 181.0, 181.0,
            "NVIDIA L40 datasheet (TF32 90.5, BF16/FP16 181 dense; 181*/362* with sparsity)"),
    GpuPeak("L4", r"\bL4\b", 30.3, 60.0, 121.0, 121.0,
            f"NVIDIA L4 Tensor Core GPU datasheet (TF32 120*, BF16/FP16 242*); {DATASHEET_HALVED}"),
    GpuPeak("T4", r"\bT4\b", 8.1, None, 65.0, None,
            "NVIDIA T4 Tensor Core GPU datasheet (single precision 8.1, mixed precision FP16/FP32 65; "
            "Turing has no TF32 or BF16 tensor cores)"),
    GpuPeak("V100 PCIe", r"V100.*PCI", 14.0, None, 112.0, None,
            "NVIDIA V100 Tensor Core GPU datasheet, PCIe column (single precision 14, tensor 112; "
            "Volta has no TF32 or BF16 tensor cores)"),
    GpuPeak("V100 SXM2", r"V100", 15.7, None, 125.0, None,
            "NVIDIA V100 Tensor Core GPU datasheet, SXM2 column (single precision 15.7, tensor 125; "
            "Volta has no TF32 or BF16 tensor cores)"),
    GpuPeak("GeForce RTX 4090", r"RTX 4090", 82.6, 82.6, 165.2, 165.2,
            "NVIDIA Ada Lovelace architecture whitepaper, appendix table for the RTX 4090 "
            "(FP16/BF16 tensor with FP32 accumulate 165.2 dense; 330.4 with sparsity)"),
    GpuPeak("GeForce RTX 3090", r"RTX 3090(?! Ti)", 35.6, 35.6, 71.0, 71.0,
            "NVIDIA Ampere GA102 GPU architecture whitepaper, RTX 3090 column "
            "(FP16/BF16 tensor with FP32 accumulate 71 dense; 142 with sparsity)"),
)


def find_gpu(device_name: str) -> GpuPeak | None:
    """The table entry for a device name as torch reports it, or None for an unknown card.

    >>> find_gpu("NVIDIA H100 80GB HBM3").model
    'H100 SXM'
    >>> find_gpu("NVIDIA A100-SXM4-40GB").fp32
    19.5
    >>> find_gpu("Intel(R) Xeon(R)") is None
    True
    """
    for entry in GPU_PEAKS:
        if re.search(entry.pattern, device_name, flags=re.IGNORECASE):
            return entry
    return None
