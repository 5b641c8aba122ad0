"""`cnncalc bench` on the CPU with a tiny network: JSON fields, derived numbers, errors.

No test asserts a wall-clock bound: timings vary from machine to machine. The
expected FLOPs, bytes and GPU figures are written out by hand or taken from the
vendors' datasheets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cnncalc import bench
from cnncalc.bench import gpus, timing
from cnncalc.cli import main
from cnncalc.errors import CnnCalcError
from cnncalc.render.bench import save

TINY = """\
name: tiny
input: [3, 8, 8]
layers:
  - {conv: {out: 4, kernel: 3, padding: 1}}
  - relu
  - global_avgpool
  - flatten
  - {linear: 5}
"""
# conv 3->4, 3×3, pad 1 on 8×8: 4·8·8 = 256 outputs, MACs 256·3·9 = 6912, bias 256 FLOPs;
# relu 256; global average pool 256 (1 per input element); flatten 0; linear 4->5: MACs 20, bias 5.
TINY_FLOPS = 2 * (6912 + 20) + 256 + 256 + 256 + 5  # = 14637
TINY_PARAM_BYTES = 4 * ((4 * 3 * 9 + 4) + (4 * 5 + 5))  # fp32: (112 + 25) params · 4 bytes = 548
TINY_ACTIVATION_BYTES = 4 * (256 + 256 + 4 + 4 + 5)  # outputs of conv, relu, pool, flatten, linear: 2100 per sample

QUICK = ("--min-time", "0", "--warmup", "1", "--min-iters", "3")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    with pytest.raises(SystemExit) as info:
        main()
    captured = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), captured.out, captured.err


def test_json_results(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny: Path,
                      tmp_path: Path) -> None:
    saved = tmp_path / "out" / "bench.json"
    saved.parent.mkdir()
    code, out, err = run_cli(monkeypatch, capsys, "bench", str(tiny), "--device", "cpu", "--batch", "1,3",
                             "--format", "json", "--output", str(saved), *QUICK)
    assert code == 0, err
    data = json.loads(out)
    assert data["device"].startswith("cpu")
    assert data["torch"]
    assert "2·MACs" in data["flops_convention"]
    assert [r["batch"] for r in data["results"]] == [1, 3]  # one result per batch, in order
    for r in data["results"]:
        assert set(r) >= {"network", "batch", "dtype", "channels_last", "compiled", "iterations", "latency_ms",
                          "throughput", "flops_per_sample", "achieved_gflops", "ceiling_gflops", "efficiency",
                          "peak_memory_bytes", "arithmetic_intensity"}
        assert (r["network"], r["dtype"], r["channels_last"], r["compiled"]) == ("tiny", "fp32", False, False)
        assert r["iterations"] >= 3
        lat = r["latency_ms"]
        assert 0 < lat["p10"] <= lat["median"] <= lat["p90"]
        assert r["throughput"] == pytest.approx(r["batch"] / (lat["median"] / 1e3), rel=1e-9)
        assert r["flops_per_sample"] == TINY_FLOPS
        assert r["achieved_gflops"] == pytest.approx(TINY_FLOPS * r["batch"] / (lat["median"] / 1e3) / 1e9)
        assert r["ceiling_gflops"] > 0
        assert r["efficiency"] == pytest.approx(r["achieved_gflops"] / r["ceiling_gflops"])
        moved = TINY_PARAM_BYTES + TINY_ACTIVATION_BYTES * r["batch"]
        assert r["arithmetic_intensity"] == pytest.approx(TINY_FLOPS * r["batch"] / moved)
        assert r["peak_memory_bytes"] >= 0  # RSS growth: a tiny net may fit in memory the process already had
    assert json.loads(saved.read_text()) == data  # --output writes the same results
    assert [p.name for p in saved.parent.iterdir()] == ["bench.json"]  # no temporary file left behind


@pytest.mark.parametrize("fmt, marker", [("csv", "network,batch,dtype"), ("markdown", "| network |"),
                                         ("table", "samples/s")])
def test_other_formats(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny: Path,
                       fmt: str, marker: str) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "bench", str(tiny), "--device", "cpu", "--format", fmt, *QUICK)
    assert code == 0, err
    assert marker in out
    assert "tiny" in out


def test_cuda_without_a_device(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                               tiny: Path) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, out, err = run_cli(monkeypatch, capsys, "bench", str(tiny), "--device", "cuda", *QUICK)
    assert (code, out) == (2, "")
    assert "no CUDA device: use --device cpu" in err
    assert "Traceback" not in err


def test_auto_falls_back_to_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert timing.resolve_device("auto") == "cpu"
    with pytest.raises(CnnCalcError, match="no CUDA device: use --device cpu"):
        timing.resolve_device("cuda")
    with pytest.raises(CnnCalcError, match="unknown device 'tpu'"):
        timing.resolve_device("tpu")


@pytest.mark.parametrize("args, words", [
    (("--batch", "0"), "batch sizes >= 1"),
    (("--batch", "1,x"), "batch sizes >= 1"),
    (("--input", "4x16"), "--channels-last needs a 2-D or 3-D image input"),
])
def test_bad_options(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                     args: tuple[str, ...], words: str) -> None:
    path = tmp_path / "tiny1d.yaml"  # [C, L] input: 1-D convolutions, no channels-last format for them
    path.write_text(TINY.replace("name: tiny", "name: tiny1d").replace("[3, 8, 8]", "[3, 16]"))
    code, out, err = run_cli(monkeypatch, capsys, "bench", str(path), "--device", "cpu", "--channels-last",
                             *args, *QUICK)
    assert (code, out) == (2, "")
    assert words in err


def test_int8_is_refused() -> None:
    with pytest.raises(CnnCalcError, match="fp32, fp16 or bf16"):
        bench.run(["lenet5"], bench.BenchOptions(device="cpu", dtype="int8"))


def test_compare_with_bench(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny: Path,
                            tmp_path: Path) -> None:
    wide = tmp_path / "wide.yaml"
    wide.write_text(TINY.replace("name: tiny", "name: wide").replace("out: 4,", "out: 8,"))
    code, out, err = run_cli(monkeypatch, capsys, "compare", str(tiny), str(wide), "--bench", "--format", "json")
    assert code == 0, err
    networks = json.loads(out)["networks"]
    assert [n["name"] for n in networks] == ["tiny", "wide"]
    for n in networks:
        assert n["bench"]["throughput"] == pytest.approx(1 / (n["bench"]["latency_ms"]["median"] / 1e3))


# -- the pieces -------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, q, expected", [
    ([5.0], 90, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),  # rank 1.5: halfway between 2 and 3
    ([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0], 10, 20.0),  # rank 1
    ([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0], 90, 100.0),  # rank 9
    ([0.0, 10.0], 90, 9.0),  # rank 0.9
])
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert timing.percentile(values, q) == pytest.approx(expected)


def test_loop_counts_warmup_and_timed_calls() -> None:
    calls = []
    result = timing.time_loop(lambda: calls.append(1), "cpu", warmup=2, min_iters=5, min_time=0)
    assert (len(calls), result.iterations) == (2 + 5, 5)


def test_derived_numbers() -> None:
    t = timing.Timing(iterations=10, median_ms=2.0, p10_ms=1.5, p90_ms=3.0, mean_ms=2.2)
    ceiling = bench.Ceiling(gflops=100.0, method="matmul", spec_gflops=400.0, spec_source="test")
    r = bench.result_of("net", 4, bench.BenchOptions(), t, 0, 1_000_000, 1000, 3000, ceiling)
    assert r.throughput == pytest.approx(2000.0)  # 4 samples / 0.002 s
    assert r.achieved_gflops == pytest.approx(2.0)  # 4·10⁶ FLOPs / 0.002 s = 2·10⁹ FLOP/s
    assert r.efficiency == pytest.approx(0.02)  # 2 / 100
    assert r.spec_efficiency == pytest.approx(0.005)  # 2 / 400
    assert r.arithmetic_intensity == pytest.approx(1000.0)  # 4·10⁶ FLOPs / (1000 + 3000) bytes


def test_cpu_memory_probe_sees_a_new_tensor() -> None:
    import torch

    probe = timing.MemoryProbe("cpu")
    probe.start()
    x = torch.ones(16 * 2**20)  # 64 MiB of float32, every page written
    assert probe.peak_growth() >= 60 * 2**20
    del x


@pytest.mark.parametrize("name, dtype, tflops", [
    ("NVIDIA H100 80GB HBM3", "bf16", 989.5),  # H100 SXM datasheet: 1,979 with sparsity / 2
    ("NVIDIA H100 80GB HBM3", "fp32", 67.0),
    ("NVIDIA H100 PCIe", "fp16", 756.5),  # 1,513 with sparsity / 2
    ("NVIDIA H200", "bf16", 989.5),  # H200 SXM datasheet: 1,979 with sparsity / 2
    ("NVIDIA A100-SXM4-40GB", "fp32", 19.5),
    ("NVIDIA A100 80GB PCIe", "bf16", 312.0),
    ("NVIDIA L4", "bf16", 121.0),  # 242 with sparsity / 2
    ("Tesla T4", "fp16", 65.0),
    ("Tesla T4", "bf16", None),  # Turing: no bf16 tensor cores
    ("Tesla V100-SXM2-16GB", "fp16", 125.0),
    ("NVIDIA GeForce RTX 4090", "bf16", 165.2),  # Ada whitepaper: FP32 accumulate
    ("NVIDIA A10", "fp16", 125.0),
])
def test_gpu_table(name: str, dtype: str, tflops: float | None) -> None:
    entry = gpus.find_gpu(name)
    assert entry is not None and entry.source
    assert entry.tflops(dtype) == tflops


@pytest.mark.parametrize("name", ["NVIDIA A10G", "AMD Instinct MI300X", "Intel(R) Xeon(R) Processor"])
def test_unknown_gpu(name: str) -> None:
    assert gpus.find_gpu(name) is None


def test_save_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    target.write_text("old")
    save(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_cuda_timer_reads_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CUDA branch of the loop, with stand-in events: each sample is the events' elapsed time."""
    import torch

    log: list[str] = []

    class FakeEvent:
        def __init__(self, enable_timing: bool) -> None:
            assert enable_timing

        def record(self) -> None:
            log.append("record")

        def synchronize(self) -> None:
            log.append("sync")

        def elapsed_time(self, end: FakeEvent) -> float:
            return 2.5  # milliseconds, as torch.cuda.Event reports them

    monkeypatch.setattr(torch.cuda, "Event", FakeEvent)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda: None)
    result = timing.time_loop(lambda: log.append("call"), "cuda", warmup=1, min_iters=2, min_time=0)
    assert (result.iterations, result.median_ms, result.p90_ms) == (2, 2.5, 2.5)
    assert log == ["call"] + ["record", "call", "record", "sync"] * 2  # warm-up, then start/call/end/wait
