# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates the virtual environment .venv on first use (Python 3.11 or newer).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck bench size clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime extras only: what a user of the library and CLI installs.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[all]'
	touch $@

# Test tools and the oracles. torch==2.13.0 exactly: that pin is a CPU wheel.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/python -m descenso train

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q

lint: $(VENV)/.test-installed
	$(BIN)/ruff check descenso tests benchmarks examples
	$(BIN)/ruff format --check descenso tests benchmarks examples
	$(BIN)/mypy

# JAX is a peer in the benchmarks only, so it is installed here and not by `make test`.
bench: $(VENV)/.test-installed
	$(BIN)/pip install --quiet 'jax>=0.4' threadpoolctl
	$(BIN)/python -m benchmarks.run

# The core's size (STYLE.md: reported, not golfed), in lines including docstrings.
size:
	@for part in "engine:descenso/tensor.py descenso/creation.py descenso/grad_mode.py descenso/ops" \
	             "nn:descenso/nn" "losses:descenso/losses.py" "optim:descenso/optim" \
	             "training:descenso/train.py descenso/_fit_checks.py descenso/stopping.py descenso/history.py"; do \
	    name=$${part%%:*}; paths=$${part#*:}; \
	    printf '%-9s %6s lines\n' "$$name" "$$(find $$paths -name '*.py' | xargs cat | wc -l)"; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache runs test-artifacts
