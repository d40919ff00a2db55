"""Killed runs and runs started at once, end to end, through the command users run.

``python -m jobs.pipeline`` on the input of the ``sample_run`` fixture, into a warehouse of
its own, is killed with SIGKILL (its whole process group: the driver and its JVM, as when a
node is lost) at four points, each run started again after the one before was killed:

1. during ingest, once bronze and the quarantine hold the run's rows and no event is written;
2. during quality, three seconds into the stage, before its verdicts are written;
3. during metrics, once ``gold/person_metrics`` is written and ``gold/influence_edges`` is not;
4. while the score stage writes ``gold/scores``.

Then two runs of the score and topics stages are started at once: one runs to its end
(the rerun after the last kill),
the other stops at once naming it; then the refused run's ingest is run again. The
warehouse must then hold exactly what the sample's one uninterrupted run wrote (contents,
leaving out run ids and run times): nothing doubled, nothing missing, and a ledger that
still reconciles.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from pyspark.sql import functions as F

from jobs.common.config import PROJECT_ROOT
from jobs.common.delta import Warehouse
from jobs.common.lock import LOCK_FILE
from jobs.ingest import INTERRUPTED, run_ingest
from jobs.pipeline import STAGES
from tests.integration.tables import assert_same, comparable

pytestmark = pytest.mark.integration

STAGE_STARTED = re.compile(r"stage (\w+): started")
RUN_TIMEOUT_SECONDS = 900


def version_file(table: str, version: int) -> str:
    return f"{table}/_delta_log/{version:020d}.json"


def latest_version(root: Path, table: str) -> int:
    """The table's last committed version, -1 if it has none."""
    commits = [int(p.stem) for p in (root / table / "_delta_log").glob("*.json")] if (root / table / "_delta_log").is_dir() else []
    return max(commits, default=-1)


@dataclass(frozen=True)
class KillPoint:
    """Where a run is killed: ``reached`` sees the warehouse and when each stage started."""

    stage: str
    what: str
    reached: Callable[[Path, dict[str, float]], bool]
    watched: tuple[str, ...]  # tables whose versions the report shows
    # The stages the killed run runs: from the stage the kill before it stopped, as a
    # scheduler retries a failed job (the run after the kill in ingest runs them all).
    stages: tuple[str, ...] = STAGES


def _stage_for(stage: str, seconds: float) -> Callable[[Path, dict[str, float]], bool]:
    return lambda root, started: stage in started and time.monotonic() - started[stage] >= seconds


KILL_POINTS = (
    KillPoint(
        "ingest", "bronze and the quarantine hold the run's rows, no event yet",
        lambda root, started: (root / version_file("silver/quarantine", 1)).exists(),
        ("ingest_files", "bronze/twitter", "silver/quarantine", "silver/events", "silver/ingested_records", "ingest_runs"),
    ),
    KillPoint("quality", "3 s into the stage", _stage_for("quality", 3.0), ("silver/account_quality",)),
    KillPoint(
        "metrics", "gold/person_metrics written, gold/influence_edges not",
        lambda root, started: (root / version_file("gold/person_metrics", 0)).exists(),
        ("gold/person_metrics", "gold/influence_edges"),
        STAGES[STAGES.index("quality"):],
    ),
    KillPoint(
        "score", "gold/scores' data files being written",
        lambda root, started: "score" in started and any((root / "gold" / "scores").rglob("*.parquet")),
        ("gold/scores",),
        STAGES[STAGES.index("metrics"):],
    ),
)


@dataclass(frozen=True)
class Kill:
    point: KillPoint
    seconds: float
    versions: dict[str, int]  # of the watched tables when the run was killed
    stages_started: tuple[str, ...]


def pipeline_command(input_dir: Path, warehouse: Path, score_date, stages: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "jobs.pipeline", "--input", str(input_dir), "--warehouse", str(warehouse),
            "--date", score_date.isoformat(), "--stages", *stages, "--conf", str(PROJECT_ROOT / "conf" / "test.toml")]


def start(command: list[str], output: Path) -> subprocess.Popen:
    with output.open("w") as handle:  # the child keeps its own copy of the descriptor
        # A session of its own: killing its process group kills the JVM with the driver.
        return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def run_and_kill(command: list[str], warehouse: Path, point: KillPoint, output: Path) -> Kill:
    """Runs the command until ``point`` is reached, then SIGKILLs its process group."""
    began = time.monotonic()
    process = start(command, output)
    started: dict[str, float] = {}
    try:
        while time.monotonic() - began < RUN_TIMEOUT_SECONDS:
            if process.poll() is not None:
                pytest.fail(f"the run ended (exit {process.returncode}) before the kill point {point.stage}: "
                            f"{point.what}\n{output.read_text()[-3000:]}")
            for stage in STAGE_STARTED.findall(output.read_text(errors="replace")):
                started.setdefault(stage, time.monotonic())
            if point.reached(warehouse, started):
                versions = {table: latest_version(warehouse, table) for table in point.watched}
                kill_group(process)
                return Kill(point, time.monotonic() - began, versions, tuple(started))
            time.sleep(0.05)
        pytest.fail(f"the kill point {point.stage} was not reached in {RUN_TIMEOUT_SECONDS} s")
    finally:
        if process.poll() is None:
            kill_group(process)


