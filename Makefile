# aiprov developer entry points. `make demo` and `make test` work on a fresh clone:
# they create .venv (Python deps pinned by constraints.txt) and node_modules (npm ci).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP_PY  := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
# slither needs web3 < 8 (the project uses 8), so it has a venv of its own
SLITHER_VENV  := .venv-slither
STAMP_SLITHER := $(SLITHER_VENV)/.installed

.PHONY: setup demo test test-fast contracts contracts-check gas-snapshot docs wheel-check slither bench bench-quick clean help

help:
	@echo "make demo          hash, anchor and verify a sample dataset on the embedded chain"
	@echo "make test          install everything and run the whole test suite"
	@echo "make contracts     recompile contracts/ into aiprov/contracts/artifacts (pinned solc)"
	@echo "make gas-snapshot  re-measure gas and rewrite contracts/gas-snapshot.json"
	@echo "make docs          regenerate docs/cli.md and the README's command table from --help"
	@echo "make wheel-check   build the wheel, install it in a fresh venv, run hash/register/verify"
	@echo "make slither       static analysis of contracts/; fails on anything not in tools/slither/triage.json"
	@echo "make bench         run the side-by-side benchmarks (full sizes; bench-quick for small)"

setup: $(STAMP_PY) $(STAMP_NPM)

$(STAMP_PY): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[test,gateway,s3,dask]'
	@touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: $(STAMP_PY)
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash examples/demo.sh

test: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(PY) -m pytest -n 2 --dist loadgroup -q -m "not slow"

contracts: setup
	$(PY) -m tools.contracts.build

contracts-check: setup
	$(PY) -m tools.contracts.build --check

gas-snapshot: setup
	$(PY) -m tools.contracts.gas --write

docs: setup
	$(PY) -m tools.gen_cli_docs

wheel-check: setup
	PYTHON=$(PY) bash tools/wheel_check.sh

$(STAMP_SLITHER): tools/slither/requirements.txt
	$(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet -r tools/slither/requirements.txt
	@touch $@

slither: setup $(STAMP_SLITHER)
	$(PY) -m tools.slither.check --slither $(SLITHER_VENV)/bin/slither

BENCHES := hashing manifest merkle records cli parallel s3 startup audit gateway

# Every benchmark runs even when one misses a target; the exit status says whether any did.
bench: setup
	@status=0; for b in $(BENCHES); do $(PY) benchmarks/bench_$$b.py || status=1; done; exit $$status

bench-quick: setup
	@status=0; for b in $(BENCHES); do $(PY) benchmarks/bench_$$b.py --quick || status=1; done; exit $$status

clean:
	rm -rf $(VENV) $(SLITHER_VENV) node_modules .pytest_cache .hypothesis build dist *.egg-info .demo
