# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build install clean

# torch is installed first and pinned so that no GPU build is pulled in by
# sentence-transformers; everything else comes from pyproject.toml.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/kb build

run: build
	$(BIN)/kb stats

test: build
	$(BIN)/python -m pytest

clean:
	rm -rf build $(VENV)
