"""The right to be forgotten: erase one person from every table of a warehouse.

``python -m jobs.forget --warehouse W --person P`` (or ``--account PLATFORM:ID``, which
erases the person that account belongs to) removes, in this order:

- bronze: every raw record that carries the person (a profile snapshot, an event they
  acted in, an identity link), and those records' quarantine rows;
- silver: their events (as actor), accounts, identity links, quality verdicts of every
  date and waiting targets; other people's events that target them stay, with the target
  (account and handle) set to null;
- gold: every row of every date that names them (``person_id``, ``other_person_id``), by
  id and, with a salt in the environment, by pseudonym.

It then VACUUMs every table it changed with ``[privacy] vacuum_retention_hours`` (0 by
default), so neither time travel nor a reader of the files brings the person back, and
appends one row to ``erasure_log`` that holds no personal data: a salted hash of the
person id and the rows removed per table. Other persons' metrics and scores still count
the person until the next run of their dates recomputes them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from functools import reduce
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402
from pyspark.sql.types import LongType, MapType, StringType, StructField, StructType, TimestampType  # noqa: E402

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.config import CloutConfig, ConfigError  # noqa: E402
from jobs.common.delta import DeltaTable, Warehouse, append, ensure_table, local_tables, table_exists, table_version  # noqa: E402
from jobs.common.ingest_io import BRONZE_SOURCES  # noqa: E402
from jobs.common.lock import single_writer  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.ingest import adapter_for  # noqa: E402
from transforms.metrics.person_metrics import person_of_account, pseudonym_of  # noqa: E402
from transforms.privacy import raw_records_of, subject_accounts  # noqa: E402

ERASURE_LOG = "erasure_log"
ERASURE_LOG_SCHEMA = StructType(
    [
        StructField("erased_at", TimestampType(), False),
        StructField("subject_hash", StringType(), False),
        StructField("accounts", LongType(), False),
        StructField("rows_removed", MapType(StringType(), LongType()), False),
        StructField("rows_anonymised", MapType(StringType(), LongType()), False),
        StructField("vacuum_retention_hours", StringType(), False),
    ]
)
PERSON_COLUMNS = ("person_id", "other_person_id")
# The gold tables the stages write; on a local warehouse any other gold table found is erased from too.
GOLD_TABLES = ("gold/person_metrics", "gold/influence_edges", "gold/scores", "gold/topic_scores", "gold/topic_leaders")


def _local(warehouse: Warehouse) -> bool:
    return "://" not in warehouse.root or warehouse.root.startswith("file:")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.forget", description="Erase one person from every table of a warehouse.")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", help="person id, as the tables name it")
    who.add_argument("--account", help="PLATFORM:ACCOUNT_ID of one of the person's accounts")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def person_of(spark: SparkSession, warehouse: Warehouse, platform: str, account_id: str) -> str:
    """The person an account belongs to (``platform:account_id`` for an account of its own)."""
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    row = accounts.where((F.col("platform") == platform) & (F.col("account_id") == account_id)).select(person_of_account()).first()
    return row[0] if row else f"{platform}:{account_id}"


def _merge_delete(spark: SparkSession, path: str, rows: DataFrame, condition: str) -> int:
    """Deletes the rows of a table that match ``rows`` (``t``: the table, ``s``: rows); returns how many."""
    version = table_version(spark, path)
    DeltaTable.forPath(spark, path).alias("t").merge(F.broadcast(rows).alias("s"), condition).whenMatchedDelete().execute()
    return _changed(spark, path, version, "numTargetRowsDeleted")


def _changed(spark: SparkSession, path: str, since: int, metric: str) -> int:
    history = DeltaTable.forPath(spark, path).history().where(F.col("version") > since)
    return sum(int(r["operationMetrics"].get(metric, 0) or 0) for r in history.select("operationMetrics").collect())  # commits of this job


def _delete(spark: SparkSession, path: str, condition: F.Column) -> int:
    version = table_version(spark, path)
    DeltaTable.forPath(spark, path).delete(condition)
    return _changed(spark, path, version, "numDeletedRows")


def erase_raw_records(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, subject: DataFrame) -> dict[str, int]:
    """Deletes the bronze records that carry the subject, and their quarantine rows."""
    removed: dict[str, int] = {}
    quarantine = warehouse.path("silver/quarantine")
    for source in BRONZE_SOURCES:
        path = warehouse.path(f"bronze/{source}")
        if not table_exists(spark, path):
            continue
        bronze = spark.read.format("delta").load(path)
        hits = raw_records_of(adapter_for(source, config)(bronze), subject).localCheckpoint(eager=True)
        on_record = "t.source_file = s.source_file AND t.source_position = s.source_position"
        removed[f"bronze/{source}"] = _merge_delete(spark, path, hits, on_record)
        if table_exists(spark, quarantine):
            removed[f"silver/quarantine ({source})"] = _merge_delete(
                spark, quarantine, hits.withColumn("source", F.lit(source)), f"t.source = s.source AND {on_record}"
            )
    return removed


def erase_silver(spark: SparkSession, warehouse: Warehouse, subject: DataFrame, person_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """Deletes the subject's own silver rows; anonymises the events of others that target them."""
    removed, anonymised = {}, {}
    events = warehouse.path("silver/events")
    on_account = "t.platform = s.platform AND t.account_id = s.account_id"
    handles = subject.where(F.col("handle").isNotNull()).select("platform", F.lower("handle").alias("handle"))
    if table_exists(spark, events):
        own = spark.read.format("delta").load(events).join(
            subject.withColumnRenamed("account_id", "actor_account_id"), ["platform", "actor_account_id"], "left_semi"
        ).select("event_id").localCheckpoint(eager=True)
        removed["silver/events"] = _merge_delete(spark, events, subject, "t.platform = s.platform AND t.actor_account_id = s.account_id")
        version = table_version(spark, events)
        DeltaTable.forPath(spark, events).update(
            condition=targets_subject(subject.collect()),  # one person's accounts: a handful of rows
            set={"target_account_id": F.lit(None).cast("string"), "target_handle": F.lit(None).cast("string")},
        )
        anonymised["silver/events"] = _changed(spark, events, version, "numUpdatedRows")
        waiting = warehouse.path("silver/unresolved_targets")
        if table_exists(spark, waiting):
            removed["silver/unresolved_targets"] = _merge_delete(spark, waiting, own, "t.event_id = s.event_id") + _merge_delete(
                spark, waiting, handles, "t.platform = s.platform AND lower(t.target_handle) = s.handle"
            )
    for table in ("silver/accounts", "silver/account_quality"):
        if table_exists(spark, warehouse.path(table)):
            removed[table] = _merge_delete(spark, warehouse.path(table), subject, on_account)
    identities = warehouse.path("silver/identities")
    if table_exists(spark, identities):
        removed["silver/identities"] = _delete(spark, identities, F.col("person_id") == F.lit(person_id)) + _merge_delete(
            spark, identities, subject, on_account
        )
    return removed, anonymised


