"""A command whose optional dependency is missing says in one line what to install, and exits 2.

Each command runs in a subprocess where the dependency is hidden (its module set to None in
sys.modules, so that both `import` and `importlib.util.find_spec` see it missing, as after
`pip install cnncalc` without extras; a program by a PATH without it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from extras_helpers import extras, providers, requirements

from cnncalc.cli.needs import NEEDS, Need, install_command, system_packages

ROOT = Path(__file__).resolve().parents[2]
HIDE_AND_RUN = ("import sys\nfor m in filter(None, sys.argv[1].split(',')): sys.modules[m] = None\n"
                "sys.argv = ['cnncalc', *sys.argv[2:]]\nfrom cnncalc.cli import main\nmain()")
TORCH = "pip install 'cnncalc[torch]'"

# command, what is hidden, the line it must print (written out here, not taken from cnncalc.cli.needs)
CASES = [
    (["verify", "lenet5"], ["torch"], f"verify needs PyTorch, which is not installed: {TORCH}"),
    (["verify", "lenet5"], ["fvcore"], f"verify needs fvcore, which is not installed: {TORCH}"),
    (["verify", "lenet5"], ["torch", "fvcore"], f"verify needs PyTorch and fvcore, which are not installed: {TORCH}"),
    (["verify", "resnet18", "--against", "torchvision:resnet18"], ["torchvision"],
     "verify needs torchvision, which is not installed: pip install 'cnncalc[torchvision]'"),
    (["verify", "resnet18", "--against", "torchvision:resnet18"], ["torch", "fvcore", "torchvision"],
     "verify needs PyTorch, fvcore and torchvision, which are not installed: "
     "pip install 'cnncalc[torch,torchvision]'"),
    (["export", "lenet5", "-o", "never_written.py"], ["torch"],
     f"export needs PyTorch, which is not installed: {TORCH}"),
    (["bench", "lenet5", "--device", "cpu"], ["torch"], f"bench needs PyTorch, which is not installed: {TORCH}"),
    (["compare", "alexnet", "squeezenet1_0", "--bench"], ["torch"],
     f"compare --bench needs PyTorch, which is not installed: {TORCH}"),
    (["shapes", "torchvision:resnet18"], ["torch"], "torchvision:resnet18 is a PyTorch model: reading it needs "
     f"PyTorch, which is not installed: {TORCH}"),
    (["import", "torchvision:resnet18"], ["torch", "torchvision"], "torchvision:resnet18 is a PyTorch model: "
     "reading it needs PyTorch and torchvision, which are not installed: pip install 'cnncalc[torch,torchvision]'"),
    (["draw", "lenet5", "-o", "never_written.svg"], ["dot"],
     "Graphviz's `dot` was not found, and .svg, .png, .pdf and .html need it: install Graphviz (Debian/Ubuntu: "
     "apt-get install graphviz; macOS: brew install graphviz), or write .dot (Graphviz source) or .mmd (Mermaid) "
     "instead"),
]


def run_without(args: list[str], hidden: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    modules = [NEEDS[h].module for h in hidden if NEEDS[h].module]
    programs = {NEEDS[h].program for h in hidden if NEEDS[h].program}
    path = os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if not any((Path(d) / p).exists() for p in programs))
    return subprocess.run([sys.executable, "-c", HIDE_AND_RUN, ",".join(m for m in modules if m), *args],
                          capture_output=True, text=True, cwd=cwd, env={**os.environ, "PATH": path})


@pytest.mark.parametrize(("args", "hidden", "line"), CASES, ids=[" ".join(c[0]) + " without " + "+".join(c[1])
                                                                  for c in CASES])
def test_a_missing_dependency_is_one_line_and_exit_2(args: list[str], hidden: list[str], line: str,
                                                     tmp_path: Path) -> None:
    proc = run_without(args, hidden, tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr == f"cnncalc: {line}\n"
    assert proc.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_every_need_is_tried_missing() -> None:
    """A need added to the table without a row above fails here."""
    assert {h for _, hidden, _ in CASES for h in hidden} == set(NEEDS)


def test_without_the_check_the_commands_would_fail_differently() -> None:
    """The hiding works: the library itself, called without the check, cannot import what is hidden."""
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.modules['torch'] = None\n"
                           "from cnncalc.torch.export import export_torch"], capture_output=True, text=True)
    assert proc.returncode == 1 and "ModuleNotFoundError" in proc.stderr


@pytest.mark.torch
def test_nothing_is_asked_for_when_everything_is_there() -> None:
    assert all(need.present() for need in NEEDS.values())  # the test environment has every extra


def test_a_program_is_looked_up_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    need = Need("a program", program="cnncalc-test-tool", debian="cnncalc-test-pkg", elsewhere="https://example.org")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not need.present()
    tool = tmp_path / "cnncalc-test-tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert need.present()
    assert install_command([need]) == "sudo apt-get install cnncalc-test-pkg (elsewhere: https://example.org)"


@pytest.mark.torch  # every extra installed
@pytest.mark.parametrize("name", sorted(NEEDS))
def test_the_named_extra_installs_the_module_and_make_run_installs_the_extra(name: str) -> None:
    need = NEEDS[name]
    if need.module is None:
        assert need.debian, f"{name}: a program names the Debian package that installs it"
        assert f"{need.program}:{need.debian}" in system_packages()
        return
    assert need.extra in extras(), f"{name}: pyproject.toml has no extra {need.extra!r}"
    assert providers(need.module), f"{name}: {need.module} is not installed here"
    assert providers(need.module) & requirements(need.extra), f"{name}: cnncalc[{need.extra}] does not install it"
    assert providers(need.module) & requirements("all"), f"{name}: `make run` (cnncalc[all]) does not install it"
