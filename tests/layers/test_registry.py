"""The registry's table of which module registers which names, and the lazy import it allows."""

from __future__ import annotations

import json
import subprocess
import sys

from cnncalc.layers import ALIASES, REGISTRY, registry


def test_the_table_names_what_each_module_registers() -> None:
    registered: dict[str, set[str]] = {}
    for name, cls in REGISTRY.items():
        registered.setdefault(cls.__module__.rsplit(".", 1)[1], set()).add(name)
    for alias, name in ALIASES.items():
        registered.setdefault(REGISTRY[name].__module__.rsplit(".", 1)[1], set()).add(alias)
    assert {module: set(names) for module, names in registry.MODULES.items()} == registered
    assert sum(len(names) for names in registry.MODULES.values()) == len(REGISTRY) + len(ALIASES)  # no name twice


def test_a_network_imports_only_the_kinds_it_uses() -> None:
    code = ("import json, sys, cnncalc\n"
            "from cnncalc.layers.registry import MODULES\n"
            "cnncalc.analyze('lenet5')\n"
            "print(json.dumps(sorted(m for m in MODULES if f'cnncalc.layers.{m}' in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-800:]
    # archs/lenet5.yaml: conv, tanh, avgpool, flatten and linear layers (flatten is in linear.py)
    assert json.loads(proc.stdout) == ["act", "conv", "linear", "pool"]


def test_an_unknown_name_still_suggests_every_kind() -> None:
    code = ("import cnncalc.layers.registry as r\n"
            "print(r.unknown('convtransposed'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "'convtranspose'" in proc.stdout  # a kind whose module nothing had imported
