# The two commands of the README: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
SAMPLE ?= sample
WAREHOUSE ?= warehouse
EVENTS ?= 200000
SEED ?= 7
CONF ?= conf/local.toml

.PHONY: setup demo sample test unit integration benchmark-ingest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

$(SAMPLE)/truth/summary.json: | setup
	$(PY) -m jobs.generate_sample --out $(SAMPLE) --events $(EVENTS) --seed $(SEED)

sample: $(SAMPLE)/truth/summary.json

demo: setup sample
	$(PY) -m jobs.pipeline --input $(SAMPLE) --warehouse $(WAREHOUSE) --conf $(CONF)

test: setup
	$(PY) -m pytest tests

unit: setup
	$(PY) -m pytest tests/unit

integration: setup
	$(PY) -m pytest tests/integration

benchmark-ingest: setup
	$(PY) -m jobs.benchmark_ingest --events 1000000

clean:
	rm -rf $(SAMPLE) $(WAREHOUSE) .pytest_cache
