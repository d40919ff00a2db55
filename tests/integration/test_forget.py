"""The right to be forgotten, end to end: a person erased from a whole pipeline run can be
read back through nothing (Spark, time travel, delta-rs, the files), and the next run
scores everyone else without them."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F

from jobs.common.config import PROJECT_ROOT, PrivacySettings
from jobs.common.delta import Warehouse, local_tables
from jobs.forget import ERASURE_LOG
from jobs.ingest import adapter_for
from jobs.metrics import run_metrics
from jobs.score import run_score
from transforms.privacy import raw_records_of

pytestmark = pytest.mark.integration

SALT = "a-salt-for-tests-only-0123456789"


@dataclasses.dataclass(frozen=True)
class Erasure:
    warehouse: Warehouse
    person_id: str
    accounts: list[tuple[str, str]]
    engaged: str  # a person the erased person engaged
    engaged_before: int  # their distinct genuine engagers before the erasure
    versions_before: dict[str, int]  # per table, its last version before the erasure
    entry: dict
    after_rerun: dict[str, dict]  # person_id -> gold/scores and metrics row after the next run


def read(spark, warehouse, table, **options):
    reader = spark.read.format("delta")
    for key, value in options.items():
        reader = reader.option(key, value)
    return reader.load(warehouse.path(table))


@pytest.fixture(scope="module")
def erasure(spark, config, sample_topics, tmp_path_factory, monkeypatch_module) -> Erasure:
    """A copy of the sample's warehouse after its whole run; one genuine person with two or
    more linked accounts, who engaged someone, erased from it by the command users run
    (``python -m jobs.forget --account PLATFORM:ID``, naming one of their accounts); then
    metrics and score again."""
    run, _ = sample_topics
    root = Path(tmp_path_factory.mktemp("forget")) / "warehouse"
    shutil.copytree(run.warehouse.root, root, symlinks=True)
    warehouse = Warehouse(str(root), "clout_forget")
    on_date = F.col("score_date") == F.lit(run.score_date)
    verdicts = read(spark, warehouse, "silver/account_quality").where(on_date)
    identities = read(spark, warehouse, "silver/identities")
    links = read(spark, warehouse, "gold/influence_edges").where(on_date & (F.col("direction") == "influenced_by"))
    genuine = verdicts.where(F.col("kind") == "genuine").select("platform", "account_id")
    linked = identities.join(genuine, ["platform", "account_id"]).groupBy("person_id").count().where(F.col("count") >= 2)
    metrics = read(spark, warehouse, "gold/person_metrics").where(on_date)
    scored = metrics.select(F.col("person_id").alias("other_person_id"), F.col("engagers").alias("engaged_before"))
    chosen = (
        linked.join(links.select("person_id", "other_person_id"), "person_id")
        .join(scored, "other_person_id")
        .orderBy("person_id", "other_person_id")
        .first()
    )
    person_id, engaged, engaged_before = chosen["person_id"], chosen["other_person_id"], chosen["engaged_before"]
    accounts = [(r["platform"], r["account_id"]) for r in identities.where(F.col("person_id") == person_id).collect()]
    versions = {t: DeltaTable.forPath(spark, warehouse.path(t)).history(1).first()["version"] for t in local_tables(warehouse)}
    private = dataclasses.replace(config, privacy=PrivacySettings(salt_env="CLOUT_TEST_SALT"))
    monkeypatch_module.setenv("CLOUT_TEST_SALT", SALT)
    platform, account_id = accounts[0]
    command = [sys.executable, "-m", "jobs.forget", "--warehouse", str(root), "--account", f"{platform}:{account_id}",
               "--conf", str(PROJECT_ROOT / "conf" / "test.toml"), "--set", "privacy.salt_env=CLOUT_TEST_SALT"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, "CLOUT_TEST_SALT": SALT}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"erased {len(accounts)} account(s) of one person" in done.stdout + done.stderr, done.stdout[-2000:]
    entry = read(spark, warehouse, ERASURE_LOG).first().asDict()
    run_metrics(spark, private, warehouse, run.score_date, "dataframe")
    run_score(spark, private, warehouse, run.score_date)
    after = {r["person_id"]: r.asDict() for r in read(spark, warehouse, "gold/person_metrics").where(on_date).collect()}
    return Erasure(warehouse, person_id, accounts, engaged, engaged_before, versions, entry, after)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def rows_of_subject(frame, erasure: Erasure):
    """Rows of a table that name the erased person or one of their accounts."""
    conditions = []
    for column in ("person_id", "other_person_id"):
        if column in frame.columns:
            conditions.append(F.col(column) == F.lit(erasure.person_id))
    for account_column in ("account_id", "actor_account_id", "target_account_id"):
        if account_column in frame.columns and "platform" in frame.columns:
            for platform, account_id in erasure.accounts:
                conditions.append((F.col("platform") == platform) & (F.col(account_column) == account_id))
    if not conditions:
        return None
    condition = conditions[0]
    for more in conditions[1:]:
        condition = condition | more
    return frame.where(condition)


def test_the_erasure_removed_the_persons_rows_and_anonymised_events_of_others(erasure):
    removed, anonymised = erasure.entry["rows_removed"], erasure.entry["rows_anonymised"]
    assert erasure.entry["accounts"] == len(erasure.accounts) >= 2
    assert removed["silver/accounts"] == len(erasure.accounts)
    assert removed["silver/identities"] == len(erasure.accounts)
    for table in ("silver/events", "silver/account_quality", "gold/person_metrics", "gold/scores", "gold/influence_edges"):
        assert removed[table] > 0, table
    assert any(t.startswith("bronze/") and n > 0 for t, n in removed.items())
    assert anonymised["silver/events"] > 0


def test_no_table_holds_the_person_through_spark(spark, erasure):
    for table in local_tables(erasure.warehouse):
        found = rows_of_subject(read(spark, erasure.warehouse, table), erasure)
        if found is not None:
            assert found.count() == 0, table


def test_no_raw_record_carries_the_person(spark, config, erasure):
    subject = spark.createDataFrame(erasure.accounts, "platform string, account_id string")
    for table in local_tables(erasure.warehouse):
        if table.startswith("bronze/"):
            source = table.removeprefix("bronze/")
            records = adapter_for(source, config)(read(spark, erasure.warehouse, table))
            assert raw_records_of(records, subject).count() == 0, table


def test_time_travel_cannot_bring_the_person_back(spark, erasure):
    """Every version before the erasure either lost its files to VACUUM or never held the person."""
    for table in ("silver/events", "silver/accounts", "silver/identities", "gold/scores", "gold/person_metrics"):
        for version in range(erasure.versions_before[table] + 1):
            try:
                leaked = rows_of_subject(read(spark, erasure.warehouse, table, versionAsOf=version), erasure).count()
            except Exception as error:  # noqa: BLE001 - a vacuumed version fails to read: that is the point
                assert re.search("FileNotFound|FILE_NOT_EXIST|does not exist|not found", str(error), re.I), str(error)[:300]
                continue
            assert leaked == 0, (table, version)


def test_delta_rs_and_the_files_on_disk_hold_nothing_of_the_person(erasure):
    from deltalake import DeltaTable as DeltaRs

    ids = {erasure.person_id} | {account_id for _, account_id in erasure.accounts}
    for table in ("gold/scores", "gold/person_metrics", "silver/accounts", "silver/identities"):
        rows = DeltaRs(erasure.warehouse.path(table)).to_pyarrow_table().to_pylist()
        assert not [r for r in rows if r.get("person_id") == erasure.person_id], table
    # Every Parquet file left under the tables, referenced or not: none holds an id of theirs
    # in a person or account column.
    columns = {"person_id", "other_person_id", "account_id", "actor_account_id"}
    for file in Path(erasure.warehouse.root).rglob("*.parquet"):
        if "_delta_log" in file.parts or "_catalog" in file.parts:
            continue
        present = columns & set(pq.read_schema(file).names)
        if present:
            values = pq.read_table(file, columns=sorted(present)).to_pydict()
            person_values = set(values.get("person_id", [])) | set(values.get("other_person_id", []))
            assert erasure.person_id not in person_values, file
            if "platform" in pq.read_schema(file).names:
                table = pq.read_table(file, columns=["platform", *sorted(present & {"account_id", "actor_account_id"})]).to_pylist()
                leaked = [r for r in table if any((r["platform"], r.get(c)) in set(erasure.accounts) for c in ("account_id", "actor_account_id"))]
                assert not leaked, file
    assert ids  # the ids checked are the person's own


def test_the_erasure_log_holds_no_personal_data(spark, erasure):
    log = read(spark, erasure.warehouse, ERASURE_LOG).collect()
    assert len(log) == 1
    text = str(log[0].asDict())
    assert erasure.person_id not in text
    assert not any(account_id in text for _, account_id in erasure.accounts if len(account_id) > 3)
    assert len(log[0]["subject_hash"]) == 64 and log[0]["subject_hash"] == erasure.entry["subject_hash"]


def test_the_next_run_scores_everyone_else_without_them(erasure):
    assert erasure.person_id not in erasure.after_rerun
    assert erasure.after_rerun[erasure.engaged]["engagers"] == erasure.engaged_before - 1
