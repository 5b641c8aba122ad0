"""`cnncalc verify` and `cnncalc export`: the network built in PyTorch (torch is imported inside)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.needs import require
from cnncalc.cli.options import (
    NETWORK_HELP,
    AmpOpt,
    InputOpt,
    Layout,
    LayoutOpt,
    Optimizer,
    OptimizerOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    make_console,
    parse_overrides,
)

# -- verify and export ------------------------------------------------------------------------


class VerifyDevice(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


class ExportTarget(str, Enum):
    torch = "torch"


@app.command()
def verify(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help=NETWORK_HELP)],
    device: Annotated[VerifyDevice, typer.Option("--device", help="Where to run the torch module.")]
    = VerifyDevice.cpu,
    against: Annotated[str | None, typer.Option("--against", help="Also compare with a reference model, "
                                                "outputs included: torchvision:NAME, e.g. torchvision:resnet50; "
                                                "constructor options after '?': "
                                                "torchvision:resnet50?num_classes=10.")] = None,
    rf: Annotated[list[str] | None, typer.Option("--rf", help="Measure the receptive field of this layer "
                                                 "(repeatable; default: the last spatial layer and three "
                                                 "intermediate ones).")] = None,
    input: InputOpt = None,
    layout: LayoutOpt = Layout.chw,
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
    (FlopCounterMode) and receptive fields (gradients); with --against, also the reference's outputs
    given the same weights. Exit status 1 on any disagreement, 2 if the reference cannot be built or run."""
    require("verify", "torch", "fvcore", "torchvision" if against else None)
    from cnncalc.cli.inputs import optional
    from cnncalc.render import verify as render_verify
    from cnncalc.verify import verify as verify_graph

    overrides = parse_overrides(set)
    graph = cnncalc.load(network, input_shape=optional(ctx, input, layout.value, network), overrides=overrides)
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
    result = verify_graph(graph, device=device.value, against=against, rf_layers=rf, settings=overrides)
    if format is TableOrJson.table:
        render_verify.print_verify(make_console(), result)
    else:
        sys.stdout.write(render_verify.verify_text(result) + "\n")
    if result.against_error is not None:
        sys.stderr.write(f"cnncalc: {result.against_error}\n")
        raise typer.Exit(code=2)
    if not result.ok:
        raise typer.Exit(code=1)


@app.command()
def export(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help=NETWORK_HELP)],
    to: Annotated[ExportTarget, typer.Option("--to", help="The framework to write code for.")] = ExportTarget.torch,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    input: InputOpt = None,
    layout: LayoutOpt = Layout.chw,
    set: SetOpt = None,
) -> None:
    """Write the network as a standalone PyTorch file: a class per block, the vars as constructor
    arguments, submodules named as in the YAML (no cnncalc import)."""
    require("export", "torch")
    from cnncalc.cli.inputs import optional
    from cnncalc.render.files import write_text
    from cnncalc.sources import parse
    from cnncalc.torch.export import export_source
    from cnncalc.zoo import resolve

    shape = optional(ctx, input, layout.value, network)
    model = parse(network)
    text = None
    if model is not None:  # a PyTorch model: exported from the network file `cnncalc import` writes
        from cnncalc.torch.importer_sources import import_yaml

        text = import_yaml(model, input_shape=shape)
    source = export_source(network, input_shape=shape, overrides=parse_overrides(set), text=text)
    if output is None:
        sys.stdout.write(source)
        return
    read = [model.name] if model is not None and model.kind == "file" else [] if model else [resolve(network)]
    write_text(output, source, force=force, inputs=read)
