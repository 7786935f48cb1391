# The two commands of the README: `make run` and `make test`. Both create .venv and install
# the project into it first (again only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint web chromium bench bench-smoke faults clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# The web app and the offline GraphiQL page (web/, docs/webapp.md): npm ci when the lockfile
# changes, then codegen + type check + Vite build into web/dist when a source changes.
WEB_DEPS := web/node_modules/.package-lock.json
WEB_BUILT := web/dist/.built
WEB_SOURCES := $(shell find web/src web/index.html web/graphiql.html web/vite.config.ts \
	web/tsconfig.json web/codegen.yml web/package.json -type f -not -path 'web/src/generated/*' 2>/dev/null)

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_DEPS)

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES) schema.graphql
	cd web && npm run build
	touch $(WEB_BUILT)

web: $(WEB_BUILT)

# The browser tests drive Debian's chromium (installed with apt-get when missing, as root).
chromium:
	@command -v chromium >/dev/null || { apt-get update && \
		apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }

# Development mode (GraphiQL, requests without credentials) unless GRIDGRAPH_MODE says otherwise.
run: $(INSTALLED) web
	GRIDGRAPH_MODE=$${GRIDGRAPH_MODE:-development} $(BIN)/gridgraph serve

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint web chromium
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

# Fault and load script (issue 14, docs/operations.md): a real `gridgraph serve` with its own
# Neo4j, hurt on purpose (50 MB body, heavy networkAnalysis load, Neo4j killed and restarted,
# SIGTERM); prints the figures. Options: make faults FAULT_SECONDS=20 SCALE=demo
FAULT_SECONDS ?= 20
faults: $(INSTALLED)
	$(BIN)/python -m bench.faults --seconds $(FAULT_SECONDS) --scale $(SCALE)

clean:
	rm -rf $(VENV) launcher/target .mypy_cache .ruff_cache .pytest_cache web/node_modules web/dist
