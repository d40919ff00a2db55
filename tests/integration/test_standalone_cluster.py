"""The whole pipeline submitted with spark-submit to a real Spark standalone cluster (a
master and two workers on loopback), its code shipped as the project's wheel.

Driver and workers run a Python that has the dependencies but not the project (neither the
editable install nor the wheel), so the code can only come from ``--py-files``: a submit
without it is checked to fail. The tables are compared with the sample's planted truth.

Marked ``cluster``: ``make test-cluster`` runs it (CI runs it after ``make test``); it
takes several minutes, mostly the fixed cost of every Spark job on six JVMs and two cores.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from jobs.common.config import PROJECT_ROOT
from jobs.common.spark import cached_jars, jvm_packages
from jobs.generate_sample import generate
from tests.integration.input_counts import records_in_input
from tests.integration.standalone import cluster_env, interpreter_without_project, spark_home, standalone_cluster

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

SCORE_DATE = dt.date(2026, 11, 1)
SAMPLE_EVENTS = 12_000
MODEL_URI = (PROJECT_ROOT / "models" / "quality" / "cresci-2015-v1").as_uri()


def build_wheel(out: Path) -> Path:
    """The project's wheel, as ``make dist`` builds it, from a copy of the sources (so no
    ``build/`` is left in the checkout and nothing stale from an earlier build gets in)."""
    source = out.parent / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, source / name)
    for package in ("jobs", "transforms"):
        shutil.copytree(PROJECT_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        check=True,
        cwd=out.parent,
    )
    (wheel,) = out.glob("clout-*.whl")
    return wheel


def entry_point_from(wheel: Path, module_path: str, out: Path) -> Path:
    """A job's file taken from the wheel, so nothing of the checkout is on the driver's path."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / Path(module_path).name
    with zipfile.ZipFile(wheel) as archive:
        target.write_bytes(archive.read(module_path))
    return target


def submit_command(master: str, pipeline: Path, sample: Path, warehouse: Path, jars: list[str], wheel: Path | None) -> list[str]:
    """spark-submit of the pipeline's stages up to the score, shipping ``wheel`` when given."""
    return [
        str(spark_home() / "bin" / "spark-submit"),
        "--master", master,
        "--deploy-mode", "client",
        *(["--py-files", str(wheel)] if wheel else []),
        "--jars", ",".join(jars),
        "--driver-memory", "2g",
        "--executor-memory", "1g",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=2",
        str(pipeline),
        "--input", str(sample),
        "--warehouse", str(warehouse),
        "--date", SCORE_DATE.isoformat(),
        "--conf", str(PROJECT_ROOT / "conf" / "cluster.toml"),
        "--set", "spark.shuffle_partitions=4",
        "--set", f"quality.model={MODEL_URI}",
        # The stages up to the score: on 2 cores the topics stage adds minutes to a test that already
        # takes about 8 (it is tested end to end locally, on the sample and the gaming world).
        "--stages", "ingest", "quality", "metrics", "score",
        # Network influence to a looser tolerance than the profile's: the cluster test
        # checks that the stage runs there; the PageRank tests check its accuracy.
        "--set", "graph.pagerank.tol=1e-3",
    ]


@pytest.fixture(scope="module")
def cluster_run(spark, config, tmp_path_factory):
    """The whole pipeline on a sample, submitted with spark-submit to a standalone cluster."""
    root = tmp_path_factory.mktemp("deployment")
    sample = root / "sample"
    generate(sample, SAMPLE_EVENTS, 11)
    wheel = build_wheel(root / "dist")
    pipeline = entry_point_from(wheel, "jobs/pipeline.py", root / "submit")
    python = interpreter_without_project(root / "python")
    # The session fixture has resolved Delta into the cache; a cluster gets the same jars.
    jars = cached_jars(Path(config.packages.cache_dir).expanduser(), jvm_packages(config, with_graphframes=False))
    assert jars, "the test session should have cached the Delta jars"
    warehouse = root / "warehouse"
    env = cluster_env(python)
    # Without the wheel the driver has no project to import: the Python above really lacks it.
    unshipped = subprocess.run(
        submit_command("local[1]", pipeline, sample, root / "unshipped", jars, None), env=env, cwd=root, capture_output=True, text=True, timeout=300
    )
    with standalone_cluster(root / "cluster", python=python) as cluster:
        started = time.monotonic()
        result = subprocess.run(
            submit_command(cluster.master_url, pipeline, sample, warehouse, jars, wheel), env=env, cwd=root, capture_output=True, text=True, timeout=1500
        )
        seconds = time.monotonic() - started
        status = cluster.status()
    print(f"spark-submit on the standalone cluster: {seconds:.1f}s")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-6000:]
    return result, status, warehouse, sample, unshipped


