"""A small PyTorch model, for `cnncalc shapes examples/mynet.py:Net --input 3x64x64` (README, "Bring your own
PyTorch model"): a stem, two residual units with a grouped branch and a concatenation, a classifier."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Unit(nn.Module):
    def __init__(self, channels: int, groups: int = 2) -> None:
        super().__init__()
        self.a = nn.Conv2d(channels, channels // 2, 1, bias=False)
        self.b = nn.Conv2d(channels, channels // 2, 3, padding=1, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.cat([self.a(x), F.relu(self.b(x))], dim=1)
        return F.relu(self.bn(y) + x)


class Net(nn.Module):
    def __init__(self, num_classes: int = 10, width: int = 32) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, stride=2, padding=1)
        self.unit1 = Unit(width)
        self.unit2 = Unit(width, groups=4)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        x = self.unit2(self.unit1(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)