def targets_subject(accounts: list) -> F.Column:
    """Events of other people whose target is one of the subject's accounts, by id or by handle."""
    condition = F.lit(False)
    for account in accounts:
        named = F.col("target_account_id") == F.lit(account["account_id"])
        if account["handle"]:
            named = named | (F.lower("target_handle") == F.lit(account["handle"].lower()))
        condition = condition | ((F.col("platform") == F.lit(account["platform"])) & named)
    return condition


def erase_gold(spark: SparkSession, warehouse: Warehouse, names: list[str]) -> dict[str, int]:
    """Deletes every gold row of every date that names the person (by id or pseudonym)."""
    removed = {}
    found = local_tables(warehouse) if _local(warehouse) else []
    for table in sorted(set(GOLD_TABLES) | {t for t in found if t.startswith("gold/")}):
        path = warehouse.path(table)
        if not table_exists(spark, path):
            continue
        columns = [c for c in PERSON_COLUMNS if c in spark.read.format("delta").load(path).columns]
        if columns:
            removed[table] = _delete(spark, path, reduce(lambda a, b: a | b, [F.col(c).isin(names) for c in columns]))
    return removed


def subject_hash(person_id: str, salt: str) -> str:
    """The erasure log's name for a person: without the salt, nobody can tell whom it names,
    and it is not the person's gold pseudonym, so the log links to nothing else."""
    return hashlib.sha256(f"{salt}\x1ferasure\x1f{person_id}".encode()).hexdigest()