def read_truth(sample: Path, name: str) -> list[dict[str, str]]:
    with open(sample / "truth" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_code_comes_only_from_the_shipped_wheel(cluster_run):
    *_, unshipped = cluster_run
    assert unshipped.returncode != 0
    output = unshipped.stdout + unshipped.stderr  # spark-submit passes the driver's traceback on to stdout
    assert "ModuleNotFoundError: No module named 'jobs'" in output, output[-3000:]


def test_the_pipeline_runs_on_a_standalone_cluster_from_the_wheel(cluster_run, spark):
    result, status, warehouse, sample, _ = cluster_run
    assert status["aliveworkers"] == 2
    (app,) = [app for app in status["completedapps"] if app["name"] == "clout-pipeline"]
    assert app["state"] == "FINISHED"
    # conf/cluster.toml logs JSON lines: every stage finished, and the run summed up.
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    finished = {e["stage"]: e for e in events if e["event"] == "stage_finished"}
    assert sorted(finished) == ["ingest", "metrics", "quality", "score"]
    (summary,) = [e for e in events if e["event"] == "run_summary"]
    assert [s["status"] for s in summary["stages"]] == ["done"] * 4
    engines = [e for e in events if e["event"] == "graph_engine"]
    assert [(e["requested"], e["engine"]) for e in engines] == [("auto", "dataframe")] * 2

    runs = spark.read.format("delta").load(str(warehouse / "ingest_runs"))
    ledger = runs.agg(*(F.sum(c).alias(c) for c in ("records_read", "accepted", "quarantined", "duplicates"))).first()
    # records read per source, against the test's own count of the input files
    read = {row.source: row.records_read for row in runs.groupBy("source").agg(F.sum("records_read").alias("records_read")).collect()}
    assert read == records_in_input(sample)
    assert ledger.records_read == ledger.accepted + ledger.quarantined + ledger.duplicates
    assert finished["ingest"]["rows_in"] == {"raw records": ledger.records_read}
    assert finished["ingest"]["rows_out"]["silver/quarantine"] == ledger.quarantined > 0

    verdicts = spark.read.format("delta").load(str(warehouse / "silver" / "account_quality"))
    assert finished["quality"]["rows_out"] == {"silver/account_quality": verdicts.count()}
    assert verdicts.select("platform", "account_id").distinct().count() == verdicts.count()
    # against the planted truth: every account judged once, every planted bot called by its kind
    judged = {(row.platform, row.account_id): row.kind for row in verdicts.select("platform", "account_id", "kind").collect()}
    planted = {(row["platform"], row["account_id"]): row["kind"] for row in read_truth(sample, "accounts.csv")}
    assert set(planted) <= set(judged)
    bots = {account: kind for account, kind in planted.items() if kind != "genuine"}
    summary = json.loads((sample / "truth" / "summary.json").read_text())
    assert len(bots) == sum(summary["bots"].values()) > 50
    assert {account: judged[account] for account in bots} == bots
    flagged = [account for account in planted if judged[account] not in ("genuine", "inactive")]
    assert len(bots) / len(flagged) >= 0.98  # measured: 65 bots and 1 genuine account flagged

    metrics = spark.read.format("delta").load(str(warehouse / "gold" / "person_metrics"))
    links = spark.read.format("delta").load(str(warehouse / "gold" / "influence_edges"))
    assert finished["metrics"]["rows_out"] == {"gold/person_metrics": metrics.count(), "gold/influence_edges": links.count()}
    assert metrics.select("person_id").distinct().count() == metrics.count() > 0
    assert finished["metrics"]["pagerank"]["converged"]
    assert metrics.agg(F.sum("network_influence")).first()[0] == pytest.approx(1.0, abs=1e-6)

    scores = spark.read.format("delta").load(str(warehouse / "gold" / "scores"))
    assert finished["score"]["rows_out"] == {"gold/scores": scores.count()} == {"gold/scores": metrics.count()}
    # The run ended with the date's top persons, the best-ranked scores.
    (leaders,) = [e for e in events if e["event"] == "top_persons"]
    best = [row.person_id for row in scores.orderBy("rank", "person_id").limit(len(leaders["persons"])).collect()]
    assert [p["person_id"] for p in leaders["persons"]] == best
