"""Ingest stage: raw platform exports -> bronze, silver/events, silver/accounts, quarantine.

Runnable on its own (``python -m jobs.ingest`` or ``spark-submit jobs/ingest.py``) and as
the ``ingest`` stage of ``jobs.pipeline``. Files already ingested (same path, size and
modification time) are skipped; records already ingested from other files are counted as
duplicates; so re-running on the same input changes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass
from functools import reduce
from pathlib import Path
from typing import Callable

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import DataFrame, SparkSession, Window  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, profile_from  # noqa: E402
from jobs.common.config import CloutConfig  # noqa: E402
from jobs.common.delta import DeltaTable, Warehouse, append, ensure_table, register_table, table_exists  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.summary import INGEST_TABLES, ingest_outcome, ingest_text, table_versions  # noqa: E402
from transforms.adapters import bluesky, edges, facebook, mastodon, reddit, research_csv, twitter, weibo
from transforms.identities import IDENTITIES_SCHEMA, identity_records  # noqa: E402
from transforms.ingest import (  # noqa: E402
    ACCEPTED,
    DUPLICATE,
    QUARANTINED,
    classify_records,
    events_from,
    latest_snapshots,
    outcome_counts,
    quarantine_from,
    resolvable_targets,
    with_person_id,
)
from transforms.schema import (  # noqa: E402
    ACCOUNT_PROFILE_FIELDS,
    ACCOUNTS_SCHEMA,
    CONTENT_EVENT_TYPES,
    EVENTS_SCHEMA,
    INGEST_FILES_SCHEMA,
    INGEST_RUNS_SCHEMA,
    INGESTED_RECORDS_SCHEMA,
    QUARANTINE_SCHEMA,
)

# How each source folder is read into bronze: one record per line, per file, or per CSV row.
READ_MODES = {
    "twitter": "lines",
    "bluesky": "lines",
    "mastodon": "lines",
    "reddit": "lines",
    "facebook": "file",
    "weibo": "lines",
    "edges": "lines",
    "research_csv": "csv",
}
SOURCES = tuple(READ_MODES)
IDENTITIES_SOURCE = "identities"

TABLES = {
    "events": ("silver/events", EVENTS_SCHEMA, ("event_date",), "One row per activity on any platform (unified)."),
    "accounts": ("silver/accounts", ACCOUNTS_SCHEMA, (), "One row per platform account: latest known profile and its person."),
    "identities": ("silver/identities", IDENTITIES_SCHEMA, (), "Accounts that belong to one person across platforms."),
    "quarantine": ("silver/quarantine", QUARANTINE_SCHEMA, ("source",), "Input records that could not be mapped, with the reason."),
    "ingested_records": ("silver/ingested_records", INGESTED_RECORDS_SCHEMA, ("source",), "Keys of every record ingested, to spot duplicates."),
    "ingest_files": ("ingest_files", INGEST_FILES_SCHEMA, (), "Every input file ingested, so a file is read once."),
    "ingest_runs": ("ingest_runs", INGEST_RUNS_SCHEMA, (), "Ledger: per run and source, records read = accepted + quarantined + duplicates."),
}


@dataclass(frozen=True)
class LedgerRow:
    """One ledger row: what one run did with one source."""

    run_id: str
    source: str
    files_read: int
    records_read: int
    accepted: int
    quarantined: int
    duplicates: int
    events_mapped: int
    started_at: dt.datetime
    ended_at: dt.datetime
    status: str
    message: str | None = None


# ---------------------------------------------------------------- reading


def list_input_files(spark: SparkSession, folder: str, suffixes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Files under a folder (recursively) as ``(uri, size, modification_ms)``, sorted.

    Uses Hadoop's FileSystem, so local paths, HDFS and object stores all work. Hidden
    files (``.``/``_`` prefixes) and names without a readable suffix are ignored.
    """
    jvm = spark._jvm
    path = jvm.org.apache.hadoop.fs.Path(folder)
    fs = path.getFileSystem(spark._jsc.hadoopConfiguration())
    if not fs.exists(path):
        return []
    found = []
    entries = fs.listFiles(path, True)
    while entries.hasNext():
        status = entries.next()
        name = status.getPath().getName()
        if name.startswith((".", "_")) or not name.lower().endswith(suffixes):
            continue
        found.append((status.getPath().toString(), int(status.getLen()), int(status.getModificationTime())))
    return sorted(found)


