# Two commands do all the set-up: `make demo` and `make test`.
PY ?= python3
# `make demo PORT=8080` (HOST=0.0.0.0 to be reached from another machine).
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The State's design system (DSFR), from npm, served by the application from /static/dsfr.
ASSETS := src/sentinelle/web/assets
DSFR := $(ASSETS)/node_modules/@gouvfr/dsfr/dist/dsfr.min.css

.PHONY: demo test install browser-deps java serve clean messages

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

$(DSFR): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && npm ci --no-audit --no-fund --silent
	touch $(DSFR)

install: $(STAMP) $(DSFR)

# Runs the application on the embedded default (an SQLite file in var/), with demo data.
demo: $(STAMP) $(DSFR)
	$(BIN)/sentinelle demo --host $(HOST) --port $(PORT)

serve: $(STAMP) $(DSFR)
	$(BIN)/sentinelle serve --host $(HOST) --port $(PORT)

# Chromium (Debian package) for the browser tests, axe-core (npm) for the accessibility checks.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; fi; fi
	@if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then \
	  cd tests/browser && npm install --no-audit --no-fund --silent; fi

# Java for Spark (the detection engine for national volumes, tested in local mode).
java:
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; \
	  else sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; fi; fi

# Two workers (pytest-xdist), one test file each at a time: the suite in about two thirds of the time on
# this two-core machine; each worker has its own databases, browser and Spark. `make test PYTEST_ARGS=` for one process.
PYTEST_ARGS ?= -n 2 --dist loadfile

test: $(STAMP) $(DSFR) browser-deps java
	$(BIN)/python -m pytest $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o src/sentinelle/locale/messages.pot src/sentinelle

clean:
	rm -rf $(VENV) var $(ASSETS)/node_modules
