"""The ingest stage's reads and writes: input files, bronze, the silver tables and the ledger.

Every write is bounded by what the run touched, so the tenth daily batch costs what the
first did: events are merged into the dates the run wrote, identities are applied for the
links the run read, and target resolution revisits only the run's events and the events
still waiting for a target (kept in a small table of their own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote, urlparse

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.common.delta import DeltaTable, Warehouse, append, ensure_table, register_table, table_exists, table_version
from transforms.identities import IDENTITIES_SCHEMA
from transforms.ingest import resolvable_targets, unresolved_targets, with_lineage, with_positions_in_file
from transforms.schema import (
    ACCOUNT_PROFILE_FIELDS,
    ACCOUNTS_SCHEMA,
    CONTENT_EVENT_TYPES,
    EVENTS_SCHEMA,
    INGEST_FILES_SCHEMA,
    INGEST_RUNS_SCHEMA,
    INGESTED_RECORDS_SCHEMA,
    QUARANTINE_SCHEMA,
    UNRESOLVED_TARGETS_SCHEMA,
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
# identities.csv is kept in bronze like every source: its records are read back from there.
BRONZE_SOURCES = (IDENTITIES_SOURCE, *SOURCES)
_BRONZE_READ_MODES = {IDENTITIES_SOURCE: "csv", **READ_MODES}

TABLES = {
    "events": ("silver/events", EVENTS_SCHEMA, ("event_date",), "One row per activity on any platform (unified)."),
    "accounts": ("silver/accounts", ACCOUNTS_SCHEMA, (), "One row per platform account: latest known profile and its person."),
    "identities": ("silver/identities", IDENTITIES_SCHEMA, (), "Accounts that belong to one person across platforms."),
    "quarantine": ("silver/quarantine", QUARANTINE_SCHEMA, ("source",), "Input records that could not be mapped, with the reason."),
    "ingested_records": ("silver/ingested_records", INGESTED_RECORDS_SCHEMA, ("source",), "Keys of every record ingested, to spot duplicates."),
    "unresolved_targets": (
        "silver/unresolved_targets",
        UNRESOLVED_TARGETS_SCHEMA,
        (),
        "Events whose target is known only by handle or parent post, until an account or post resolves it.",
    ),
    "ingest_files": ("ingest_files", INGEST_FILES_SCHEMA, (), "Every input file ingested, so a file is read once."),
    "ingest_runs": ("ingest_runs", INGEST_RUNS_SCHEMA, (), "Ledger: per run and source, records read = accepted + quarantined + duplicates."),
}

InputFile = tuple[str, int, int]  # uri, size in bytes, modification time in ms


# ---------------------------------------------------------------- input files


def list_input_files(spark: SparkSession, folder: str, suffixes: tuple[str, ...]) -> list[InputFile]:
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


@dataclass(frozen=True)
class FileClaim:
    """A file a run claimed in ``ingest_files``: read by it, or being read."""

    source: str
    source_file: str
    file_size: int
    ingest_run_id: str


def file_claims(spark: SparkSession, warehouse: Warehouse) -> list[FileClaim]:
    """Every file claimed so far: one row per file (not per record), small enough for the
    driver. Read once per run, for the runs that did not end and for the files to skip."""
    rows = spark.read.format("delta").load(warehouse.path("ingest_files")).select(
        "source", "source_file", "file_size", "ingest_run_id"
    )
    return [FileClaim(*row) for row in rows.collect()]


def find_new_files(
    spark: SparkSession, suffixes: tuple[str, ...], input_dir: str, ingested: set[tuple[str, int]]
) -> tuple[dict[str, int], dict[str, list[InputFile]]]:
    """Per source present: how many files there are, and which are not among ``ingested``
    (``(file, size)`` of the files ingested before)."""
    root = input_dir.rstrip("/")
    found: dict[str, list[InputFile]] = {}
    identities = [f for f in list_input_files(spark, root, (".csv",)) if f[0].rsplit("/", 1)[-1] == "identities.csv"]
    if identities:
        found[IDENTITIES_SOURCE] = identities[:1]
    for source in SOURCES:
        files = list_input_files(spark, f"{root}/{source}", suffixes)
        if files:
            found[source] = files
    new = {source: [f for f in files if (f[0], f[1]) not in ingested] for source, files in found.items()}
    return {source: len(files) for source, files in found.items()}, new


# ---------------------------------------------------------------- runs that did not end


@dataclass(frozen=True)
class UnfinishedRun:
    """A run that claimed files in ``ingest_files`` and never recorded its success."""

    run_id: str
    sources: tuple[str, ...]
    files: int
    recorded: bool  # whether the ledger has rows of it (a run that failed; a killed one has none)


def unfinished_runs(spark: SparkSession, warehouse: Warehouse, claims: list[FileClaim]) -> list[UnfinishedRun]:
    """Runs whose files are claimed but whose ledger rows do not say ``succeeded``.

    A run claims its files before it writes anything else and records its ledger rows
    last, so a run killed (or failed) in between is found here, whatever it had written.
    The ledger holds a row per run and source, not per record: few enough for the driver,
    and counted there rather than by a Spark aggregation (a shuffle of a few rows).
    """
    succeeded: dict[str, bool] = {}
    for row in spark.read.format("delta").load(warehouse.path("ingest_runs")).select("run_id", "status").collect():
        succeeded[row.run_id] = succeeded.get(row.run_id, False) or row.status == "succeeded"
    claimed: dict[str, list[str]] = {}
    for claim in claims:
        claimed.setdefault(claim.ingest_run_id, []).append(claim.source)
    return [
        UnfinishedRun(run_id, tuple(sorted(set(sources))), len(sources), run_id in succeeded)
        for run_id, sources in sorted(claimed.items())
        if not succeeded.get(run_id, False)
    ]


# The tables a run appends its own rows to, marked with its run id; what it merged into the
# other silver tables (events, accounts, identities) its rerun merges again to the same rows.
_APPENDED_BY_RUN = ("silver/quarantine", "silver/ingested_records")


def roll_back(spark: SparkSession, warehouse: Warehouse, runs: list[UnfinishedRun]) -> list[str]:
    """Removes the rows unfinished runs appended, then their claims, so their files are new
    again and the next run ingests them as if those runs had never started.

    The claims go last: a rollback that is itself cut short is done again by the next run.

    Returns:
        The tables rows were removed from.
    """
    if not runs:
        return []
    of_runs = F.col("ingest_run_id").isin([run.run_id for run in runs])
    bronze = sorted({f"bronze/{source}" for run in runs for source in run.sources})
    touched = []
    for table in (*bronze, *_APPENDED_BY_RUN, "ingest_files"):
        path = warehouse.path(table)
        if table_exists(spark, path):
            DeltaTable.forPath(spark, path).delete(of_runs)
            touched.append(table)
    return touched


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


def ingested_files(new_files: dict[str, list[InputFile]], run_id: str) -> list[tuple]:
    """Rows of ``ingest_files`` for the files a run read."""
    return [
        (source, path, size, dt.datetime.fromtimestamp(mtime / 1000, dt.timezone.utc).replace(tzinfo=None), run_id)
        for source, files in new_files.items()
        for path, size, mtime in files
    ]


# ---------------------------------------------------------------- raw readers


def _file_columns() -> list:
    return [
        F.col("_metadata.file_path").alias("source_file"),
        F.col("_metadata.file_modification_time").alias("file_modification_time"),
        F.col("_metadata.file_block_start").alias("_split"),
        F.monotonically_increasing_id().alias("_order"),
    ]


def read_lines(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per non-blank line, with its 1-based line number in its file."""
    lines = spark.read.text(paths).select(F.col("value").alias("raw"), *_file_columns())
    return with_positions_in_file(lines).where(F.trim("raw") != "")


