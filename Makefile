# logsec — build, test and lint entry points. `make help` lists them.
#
# Rust targets call cargo directly. The Python targets keep everything in a local `.venv`
# (created here, never the system Python), so `make test` works on a fresh clone.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
VENV_ABS := $(abspath $(VENV))
# The Python packages `make test` needs in the venv, and the modules that prove they are there.
PY_PACKAGES := maturin pytest pyarrow pandas polars mypy nbclient nbformat ipykernel matplotlib
PY_MODULES := maturin, pytest, pyarrow, pandas, polars, mypy, nbclient, nbformat, ipykernel, matplotlib
BINDINGS := bindings/python
SHARED := ../shared
# Only `make test-spark` needs these (pyspark is a ~460 MB sdist): installed once into .venv.
SPARK_PACKAGES := pyspark>=4.0 dask[dataframe] distributed
SPARK_TESTS := $(BINDINGS)/tests/test_spark.py $(BINDINGS)/tests/test_dask.py

.PHONY: help test test-rust test-python venv python-develop lint clippy fmt-check fmt bench \
	conformance doc clean-venv test-spark

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

test: test-rust test-python test-spark ## All Rust tests and doctests, the Python bindings' pytest suite, Spark/Dask.

test-rust: ## cargo test --workspace (unit, integration and doc tests).
	$(CARGO) test --workspace

venv: ## Create .venv and install the Python test tools into it (skipped when already there).
	@if [ ! -x "$(VENV_PY)" ]; then \
		echo "creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv "$(VENV)"; \
	fi
	@if "$(VENV_PY)" -c "import $(PY_MODULES)" 2>/dev/null; then \
		echo "$(VENV): $(PY_PACKAGES) already installed"; \
	else \
		echo "$(VENV): installing $(PY_PACKAGES)"; \
		"$(VENV_PY)" -m pip install --quiet --upgrade pip; \
		"$(VENV_PY)" -m pip install --quiet $(PY_PACKAGES); \
	fi

# maturin sets PYO3_BUILD_EXTENSION_MODULE itself (pyo3 >= 0.26 reads it instead of the deprecated
# `extension-module` feature); it is set here too so an older maturin still builds a module that
# does not link libpython. Cargo tests never see it: the cdylib has `test = false`.
python-develop: venv ## Build the bindings (debug) and install them into .venv.
	VIRTUAL_ENV="$(VENV_ABS)" PATH="$(VENV_ABS)/bin:$$PATH" PYO3_BUILD_EXTENSION_MODULE=1 \
		"$(VENV)/bin/maturin" develop --quiet -m $(BINDINGS)/Cargo.toml

test-python: python-develop ## pytest (warnings are errors), stubtest and mypy --strict on the bindings.
	"$(VENV_PY)" -m pytest -W error $(BINDINGS)/tests $(foreach t,$(SPARK_TESTS),--ignore=$(t))
	"$(VENV_PY)" -m mypy.stubtest logsec._native --mypy-config-file $(BINDINGS)/pyproject.toml
	cd $(BINDINGS) && "$(VENV_ABS)/bin/python" -m mypy python/logsec tests

# A real local Spark session (local[2], Java 17+) and a Dask LocalCluster; executors must use the
# venv's interpreter, hence PYSPARK_PYTHON.
test-spark: python-develop ## logsec.spark / logsec.dask tests (installs pyspark, dask into .venv once).
	@if "$(VENV_PY)" -c "import pyspark, dask.dataframe, distributed" 2>/dev/null; then \
		echo "$(VENV): pyspark, dask, distributed already installed"; \
	else \
		echo "$(VENV): installing $(SPARK_PACKAGES)"; \
		"$(VENV_PY)" -m pip install --quiet $(foreach p,$(SPARK_PACKAGES),"$(p)"); \
	fi
	PYSPARK_PYTHON="$(VENV_ABS)/bin/python" PYSPARK_DRIVER_PYTHON="$(VENV_ABS)/bin/python" \
		"$(VENV_PY)" -m pytest -W error $(SPARK_TESTS)

lint: clippy fmt-check ## clippy with -D warnings on every target, and rustfmt --check.

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt-check:
	$(CARGO) fmt --all -- --check

fmt: ## Format the Rust sources.
	$(CARGO) fmt --all

bench: ## Criterion benchmarks (release build; takes minutes).
	$(CARGO) bench -p logsec-benches

# Suites over ../shared/corpus are Rust tests named `conformance_*`. Each one skips itself when
# ../shared is absent; here LOGSEC_REQUIRE_SHARED=1 turns such a skip into a failure.
conformance: ## Conformance suites over ../shared/corpus (skipped when ../shared is absent).
	@if [ -d "$(SHARED)" ]; then \
		echo "conformance: running the conformance_* tests against $(SHARED)"; \
		LOGSEC_REQUIRE_SHARED=1 $(CARGO) test --workspace -- conformance; \
	else \
		echo "conformance: SKIPPED — $(SHARED) not found (the suites need ../shared/corpus beside the repository)"; \
	fi

doc: ## API docs for every crate; rustdoc warnings are errors.
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --workspace

clean-venv: ## Remove .venv.
	rm -rf "$(VENV)"