def _with_lineage(df: DataFrame, source: str, run_id: str) -> DataFrame:
    return df.select(
        F.lit(source).alias("source"),
        "source_file",
        F.col("source_position").cast("long"),
        "raw",
        "file_modification_time",
        F.lit(run_id).alias("ingest_run_id"),
        F.current_timestamp().alias("ingested_at"),
    )


def read_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per non-blank line, with its 1-based line number in its file."""
    lines = spark.read.text(paths).select(
        F.col("value").alias("raw"),
        F.col("_metadata.file_path").alias("source_file"),
        F.col("_metadata.file_modification_time").alias("file_modification_time"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_order"),
    )
    # Splits of one file may be read in any partition order: order by split offset first.
    in_file = Window.partitionBy("source_file").orderBy("_block", "_order")
    return lines.withColumn("source_position", F.row_number().over(in_file)).where(F.trim("raw") != "")


def read_whole_files(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per file (JSON documents such as Graph API exports); position 0."""
    return spark.read.text(paths, wholetext=True).select(
        F.col("value").alias("raw"),
        F.col("_metadata.file_path").alias("source_file"),
        F.col("_metadata.file_modification_time").alias("file_modification_time"),
        F.lit(0).alias("source_position"),
    )


def read_csv_rows(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per CSV data row as a JSON object of header -> value; position = line number.

    Each file is read on its own because exports of one source differ in their columns.
    """
    frames = []
    for path in paths:
        rows = spark.read.csv(path, header=True, multiLine=True, escape='"', inferSchema=False, mode="PERMISSIVE")
        columns = [c for c in rows.columns]
        frames.append(
            rows.select(
                F.to_json(F.struct(*[F.col(f"`{c}`") for c in columns])).alias("raw"),
                F.col("_metadata.file_path").alias("source_file"),
                F.col("_metadata.file_modification_time").alias("file_modification_time"),
                F.monotonically_increasing_id().alias("_order"),
            )
        )
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame)
    in_file = Window.partitionBy("source_file").orderBy("_order")
    # +1: line 1 is the header.
    return rows.withColumn("source_position", F.row_number().over(in_file) + 1)


def read_bronze(spark: SparkSession, source: str, paths: list[str], run_id: str) -> DataFrame:
    """Raw records of a source's files, as read, with file and position."""
    readers: dict[str, Callable[[SparkSession, list[str]], DataFrame]] = {
        "lines": read_lines,
        "file": read_whole_files,
        "csv": read_csv_rows,
    }
    return _with_lineage(readers[READ_MODES[source]](spark, paths), source, run_id)


def adapter_for(source: str, config: CloutConfig) -> Callable[[DataFrame], DataFrame]:
    """The adapter that maps a source's bronze rows to unified records."""
    adapters: dict[str, Callable[[DataFrame], DataFrame]] = {
        "twitter": twitter.to_records,
        "bluesky": bluesky.to_records,
        "mastodon": mastodon.to_records,
        "reddit": reddit.to_records,
        "facebook": facebook.to_records,
        "weibo": weibo.to_records,
        "edges": lambda bronze: edges.to_records(bronze, config.ingest.edges_platform),
        "research_csv": lambda bronze: research_csv.to_records(bronze, config.ingest.research_csv_platform),
    }
    return adapters[source]


# ---------------------------------------------------------------- writing


def ensure_ingest_tables(spark: SparkSession, warehouse: Warehouse) -> None:
    """Creates the silver and ledger tables if needed and registers them in the catalog."""
    for table, schema, partitions, comment in TABLES.values():
        ensure_table(spark, warehouse, table, schema, partitions, comment)
    for source in SOURCES:
        if table_exists(spark, warehouse.path(f"bronze/{source}")):
            register_table(spark, warehouse, f"bronze/{source}")


def merge_events(spark: SparkSession, warehouse: Warehouse, events: DataFrame) -> None:
    """Inserts new events; a newer version of an edited post replaces the older one."""
    target = DeltaTable.forPath(spark, warehouse.path("silver/events"))
    updatable = [
        "event_type", "target_account_id", "target_handle", "parent_post_id", "root_post_id", "text", "hashtags",
        "lang", "version_ts", "source", "source_file", "source_position", "ingest_run_id",
    ]
    (
        target.alias("t")
        .merge(events.alias("s"), "t.event_date = s.event_date AND t.event_id = s.event_id")
        .whenMatchedUpdate(condition="s.version_ts > t.version_ts", set={c: f"s.{c}" for c in updatable})
        .whenNotMatchedInsertAll()
        .execute()
    )


def merge_accounts(spark: SparkSession, warehouse: Warehouse, accounts: DataFrame) -> None:
    """Upserts account snapshots: per field, the newest known value wins."""
    newer = "coalesce(s.snapshot_ts, timestamp'1970-01-01') >= coalesce(t.snapshot_ts, timestamp'1970-01-01')"
    fields = {
        f.name: f"CASE WHEN {newer} THEN coalesce(s.{f.name}, t.{f.name}) ELSE coalesce(t.{f.name}, s.{f.name}) END"
        for f in ACCOUNT_PROFILE_FIELDS.fields
    }
    fields.update(
        snapshot_ts="greatest(s.snapshot_ts, t.snapshot_ts)",
        source=f"CASE WHEN {newer} THEN s.source ELSE t.source END",
        updated_run_id="s.updated_run_id",
    )
    (
        DeltaTable.forPath(spark, warehouse.path("silver/accounts"))
        .alias("t")
        .merge(accounts.alias("s"), "t.platform = s.platform AND t.account_id = s.account_id")
        .whenMatchedUpdate(set=fields)
        .whenNotMatchedInsertAll()
        .execute()
    )


def apply_identities(spark: SparkSession, warehouse: Warehouse) -> None:
    """Points every listed account at its person (identities may arrive after accounts)."""
    links = spark.read.format("delta").load(warehouse.path("silver/identities"))
    (
        DeltaTable.forPath(spark, warehouse.path("silver/accounts"))
        .alias("t")
        .merge(links.alias("s"), "t.platform = s.platform AND t.account_id = s.account_id")
        .whenMatchedUpdate(condition="t.person_id <> s.person_id", set={"person_id": "s.person_id"})
        .execute()
    )


def resolve_targets(spark: SparkSession, warehouse: Warehouse) -> None:
    """Fills ``target_account_id`` of events known only by handle or by parent post."""
    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    unresolved = events.where(
        F.col("target_account_id").isNull() & (F.col("target_handle").isNotNull() | F.col("parent_post_id").isNotNull())
    )
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    content = events.where(F.col("event_type").isin(*CONTENT_EVENT_TYPES)).select("platform", "post_id", "actor_account_id")
    resolved = resolvable_targets(unresolved, accounts, content)
    (
        DeltaTable.forPath(spark, warehouse.path("silver/events"))
        .alias("t")
        .merge(resolved.alias("s"), "t.event_date = s.event_date AND t.event_id = s.event_id")
        .whenMatchedUpdate(condition="t.target_account_id IS NULL", set={"target_account_id": "s.target_account_id"})
        .execute()
    )


def _seen_keys(spark: SparkSession, warehouse: Warehouse) -> DataFrame:
    return spark.read.format("delta").load(warehouse.path("silver/ingested_records")).select("record_key")


def _classify(spark: SparkSession, warehouse: Warehouse, records: DataFrame, run_id: str) -> tuple[DataFrame, dict]:
    """Classifies a run's records, writes quarantine and record keys, returns counts.

    The classified records are checkpointed first: the run then writes to a table its
    classification read (ingested_records) and must not be re-evaluated against it.
    """
    classified = classify_records(records, _seen_keys(spark, warehouse)).checkpoint(eager=True)
    counts = {row["source"]: row.asDict() for row in outcome_counts(classified).collect()}  # one row per source
    append(quarantine_from(classified, run_id), warehouse.path("silver/quarantine"))
    return classified, counts


def _record_keys(classified: DataFrame, run_id: str) -> DataFrame:
    return classified.where(F.col("outcome") != DUPLICATE).select(
        "record_key", "source", "outcome", F.lit(run_id).alias("ingest_run_id")
    )


def ingest_records(spark: SparkSession, warehouse: Warehouse, records: DataFrame, run_id: str) -> dict[str, dict]:
    """Classifies the records of a run and writes every outcome to its table.

    Returns:
        Per source, the ledger counts: records_read, accepted, quarantined, duplicates,
        events_mapped.
    """
    classified, counts = _classify(spark, warehouse, records, run_id)
    merge_events(spark, warehouse, events_from(classified, run_id))
    identities = spark.read.format("delta").load(warehouse.path("silver/identities"))
    merge_accounts(spark, warehouse, with_person_id(latest_snapshots(classified), identities, run_id))
    append(_record_keys(classified, run_id), warehouse.path("silver/ingested_records"))
    return counts


def ingest_identities(spark: SparkSession, warehouse: Warehouse, path: str, run_id: str) -> dict[str, dict]:
    """Reads ``identities.csv`` into silver/identities, quarantining bad rows.

    Returns:
        The ledger counts of the identities source.
    """
    bronze = _with_lineage(read_csv_rows(spark, [path]), IDENTITIES_SOURCE, run_id)
    classified, counts = _classify(spark, warehouse, identity_records(bronze), run_id)
    links = classified.where(F.col("outcome") == ACCEPTED).select("person_id", "platform", "account_id")
    (
        DeltaTable.forPath(spark, warehouse.path("silver/identities"))
        .alias("t")
        .merge(links.alias("s"), "t.platform = s.platform AND t.account_id = s.account_id")
        .whenMatchedUpdate(set={"person_id": "s.person_id"})
        .whenNotMatchedInsertAll()
        .execute()
    )
    append(_record_keys(classified, run_id), warehouse.path("silver/ingested_records"))
    return counts


def as_input_folder(path: str, default_source: str = "research_csv") -> str:
    """An input folder in the layout ingest reads (one sub-folder per source).

    A folder that has no source sub-folder but has files (a research export such as
    cresci-2015: ``users.csv``, ``tweets.csv.gz``) is read as one ``default_source``: the
    files are linked, not copied, into a staging folder beside the system's temp files,
    the same one for the same export, so a second run finds its files already ingested.
    """
    folder = Path(path)
    if any((folder / source).is_dir() for source in (*SOURCES, IDENTITIES_SOURCE)) or (folder / "identities.csv").is_file():
        return str(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"{folder} has no source folder ({', '.join(SOURCES)}) and no files to read")
    key = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:12]
    staging = Path(tempfile.gettempdir()) / f"clout-input-{key}" / default_source
    staging.mkdir(parents=True, exist_ok=True)
    for file in files:
        link = staging / file.name
        if not link.is_symlink():
            link.symlink_to(file.resolve())
    return str(staging.parent)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def find_new_files(
    spark: SparkSession, config: CloutConfig, warehouse: Warehouse, input_dir: str
) -> tuple[dict[str, int], dict[str, list[tuple[str, int, int]]]]:
    """Per source present: how many files there are, and which were not ingested before."""
    # The list of files (not rows) ingested before: small enough for the driver.
    files_table = spark.read.format("delta").load(warehouse.path("ingest_files"))
    done = {(r.source_file, r.file_size) for r in files_table.select("source_file", "file_size").collect()}
    root = input_dir.rstrip("/")
    found: dict[str, list[tuple[str, int, int]]] = {}
    identities = [f for f in list_input_files(spark, root, (".csv",)) if f[0].rsplit("/", 1)[-1] == "identities.csv"]
    if identities:
        found[IDENTITIES_SOURCE] = identities[:1]
    for source in SOURCES:
        files = list_input_files(spark, f"{root}/{source}", config.ingest.file_suffixes)
        if files:
            found[source] = files
    new = {source: [f for f in files if (f[0], f[1]) not in done] for source, files in found.items()}
    return {source: len(files) for source, files in found.items()}, new


