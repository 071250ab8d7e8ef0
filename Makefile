# Two commands for a newcomer: `make run` and `make test`. Python 3.11.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/engagement.duckdb
EXTRACTS ?= data/extracts
PORT ?= 8501
# Replicas behind nginx: `make serve` (default 2); `make load` goes through them only when set.
REPLICAS ?=
LOAD_ARGS ?=

.PHONY: run serve test test-fast lint format data demo bench load browser-test audit clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Needs $(PYTHON) on PATH (or run: make PYTHON=python3 ...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the accessibility tests, from the npm registry (skipped without npm).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: accessibility tests will be skipped"; fi

$(DB): | $(VENV)/.installed
	$(PY) -m pipeline build --extracts $(EXTRACTS) --db $(DB)

## run: install if needed, build the demo database if missing, start the app
run: $(VENV)/.installed $(DB)
	DASHBOARD_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT)

## serve: REPLICAS app processes (default 2) behind Debian's nginx on 127.0.0.1:PORT, as in
##        service (sticky sessions, a dead replica routed around); Ctrl-C stops them all.
##        HTTPS: make serve TLS_CERT=chain.pem TLS_KEY=key.pem (plain HTTP on HTTP_PORT, default
##        8080, is redirected to it); docs/SECURITY.md says what the proxy sends and limits
TLS_CERT ?=
TLS_KEY ?=
HTTP_PORT ?= 8080
serve: $(VENV)/.installed $(DB)
	$(PY) -m deploy.serve --replicas $(or $(REPLICAS),2) --port $(PORT) --db $(DB) \
		$(if $(TLS_CERT),--tls-cert $(TLS_CERT) --tls-key $(TLS_KEY) --http-port $(HTTP_PORT))

## data: rebuild the database from the extracts (real or demo)
data: $(VENV)/.installed
	$(PY) -m pipeline build --extracts $(EXTRACTS) --db $(DB)

## demo: regenerate the synthetic demo extracts (same seed, same bytes)
demo: $(VENV)/.installed
	$(PY) -m demo --out $(EXTRACTS)

## test: lint, then everything, browser tests included when Chromium is installed
test: lint node_modules/.installed
	$(PY) -m pytest -q

## lint: ruff's checks and its formatting (make format rewrites the files)
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## test-fast: the inner loop, about a minute: every module's logic, without the tests marked
##            slow (browser, server, fuzzing, benchmark smoke, whole pages through AppTest)
test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not slow"

## browser-test: only the real-browser tests
browser-test: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest -q tests/browser

## bench: benchmarks at 100k and 1M responses: page reruns against a pandas reference and
##        the floor, filter changes felt in Chromium, the growth table; with the 10M column:
##        make bench BENCH_ARGS="--scales 100000,1000000,10000000"
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

## load: 50 concurrent sessions against the real server on loopback (not part of test);
##       make load REPLICAS=2: through nginx in front of 2 replicas, downloads included
load: $(VENV)/.installed
	$(PY) -m load $(if $(REPLICAS),--replicas $(REPLICAS)) $(LOAD_ARGS)

## audit: the pinned dependencies (the virtualenv installed from requirements*.txt, and
##        package-lock.json) checked for known vulnerabilities with pip-audit and npm audit; says
##        plainly what it could not check (its data not reachable) and exits 2 then, 1 on a known
##        vulnerability. Not part of make test. pip-audit gets a virtualenv of its own.
PIP_AUDIT := pip-audit==2.10.1
AUDIT_TOOL := $(VENV)/audit-tool
$(AUDIT_TOOL)/.installed: | $(VENV)/.installed
	$(PYTHON) -m venv $(AUDIT_TOOL)
	$(AUDIT_TOOL)/bin/python -m pip install --quiet "$(PIP_AUDIT)"
	touch $@

audit: $(VENV)/.installed $(AUDIT_TOOL)/.installed
	$(PY) -m deploy.audit --pip-audit $(AUDIT_TOOL)/bin/pip-audit

clean:
	rm -rf $(VENV) node_modules test-artefacts .pytest_cache
