# Two commands for a fresh machine (Python 3.11+ and make):
#   make demo   set up .venv and solve the built-in rare-earth scenario
#   make test   set up .venv with the test tools and run the whole test suite
# Both are idempotent: the virtualenv is rebuilt only when pyproject.toml changes.
# For the classroom: make notebooks   (adds Jupyter and ipywidgets, opens notebooks/)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint notebooks clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

$(VENV)/.installed-notebooks: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/negotiation solve rare-earth

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check negotiation
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

notebooks: $(VENV)/.installed-notebooks
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) build *.egg-info