def run_ingest(spark: SparkSession, config: CloutConfig, input_dir: str, warehouse: Warehouse) -> list[LedgerRow]:
    """Ingests the files of every source folder of ``input_dir`` not ingested before.

    All sources are classified and written together, so a run costs one set of table
    writes however many sources it has.

    Args:
        spark: The session.
        config: The profile.
        input_dir: Folder with one sub-folder per source (and optional identities.csv).
        warehouse: Where the tables live.

    Returns:
        The ledger rows written by this run, one per source present.
    """
    run_id = f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    started = _now()
    ensure_ingest_tables(spark, warehouse)
    found_count, new_files = find_new_files(spark, config, warehouse, input_dir)
    counts: dict[str, dict] = {}
    status, message = "succeeded", None
    try:
        if new_files.get(IDENTITIES_SOURCE):
            counts.update(ingest_identities(spark, warehouse, new_files[IDENTITIES_SOURCE][0][0], run_id))
        records = []
        for source in SOURCES:
            if not new_files.get(source):
                continue
            append(read_bronze(spark, source, [f[0] for f in new_files[source]], run_id), warehouse.path(f"bronze/{source}"))
            register_table(spark, warehouse, f"bronze/{source}")
            bronze = spark.read.format("delta").load(warehouse.path(f"bronze/{source}")).where(F.col("ingest_run_id") == run_id)
            records.append(adapter_for(source, config)(bronze))
        if records:
            counts.update(ingest_records(spark, warehouse, reduce(DataFrame.unionByName, records), run_id))
        ingested = [
            (source, path, size, dt.datetime.fromtimestamp(mtime / 1000, dt.timezone.utc).replace(tzinfo=None), run_id)
            for source, files in new_files.items()
            for path, size, mtime in files
        ]
        if ingested:
            append(spark.createDataFrame(ingested, INGEST_FILES_SCHEMA), warehouse.path("ingest_files"))
            resolve_targets(spark, warehouse)
            apply_identities(spark, warehouse)
    except Exception as error:  # recorded in the ledger, then the run stops
        status, message = "failed", f"{type(error).__name__}: {str(error)[:500]}"
        raise
    finally:
        ledger = _ledger_rows(run_id, started, found_count, new_files, counts, status, message)
        if ledger:
            rows = [tuple(asdict(r).values()) for r in ledger]
            append(spark.createDataFrame(rows, INGEST_RUNS_SCHEMA), warehouse.path("ingest_runs"))
    return ledger


