# `make run` and `make test` do all the set-up they need on a fresh machine:
#   run   .venv with cnncalc and what every command of the README uses (the `all` extra:
#         PyTorch's CPU build, fvcore, torchvision; the programs of cnncalc/cli/needs.py),
#         then the main job;
#   test  also the test tools (the `test` extra) and the programs the tests use (Graphviz,
#         Chromium and Mermaid's bundle for the pictures: tools/install_picture_deps.sh), then
#         ruff, mypy and pytest.
# pip installs with constraints.txt: the PyTorch releases cnncalc is checked against.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install -q -c constraints.txt
# PyTorch's CPU-only wheels, used when the index answers (else PyPI's); empty: PyPI's
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# programs the tests run, as PROGRAM:DEBIAN-PACKAGE (e.g. chromium:chromium)
TEST_PROGRAMS ?=
# hypothesis: derandomized, as CI runs it (tests/conftest.py); `HYPOTHESIS_PROFILE=dev make test` for more
export HYPOTHESIS_PROFILE ?= ci

.PHONY: run test lint install install-test clean

run: $(VENV)/.installed
	$(BIN)/cnncalc shapes vgg16

test: $(VENV)/.installed-test
	$(BIN)/ruff check cnncalc tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.torch: $(BIN)/python constraints.txt
	tools/install_torch.sh $(BIN)/python $(TORCH_INDEX)
	touch $@

$(VENV)/.installed: $(VENV)/.torch pyproject.toml constraints.txt
	$(PIP) -e '.[all]'
	tools/system_packages.sh --optional \
	  $$($(BIN)/python -c 'from cnncalc.cli.needs import system_packages; print(*system_packages())')
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e '.[all,test]'
	tools/system_packages.sh \
	  $$($(BIN)/python -c 'from cnncalc.cli.needs import system_packages; print(*system_packages())') \
	  $(TEST_PROGRAMS)
	tools/install_picture_deps.sh
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
