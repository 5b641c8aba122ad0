"""The published accuracy of the zoo networks: torchvision's for its models, the papers' cited in the files.

The table here is torchvision 0.29.1's published ImageNet-1K validation accuracy of
each model's ``IMAGENET1K_V1`` weights (``IMAGENET1K_SWAG_E2E_V1`` for regnet_y_128gf,
which has no V1), from the weights' ``meta["_metrics"]``; cite "torchvision weights NAME".
A zoo network has them only where it *is* that torchvision model, layer for layer (the zoo
tests hold those to torchvision's counts): the paper's GoogLeNet, with LRN and biases, is not torchvision's
``googlenet`` (the zoo's ``googlenet_tv``), so it has none of torchvision's; a zoo file that is
not a torchvision model may cite its paper's figure instead (``accuracy:``, on the paper's dataset,
e.g. CIFAR-10). One source per network: a test checks that no file cites one where this table has one.

Read through `imagenet_accuracy` (the table, by zoo name) and `report_accuracy` (a report: the
table's figure at torchvision's crop size and with its 1000 classes, else the file's).

>>> imagenet_accuracy("resnet50").top1
76.13
>>> imagenet_accuracy("googlenet") is None
True
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cnncalc import zoo
from cnncalc.analysis.report import Report
from cnncalc.errors import CnnCalcError
from cnncalc.spec import Published

# zoo name: (torchvision model, its weights (IMAGENET1K_V1 where torchvision has them), acc@1, acc@5,
# the crop they were measured on)
_TORCHVISION: dict[str, tuple[str, str, float, float, int]] = {
    "alexnet": ("alexnet", "IMAGENET1K_V1", 56.522, 79.066, 224),
    "convnext_base": ("convnext_base", "IMAGENET1K_V1", 84.062, 96.87, 224),
    "convnext_large": ("convnext_large", "IMAGENET1K_V1", 84.414, 96.976, 224),
    "convnext_small": ("convnext_small", "IMAGENET1K_V1", 83.616, 96.65, 224),
    "convnext_tiny": ("convnext_tiny", "IMAGENET1K_V1", 82.52, 96.146, 224),
    "densenet121": ("densenet121", "IMAGENET1K_V1", 74.434, 91.972, 224),
    "densenet161": ("densenet161", "IMAGENET1K_V1", 77.138, 93.56, 224),
    "densenet169": ("densenet169", "IMAGENET1K_V1", 75.6, 92.806, 224),
    "densenet201": ("densenet201", "IMAGENET1K_V1", 76.896, 93.37, 224),
    "efficientnet_b0": ("efficientnet_b0", "IMAGENET1K_V1", 77.692, 93.532, 224),
    "efficientnet_b1": ("efficientnet_b1", "IMAGENET1K_V1", 78.642, 94.186, 240),
    "efficientnet_b2": ("efficientnet_b2", "IMAGENET1K_V1", 80.608, 95.31, 288),
    "efficientnet_b3": ("efficientnet_b3", "IMAGENET1K_V1", 82.008, 96.054, 300),
    "efficientnet_b4": ("efficientnet_b4", "IMAGENET1K_V1", 83.384, 96.594, 380),
    "efficientnet_b5": ("efficientnet_b5", "IMAGENET1K_V1", 83.444, 96.628, 456),
    "efficientnet_b6": ("efficientnet_b6", "IMAGENET1K_V1", 84.008, 96.916, 528),
    "efficientnet_b7": ("efficientnet_b7", "IMAGENET1K_V1", 84.122, 96.908, 600),
    "efficientnet_v2_l": ("efficientnet_v2_l", "IMAGENET1K_V1", 85.808, 97.788, 480),
    "efficientnet_v2_m": ("efficientnet_v2_m", "IMAGENET1K_V1", 85.112, 97.156, 480),
    "efficientnet_v2_s": ("efficientnet_v2_s", "IMAGENET1K_V1", 84.228, 96.878, 384),
    "googlenet_tv": ("googlenet", "IMAGENET1K_V1", 69.778, 89.53, 224),
    "inception_v3": ("inception_v3", "IMAGENET1K_V1", 77.294, 93.45, 299),
    "mnasnet0_5": ("mnasnet0_5", "IMAGENET1K_V1", 67.734, 87.49, 224),
    "mnasnet0_75": ("mnasnet0_75", "IMAGENET1K_V1", 71.18, 90.496, 224),
    "mnasnet1_0": ("mnasnet1_0", "IMAGENET1K_V1", 73.456, 91.51, 224),
    "mnasnet1_3": ("mnasnet1_3", "IMAGENET1K_V1", 76.506, 93.522, 224),
    "mobilenet_v2": ("mobilenet_v2", "IMAGENET1K_V1", 71.878, 90.286, 224),
    "mobilenet_v3_large": ("mobilenet_v3_large", "IMAGENET1K_V1", 74.042, 91.34, 224),
    "mobilenet_v3_small": ("mobilenet_v3_small", "IMAGENET1K_V1", 67.668, 87.402, 224),
    "regnet_x_16gf": ("regnet_x_16gf", "IMAGENET1K_V1", 80.058, 94.944, 224),
    "regnet_x_1_6gf": ("regnet_x_1_6gf", "IMAGENET1K_V1", 77.04, 93.44, 224),
    "regnet_x_32gf": ("regnet_x_32gf", "IMAGENET1K_V1", 80.622, 95.248, 224),
    "regnet_x_3_2gf": ("regnet_x_3_2gf", "IMAGENET1K_V1", 78.364, 93.992, 224),
    "regnet_x_400mf": ("regnet_x_400mf", "IMAGENET1K_V1", 72.834, 90.95, 224),
    "regnet_x_800mf": ("regnet_x_800mf", "IMAGENET1K_V1", 75.212, 92.348, 224),
    "regnet_x_8gf": ("regnet_x_8gf", "IMAGENET1K_V1", 79.344, 94.686, 224),
    "regnet_y_128gf": ("regnet_y_128gf", "IMAGENET1K_SWAG_E2E_V1", 88.228, 98.682, 384),
    "regnet_y_16gf": ("regnet_y_16gf", "IMAGENET1K_V1", 80.424, 95.24, 224),
    "regnet_y_1_6gf": ("regnet_y_1_6gf", "IMAGENET1K_V1", 77.95, 93.966, 224),
    "regnet_y_32gf": ("regnet_y_32gf", "IMAGENET1K_V1", 80.878, 95.34, 224),
    "regnet_y_3_2gf": ("regnet_y_3_2gf", "IMAGENET1K_V1", 78.948, 94.576, 224),
    "regnet_y_400mf": ("regnet_y_400mf", "IMAGENET1K_V1", 74.046, 91.716, 224),
    "regnet_y_800mf": ("regnet_y_800mf", "IMAGENET1K_V1", 76.42, 93.136, 224),
    "regnet_y_8gf": ("regnet_y_8gf", "IMAGENET1K_V1", 80.032, 95.048, 224),
    "resnet101": ("resnet101", "IMAGENET1K_V1", 77.374, 93.546, 224),
    "resnet152": ("resnet152", "IMAGENET1K_V1", 78.312, 94.046, 224),
    "resnet18": ("resnet18", "IMAGENET1K_V1", 69.758, 89.078, 224),
    "resnet34": ("resnet34", "IMAGENET1K_V1", 73.314, 91.42, 224),
    "resnet50": ("resnet50", "IMAGENET1K_V1", 76.13, 92.862, 224),
    "resnext101_32x8d": ("resnext101_32x8d", "IMAGENET1K_V1", 79.312, 94.526, 224),
    "resnext101_64x4d": ("resnext101_64x4d", "IMAGENET1K_V1", 83.246, 96.454, 224),
    "resnext50_32x4d": ("resnext50_32x4d", "IMAGENET1K_V1", 77.618, 93.698, 224),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", "IMAGENET1K_V1", 60.552, 81.746, 224),
    "shufflenet_v2_x1_0": ("shufflenet_v2_x1_0", "IMAGENET1K_V1", 69.362, 88.316, 224),
    "shufflenet_v2_x1_5": ("shufflenet_v2_x1_5", "IMAGENET1K_V1", 72.996, 91.086, 224),
    "shufflenet_v2_x2_0": ("shufflenet_v2_x2_0", "IMAGENET1K_V1", 76.23, 93.006, 224),
    "squeezenet1_0": ("squeezenet1_0", "IMAGENET1K_V1", 58.092, 80.42, 224),
    "squeezenet1_1": ("squeezenet1_1", "IMAGENET1K_V1", 58.178, 80.624, 224),
    "vgg11": ("vgg11", "IMAGENET1K_V1", 69.02, 88.628, 224),
    "vgg11_bn": ("vgg11_bn", "IMAGENET1K_V1", 70.37, 89.81, 224),
    "vgg13": ("vgg13", "IMAGENET1K_V1", 69.928, 89.246, 224),
    "vgg13_bn": ("vgg13_bn", "IMAGENET1K_V1", 71.586, 90.374, 224),
    "vgg16": ("vgg16", "IMAGENET1K_V1", 71.592, 90.382, 224),
    "vgg16_bn": ("vgg16_bn", "IMAGENET1K_V1", 73.36, 91.516, 224),
    "vgg19": ("vgg19", "IMAGENET1K_V1", 72.376, 90.876, 224),
    "vgg19_bn": ("vgg19_bn", "IMAGENET1K_V1", 74.218, 91.842, 224),
    "wide_resnet101_2": ("wide_resnet101_2", "IMAGENET1K_V1", 78.848, 94.284, 224),
    "wide_resnet50_2": ("wide_resnet50_2", "IMAGENET1K_V1", 78.468, 94.086, 224),
}


def imagenet_accuracy(name: str) -> Published | None:
    """The ImageNet top-1/top-5 of zoo network `name`, or None where none is known."""
    entry = _TORCHVISION.get(name)
    if entry is None:
        return None
    model, weights, top1, top5, crop = entry
    return Published(top1, top5, "ImageNet-1K", f"torchvision weights {model} ({weights})", crop)


def report_accuracy(report: Report) -> Published | None:
    """The accuracy of a report: torchvision's for a zoo network that is a torchvision model, else the one
    its file cites (``accuracy:``, kept only while neither --input nor --set changed the network), or None.

    torchvision's holds only for the zoo's own file, at the input its weights were measured
    on and with ImageNet's 1000 classes: ``--input 3x160x160`` or ``--set num_classes=10``
    make another network.
    """
    known = imagenet_accuracy(report.name)
    if known is None and report.accuracy is not None:
        return replace(report.accuracy, crop=report.input_shape[-1])
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
    return {zoo_name: entry[0] for zoo_name, entry in _TORCHVISION.items()}


__all__ = ["imagenet_accuracy", "report_accuracy", "torchvision_names"]
