# The two commands of the README: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
SAMPLE ?= sample
WAREHOUSE ?= warehouse
EVENTS ?= 200000
SEED ?= 7
CONF ?= conf/local.toml
# Score date of the demo: the first day after the built-in sample.
SCORE_DATE ?= 2026-11-01
CRESCI ?= ../shared/data/cresci-2015
SQL_PORT ?= 10000
FIGURES ?= notebook-figures

.PHONY: setup demo sample test unit integration test-cluster benchmark-ingest benchmark-quality benchmark-pagerank benchmark-metrics train-quality evaluate-quality evaluate-topics dist serve-sql notebooks clean

# Quiet installs: pip's errors and warnings still print, but not its upgrade notice nor
# setuptools' "Editable installation" banner (the one warning every editable install gives).
PIP_INSTALL := PYTHONWARNINGS='ignore:Editable installation' $(PY) -m pip install --quiet --disable-pip-version-check

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip 'setuptools>=77' wheel
	$(PIP_INSTALL) -e '.[test]'
	touch $@

setup: $(VENV)/.installed

$(SAMPLE)/truth/summary.json: | setup
	$(PY) -m jobs.generate_sample --out $(SAMPLE) --events $(EVENTS) --seed $(SEED)

sample: $(SAMPLE)/truth/summary.json

demo: setup sample
	$(PY) -m jobs.pipeline --input $(SAMPLE) --warehouse $(WAREHOUSE) --date $(SCORE_DATE) --conf $(CONF)

test: setup
	$(PY) -m pytest tests --durations=10

unit: setup
	$(PY) -m pytest tests/unit

integration: setup
	$(PY) -m pytest tests/integration

# The whole pipeline submitted to a real standalone cluster on loopback (several minutes).
test-cluster: setup
	$(PY) -m pytest -m cluster tests/integration/test_standalone_cluster.py

benchmark-ingest: setup
	$(PY) -m jobs.benchmark_ingest --events 500000 --daily 10

benchmark-quality: setup
	$(PY) -m jobs.benchmark_quality --events 1000000 --sample /tmp/clout-bench-sample-1m --warehouse /tmp/clout-bench-warehouse-1m

# Weighted PageRank (the project's Pregel runner) against GraphX's PageRank.run on Higgs retweets.
benchmark-pagerank: setup
	$(PY) -m jobs.benchmark_pagerank --edges ../shared/data/higgs-twitter/higgs-retweet_network.edgelist.gz --iterations 20 --out /tmp/clout-bench-pagerank

# The metrics stage on the 1M-event sample, beside a bare Spark job on the same events.
benchmark-metrics: setup
	$(PY) -m jobs.benchmark_metrics --events 1000000 --work /tmp/clout-bench-metrics

# The default model, retrained on cresci-2015 (held-out and leave-one-market-out figures).
train-quality: setup
	$(PY) -m jobs.train_quality --input $(CRESCI) --labels $(CRESCI)/users.csv --id-column id --label-column dataset \
		--genuine-values E13,TFP --bot-kind fake_follower --out models/quality/cresci-2015-v1 --leave-one-group-out

# The default model on the demo sample, against the sample's planted truth.
evaluate-quality: setup sample
	$(PY) -m jobs.evaluate_quality --input $(SAMPLE) --labels $(SAMPLE)/truth/accounts.csv --date $(SCORE_DATE) --warehouse $(WAREHOUSE)

# Topic leaders of the demo warehouse against the sample's planted ones (precision at 10 per topic).
evaluate-topics: setup sample
	$(PY) -m jobs.evaluate_topics --warehouse $(WAREHOUSE) --leaders $(SAMPLE)/truth/leaders.csv --persons $(SAMPLE)/truth/persons.csv --date $(SCORE_DATE)

# The project's code as a wheel, for spark-submit --py-files on a cluster.
dist: setup
	rm -rf dist build
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

# JDBC/ODBC for BI tools over the demo warehouse: jdbc:hive2://127.0.0.1:$(SQL_PORT)/clout
serve-sql: setup
	$(PY) -m jobs.serve_sql --warehouse $(WAREHOUSE) --conf $(CONF) --port $(SQL_PORT)

# Runs every notebook against the demo warehouse; figures go to $(FIGURES)/.
notebooks: setup
	$(PY) -m jobs.run_notebooks --warehouse $(WAREHOUSE) --conf $(CONF) --out $(FIGURES)

# How the Clout score of $(SCORE_DATE) ranks persons by the genuine engagers of the $(HORIZON) days after it.
HORIZON ?= 7
backtest: setup
	$(PY) -m jobs.backtest --warehouse $(WAREHOUSE) --date $(SCORE_DATE) --horizon $(HORIZON) --conf $(CONF)

clean:
	rm -rf $(SAMPLE) $(WAREHOUSE) $(FIGURES) dist build .pytest_cache
