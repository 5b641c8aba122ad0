"""ImageNet accuracy of the zoo networks that are torchvision models, for the comparison chart.

The figures are torchvision 0.29.1's published ImageNet-1K validation accuracy of
each model's ``IMAGENET1K_V1`` weights (the weights' ``meta["_metrics"]``; cite
"torchvision weights NAME"). A zoo network has them only where it *is* that
torchvision model, layer for layer (the zoo tests hold those to torchvision's
counts): the paper's GoogLeNet, with LRN and biases, is not torchvision's
``googlenet`` (the zoo's ``googlenet_tv``), so it has none.

One small table read through `imagenet_accuracy` (by zoo name) and
`report_accuracy` (a report of that zoo file, at torchvision's crop size and with
its 1000 classes), so that the zoo files can carry their own accuracy later
without the callers changing.

>>> imagenet_accuracy("resnet50").top1
76.13
>>> imagenet_accuracy("googlenet") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnncalc import zoo
from cnncalc.analysis.report import Report
from cnncalc.errors import CnnCalcError


@dataclass(frozen=True)
class Accuracy:
    top1: float  # percent, ImageNet-1K validation, single crop
    top5: float
    crop: int  # the square input side the accuracy was measured at
    source: str  # what to cite


# zoo name: (torchvision model, acc@1, acc@5 of its IMAGENET1K_V1 weights, the crop they were measured on)
_TORCHVISION_V1: dict[str, tuple[str, float, float, int]] = {
    "alexnet": ("alexnet", 56.522, 79.066, 224),
    "densenet121": ("densenet121", 74.434, 91.972, 224),
    "densenet161": ("densenet161", 77.138, 93.56, 224),
    "densenet169": ("densenet169", 75.6, 92.806, 224),
    "densenet201": ("densenet201", 76.896, 93.37, 224),
    "googlenet_tv": ("googlenet", 69.778, 89.53, 224),
    "inception_v3": ("inception_v3", 77.294, 93.45, 299),
    "mobilenet_v2": ("mobilenet_v2", 71.878, 90.286, 224),
    "resnet101": ("resnet101", 77.374, 93.546, 224),
    "resnet152": ("resnet152", 78.312, 94.046, 224),
    "resnet18": ("resnet18", 69.758, 89.078, 224),
    "resnet34": ("resnet34", 73.314, 91.42, 224),
    "resnet50": ("resnet50", 76.13, 92.862, 224),
    "resnext101_32x8d": ("resnext101_32x8d", 79.312, 94.526, 224),
    "resnext50_32x4d": ("resnext50_32x4d", 77.618, 93.698, 224),
    "squeezenet1_0": ("squeezenet1_0", 58.092, 80.42, 224),
    "squeezenet1_1": ("squeezenet1_1", 58.178, 80.624, 224),
    "vgg11": ("vgg11", 69.02, 88.628, 224),
    "vgg11_bn": ("vgg11_bn", 70.37, 89.81, 224),
    "vgg13": ("vgg13", 69.928, 89.246, 224),
    "vgg13_bn": ("vgg13_bn", 71.586, 90.374, 224),
    "vgg16": ("vgg16", 71.592, 90.382, 224),
    "vgg16_bn": ("vgg16_bn", 73.36, 91.516, 224),
    "vgg19": ("vgg19", 72.376, 90.876, 224),
    "vgg19_bn": ("vgg19_bn", 74.218, 91.842, 224),
    "wide_resnet50_2": ("wide_resnet50_2", 78.468, 94.086, 224),
}


def imagenet_accuracy(name: str) -> Accuracy | None:
    """The ImageNet top-1/top-5 of zoo network `name`, or None where none is known."""
    entry = _TORCHVISION_V1.get(name)
    if entry is None:
        return None
    model, top1, top5, crop = entry
    return Accuracy(top1, top5, crop, f"torchvision weights {model} (IMAGENET1K_V1)")


def report_accuracy(report: Report) -> Accuracy | None:
    """The accuracy of a zoo network's report, or None.

    None unless the report is of the zoo's own file, at the input torchvision's
    weights were measured on and with ImageNet's 1000 classes: ``--input 3x160x160``
    or ``--set num_classes=10`` make another network.
    """
    known = imagenet_accuracy(report.name)
    if known is None or not report.file:
        return None
    try:
        zoo_file = zoo.locate(report.name)[0]
    except CnnCalcError:
        return None
    from_zoo = Path(report.file).resolve() == zoo_file.resolve()
    same_task = tuple(report.input_shape) == (3, known.crop, known.crop) and report.totals.output_shape == (1000,)
    return known if from_zoo and same_task else None


def torchvision_names() -> dict[str, str]:
    """Zoo name -> the torchvision model whose weights gave its accuracy."""
    return {zoo_name: entry[0] for zoo_name, entry in _TORCHVISION_V1.items()}


__all__ = ["Accuracy", "imagenet_accuracy", "report_accuracy", "torchvision_names"]
