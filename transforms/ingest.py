"""Generic ingest transforms over unified records: classify, then split into tables.

Every record read ends in exactly one outcome, so each run accounts for all its input:
``accepted`` (mapped), ``quarantined`` (could not be mapped; the reason says why) or
``duplicate`` (already ingested by an earlier run, or earlier in this run).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from transforms.schema import (
    ACCOUNT_PROFILE_FIELDS,
    ACCOUNTS_SCHEMA,
    EVENTS_SCHEMA,
    QUARANTINE_SCHEMA,
    RECORD_SCHEMA,
    UNRESOLVED_TARGETS_SCHEMA,
    no_accounts,
    no_events,
    record_key,
)

ACCEPTED, QUARANTINED, DUPLICATE = "accepted", "quarantined", "duplicate"


def event_id(platform: Column, natural_key: Column) -> Column:
    """Stable event id: the same activity gets the same id in every run and file."""
    return F.substring(F.sha2(F.concat_ws("|", platform, natural_key), 256), 1, 32)


def incomplete_event_problem(events: Column) -> Column:
    """A reason when any event of a record lacks its type, actor or time, else null.

    Adapters check the fields they need; this guards the invariant of silver/events for
    fields of embedded items an adapter did not validate.
    """
    incomplete = F.exists(
        F.coalesce(events, F.array()),
        lambda e: e["event_type"].isNull() | e["actor_account_id"].isNull() | e["event_ts"].isNull() | e["platform"].isNull(),
    )
    return F.when(incomplete, F.lit("an embedded item has no type, author or valid time, so its events cannot be mapped"))



def unreadable_file_records(files: DataFrame) -> DataFrame:
    """One quarantined record per input file that could not be read at all.

    A file whose bytes cannot be decoded (a corrupt gzip stream) yields no record of its
    own: it is accounted for as one record, the whole file (position 0, no path inside
    it, no raw text), so the ledger counts it and the quarantine says why.

    Args:
        files: ``source``, ``source_file``, ``file_size`` and ``reason`` of each such file.

    Returns:
        Unified records (``RECORD_SCHEMA``) with the reason as their problem.
    """
    return files.select(
        "source",
        "source_file",
        F.lit(0).alias("source_position"),
        F.lit("").alias("record_path"),
        F.lit(None).alias("raw"),
        record_key(F.col("source"), F.lit("unreadable file"), F.col("source_file"), F.col("file_size")).alias("record_key"),
        F.col("reason").alias("problem"),
        no_events().alias("events"),
        no_accounts().alias("accounts"),
        F.lit(None).alias("identity"),
    ).select([F.col(f.name).cast(f.dataType) for f in RECORD_SCHEMA.fields])


def with_lineage(rows: DataFrame, source: str, run_id: str) -> DataFrame:
    """Bronze rows: the raw unit with its source, file, position and run."""
    return rows.select(
        F.lit(source).alias("source"),
        "source_file",
        F.col("source_position").cast("long"),
        "raw",
        "file_modification_time",
        F.lit(run_id).alias("ingest_run_id"),
        F.current_timestamp().alias("ingested_at"),
    )


def with_positions_in_file(rows: DataFrame, first_position: int = 1) -> DataFrame:
    """Numbers rows within their file without gathering a file into one task.

    Args:
        rows: Rows as a file scan yields them, with ``source_file``, ``_split`` (the byte
            offset where the row's split of the file starts) and ``_order``
            (``monotonically_increasing_id()``, which counts up inside a split because a
            split is read by one task, in order).
        first_position: The position of a file's first row (2 for CSV under a header).

    Returns:
        ``rows`` with ``source_position`` (the row's line in its file when one row is one
        line) and without the helper columns. Only one small row per split is aggregated
        and broadcast: a big file is still read by as many tasks as it has splits.
    """
    per_split = rows.groupBy("source_file", "_split").agg(
        F.min("_order").alias("_first"), F.count(F.lit(1)).alias("_rows")
    )
    earlier_splits = Window.partitionBy("source_file").orderBy("_split").rowsBetween(Window.unboundedPreceding, -1)
    per_split = per_split.withColumn("_before", F.coalesce(F.sum("_rows").over(earlier_splits), F.lit(0)))
    return (
        rows.join(F.broadcast(per_split.select("source_file", "_split", "_first", "_before")), ["source_file", "_split"])
        .withColumn("source_position", F.col("_before") + F.col("_order") - F.col("_first") + first_position)
        .drop("_split", "_order", "_first", "_before")
    )

def classify_records(records: DataFrame, seen_keys: DataFrame) -> DataFrame:
    """Adds ``outcome`` to every record.

    Args:
        records: Unified records of this run.
        seen_keys: ``record_key`` of every record ingested by earlier runs.

    Returns:
        The records with ``problem`` completed and ``outcome``.
    """
    first_in_run = Window.partitionBy("record_key").orderBy("source", "source_file", "source_position", "record_path")
    seen = seen_keys.select("record_key").distinct().withColumn("_seen", F.lit(True))
    problem = F.coalesce(F.col("problem"), incomplete_event_problem(F.col("events")))
    return (
        records.withColumn("problem", problem)
        .withColumn("_rank", F.row_number().over(first_in_run))
        .join(seen, "record_key", "left")
        .withColumn(
            "outcome",
            F.when((F.col("_rank") > 1) | F.col("_seen").isNotNull(), F.lit(DUPLICATE))
            .when(F.col("problem").isNotNull(), F.lit(QUARANTINED))
            .otherwise(F.lit(ACCEPTED)),
        )
        .drop("_rank", "_seen")
    )


def with_raw_only_if_quarantined(records: DataFrame) -> DataFrame:
    """Classified records whose raw text is kept only where the quarantine shows it.

    Accepted records are already mapped and duplicates already have their key, so their
    raw text (most of a record's bytes) is dropped before the classification is kept.
    """
    return records.withColumn("raw", F.when(F.col("outcome") == QUARANTINED, F.col("raw")))


def events_from(records: DataFrame, run_id: str) -> DataFrame:
    """The events of accepted records, one row per event id (the newest version wins)."""
    exploded = records.where(F.col("outcome") == ACCEPTED).select(
        "source", "source_file", "source_position", F.explode("events").alias("e")
    )
    events = exploded.select(
        event_id(F.col("e.platform"), F.col("e.natural_key")).alias("event_id"),
        "e.*",
        F.to_date("e.event_ts").alias("event_date"),
        "source",
        "source_file",
        "source_position",
        F.lit(run_id).alias("ingest_run_id"),
    ).drop("natural_key")
    newest = Window.partitionBy("event_id").orderBy(
        F.col("version_ts").desc_nulls_last(), F.col("source_file"), F.col("source_position")
    )
    return (
        events.withColumn("_rank", F.row_number().over(newest))
        .where(F.col("_rank") == 1)
        .select([F.col(f.name).cast(f.dataType) for f in EVENTS_SCHEMA.fields])
    )


def latest_snapshots(records: DataFrame) -> DataFrame:
    """One row per account of accepted records: each field's newest known value.

    A sparse snapshot (a mention knows only a handle) never erases a richer one: for each
    field the value of the newest snapshot that has one wins.
    """
    snapshots = records.where(F.col("outcome") == ACCEPTED).select(F.explode("accounts").alias("a"), "source").select("a.*", "source")
    order = F.coalesce(F.col("snapshot_ts"), F.lit("1970-01-01").cast("timestamp"))
    newest_known = [
        F.max_by(F.col(f.name), F.when(F.col(f.name).isNotNull(), order)).alias(f.name) for f in ACCOUNT_PROFILE_FIELDS.fields
    ]
    return snapshots.where(F.col("account_id").isNotNull()).groupBy("platform", "account_id").agg(
        *newest_known,
        F.max("snapshot_ts").alias("snapshot_ts"),
        F.max_by("source", order).alias("source"),
    )


def with_person_id(accounts: DataFrame, identities: DataFrame, run_id: str) -> DataFrame:
    """Attaches ``person_id``: the listed person, or the account as a person of its own."""
    links = identities.select("platform", "account_id", F.col("person_id").alias("_listed"))
    return (
        accounts.join(links, ["platform", "account_id"], "left")
        .withColumn("person_id", F.coalesce(F.col("_listed"), F.concat_ws(":", "platform", "account_id")))
        .withColumn("updated_run_id", F.lit(run_id))
        .select([F.col(f.name).cast(f.dataType) for f in ACCOUNTS_SCHEMA.fields])
    )


def quarantine_from(records: DataFrame, run_id: str) -> DataFrame:
    """The quarantined records, with their reasons, as quarantine rows."""
    return (
        records.where(F.col("outcome") == QUARANTINED)
        .withColumnRenamed("problem", "reason")
        .withColumn("ingest_run_id", F.lit(run_id))
        .withColumn("quarantined_at", F.current_timestamp())
        .select([F.col(f.name).cast(f.dataType) for f in QUARANTINE_SCHEMA.fields])
    )


def record_keys(records: DataFrame, run_id: str) -> DataFrame:
    """The keys a run adds to ``silver/ingested_records``: its accepted and quarantined
    records (a duplicate's key is there already), so the next run counts them as duplicates."""
    return records.where(F.col("outcome") != DUPLICATE).select(
        "record_key", "source", "outcome", F.lit(run_id).alias("ingest_run_id")
    )


def outcome_counts(records: DataFrame) -> DataFrame:
    """Records read, accepted, quarantined and duplicate per source (one small row each)."""
    def count_of(outcome: str) -> Column:
        return F.sum(F.when(F.col("outcome") == outcome, 1).otherwise(0)).cast("long").alias(outcome if outcome != DUPLICATE else "duplicates")

    return records.groupBy("source").agg(
        F.count(F.lit(1)).alias("records_read"),
        count_of(ACCEPTED),
        count_of(QUARANTINED),
        count_of(DUPLICATE),
        F.sum(F.when(F.col("outcome") == ACCEPTED, F.size("events")).otherwise(0)).cast("long").alias("events_mapped"),
    )


def unresolved_targets(events: DataFrame) -> DataFrame:
    """Events that name their target only by handle or by parent post, as waiting-list rows."""
    waiting = events.where(
        F.col("target_account_id").isNull() & (F.col("target_handle").isNotNull() | F.col("parent_post_id").isNotNull())
    )
    return waiting.select([F.col(f.name).cast(f.dataType) for f in UNRESOLVED_TARGETS_SCHEMA.fields])


def resolvable_targets(unresolved: DataFrame, accounts: DataFrame, content_events: DataFrame) -> DataFrame:
    """Target account ids for events that know their target only by handle or by parent post.

    Args:
        unresolved: Events with a null ``target_account_id``.
        accounts: Accounts with ``platform``, ``account_id``, ``handle``, ``snapshot_ts``.
        content_events: Events that carry a post (``post_id`` and its author ``actor_account_id``).

    Returns:
        ``event_id``, ``event_date`` and the resolved ``target_account_id``.
    """
    order = F.coalesce(F.col("snapshot_ts"), F.lit("1970-01-01").cast("timestamp"))
    by_handle = (
        accounts.where(F.col("handle").isNotNull())
        .groupBy("platform", F.lower("handle").alias("_handle"))
        .agg(F.max_by("account_id", order).alias("_by_handle"))
    )
    authors = content_events.where(F.col("post_id").isNotNull()).groupBy("platform", F.col("post_id").alias("parent_post_id")).agg(
        F.first("actor_account_id").alias("_by_parent")
    )
    return (
        unresolved.withColumn("_handle", F.lower("target_handle"))
        .join(by_handle, ["platform", "_handle"], "left")
        .join(authors, ["platform", "parent_post_id"], "left")
        .select("event_id", "event_date", F.coalesce("_by_handle", "_by_parent").alias("target_account_id"))
        .where(F.col("target_account_id").isNotNull())
    )


def with_resolved_targets(events: DataFrame, resolved: DataFrame) -> DataFrame:
    """Fills ``target_account_id`` of events from resolved targets (``event_id``, ``target_account_id``).

    A run's events are written with the targets that can be resolved when they are read,
    so resolution rewrites nothing for them afterwards.
    """
    targets = resolved.select("event_id", F.col("target_account_id").alias("_resolved"))
    return (
        events.join(targets, "event_id", "left")
        .withColumn("target_account_id", F.coalesce(F.col("target_account_id"), F.col("_resolved")))
        .select(*events.columns)
    )
