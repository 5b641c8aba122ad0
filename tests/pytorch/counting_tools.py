"""The five counting tools run for real, exactly as shared/reference/counter_totals.json records their calls.

fvcore ``FlopCountAnalysis(model, x).total()``; torch's ``FlopCounterMode`` under
``no_grad``, ``get_total_flops()``; torchinfo ``summary(model, input_data=x).total_mult_adds``;
ptflops ``get_model_complexity_info(model, (C, H, W), as_strings=False)[0]`` with the
pytorch and the aten backend; thop ``profile(model, inputs=(x,))[0]``. Each tool gets
its own copy of the model (ptflops and thop attach state to it). Per-layer numbers
are read where a tool exposes them: torchinfo per leaf module call, thop per module
(``ret_layer_info``), fvcore per module.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

TOOLS = ("fvcore", "flopcounter", "torchinfo", "ptflops", "ptflops-aten", "thop")
TORCHVISION_OPTIONS = {"googlenet": {"aux_logits": False, "init_weights": False},
                       "inception_v3": {"aux_logits": False, "init_weights": False}}


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def torchvision_model(name: str) -> nn.Module:
    import torchvision

    return torchvision.models.get_model(name, weights=None, **TORCHVISION_OPTIONS.get(name, {})).eval()


def fvcore_total(model: nn.Module, x: torch.Tensor) -> int:
    from fvcore.nn import FlopCountAnalysis

    with quiet():
        analysis = FlopCountAnalysis(copy.deepcopy(model), x)
        analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        return int(analysis.total())


def flopcounter_total(model: nn.Module, x: torch.Tensor) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    return int(counter.get_total_flops())


def torchinfo_summary(model: nn.Module, x: torch.Tensor) -> Any:
    """torchinfo's summary of `model` itself (torchinfo only reads it)."""
    from torchinfo import summary

    with quiet():
        return summary(model, input_data=x, verbose=0)


def ptflops_total(model: nn.Module, x: torch.Tensor, backend: str) -> int:
    from ptflops import get_model_complexity_info

    with quiet():
        macs = get_model_complexity_info(copy.deepcopy(model), tuple(x.shape[1:]), as_strings=False,
                                         print_per_layer_stat=False, backend=backend)[0]
    assert macs is not None, f"ptflops ({backend}) failed"
    return int(macs)


def thop_profile(model: nn.Module, x: torch.Tensor) -> tuple[float, dict[str, Any]]:
    from thop import profile

    with quiet():
        total, _, layers = profile(copy.deepcopy(model), inputs=(x,), verbose=False, ret_layer_info=True)
    return float(total), layers


def totals(model: nn.Module, x: torch.Tensor) -> dict[str, int | float]:
    """Every tool's total for `model` on `x` (batch 1: ptflops always builds a batch of one)."""
    assert x.shape[0] == 1
    return {
        "fvcore": fvcore_total(model, x),
        "flopcounter": flopcounter_total(model, x),
        "torchinfo": int(torchinfo_summary(model, x).total_mult_adds),
        "ptflops": ptflops_total(model, x, "pytorch"),
        "ptflops-aten": ptflops_total(model, x, "aten"),
        "thop": thop_profile(model, x)[0],
    }


def torchinfo_per_module(model: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """torchinfo's mult-adds per leaf module path (summed over the module's calls)."""
    names = {id(m): n for n, m in model.named_modules()}
    per: dict[str, int] = {}
    for info in torchinfo_summary(model, x).summary_list:
        if info.is_leaf_layer:
            path = names[id(info.module)]
            per[path] = per.get(path, 0) + int(info.macs)
    return per
