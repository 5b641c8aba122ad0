"""Training memory, analytically: every kind's SAVED rule, storages counted once, optimizer state, the
step's peak and `--fit`, and the commands that show them. Torch's own measurements are in
tests/pytorch/test_training.py; the expected numbers here are written out by hand from torch's
autograd formulas (a conv keeps its input, batch norm its input and two float32 statistics per
channel, an in-place ReLU the tensor it overwrote, max pooling its input and int64 indices ...).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis.training import analyze_training
from cnncalc.cli import app
from cnncalc.cli.options import parse_size
from cnncalc.errors import CnnCalcError
from cnncalc.layers import REGISTRY
from cnncalc.layers.memory import SavedRule

runner = CliRunner()
RESNET18_PARAMS = 11_689_512  # torchvision's resnet18 (shared/reference/torchvision_counts.json)


def training(text: str, **options: object) -> cnncalc.analysis.training.Training:
    return analyze_training(cnncalc.load_text_graph(text), **options)  # type: ignore[arg-type]


def net(*layers: str, input: str = "[3, 8, 8]") -> str:
    return f"name: t\ninput: {input}\nlayers:\n" + "".join(f"  - {layer}\n" for layer in layers)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_declares_what_it_saves(kind: str) -> None:
    cls = REGISTRY[kind]
    rule = vars(cls).get("SAVED")
    assert isinstance(rule, SavedRule), (
        f"layer kind {kind!r} ({cls.__module__}.{cls.__name__}) declares no SAVED rule of its own: add "
        "SAVED = saved.<rule>(...) beside its FLOPS (cnncalc/layers/saved.py); an inherited rule is refused, "
        "since a new kind that inherits one silently gets a wrong count")
    assert rule.doc


def test_conv_bn_relu_conv_keeps_each_storage_once() -> None:
    # batch 2, 3×8×8 -> conv 4 (3×3, padding 1) -> bn -> relu (in place) -> conv 4
    t = training(net("{conv: {out: 4, kernel: 3, padding: 1}, name: c1}", "{bn, name: b}", "{relu, name: r}",
                     "{conv: {out: 4, kernel: 3, padding: 1}, name: c2}"), batch=2)
    x = 2 * 3 * 8 * 8 * 4  # c1 keeps the input batch: 1,536
    a = 2 * 4 * 8 * 8 * 4  # b keeps c1's output: 2,048
    stats = 2 * 4 * 4  # b's mean and 1/std, float32 per channel: 32
    b = 2 * 4 * 8 * 8 * 4  # r overwrites b's output and keeps it; c2 keeps the same storage
    rows = {m.name: m for m in t.layers}
    assert [rows[n].saved.at(2) for n in ("c1", "b", "r", "c2")] == [x, a + stats, b, b]
    assert [rows[n].first.at(2) for n in ("c1", "b", "r", "c2")] == [x, a + stats, b, 0]
    assert rows["r"].in_place and t.saved == x + a + stats + b == 5_664


def test_an_activation_read_twice_is_not_in_place() -> None:
    # c1's output is read by the relu and by the add: the relu keeps a new output
    t = training(net("{conv: {out: 4, kernel: 1}, name: c1}", "{relu, name: r}", "{add: [r, c1], name: s}",
                     "{conv: {out: 2, kernel: 1}, name: c2}"))
    rows = {m.name: m for m in t.layers}
    assert not rows["r"].in_place
    # nor may s add into r's output, which r keeps for its backward: s makes a new tensor
    assert not rows["s"].in_place
    # c1 keeps the input 3·64·4, r its output 4·64·4, s nothing, c2 s's output 4·64·4
    assert t.saved == 3 * 64 * 4 + 4 * 64 * 4 + 4 * 64 * 4 == 2_816


def test_in_place_relu6_keeps_a_copy_of_its_input() -> None:
    t = training(net("{conv: {out: 4, kernel: 1}, name: c1}", "{bn, name: b}", "{relu6, name: r}",
                     "{conv: {out: 2, kernel: 1}, name: c2}"))
    rows = {m.name: m for m in t.layers}
    assert rows["r"].in_place
    # input 3·64·4 + c1's output 4·64·4 and 2·4·4 statistics + the copy 4·64·4 + b's output (c2) 4·64·4
    assert rows["r"].first.at(1) == rows["c2"].first.at(1) == 1_024
    assert t.saved == 768 + 1_024 + 32 + 1_024 + 1_024


def test_max_pooling_keeps_int64_indices_and_adaptive_means_keep_nothing() -> None:
    t = training(net("{conv: {out: 4, kernel: 1}, name: c}", "{maxpool: 2, name: p}",
                     "{adaptive_avgpool: 4, name: same}", "{global_avgpool, name: g}", "{linear: 3, name: fc}"))
    rows = {m.name: m for m in t.layers}
    assert rows["p"].saved.at(1) == 4 * 8 * 8 * 4 + 4 * 4 * 4 * 8  # input + one int64 index per output
    assert rows["same"].saved.at(1) == 4 * 4 * 4 * 4  # 4×4 -> 4×4 is not a mean: it keeps its input
    assert rows["g"].saved.at(1) == 0  # to 1×1: a mean
    assert rows["fc"].saved.at(1) == 4 * 4  # its (flattened) input


def test_dropout_keeps_a_mask_on_cuda_and_noise_on_the_cpu() -> None:
    text = net("{conv: {out: 4, kernel: 1}, name: c}", "{relu, name: r}", "{dropout: 0.5, name: d}",
               "{conv: {out: 2, kernel: 1}, name: c2}")
    on = {device: {m.name: m for m in training(text, batch=2, device=device).layers} for device in ("cuda", "cpu")}
    assert not on["cuda"]["d"].in_place  # r was written in place: d may not write into it again
    assert on["cuda"]["d"].saved.at(2) == 2 * 4 * 64 * 1  # bool
    assert on["cpu"]["d"].saved.at(2) == 2 * 4 * 64 * 4  # float noise
    no = training(net("{conv: {out: 4, kernel: 1}}", "{dropout: 0, name: d}"), batch=2)
    assert {m.name: m for m in no.layers}["d"].saved.at(2) == 0


def test_the_first_savers_add_up_to_the_total_for_the_zoo() -> None:
    for name in ("resnet18", "densenet121", "googlenet_tv", "mobilenet_v2", "se_resnet50", "sppnet"):
        t = analyze_training(cnncalc.load(name), batch=3)
        assert sum(m.first.at(3) for m in t.layers) == t.saved, name
        assert all(m.first.at(3) <= m.saved.at(3) for m in t.layers), name


def test_parameters_gradients_and_optimizer_state() -> None:
    params = RESNET18_PARAMS
    tensors = 20 + 2 * 20 + 2  # 20 convs (17 + 3 downsampling), 20 batch norms (weight, bias), fc weight and bias
    graph = cnncalc.load("resnet18")
    for optimizer, device, state in (("sgd", "cuda", 0), ("momentum", "cuda", 4 * params),
                                     ("adam", "cuda", 8 * params), ("adamw", "cpu", 8 * params + 4 * tensors)):
        t = analyze_training(graph, optimizer=optimizer, device=device)
        assert t.params == t.grads == 4 * params
        assert t.optimizer_state == state, optimizer
    half = analyze_training(graph, dtype="bf16", optimizer="adam")
    assert half.params == half.grads == 2 * params and half.optimizer_state == 4 * params
    mixed = analyze_training(graph, amp="bf16", optimizer="adam")
    assert mixed.params == 4 * params and mixed.optimizer_state == 8 * params
    assert 0 < mixed.saved < analyze_training(graph).saved


def test_fit_is_the_largest_batch_whose_peak_fits() -> None:
    graph = cnncalc.load("resnet18")
    budget = 2 * 2**30
    answer = analyze_training(graph, optimizer="adam", budget=budget).fit_answer
    assert answer is not None and answer.batch > 1
    at = analyze_training(graph, optimizer="adam", batch=answer.batch).peak()
    after = analyze_training(graph, optimizer="adam", batch=answer.batch + 1).peak()
    assert at.live.at(answer.batch) == answer.peak <= budget < after.live.at(answer.batch + 1) == answer.next_peak
    tiny = analyze_training(graph, budget=1000).fit_answer
    assert tiny is not None and tiny.batch == 0


def test_the_peak_grows_with_the_batch_and_holds_what_persists() -> None:
    graph = cnncalc.load("vgg16")
    one, two = (analyze_training(graph, batch=b, optimizer="adam") for b in (1, 2))
    p1, p2 = one.peak().live.at(1), two.peak().live.at(2)
    assert p2 > p1 > one.params + one.grads + one.optimizer_state


def test_what_cannot_train_is_refused() -> None:
    with pytest.raises(CnnCalcError, match="nothing to train"):
        training(net("maxpool: 2"))
    gap_bn = net("{conv: {out: 4, kernel: 1}}", "global_avgpool", "bn", "flatten", "{linear: 2}")
    with pytest.raises(CnnCalcError, match="one value per channel cannot train at batch 1"):
        training(gap_bn)
    assert training(gap_bn, batch=2).saved > 0
    with pytest.raises(CnnCalcError, match="float32 master weights"):
        analyze_training(cnncalc.load("lenet5"), dtype="bf16", amp="bf16")
    with pytest.raises(CnnCalcError, match="int8"):
        analyze_training(cnncalc.load("lenet5"), dtype="int8")


@pytest.mark.parametrize(("text", "size"), [
    ("24GiB", 24 * 2**30), ("80GB", 80 * 10**9), ("512 MiB", 512 * 2**20), ("1.5TiB", 3 * 2**39), ("64kb", 64_000),
])
def test_sizes_with_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["24", "GiB", "24 parsecs", "-1GiB", "0GB"])
def test_sizes_without_units_are_refused(text: str) -> None:
    with pytest.raises(CnnCalcError, match="--fit"):
        parse_size(text)


def test_shapes_train_json() -> None:
    result = runner.invoke(app, ["shapes", "resnet18", "--train", "--batch", "4", "--optimizer", "adam", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    t = data["totals"]["training"]
    for key in ("saved_bytes", "param_bytes", "grad_bytes", "optimizer_bytes", "peak_bytes", "peak_phase"):
        assert key in t
    assert t["param_bytes"] == t["grad_bytes"] == 4 * RESNET18_PARAMS
    assert t["optimizer_bytes"] == 2 * t["param_bytes"]
    assert sum(layer["saved_first_bytes"] for layer in data["layers"]) == t["saved_bytes"]
    conv1 = data["layers"][0]
    assert conv1["saved_bytes"] == 4 * 3 * 224 * 224 * 4  # conv1 keeps the input batch
    assert data["totals"]["params"] == RESNET18_PARAMS  # the usual totals are still there


def test_shapes_fit_and_compare_train() -> None:
    result = runner.invoke(app, ["shapes", "resnet50", "--fit", "24GiB", "--optimizer", "adam"])
    assert result.exit_code == 0, result.output
    assert "fits in 24.00 GiB" in result.output and "up to batch" in result.output
    data = json.loads(runner.invoke(app, ["compare", "resnet50", "vgg16", "--train", "--fit", "24GiB",
                                          "-f", "json"]).output)
    fits = [n["totals"]["training"]["fit"] for n in data["networks"]]
    assert all(f["peak_bytes"] <= 24 * 2**30 < f["next_peak_bytes"] for f in fits)
    table = runner.invoke(app, ["compare", "resnet50", "vgg16", "--train", "--optimizer", "adam"])
    assert table.exit_code == 0 and "peak" in table.output


@pytest.mark.parametrize(("args", "words"), [
    (["shapes", "lenet5", "--train", "--dtype", "bf16", "--amp", "bf16"], "float32 master weights"),
    (["shapes", "lenet5", "--fit", "24"], "give a size with its unit"),
    (["shapes", "lenet5", "--train", "--dtype", "int8"], "int8"),
])
def test_train_errors_say_what_to_do(args: list[str], words: str) -> None:
    result = runner.invoke(app, args)
    assert isinstance(result.exception, CnnCalcError) and words in str(result.exception)


def test_a_train_error_is_one_line_and_exit_status_2() -> None:
    code = ("import sys; from cnncalc.cli import main; "
            "sys.argv = ['cnncalc', 'shapes', 'lenet5', '--fit', '24 parsecs']; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--fit" in proc.stderr


def test_layer_and_explain_show_the_saved_formula() -> None:
    result = runner.invoke(app, ["layer", "bn", "--input", "64x56x56", "--train"])
    assert result.exit_code == 0, result.output
    # its input (64·56·56 float32) and a mean and a 1/std per channel (float32)
    assert "saved = 1·64·56·56·4 + 2·64·4 = 803,328" in result.output
    data = json.loads(runner.invoke(app, ["explain", "resnet18", "maxpool", "--train", "-f", "json"]).output)
    assert data["saved_for_backward"]["value"] == 64 * 112 * 112 * 4 + 64 * 56 * 56 * 8


@pytest.mark.parametrize("args", [["shapes", "resnet50", "--train", "--fit", "24GiB"],
                                  ["compare", "alexnet", "vgg16", "--train", "--optimizer", "adam", "-f", "json"],
                                  ["explain", "resnet18", "conv1", "--train"]])
def test_training_memory_never_imports_torch(args: list[str]) -> None:
    code = (f"import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'fvcore'))\n"
            "sys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr[-500:]
