"""`cnncalc verify` and `cnncalc export`: the network built in PyTorch (torch is imported inside)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    AmpOpt,
    InputOpt,
    Optimizer,
    OptimizerOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    make_console,
    parse_input,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError

# -- verify and export ------------------------------------------------------------------------


class VerifyDevice(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


class ExportTarget(str, Enum):
    torch = "torch"


@app.command()
def verify(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    device: Annotated[VerifyDevice, typer.Option("--device", help="Where to run the torch module.")]
    = VerifyDevice.cpu,
    against: Annotated[str | None, typer.Option("--against", help="Also compare with a reference model: "
                                                "torchvision:NAME, e.g. torchvision:resnet50.")] = None,
    rf: Annotated[list[str] | None, typer.Option("--rf", help="Measure the receptive field of this layer "
                                                 "(repeatable; default: the last spatial layer and three "
                                                 "intermediate ones).")] = None,
    input: InputOpt = None,
    set: SetOpt = None,
    format: TableOrJsonOpt = TableOrJson.table,
    train: Annotated[bool, typer.Option("--train", help="Check the training memory instead: what autograd keeps "
                                        "per layer (saved_tensors_hooks) and the step's peak.")] = False,
    batch: Annotated[list[int] | None, typer.Option("--batch", "-b", min=1, help="With --train: the batch sizes "
                                                    "to measure (repeatable; default 1 and 2).")] = None,
    optimizer: OptimizerOpt = Optimizer.sgd,
    amp: AmpOpt = None,
) -> None:
    """Check every analytic number against PyTorch: shapes, params, buffers, MACs (fvcore), FLOPs
    (FlopCounterMode) and receptive fields (gradients). Exit status 1 on any disagreement."""
    from cnncalc.render import verify as render_verify
    from cnncalc.verify import verify as verify_graph

    graph = cnncalc.load(network, input_shape=parse_input(input), overrides=parse_overrides(set))
    if train:
        from cnncalc.render import training as render_training
        from cnncalc.render.tables import to_json
        from cnncalc.verify.training import verify_training

        checked = verify_training(graph, batches=batch or (1, 2), device=device.value, optimizer=optimizer.value,
                                  amp=amp.value if amp else None, against=against)
        if format is TableOrJson.table:
            render_training.print_verify_training(make_console(), checked)
        else:
            sys.stdout.write(to_json(render_training.verify_training_dict(checked)) + "\n")
        if not checked.ok:
            raise typer.Exit(code=1)
        return
    result = verify_graph(graph, device=device.value, against=against, rf_layers=rf)
    if format is TableOrJson.table:
        render_verify.print_verify(make_console(), result)
    else:
        sys.stdout.write(render_verify.verify_text(result) + "\n")
    if not result.ok:
        raise typer.Exit(code=1)


@app.command()
def export(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    to: Annotated[ExportTarget, typer.Option("--to", help="The framework to write code for.")] = ExportTarget.torch,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")] = None,
    input: InputOpt = None,
    set: SetOpt = None,
) -> None:
    """Write the network as a standalone PyTorch file: one nn.Module class, no cnncalc import."""
    from cnncalc.torch.export import export_torch

    source = export_torch(cnncalc.load(network, input_shape=parse_input(input), overrides=parse_overrides(set)))
    if output is None:
        sys.stdout.write(source)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(source)
    except OSError as exc:
        raise CnnCalcError(f"cannot write {output}: {exc.strerror}") from None
