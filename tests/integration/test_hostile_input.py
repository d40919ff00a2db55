"""The pipeline on hostile input mixed among the normal records of the built-in sample.

The sample of the ``sample_run`` fixture, its files linked as they are, plus the hostile
files of :mod:`tests.integration.hostile_input` (and its ``identities.csv`` rewritten with a
byte-order mark and CRLF line ends, hostile rows after the normal ones), go through every
stage in one run. ``sample_run`` is the same run without the hostile records: what the
normal records yield must be exactly what they yield there.
"""

from __future__ import annotations

import collections
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.common.delta import Warehouse
from jobs.common.ingest_io import SOURCES
from jobs.common.run_log import RunLog
from jobs.pipeline import STAGES, run_pipeline
from tests.integration.conftest import SampleRun
from tests.integration.tables import assert_same, comparable, relative
from tests.integration.hostile_input import ACCEPTED, COLLIDER, FILE, GZIP, NO_RECORDS, PREFIX, QUARANTINED, Expected, write_hostile

pytestmark = pytest.mark.integration

@dataclass(frozen=True)
class HostileRun:
    baseline: SampleRun
    root: Path
    warehouse: Warehouse
    expected: list[Expected]
    outcomes: dict[str, dict[str, Any]]
    seconds: float
    normal_identities: int  # rows of the sample's identities.csv: hostile rows come after them

    def is_hostile(self) -> F.Column:
        """Whether a row (with source_file, source_position) comes from a hostile record."""
        return relative().contains("/" + PREFIX) | ((relative() == "identities.csv") & (F.col("source_position") > self.normal_identities + 1))


@pytest.fixture(scope="module")
def hostile(spark, config, sample_run, tmp_path_factory) -> HostileRun:
    root = tmp_path_factory.mktemp("hostile-input")
    for source in SOURCES:
        (root / source).mkdir()
        for file in sorted((sample_run.sample / source).iterdir()):
            (root / source / file.name).symlink_to(file)
    normal = (sample_run.sample / "identities.csv").read_bytes()
    expected = write_hostile(root, seed=11, normal_identities=normal)
    warehouse = Warehouse(str(tmp_path_factory.mktemp("hostile-warehouse")), "clout_hostile")
    log = RunLog("clout-tests", config.logging.format, stream=io.StringIO())
    started = time.monotonic()
    outcomes = run_pipeline(spark, config, warehouse, sample_run.score_date, STAGES, log, str(root))
    seconds = time.monotonic() - started
    stages = "; ".join(line.split("stage ", 1)[1] for line in log.stream.getvalue().splitlines() if " done in " in line)
    print(f"pipeline on the sample with {len(expected)} hostile records: {seconds:.1f} s ({stages})")
    return HostileRun(sample_run, root, warehouse, expected, outcomes, seconds, len(normal.splitlines()) - 1)


def read(spark, warehouse: Warehouse, table: str) -> DataFrame:
    return spark.read.format("delta").load(warehouse.path(table))


def records(run: HostileRun, *outcomes: str) -> list[Expected]:
    return [e for e in run.expected if e.outcome in outcomes]


def test_every_stage_runs_to_its_end(hostile):
    assert list(hostile.outcomes) == list(STAGES)
    assert len(records(hostile, ACCEPTED, QUARANTINED, FILE)) >= 1000
    assert {e.kind for e in hostile.expected} >= {
        "truncated JSON", "timestamp is a word", "far-future date", "pre-1970 date", "10 MB text field",
        "invalid UTF-8 bytes in a text", "byte-order mark", "CRLF line ends", "JSON nested 10,000 levels deep",
        "duplicate JSON key (the last wins)", "NUL byte", "CSV with embedded newlines", "CSV with an unbalanced quote",
        "empty file", "zero-byte .gz", "corrupt gzip stream", "ids colliding across platforms", "emoji handle",
        "right-to-left handle",
    }


def test_the_ledger_accounts_for_every_record(spark, hostile):
    ledger = read(spark, hostile.warehouse, "ingest_runs").collect()
    assert len({r.run_id for r in ledger}) == 1 and all(r.status == "succeeded" for r in ledger)
    assert all(r.records_read == r.accepted + r.quarantined + r.duplicates for r in ledger)
    # The sample's own run, the first of its warehouse (later tests may ingest there again).
    base = {}
    for r in sorted(read(spark, hostile.baseline.warehouse, "ingest_runs").collect(), key=lambda r: r.started_at, reverse=True):
        base[r.source] = r
    want = collections.Counter((e.source, e.outcome) for e in hostile.expected)
    hostile_files = {e.file for e in hostile.expected}
    assert {r.source for r in ledger} == set(base)
    for row in ledger:
        b, s = base[row.source], row.source
        assert row.accepted == b.accepted + want[s, ACCEPTED], s
        assert row.quarantined == b.quarantined + want[s, QUARANTINED] + want[s, FILE], s
        assert row.duplicates == b.duplicates, s
        assert row.records_read == b.records_read + want[s, ACCEPTED] + want[s, QUARANTINED] + want[s, FILE], s
        assert row.files_read == b.files_read + len({f for f in hostile_files if f.startswith(s + "/")}), s


def quarantine_of(spark, run: HostileRun, hostile_rows: bool) -> DataFrame:
    rows = read(spark, run.warehouse, "silver/quarantine")
    return rows.where(run.is_hostile() if hostile_rows else ~run.is_hostile())


