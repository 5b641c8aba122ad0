"""Loading torchvision's weights into an exported network that mirrors a torchvision model.

A zoo network built after a torchvision model (`verify --against`) registers the
same tensors in the same order under other names (``layer1.bottleneck1.conv1``
for ``layer1.0.conv1``). The exported file gets a function that pairs the two
state_dicts in order and checks every shape, so torchvision's pretrained
weights load into it.
"""

from __future__ import annotations

# zoo name -> torchvision's constructor (as `verify --against torchvision:NAME` builds it)
TORCHVISION = {
    "alexnet": "alexnet", "vgg11": "vgg11", "vgg11_bn": "vgg11_bn", "vgg13": "vgg13", "vgg13_bn": "vgg13_bn",
    "vgg16": "vgg16", "vgg16_bn": "vgg16_bn", "vgg19": "vgg19", "vgg19_bn": "vgg19_bn",
    "googlenet_tv": "googlenet", "inception_v3": "inception_v3", "resnet18": "resnet18", "resnet34": "resnet34",
    "resnet50": "resnet50", "resnet101": "resnet101", "resnet152": "resnet152",
    "wide_resnet50_2": "wide_resnet50_2", "resnext50_32x4d": "resnext50_32x4d",
    "resnext101_32x8d": "resnext101_32x8d", "densenet121": "densenet121", "densenet161": "densenet161",
    "densenet169": "densenet169", "densenet201": "densenet201", "squeezenet1_0": "squeezenet1_0",
    "squeezenet1_1": "squeezenet1_1", "mobilenet_v2": "mobilenet_v2",
}


def loader(network: str, cls: str) -> list[str]:
    """Source of ``load_torchvision_state_dict`` for a network that mirrors torchvision ([] if none)."""
    name = TORCHVISION.get(network)
    if name is None:
        return []
    return [
        f"def load_torchvision_state_dict(model: {cls}, state_dict: dict[str, torch.Tensor]) -> None:",
        f'    """Load the weights of torchvision.models.{name} (its state_dict) into `model`.',
        "",
        "    Both register the same tensors in the same order, under other names (torchvision",
        "    numbers the modules of its containers; here they carry the network file's names):",
        "    they are paired in order and every shape is checked.",
        '    """',
        '    theirs = {k: v for k, v in state_dict.items() if not k.startswith("AuxLogits.")}',
        "    ours = model.state_dict()",
        "    if len(ours) != len(theirs):",
        '        raise ValueError(f"{len(theirs)} tensors given, the model has {len(ours)}")',
        "    renamed = {}",
        "    for (name, mine), (key, tensor) in zip(ours.items(), theirs.items(), strict=True):",
        "        if mine.shape != tensor.shape:",
        '            raise ValueError(f"{key} {tuple(tensor.shape)} does not fit {name} {tuple(mine.shape)}")',
        "        renamed[name] = tensor",
        "    model.load_state_dict(renamed)",
    ]
