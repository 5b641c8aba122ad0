"""The expanded network every later stage reads: plain layer specs, block instances, the output.

`cnncalc.dsl` produces a `NetSpec` from YAML (blocks and ``repeat`` already
flattened); `cnncalc.graph` orders it; the analysis, the homework checker and
the torch side read it. Nothing here knows about YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import Location

if TYPE_CHECKING:
    from cnncalc.layers.base import Layer

INPUT = "input"  # the name of the network's input


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the flattened network."""

    name: str  # full scoped name, e.g. "fire2.squeeze"
    layer: Layer
    inputs: tuple[str, ...]  # full names of the producers ("input" for the network input)
    location: Location
    scope: tuple[str, ...]  # the block instances it sits in, outermost first, as full names
    torch: str = ""  # how the PyTorch code it mirrors calls it (`torch: F.relu`); "" for the kind's default


@dataclass(frozen=True)
class BlockInstance:
    """One use of a block: its full name, the block's name, its output layer and where it is written."""

    path: str  # full name, e.g. "layer1.bottleneck2"
    block: str  # the block's name, e.g. "bottleneck"
    out: str  # full name of the layer that is its output
    location: Location


@dataclass(frozen=True)
class Published:
    """A published accuracy, in percent, on `dataset`, from `source`: the one a network's file cites (its
    ``accuracy:`` key) or torchvision's for its weights (`cnncalc.analysis.accuracy`); `crop`: the square
    input side it was measured at, where that is known."""

    top1: float | None
    top5: float | None
    dataset: str
    source: str
    crop: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """As every JSON output writes it."""
        return {"top1": self.top1, "top5": self.top5, "dataset": self.dataset, "crop": self.crop,
                "source": self.source}


@dataclass(frozen=True)
class NetSpec:
    """The expanded network: plain layer specs in definition order."""

    name: str
    title: str
    source: str
    family: str
    file: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    blocks: tuple[BlockInstance, ...]
    output: str
    notes: str = ""
    accuracy: Published | None = None  # as the file cites it; None once --input or --set change the network


__all__ = ["INPUT", "BlockInstance", "LayerSpec", "NetSpec", "Published"]
