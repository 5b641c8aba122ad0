"""Model size: the bytes that store a network's parameters, dense or pruned and quantised.

The convention of the SqueezeNet paper (Iandola et al. 2016, Table 2: "the number of
bytes required to store all of the parameters in the trained model"):

- dense, N bits per parameter: ``P·N/8`` bytes (``--dtype`` gives N: fp32 32, fp16 16,
  int8 8; ``--bits`` any N from 1 to 32);
- pruned to a fraction F of zeros (``--sparsity F``, 0 ≤ F < 1): the ``⌈P·(1 − F)⌉``
  non-zero parameters are stored, ``⌈P·(1 − F)⌉·N/8`` bytes, rounded up to a byte;
- the position of each stored parameter (a sparse index) costs I more bits each
  (``--index-bits I``, Deep Compression's relative index is 4 bits) and is **not
  counted** unless I is given; codebooks and entropy coding are never counted.

So AlexNet's 240 MB row is ``P·32/8``, Network Pruning's 27 MB is F = 0.89 at 32 bits
without index, and 8-bit Deep Compression SqueezeNet (0.66 MB) is F ≈ 0.66 at 8 bits with
a 4-bit index, short of the paper by the per-layer codebooks it does not count.

>>> model_size(1_248_424, 32).bytes, model_size(100, 8, 0.5, 4).bytes
(4993696, 75)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnncalc.errors import CnnCalcError

MB = 10**6
MIB = 2**20


@dataclass(frozen=True)
class ModelSize:
    """The storage of `params` parameters at `bits` each, `sparsity` of them zero and not stored."""

    params: int
    bits: int
    sparsity: float
    index_bits: int  # per stored parameter; 0: not counted
    stored: int  # the parameters kept: ⌈params·(1 − sparsity)⌉
    bytes: int

    @property
    def mb(self) -> float:
        return self.bytes / MB

    @property
    def mib(self) -> float:
        return self.bytes / MIB

    @property
    def index_counted(self) -> bool:
        return self.sparsity > 0 and self.index_bits > 0

    def as_dict(self) -> dict[str, object]:
        return {"bytes": self.bytes, "mb": self.mb, "mib": self.mib, "bits": self.bits, "sparsity": self.sparsity,
                "stored_params": self.stored, "index_bits": self.index_bits, "index_counted": self.index_counted}


def model_size(params: int, bits: int, sparsity: float = 0.0, index_bits: int = 0) -> ModelSize:
    """Bytes of `params` parameters at `bits` bits, a fraction `sparsity` pruned, `index_bits` per kept one."""
    check(bits, sparsity, index_bits)
    stored = math.ceil(params * (1 - sparsity) - 1e-9) if sparsity else params
    per = bits + (index_bits if sparsity else 0)
    return ModelSize(params, bits, sparsity, index_bits, stored, (stored * per + 7) // 8)


def check(bits: int, sparsity: float, index_bits: int = 0) -> None:
    if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 32:
        raise CnnCalcError(f"--bits {bits}: give the bits per parameter, 1 to 32 (e.g. --bits 8)")
    if not 0 <= sparsity < 1:
        raise CnnCalcError(f"--sparsity {sparsity}: give the fraction of zero weights, 0 ≤ F < 1 (e.g. 0.89)")
    if not 0 <= index_bits <= 32:
        raise CnnCalcError(f"--index-bits {index_bits}: give the index bits per stored weight, 0 to 32")


__all__ = ["MB", "MIB", "ModelSize", "check", "model_size"]
