"""The ImageNet accuracy the charts use: torchvision's published figures, for the zoo networks that are its models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import cnncalc
from cnncalc import zoo
from cnncalc.analysis.accuracy import imagenet_accuracy, report_accuracy, torchvision_names

HERE = Path(__file__).resolve()


def reference() -> dict[str, Any]:
    """shared/reference/torchvision_accuracy.json beside the repository (or a folder above it)."""
    for folder in HERE.parents:
        path = folder / "shared" / "reference" / "torchvision_accuracy.json"
        if path.is_file():
            models: dict[str, Any] = json.loads(path.read_text())["models"]
            return models
    pytest.fail("shared/reference/torchvision_accuracy.json not found beside the repository")


def test_the_table_is_torchvisions_published_v1_figures() -> None:
    models = reference()
    for zoo_name, model in torchvision_names().items():
        acc = imagenet_accuracy(zoo_name)
        assert acc is not None
        # the V1 weights; regnet_y_128gf has only SWAG weights, the end-to-end ones at 384
        weights = "IMAGENET1K_V1" if "IMAGENET1K_V1" in models[model] else "IMAGENET1K_SWAG_E2E_V1"
        v1 = models[model][weights]
        assert (acc.top1, acc.top5) == (v1["acc@1"], v1["acc@5"]), zoo_name
        assert acc.crop == v1["crop_size"][0] and acc.source == f"torchvision weights {model} ({weights})"


def test_exactly_the_zoo_networks_that_are_torchvision_models_have_it() -> None:
    models = reference()
    names = zoo.names()
    # the zoo's convention (tests/zoo_helpers.py): X_tv is torchvision's X; otherwise X is torchvision's X
    # when torchvision has a model of that name and the zoo has no X_tv (googlenet is the paper's network)
    expected = {n: n.removesuffix("_tv") for n in names if n.endswith("_tv")}
    expected |= {n: n for n in names if n in models and f"{n}_tv" not in names}
    assert torchvision_names() == expected
    assert imagenet_accuracy("googlenet") is None and imagenet_accuracy("googlenet_tv") is not None
    assert imagenet_accuracy("lenet5") is None


def test_a_report_has_it_only_as_the_zoo_network_torchvision_measured() -> None:
    assert report_accuracy(cnncalc.analyze("resnet50")).top1 == 76.13  # type: ignore[union-attr]
    assert report_accuracy(cnncalc.analyze("inception_v3")).top1 == 77.294  # type: ignore[union-attr]
    assert report_accuracy(cnncalc.analyze("resnet50", input_shape=(3, 160, 160))) is None
    assert report_accuracy(cnncalc.analyze("resnet50", overrides={"num_classes": 10})) is None
    assert report_accuracy(cnncalc.analyze("inception_v3", input_shape=(3, 224, 224))) is None


def test_a_copy_outside_the_zoo_has_none(tmp_path: Path) -> None:
    copy = tmp_path / "resnet50.yaml"
    shutil.copy(zoo.resolve("resnet50"), copy)
    assert report_accuracy(cnncalc.analyze(str(copy))) is None
