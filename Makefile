# One front door for setting up, running and checking Loyalty POS.
VENV ?= .venv
PY := $(VENV)/bin/python

THAI_FONT := /usr/share/fonts/truetype/tlwg/Loma.ttf
MONO_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
CHROMIUM := /usr/bin/chromium

.PHONY: install install-dev system-deps run check lint test bench

# Two stamps, both named after pyproject.toml's hash: the app's dependencies
# (what `make run` needs), and the test tools on top (what `make check` needs).
HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
APP_STAMP := $(VENV)/.app-installed-$(HASH)
DEV_STAMP := $(VENV)/.dev-installed-$(HASH)
# -qq: pip says nothing unless something fails.
PIP := $(PY) -m pip install -qq --disable-pip-version-check

$(APP_STAMP): pyproject.toml
	@echo "Installing Loyalty POS and what it needs into $(VENV) (once)..."
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PIP) --upgrade pip
	@# --no-compile: byte-compiling every dependency (phonenumbers' 48 MB of
	@# metadata modules) took longer than downloading them; Python compiles
	@# what the app imports on its first start instead.
	@$(PIP) --no-compile -e .
	@rm -f $(VENV)/.installed-* $(VENV)/.app-installed-*
	@touch $@

$(DEV_STAMP): $(APP_STAMP)
	@echo "Installing the test tools (pytest, mypy, ruff, ...) into $(VENV)..."
	@$(PIP) -e '.[dev]'
	@rm -f $(VENV)/.dev-installed-*
	@touch $@

install: $(APP_STAMP)

install-dev: $(DEV_STAMP)

# Thai slips on printers without a Thai code page are drawn with a Thai font
# (Debian: fonts-thai-tlwg); the tests print such slips. The back office's
# browser test drives Debian's chromium (Playwright never downloads a browser).
system-deps:
	@if [ ! -e $(THAI_FONT) ] || [ ! -e $(MONO_FONT) ] || [ ! -e $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq fonts-thai-tlwg fonts-dejavu-core chromium >/dev/null; \
	  elif [ ! -e $(THAI_FONT) ] || [ ! -e $(MONO_FONT) ]; then \
	    echo "Thai printing needs fonts: sudo apt-get install fonts-thai-tlwg fonts-dejavu-core"; exit 1; \
	  else \
	    echo "The back office's browser test is skipped without chromium: sudo apt-get install chromium"; \
	  fi; \
	fi

run: install
	$(VENV)/bin/pos run

# lint-imports: which package may import which ([tool.importlinter] in pyproject.toml).
lint: install-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

test: install-dev system-deps
	$(PY) -m pytest -q --durations=30

check: lint test

bench: install-dev
	$(PY) -m bench.ledger
	$(PY) -m bench.printing
	$(PY) -m bench.tui
	$(PY) -m bench.sync
