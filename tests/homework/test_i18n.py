"""Russian for the students (issue 13, "What to build" 1): gettext catalogs, chosen per command.

The catalog is `cnncalc/locale/ru/LC_MESSAGES/cnncalc.po`, compiled to the `.mo` that cnncalc
reads; `tools/i18n.py` extracts the message ids from the code. These tests check that every id
has a translation (saying exactly which do not), that the translations keep the ids'
placeholders, that the shipped .mo is the compiled .po, and that the commands speak Russian.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.render import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "cnncalc" / "locale" / "ru" / "LC_MESSAGES" / "cnncalc.po"
runner = CliRunner()


def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cnncalc_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_message_id_has_a_russian_translation() -> None:
    tools = tool()
    ids = tools.extract()
    assert len(ids) > 150  # the layers' remarks, the mistakes, the quiz, check, explain and the summaries
    translated = {(e.msgid, e.plural): e for e in tools.read_po(PO)[1] if e.translated}
    missing = [f"{msgid!r} ({places[0]})" for (msgid, plural), places in sorted(ids.items())
               if (msgid, plural) not in translated]
    assert not missing, ("these message ids have no Russian translation; run `python tools/i18n.py extract`, "
                         "translate them in cnncalc/locale/ru/LC_MESSAGES/cnncalc.po, then `python tools/i18n.py "
                         "compile`:\n  " + "\n  ".join(missing))


def test_translations_keep_the_placeholders() -> None:
    tools = tool()
    wrong = []
    for entry in tools.read_po(PO)[1]:
        for text in entry.strings:
            if entry.plural:
                continue
            if tools.placeholders(text) != tools.placeholders(entry.msgid):
                wrong.append(f"{entry.msgid!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_the_shipped_catalog_is_the_compiled_po() -> None:
    tools = tool()
    header, entries = tools.read_po(PO)
    assert PO.with_suffix(".mo").read_bytes() == tools.compile_mo(header, entries), \
        "cnncalc.mo is stale: run `python tools/i18n.py compile`"


@pytest.mark.parametrize(("count", "form"), [(1, "фильтр"), (2, "фильтра"), (4, "фильтра"), (5, "фильтров"),
                                             (11, "фильтров"), (21, "фильтр"), (22, "фильтра"), (112, "фильтров")])
def test_russian_plural_forms(count: int, form: str) -> None:
    assert i18n.language("ru").ngettext("filter", "filters", count) == form


@pytest.mark.parametrize(("environ", "code"), [
    ({"LANG": "ru_RU.UTF-8"}, "ru"), ({"LC_MESSAGES": "ru_RU", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en"),
    ({"LC_ALL": "C"}, "en"),
])
def test_the_language_comes_from_the_environment(environ: dict[str, str], code: str) -> None:
    assert i18n.code_from_environment(environ) == code
    assert i18n.choose(None, environ).code == code
    assert i18n.choose("ru", environ).code == "ru" and i18n.choose("en", environ).code == "en"


def test_the_worked_answer_in_russian_from_lang() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env.update(LANG="ru_RU.UTF-8", COLUMNS="160")
    cnncalc = str(Path(sys.executable).with_name("cnncalc"))
    proc = subprocess.run([cnncalc, "layer", "conv", "out=10", "kernel=5", "stride=1", "padding=2", "--input",
                           "32x32x3", "--layout", "hwc"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "conv 5×5 p2 на входе 32×32×3 → 32×32×10 (H×W×C)" in out
    assert "параметры: 760 (750 весов + 10 смещений)" in out
    assert "10 фильтров: 750 весов + 10 смещений" in out
    assert "рецептивное поле: 5 пикселей" in out and "операции умножения-сложения (MAC)" in out
    # formulas and numbers stay as they are
    assert "H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32" in out and "params = 5·5·3·10 + 10 = 760" in out


def test_check_explain_and_summaries_in_russian(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("network: alexnet_original\nanswers:\n  conv1.params: 34848\n  conv1.output_shape: 55х55х96\n",
                    encoding="utf-8")
    out = runner.invoke(app, ["check", str(path), "--lang", "ru"]).output
    assert "забыты смещения (bias): 34,848 весов + 96 смещений" in out and "верно: 1, неверно: 1" in out
    out = runner.invoke(app, ["explain", "squeezenet1_0", "fire2", "--lang", "ru"]).output
    assert "fire2 — это блок" in out
    out = runner.invoke(app, ["shapes", "lenet5", "--lang", "ru"]).output
    assert "параметры" in out and "глубина" in out and "рецептивное поле" in out
    out = runner.invoke(app, ["compare", "alexnet", "squeezenet1_0", "--lang", "ru"]).output
    assert "сетей: 2, отношения к alexnet" in out and "меньше" in out


def test_what_a_layer_keeps_for_the_backward_pass_in_russian() -> None:
    """`--train`'s line: the kept tensors and the rule's words are translated, the dtypes and bytes not.
    Batch norm on 16×8×8 in float32 keeps its input, 16·8·8·4 = 4,096 bytes, and a mean and a 1/std per
    channel, 2·16·4 = 128 bytes: 4,224."""
    out = runner.invoke(app, ["layer", "bn", "--input", "16x8x8", "--train", "--lang", "ru"]).output
    assert "saved = 1·16·8·8·4 + 2·16·4 = 4,224" in out
    assert ("байт хранится для обратного прохода: вход (float32) + среднее и 1/std (float32) "
            "(свой вход, а также среднее и 1/std на канал)") in out
    out = runner.invoke(app, ["explain", "resnet18", "layer1", "--train", "--lang", "ru"]).output
    kept = [line for line in out.splitlines() if "для обратного прохода:" in line]
    assert kept and not [line for line in kept if any(w in line for w in ("its ", "input", "nothing", "output"))]


def test_an_unknown_language_is_an_error() -> None:
    result = runner.invoke(app, ["layer", "relu", "--input", "3x8x8", "--lang", "de"])
    assert result.exit_code != 0 and "en and ru" in str(result.exception)
