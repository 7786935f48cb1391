# The two commands of the README: `make run` and `make test`. Both create .venv and install
# the project into it first (again only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint bench bench-smoke clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# Development mode (GraphiQL, requests without credentials) unless GRIDGRAPH_MODE says otherwise.
run: $(INSTALLED)
	GRIDGRAPH_MODE=$${GRIDGRAPH_MODE:-development} $(BIN)/gridgraph serve

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The benchmark (bench/, docs/benchmarks.md): GridGraph vs hand-written Cypher vs @neo4j/graphql.
# Options: make bench SCALE=district CONCURRENCY=8 DURATION=10 ROUNDS=3 LOADGEN=wrk|python
# The load generator is wrk (installed with apt-get when missing and run as root).
SCALE ?= demo
CONCURRENCY ?= 8
DURATION ?= 10
ROUNDS ?= 3
LOADGEN ?= wrk
bench: $(INSTALLED)
	$(BIN)/python -m bench --scale $(SCALE) --concurrency $(CONCURRENCY) --duration $(DURATION) --rounds $(ROUNDS) --loadgen $(LOADGEN)

# wrk when it is there or installable (root), else the Python load generator.
bench-smoke: $(INSTALLED)
	$(BIN)/python -m bench --smoke --loadgen auto

clean:
	rm -rf $(VENV) launcher/target .mypy_cache .ruff_cache .pytest_cache