@dataclass(frozen=True)
class Outcome:
    warehouse: Warehouse
    kills: list[Kill]
    lock_left_by_kill: bool
    exits: dict[str, int]  # "winner"/"refused" -> exit status of the two runs started at once
    refused_output: str
    winner_pid: int
    lock_after_pair: bool


@pytest.fixture(scope="module")
def killed(spark, config, sample_run, tmp_path_factory) -> Outcome:
    root = tmp_path_factory.mktemp("killed-runs")
    warehouse_dir, logs = root / "warehouse", root / "logs"
    logs.mkdir()

    def command(stages: tuple[str, ...]) -> list[str]:
        return pipeline_command(sample_run.sample, warehouse_dir, sample_run.score_date, stages)

    kills = [run_and_kill(command(point.stages), warehouse_dir, point, logs / f"killed-in-{point.stage}.log") for point in KILL_POINTS]
    lock_left = (warehouse_dir / LOCK_FILE).exists()
    for kill in kills:
        print(f"killed in {kill.point.stage} ({kill.point.what}) after {kill.seconds:.1f} s; "
              f"stages started: {', '.join(kill.stages_started)}; versions then: {kill.versions}")
    pair = [start(command(STAGES[STAGES.index("score"):]), logs / f"at-once-{n}.log") for n in (1, 2)]
    exits = [process.wait(timeout=RUN_TIMEOUT_SECONDS) for process in pair]
    winner = 0 if exits[0] == 0 else 1
    refused_output = (logs / f"at-once-{2 - winner}.log").read_text()
    lock_after = (warehouse_dir / LOCK_FILE).exists()
    warehouse = Warehouse(str(warehouse_dir), "clout_killed")
    # The refused run's input again (it read nothing of it): nothing new, nothing doubled.
    run_ingest(spark, config, str(sample_run.sample), warehouse)
    return Outcome(warehouse, kills, lock_left, {"winner": exits[winner], "refused": exits[1 - winner]},
                   refused_output, pair[winner].pid, lock_after)


def read(spark, warehouse: Warehouse, table: str):
    return spark.read.format("delta").load(warehouse.path(table))


def test_each_kill_hit_its_point(killed):
    by_stage = {kill.point.stage: kill for kill in killed.kills}
    ingest = by_stage["ingest"].versions
    assert ingest["silver/quarantine"] == 1 and ingest["ingest_runs"] == 0  # rows written, the run not recorded
    assert by_stage["quality"].versions["silver/account_quality"] == -1
    assert by_stage["metrics"].versions == {"gold/person_metrics": 0, "gold/influence_edges": -1}
    assert by_stage["score"].stages_started == ("metrics", "score")
    assert killed.lock_left_by_kill  # the next run took over the lock of a dead process


def test_two_runs_at_once_one_ends_and_the_other_is_refused_naming_it(killed):
    assert killed.exits == {"winner": 0, "refused": 1}
    assert f"is being written by another run (jobs.pipeline, pid {killed.winner_pid}" in killed.refused_output
    assert "stage score: started" not in killed.refused_output  # refused before it began
    assert not killed.lock_after_pair


SILVER_TABLES = ("silver/events", "silver/accounts", "silver/identities", "silver/quarantine", "silver/ingested_records", "ingest_files")
DATED_TABLES = ("silver/account_quality", "gold/person_metrics", "gold/influence_edges", "gold/scores", "gold/topic_scores", "gold/topic_leaders")


def test_the_warehouse_holds_what_an_uninterrupted_run_wrote(spark, killed, sample_run):
    base, got = sample_run.warehouse, killed.warehouse
    bronze = sorted(f"bronze/{p.name}" for p in (Path(base.root) / "bronze").iterdir())
    for table in (*bronze, *SILVER_TABLES):
        assert_same(comparable(read(spark, got, table)), comparable(read(spark, base, table)), table)
    assert read(spark, got, "silver/unresolved_targets").count() == read(spark, base, "silver/unresolved_targets").count()
    on_date = F.col("score_date") == F.lit(sample_run.score_date)
    for table in DATED_TABLES:
        assert_same(comparable(read(spark, got, table).where(on_date)), comparable(read(spark, base, table).where(on_date)), table)


COUNTS = ("files_read", "records_read", "accepted", "quarantined", "duplicates", "events_mapped")


def test_the_ledger_reconciles_and_records_the_killed_run(spark, killed, sample_run):
    ledger = read(spark, killed.warehouse, "ingest_runs").collect()
    assert all(r.records_read == r.accepted + r.quarantined + r.duplicates for r in ledger)
    statuses = collections.Counter(r.status for r in {(r.run_id, r.status): r for r in ledger}.values())
    # The run killed in ingest, recorded by the next (the one killed in quality), and the
    # ingest run again at the end; the other runs start after ingest.
    assert statuses == {INTERRUPTED: 1, "succeeded": 2}
    assert all(getattr(r, c) == 0 for r in ledger if r.status == INTERRUPTED for c in COUNTS)
    first = min(read(spark, sample_run.warehouse, "ingest_runs").collect(), key=lambda r: r.started_at).run_id
    want = {r.source: tuple(getattr(r, c) for c in COUNTS) for r in read(spark, sample_run.warehouse, "ingest_runs").collect() if r.run_id == first}
    got: dict[str, list[int]] = collections.defaultdict(lambda: [0] * len(COUNTS))
    for r in ledger:
        got[r.source] = [a + getattr(r, c) for a, c in zip(got[r.source], COUNTS)]
    assert {source: tuple(counts) for source, counts in got.items()} == want