def forget(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, person_id: str) -> dict:
    """Erases a person everywhere, VACUUMs what changed and logs the erasure; returns the log row."""
    salt = config.privacy.salt()
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    identities = spark.read.format("delta").load(warehouse.path("silver/identities"))
    subject = subject_accounts(accounts, identities, person_id).localCheckpoint(eager=True)
    account_count = subject.count()
    removed = erase_raw_records(spark, config, warehouse, subject)
    silver_removed, anonymised = erase_silver(spark, warehouse, subject, person_id)
    removed.update(silver_removed)
    removed.update(erase_gold(spark, warehouse, [person_id, pseudonym_of(person_id, salt)]))
    changed = sorted({table.split(" (")[0] for table, rows in {**removed, **anonymised}.items() if rows})
    retention = config.privacy.vacuum_retention_hours
    # VACUUM below Delta's 7-day safety check is what an erasure needs: the check is off for
    # these VACUUMs only.
    check = "spark.databricks.delta.retentionDurationCheck.enabled"
    previous = spark.conf.get(check, "true")
    spark.conf.set(check, "false")
    try:
        for table in changed:
            DeltaTable.forPath(spark, warehouse.path(table)).vacuum(retention)
    finally:
        spark.conf.set(check, previous)
    entry = {
        "erased_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
        "subject_hash": subject_hash(person_id, salt),
        "accounts": account_count,
        "rows_removed": {t: n for t, n in removed.items() if n},
        "rows_anonymised": {t: n for t, n in anonymised.items() if n},
        "vacuum_retention_hours": f"{retention:g}",
    }
    ensure_table(spark, warehouse, ERASURE_LOG, ERASURE_LOG_SCHEMA, (), "Erasures (jobs.forget): a salted hash of the person and rows removed per table; no personal data.")
    append(spark.createDataFrame([tuple(entry.values())], ERASURE_LOG_SCHEMA), warehouse.path(ERASURE_LOG))
    return entry


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    try:
        config.privacy.salt()  # before Spark starts: a missing salt stops the job with how to set it
    except ConfigError as error:
        raise SystemExit(f"jobs.forget: {error}") from None
    log = RunLog("clout-forget", config.logging.format)
    with single_writer(args.warehouse, "jobs.forget"):
        erase_and_report(args, config, log)


def erase_and_report(args: argparse.Namespace, config: CloutConfig, log: RunLog) -> None:
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-forget")
    warehouse = Warehouse(args.warehouse, config.database)
    if args.account:
        platform, _, account_id = args.account.partition(":")
        if not account_id:
            raise SystemExit(f"jobs.forget: --account must be PLATFORM:ACCOUNT_ID, got {args.account!r}")
        person_id = person_of(spark, warehouse, platform, account_id)
    else:
        person_id = args.person
    entry = forget(spark, config, warehouse, person_id)
    removed = ", ".join(f"{t} {n:,}" for t, n in entry["rows_removed"].items()) or "nothing"
    anonymised = ", ".join(f"{t} {n:,}" for t, n in entry["rows_anonymised"].items()) or "nothing"
    log.text(lambda: f"erased {entry['accounts']} account(s) of one person (erasure {entry['subject_hash'][:12]}): removed {removed}; "
             f"anonymised as target: {anonymised}; VACUUMed with {entry['vacuum_retention_hours']} h retention")
    spark.stop()


if __name__ == "__main__":
    main()
