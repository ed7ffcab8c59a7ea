# One front door for setting up, running and checking Loyalty POS.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

THAI_FONT := /usr/share/fonts/truetype/tlwg/Loma.ttf
MONO_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf

.PHONY: install system-deps run check lint test bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Thai slips on printers without a Thai code page are drawn with a Thai font
# (Debian: fonts-thai-tlwg); the tests print such slips.
system-deps:
	@if [ ! -e $(THAI_FONT) ] || [ ! -e $(MONO_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq fonts-thai-tlwg fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Thai printing needs fonts: sudo apt-get install fonts-thai-tlwg fonts-dejavu-core"; exit 1; \
	  fi; \
	fi

run: install
	$(VENV)/bin/pos run

# lint-imports: which package may import which ([tool.importlinter] in pyproject.toml).
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

test: install system-deps
	$(PY) -m pytest -q

check: lint test

bench: install
	$(PY) -m bench.ledger
	$(PY) -m bench.printing
	$(PY) -m bench.tui
	$(PY) -m bench.sync