def read_whole_files(spark: SparkSession, paths: list[str]) -> DataFrame:
    """One row per file (JSON documents such as Graph API exports); position 0.

    A UTF-8 byte-order mark at the start of a file marks its encoding and is not part of
    the document (the line and CSV readers drop it too).
    """
    return spark.read.text(paths, wholetext=True).select(
        F.regexp_replace("value", "^\ufeff", "").alias("raw"),
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
        frames.append(rows.select(F.to_json(F.struct(*[F.col(f"`{c}`") for c in rows.columns])).alias("raw"), *_file_columns()))
    rows = frames[0]
    for frame in frames[1:]:
        rows = rows.unionByName(frame)
    # Line 1 is the header.
    return with_positions_in_file(rows, first_position=2)


def read_bronze(spark: SparkSession, source: str, paths: list[str], run_id: str) -> DataFrame:
    """Raw records of a source's files, as read, with file and position."""
    readers: dict[str, Callable[[SparkSession, list[str]], DataFrame]] = {
        "lines": read_lines,
        "file": read_whole_files,
        "csv": read_csv_rows,
    }
    return with_lineage(readers[_BRONZE_READ_MODES[source]](spark, paths), source, run_id)


# How Spark names the file a failed scan was reading (error class FAILED_READ_FILE).
_FAILED_READ = re.compile(r"Encountered error while reading file (\S+)")
_CAUSED_BY = re.compile(r"Caused by: ([\w.$]+(?:Exception|Error)\b[^\n]*)")


def _plain_path(uri: str) -> str:
    return unquote(urlparse(uri).path).rstrip(".")


def _root_cause(error: BaseException) -> str:
    """``class: message`` of the innermost JVM exception behind a failed Spark action."""
    throwable: Any = getattr(error, "java_exception", None) or getattr(error, "_origin", None)
    try:
        while throwable is not None and throwable.getCause() is not None:
            throwable = throwable.getCause()
        if throwable is not None:
            return f"{throwable.getClass().getName()}: {throwable.getMessage()}"
    except Exception:  # no JVM object to ask: read the trace in the text
        pass
    causes = _CAUSED_BY.findall(str(error))
    return causes[-1].strip() if causes else type(error).__name__


def unreadable_file(error: BaseException, paths: list[str]) -> tuple[str, str] | None:
    """The file among ``paths`` that a failed read could not read, with the reason to
    quarantine it under; None when the error is not a file that cannot be read.

    A corrupt or cut-short gzip stream fails the scan of its file, and so the whole write
    that reads it; Spark names the file in the error.
    """
    by_plain = {_plain_path(p): p for p in paths}
    for named in _FAILED_READ.findall(str(error)):
        path = by_plain.get(_plain_path(named))
        if path is None:
            continue
        cause = _root_cause(error)
        if path.lower().endswith(".gz"):
            return path, (f"gzip file cannot be read: its stream is corrupt or cut short ({cause}); "
                          "none of its records were ingested: replace it with a complete copy")
        return path, f"file cannot be read ({cause}); none of its records were ingested"
    return None


def bronze_of_run(spark: SparkSession, warehouse: Warehouse, source: str, run_id: str) -> DataFrame:
    """The bronze rows a run wrote for a source (Delta's file statistics skip the others)."""
    return spark.read.format("delta").load(warehouse.path(f"bronze/{source}")).where(F.col("ingest_run_id") == run_id)


# ---------------------------------------------------------------- tables


def ensure_ingest_tables(spark: SparkSession, warehouse: Warehouse) -> None:
    """Creates the silver and ledger tables if needed and registers them in the catalog."""
    # A warehouse written before the waiting list existed: its waiting events are found once.
    seed_waiting_list = table_exists(spark, warehouse.path("silver/events")) and not table_exists(
        spark, warehouse.path("silver/unresolved_targets")
    )
    for table, schema, partitions, comment in TABLES.values():
        ensure_table(spark, warehouse, table, schema, partitions, comment)
    for source in BRONZE_SOURCES:
        if table_exists(spark, warehouse.path(f"bronze/{source}")):
            register_table(spark, warehouse, f"bronze/{source}")
    if seed_waiting_list:
        events = spark.read.format("delta").load(warehouse.path("silver/events"))
        append(unresolved_targets(events), warehouse.path("silver/unresolved_targets"))


def seen_keys(spark: SparkSession, warehouse: Warehouse) -> DataFrame:
    """Keys ingested before this run, pinned to the table's current version.

    The run appends to the same table later; pinned, a recomputed partition of the
    classification (a lost executor, a cache eviction) still sees what the run began with.
    """
    return _pinned(spark, warehouse.path("silver/ingested_records")).select("record_key")


def _dates_in(rows: DataFrame) -> list[str]:
    # One value per distinct date: bounded by the days a run spans, not by its rows.
    return sorted(str(r[0]) for r in rows.select("event_date").distinct().collect() if r[0] is not None)


def _on_dates(dates: Iterable[str]) -> str:
    """A literal predicate on the target's partitions, so a MERGE reads only those dates."""
    listed = ", ".join(f"DATE'{d}'" for d in dates)
    return f"t.event_date IN ({listed})" if listed else "FALSE"


def merge_events(spark: SparkSession, warehouse: Warehouse, events: DataFrame) -> list[str]:
    """Inserts new events; a newer version of an edited post replaces the older one.

    Returns:
        The event dates the run wrote.
    """
    dates = _dates_in(events)
    updatable = [
        "event_type", "target_account_id", "target_handle", "parent_post_id", "root_post_id", "text", "hashtags",
        "lang", "version_ts", "source", "source_file", "source_position", "ingest_run_id",
    ]
    (
        DeltaTable.forPath(spark, warehouse.path("silver/events"))
        .alias("t")
        .merge(events.alias("s"), f"{_on_dates(dates)} AND t.event_date = s.event_date AND t.event_id = s.event_id")
        .whenMatchedUpdate(condition="s.version_ts > t.version_ts", set={c: f"s.{c}" for c in updatable})
        .whenNotMatchedInsertAll()
        .execute()
    )
    return dates


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


def merge_identities(spark: SparkSession, warehouse: Warehouse, links: DataFrame) -> None:
    """Upserts identity links: the newest file's person wins for an account."""
    (
        DeltaTable.forPath(spark, warehouse.path("silver/identities"))
        .alias("t")
        .merge(links.alias("s"), "t.platform = s.platform AND t.account_id = s.account_id")
        .whenMatchedUpdate(set={"person_id": "s.person_id"})
        .whenNotMatchedInsertAll()
        .execute()
    )


def apply_identities(spark: SparkSession, warehouse: Warehouse, links: DataFrame) -> None:
    """Points the listed accounts at their person (identities may arrive after accounts).

    Accounts a run inserts get their person when they are written; only the links a run
    read can change accounts written before it, and there are none in a new warehouse.
    """
    accounts = DeltaTable.forPath(spark, warehouse.path("silver/accounts"))
    if accounts.detail().first()["numFiles"] == 0:
        return
    (
        accounts
        .alias("t")
        .merge(links.alias("s"), "t.platform = s.platform AND t.account_id = s.account_id")
        .whenMatchedUpdate(condition="t.person_id <> s.person_id", set={"person_id": "s.person_id"})
        .execute()
    )


def _pinned(spark: SparkSession, path: str) -> DataFrame:
    """A table as of its current version: later writes of the run do not change what it reads."""
    return spark.read.format("delta").option("versionAsOf", table_version(spark, path)).load(path)


def target_candidates(spark: SparkSession, warehouse: Warehouse, run_events: DataFrame) -> DataFrame:
    """Events known only by handle or by parent post: the run's and those still waiting.

    The waiting list is pinned: it is rewritten from what this read, even if a cached part
    of it has to be computed again.
    """
    waiting = _pinned(spark, warehouse.path("silver/unresolved_targets"))
    return unresolved_targets(run_events).unionByName(waiting).dropDuplicates(["event_id"])


def resolved_targets(spark: SparkSession, warehouse: Warehouse, candidates: DataFrame, run_events: DataFrame) -> DataFrame:
    """The candidates' targets found by handle (in the accounts, this run's included) or by
    parent post (in the events written before and in the run's own)."""
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    # Parent posts may be in any date: only their three columns are read.
    post_columns = ("event_type", "platform", "post_id", "actor_account_id")
    events = _pinned(spark, warehouse.path("silver/events")).select(*post_columns).unionByName(run_events.select(*post_columns))
    return resolvable_targets(candidates, accounts, events.where(F.col("event_type").isin(*CONTENT_EVENT_TYPES)))


def settle_waiting_targets(spark: SparkSession, warehouse: Warehouse, candidates: DataFrame, resolved: DataFrame) -> None:
    """Writes the targets found for events of earlier runs; the unresolved keep waiting.

    The run's own events were written with their targets (:func:`merge_events` of
    ``with_resolved_targets``), so only events on the waiting list are updated in place,
    and a run that resolves none of them rewrites no event file.
    """
    events_path, waiting_path = warehouse.path("silver/events"), warehouse.path("silver/unresolved_targets")
    waiting_ids = _pinned(spark, waiting_path).select("event_id")
    earlier = resolved.join(waiting_ids, "event_id", "left_semi")
    dates = _dates_in(earlier)
    if dates:
        (
            DeltaTable.forPath(spark, events_path)
            .alias("t")
            .merge(earlier.alias("s"), f"{_on_dates(dates)} AND t.event_date = s.event_date AND t.event_id = s.event_id")
            .whenMatchedUpdate(condition="t.target_account_id IS NULL", set={"target_account_id": "s.target_account_id"})
            .execute()
        )
    still_waiting = candidates.join(resolved.select("event_id"), "event_id", "left_anti")
    still_waiting.write.format("delta").mode("overwrite").save(waiting_path)


def write_ledger(spark: SparkSession, warehouse: Warehouse, rows: list[tuple]) -> None:
    """Appends a run's ledger rows (one per source)."""
    append(spark.createDataFrame(rows, INGEST_RUNS_SCHEMA), warehouse.path("ingest_runs"))


def write_ingested_files(spark: SparkSession, warehouse: Warehouse, rows: list[tuple]) -> None:
    """Claims the files a run reads, before it writes anything else: the next run skips
    them once the run's ledger rows say it succeeded, and rolls the run back otherwise."""
    append(spark.createDataFrame(rows, INGEST_FILES_SCHEMA), warehouse.path("ingest_files"))
