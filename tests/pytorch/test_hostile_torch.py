"""Hostile input for verify and bench (issue 16): what they would allocate is refused before anything is
built (a 10⁶×10⁶ linear layer, a batch of 10⁸), and a bad `bench -o` path before the run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.training import analyze_training
from cnncalc.cli import main
from cnncalc.errors import CnnCalcError
from cnncalc.torch import budget

WIDE = "name: wide\ninput: [1000000]\nlayers:\n  - {linear: 1000000}\n"  # 10¹² weights: 4 TB in float32


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_the_budget_counts_weights_buffers_and_the_peak() -> None:
    report = analyze_graph(cnncalc.load_text_graph(WIDE))
    # (10⁶·10⁶ weights + 10⁶ biases)·4 bytes; activations: the input and the output alive at once, 2·10⁶·4
    assert budget.needed(report) == (10**12 + 10**6) * 4 + 2 * 10**6 * 4
    with pytest.raises(CnnCalcError, match="more than half"):
        budget.check(report, "cpu", "verify", memory=2 * budget.needed(report) - 2)
    budget.check(report, "cpu", "verify", memory=2 * budget.needed(report))


def test_verify_refuses_a_network_too_large_to_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wide.yaml"
    path.write_text(WIDE)
    monkeypatch.setattr("cnncalc.torch.lower.lower", lambda *a, **k: pytest.fail("built before the check"))
    code, out, err = run(monkeypatch, capsys, "verify", str(path))
    assert (code, out) == (2, "") and "would allocate" in err and err.count("\n") == 1, err


def test_bench_refuses_a_batch_too_large(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("cnncalc.torch.lower.build_module", lambda *a, **k: pytest.fail("built before the check"))
    code, _, err = run(monkeypatch, capsys, "bench", "lenet5", "--batch", "100000000", "--device", "cpu")
    assert code == 2 and "at batch 100000000 would allocate" in err, err


@pytest.mark.parametrize("where", ["missing/r.json", "."])
def test_bench_output_is_checked_before_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], where: str) -> None:
    monkeypatch.setattr("cnncalc.bench.run", lambda *a, **k: pytest.fail("ran before the path was checked"))
    code, _, err = run(monkeypatch, capsys, "bench", "lenet5", "-o", str(tmp_path / where))
    assert code == 2 and ("does not exist" in err or "is a folder" in err), err


def test_verify_against_a_reference_of_another_shape_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(monkeypatch, capsys, "verify", "lenet5", "--against", "torchvision:resnet50")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("cnncalc: --against torchvision:resnet50: cannot run torchvision's resnet50"), err


def test_the_training_budget_counts_the_steps_measured() -> None:
    training = analyze_training(cnncalc.load("lenet5"), batch=2)
    peak = training.peak().live.at(2)
    need = peak * 2  # budget.TRAIN_PEAKS: cnncalc's module, measured step after step
    with pytest.raises(CnnCalcError, match="more than half"):
        budget.check_training(training, "cpu", "verify --train", against=False, memory=2 * need - 2)
    budget.check_training(training, "cpu", "verify --train", against=False, memory=2 * need)
    with pytest.raises(CnnCalcError, match="about 3 times"):  # torchvision's model besides: one peak more
        budget.check_training(training, "cpu", "verify --train", against=True, memory=2 * need)


def test_verify_train_refuses_what_the_kernel_killed(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`benchmarks/train_memory.py --small` grew past the 24 GiB of its machine on regnet_y_128gf (644.8 M
    parameters: 2.58 GB of weights and as much of gradients, in cnncalc's module and torchvision's) and was
    killed by the kernel: now one line, before anything is built."""
    monkeypatch.setattr(budget, "device_memory", lambda device: 24 * 2**30)
    monkeypatch.setattr("cnncalc.torch.lower.lower", lambda *a, **k: pytest.fail("built before the check"))
    code, out, err = run(monkeypatch, capsys, "verify", "regnet_y_128gf", "--train", "--input", "3x64x64",
                         "--batch", "3", "--against", "torchvision:regnet_y_128gf")
    assert (code, out) == (2, "") and "would allocate" in err and err.count("\n") == 1, err
