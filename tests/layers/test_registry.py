"""The registry's table of which module registers which names, and the lazy import it allows."""

from __future__ import annotations

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
    code = ("import sys, cnncalc; cnncalc.analyze('lenet5')\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('cnncalc.layers.')"
            " and m.rsplit('.', 1)[1] in __import__('cnncalc.layers.registry').layers.registry.MODULES))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-800:]
    used = eval(proc.stdout)  # a list of names printed by the line above
    # archs/lenet5.yaml: conv, tanh, avgpool, flatten and linear layers (flatten is in linear.py)
    assert used == ["act", "conv", "linear", "pool"]


def test_an_unknown_name_still_suggests_every_kind() -> None:
    code = ("import cnncalc.layers.registry as r\n"
            "print(r.unknown('convtransposed'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "'convtranspose'" in proc.stdout  # a kind whose module nothing had imported
