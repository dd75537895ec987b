# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test check docs build install browser clean

# torch is pinned in pyproject.toml (torch==2.13.0, the CPU build on this machine's wheel path)
# so that sentence-transformers does not pull a multi-GB GPU build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium with Playwright; no browser is ever downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

build: $(STAMP)
	$(BIN)/kb build

run: build
	$(BIN)/kb app --port $(PORT)

test: build browser
	$(BIN)/python -m pytest

# The fast loop: lint, format check and the tests that need no model, server or browser (about 20 s).
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -m "not (model or server or browser)"

# Regenerate the reference pages (docs/settings.md, docs/cli.md) from the code.
docs: $(STAMP)
	$(BIN)/python -m kb.cli.reference

clean:
	rm -rf build $(VENV)