def test_each_hostile_record_is_quarantined_with_a_reason_to_act_on(spark, hostile):
    rows = quarantine_of(spark, hostile, True).select("source", relative().alias("file"), "source_position", "record_path", "reason")
    got = {(r.source, r.file, r.source_position, r.record_path): r.reason for r in rows.collect()}
    want = {(e.source, e.file, e.position, e.record_path): e.reason for e in records(hostile, QUARANTINED, FILE)}
    kinds = {(e.source, e.file, e.position, e.record_path): e.kind for e in hostile.expected}
    wrong = {k: (kinds.get(k), got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
    assert not wrong, sorted(wrong.items(), key=str)[:20]


def test_a_corrupt_gzip_is_one_file_level_entry_and_the_other_files_land(spark, hostile):
    corrupt = [e for e in records(hostile, FILE) if e.reason == GZIP]
    assert {e.source for e in corrupt} == {"edges", "research_csv"}
    quarantine = read(spark, hostile.warehouse, "silver/quarantine").withColumn("file", relative())
    events = read(spark, hostile.warehouse, "silver/events").withColumn("file", relative())
    for e in corrupt:
        rows = quarantine.where(F.col("file") == e.file).collect()
        assert [(r.source_position, r.record_path, r.raw, r.reason) for r in rows] == [(0, "", None, GZIP)]
        assert events.where(F.col("file") == e.file).count() == 0
        empty = {x.file for x in hostile.expected if x.source == e.source and x.outcome in (FILE, NO_RECORDS)}
        on_disk = {f"{e.source}/{p.name}" for p in (hostile.root / e.source).iterdir()}
        if e.source == "edges":  # every other file of the source yields its events
            landed = {r.file for r in events.where(F.col("source") == e.source).select("file").distinct().collect()}
            assert landed == on_disk - empty
    listed = {r.file for r in read(spark, hostile.warehouse, "ingest_files").select(relative().alias("file")).collect()}
    assert {e.file for e in hostile.expected} <= listed  # read once, the unreadable and empty files too


def test_accepted_hostile_records_land_as_they_are(spark, hostile):
    accepted = records(hostile, ACCEPTED)
    events = read(spark, hostile.warehouse, "silver/events").where(hostile.is_hostile()).select(
        "platform", "event_type", "actor_account_id", "post_id", "target_account_id", relative().alias("file"),
        "source_position", F.sha2("text", 256).alias("sha"),
    ).collect()
    by_event = collections.defaultdict(list)
    for r in events:
        by_event[r.platform, r.event_type, r.actor_account_id].append(r)
    for e in (e for e in accepted if e.event):
        platform, kind, actor, post_id, target = e.event
        found = [r for r in by_event[platform, kind, actor] if (post_id is None or r.post_id == post_id) and (target is None or r.target_account_id == target)]
        assert len(found) == 1, (e.kind, e.file, e.position, e.event)
        assert (found[0].file, found[0].source_position) == (e.file, e.position), e.kind
        if e.text_sha256:
            assert found[0].sha == e.text_sha256, (e.kind, e.file, e.position)
    accounts = {(r.platform, r.account_id): r.asDict() for r in read(spark, hostile.warehouse, "silver/accounts").where(
        F.col("account_id").startswith("77") | F.col("account_id").startswith("hx") | F.col("account_id").startswith("did:plc:hx")).collect()}
    for e in (e for e in accepted if e.account):
        assert {k: accounts[e.account][k] for k in e.account_fields} == e.account_fields, (e.kind, e.account)
    assert {key for key in accounts if key[1] == COLLIDER} == {(p, COLLIDER) for p in ("twitter", "mastodon", "weibo", "facebook", "reddit", "snap")}
    assert {accounts["weibo", COLLIDER]["person_id"], accounts["twitter", COLLIDER]["person_id"]} == {f"weibo:{COLLIDER}", "hx-collider"}
    links = {(r.person_id, r.platform, r.account_id) for r in read(spark, hostile.warehouse, "silver/identities").collect()}
    assert {e.identity for e in accepted if e.identity} <= links
    for e in (e for e in hostile.expected if e.outcome == NO_RECORDS):
        assert read(spark, hostile.warehouse, "silver/quarantine").where(relative() == e.file).count() == 0


def test_normal_records_yield_what_they_yield_without_hostile_ones(spark, hostile):
    base, run = hostile.baseline.warehouse, hostile.warehouse
    normal_events = read(spark, run, "silver/events").where(~hostile.is_hostile())
    assert_same(comparable(normal_events), comparable(read(spark, base, "silver/events")), "silver/events")
    assert_same(comparable(quarantine_of(spark, hostile, False)), comparable(read(spark, base, "silver/quarantine")), "silver/quarantine")
    base_accounts = read(spark, base, "silver/accounts")
    accounts = read(spark, run, "silver/accounts").join(base_accounts.select("platform", "account_id"), ["platform", "account_id"], "left_semi")
    accounts = accounts.select(*base_accounts.columns)
    assert_same(comparable(accounts), comparable(base_accounts), "silver/accounts")
    on_date = F.col("score_date") == F.lit(hostile.baseline.score_date)
    for table in ("silver/account_quality", "gold/person_metrics", "gold/scores", "gold/topic_scores", "gold/topic_leaders"):
        assert_same(comparable(read(spark, run, table).where(on_date)), comparable(read(spark, base, table).where(on_date)), table)