def _ledger_rows(
    run_id: str,
    started: dt.datetime,
    found_count: dict[str, int],
    new_files: dict[str, list],
    counts: dict[str, dict],
    status: str,
    message: str | None,
) -> list[LedgerRow]:
    ended = _now()
    rows = []
    for source, found in found_count.items():
        c = counts.get(source, {})
        note = message or (None if new_files.get(source) else f"all {found} files were ingested before")
        rows.append(
            LedgerRow(
                run_id=run_id,
                source=source,
                files_read=len(new_files.get(source, [])),
                records_read=int(c.get("records_read") or 0),
                accepted=int(c.get(ACCEPTED) or 0),
                quarantined=int(c.get(QUARANTINED) or 0),
                duplicates=int(c.get("duplicates") or 0),
                events_mapped=int(c.get("events_mapped") or 0),
                started_at=started,
                ended_at=ended,
                status=status,
                message=note,
            )
        )
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.ingest", description="Ingest raw platform exports into Delta.")
    parser.add_argument("--input", required=True, help="folder with one sub-folder per source")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    add_profile_arguments(parser)
    return parser.parse_args(argv)


def ingest_stage(spark: SparkSession, config: CloutConfig, input_dir: str, warehouse: Warehouse, log: RunLog) -> None:
    """The ingest stage as a run logs it: timed, with what it read and wrote."""
    with log.stage("ingest") as stage:
        before = table_versions(spark, warehouse, INGEST_TABLES)
        stage.outcome = ingest_outcome(spark, warehouse, run_ingest(spark, config, input_dir, warehouse), before)
        log.text(lambda: ingest_text(stage.outcome))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    log = RunLog("clout-ingest", config.logging.format)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-ingest")
    try:
        ingest_stage(spark, config, args.input, Warehouse(args.warehouse, config.database), log)
    finally:
        log.summary()


if __name__ == "__main__":
    main()
