"""One run of the ingest stage: claims, bronze, classification, the silver tables, the ledger.

The order is what keeps every guarantee: a run claims its files before it writes anything
else and records its ledger rows last, so a run that never ended is found and undone by
the next one; identities are written before accounts, and accounts before events, so the
run's events are written with the persons and targets their accounts name. The Delta
reads and writes are in ``jobs.common.ingest_io``; the mapping and classification in
``transforms``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from functools import reduce
from typing import Callable

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession

from jobs.common import ingest_io as io
from jobs.common.config import CloutConfig
from jobs.common.delta import Warehouse, append, register_table
from jobs.common.ingest_io import BRONZE_SOURCES, IDENTITIES_SOURCE
from jobs.common.run_log import note
from transforms.adapters import bluesky, edges, facebook, mastodon, reddit, research_csv, twitter, weibo
from transforms.identities import identity_links, identity_records
from transforms.ingest import (
    ACCEPTED,
    QUARANTINED,
    classify_records,
    events_from,
    latest_snapshots,
    outcome_counts,
    quarantine_from,
    record_keys,
    unreadable_file_records,
    with_person_id,
    with_raw_only_if_quarantined,
    with_resolved_targets,
)


# Ledger status of a run that was killed before it recorded itself.
INTERRUPTED = "interrupted"
UNREADABLE_FILES_DDL = "source string, source_file string, file_size long, reason string"


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


def adapter_for(source: str, config: CloutConfig) -> Callable[[DataFrame], DataFrame]:
    """The adapter that maps a source's bronze rows (identities.csv's too) to unified records."""
    adapters: dict[str, Callable[[DataFrame], DataFrame]] = {
        IDENTITIES_SOURCE: identity_records,
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


def _classify(spark: SparkSession, warehouse: Warehouse, records: DataFrame, run_id: str) -> tuple[DataFrame, dict]:
    """Classifies a run's records, writes quarantine rows, returns the records and counts.

    The classification is computed once and kept (memory, then disk) as a checkpoint: the
    writes after it (quarantine, identities, accounts, events, keys) each plan a query on
    a table of rows, not on the adapters' plan of every source (800 KB of plan text, which
    every write had to analyse and match against the cache again: 13 s of a 5k-record run).
    Raw text is kept only where the quarantine needs it.
    """
    classified = (
        classify_records(records, io.seen_keys(spark, warehouse))
        .transform(with_raw_only_if_quarantined)
        .localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)
    )
    counts = {row["source"]: row.asDict() for row in outcome_counts(classified).collect()}  # one row per source
    append(quarantine_from(classified, run_id), warehouse.path("silver/quarantine"))
    return classified, counts


def ingest_records(
    spark: SparkSession, warehouse: Warehouse, records: DataFrame, run_id: str, with_identities: bool
) -> dict[str, dict]:
    """Classifies the records of a run and writes every outcome to its table.

    Identities come first, so the run's accounts are written with their person; then the
    accounts, so the run's events are written with the targets their handles name.

    Args:
        spark: The session.
        warehouse: Where the tables live.
        records: The run's unified records of every source, identities.csv's included.
        run_id: The run.
        with_identities: Whether the records include identities.csv's.

    Returns:
        Per source, the ledger counts (records_read, accepted, quarantined, duplicates,
        events_mapped).
    """
    classified, counts = _classify(spark, warehouse, records, run_id)
    if with_identities:
        links = identity_links(classified)
        io.merge_identities(spark, warehouse, links)
        io.apply_identities(spark, warehouse, links)
    identities = spark.read.format("delta").load(warehouse.path("silver/identities"))
    io.merge_accounts(spark, warehouse, with_person_id(latest_snapshots(classified), identities, run_id))
    events = events_from(classified, run_id).persist(StorageLevel.MEMORY_AND_DISK)
    candidates = io.target_candidates(spark, warehouse, events).persist(StorageLevel.MEMORY_AND_DISK)
    resolved = io.resolved_targets(spark, warehouse, candidates, events).persist(StorageLevel.MEMORY_AND_DISK)
    io.merge_events(spark, warehouse, with_resolved_targets(events, resolved))
    io.settle_waiting_targets(spark, warehouse, candidates, resolved)
    append(record_keys(classified, run_id), warehouse.path("silver/ingested_records"))
    for kept in (resolved, candidates, events):
        kept.unpersist()
    return counts


def land_bronze(
    spark: SparkSession, warehouse: Warehouse, source: str, files: list[io.InputFile], run_id: str
) -> tuple[list[str], list[tuple[str, str, int, str]]]:
    """Appends the raw records of a source's new files to its bronze table.

    A file that cannot be read at all (a corrupt gzip stream) fails the write, which then
    commits nothing: the file is set apart and the write done again with the others, so
    one bad file costs one failed attempt and the rest of the run still lands.

    A file of zero bytes holds no records, whatever its suffix (the gzip reader would call
    an empty ``.gz`` cut short, the text reader reads it as empty): it is not read.

    Returns:
        The files written, and ``(source, file, size, reason)`` of each file set apart.
    """
    paths, sizes = [f[0] for f in files if f[1] > 0], {f[0]: f[1] for f in files}
    unreadable: list[tuple[str, str, int, str]] = []
    while paths:
        try:
            append(io.read_bronze(spark, source, paths, run_id), warehouse.path(f"bronze/{source}"))
            break
        except Exception as error:
            found = io.unreadable_file(error, paths)
            if found is None:
                raise
            path, reason = found
            note("unreadable_file", f"{source}: {path} is quarantined as a whole: {reason}", source=source, file=path)
            paths = [p for p in paths if p != path]
            unreadable.append((source, path, sizes[path], reason))
    return paths, unreadable


def recover_unfinished_runs(
    spark: SparkSession, warehouse: Warehouse, run_id: str, claims: list[io.FileClaim]
) -> list[io.UnfinishedRun]:
    """Undoes what runs that never ended (killed, or failed) wrote, so their files are read
    again by this run: nothing doubled, nothing lost.

    A run that was killed left no ledger rows: it gets rows of status ``interrupted`` and no
    records (what it read is accounted for by the run that reads its files again), written
    before its claims are dropped, so a run is recorded once even if this is cut short too.
    """
    runs = io.unfinished_runs(spark, warehouse, claims)
    if not runs:
        return runs
    now = _now()
    killed = [
        LedgerRow(run.run_id, source, 0, 0, 0, 0, 0, 0, _started_at(run.run_id, now), now, INTERRUPTED,
                  f"stopped before it ended: run {run_id} removed what it had written and read its {run.files} files again")
        for run in runs if not run.recorded
        for source in run.sources
    ]
    if killed:
        io.write_ledger(spark, warehouse, [tuple(asdict(r).values()) for r in killed])
    tables = io.roll_back(spark, warehouse, runs)
    for run in runs:
        note("unfinished_run_rolled_back", f"run {run.run_id} did not end ({'failed' if run.recorded else 'killed'}): its rows were "
             f"removed from {', '.join(tables)} and its {run.files} files are read again", run=run.run_id, tables=tables)
    return runs


def _started_at(run_id: str, default: dt.datetime) -> dt.datetime:
    """When a run started, from its id (``YYYYmmddTHHMMSS-…``)."""
    try:
        return dt.datetime.strptime(run_id.split("-", 1)[0], "%Y%m%dT%H%M%S")
    except ValueError:
        return default


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


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
    io.ensure_ingest_tables(spark, warehouse)
    claims = io.file_claims(spark, warehouse)
    rolled_back = {run.run_id for run in recover_unfinished_runs(spark, warehouse, run_id, claims)}
    ingested = {(claim.source_file, claim.file_size) for claim in claims if claim.ingest_run_id not in rolled_back}
    found_count, new_files = io.find_new_files(spark, config.ingest.file_suffixes, input_dir, ingested)
    counts: dict[str, dict] = {}
    status, message = "succeeded", None
    try:
        claimed = io.ingested_files(new_files, run_id)
        if claimed:
            io.write_ingested_files(spark, warehouse, claimed)
        records, unreadable = [], []
        for source in BRONZE_SOURCES:
            if not new_files.get(source):
                continue
            landed, lost = land_bronze(spark, warehouse, source, new_files[source], run_id)
            unreadable += lost
            if landed:
                register_table(spark, warehouse, f"bronze/{source}")
                records.append(adapter_for(source, config)(io.bronze_of_run(spark, warehouse, source, run_id)))
        if unreadable:  # one small row per file
            records.append(unreadable_file_records(spark.createDataFrame(unreadable, UNREADABLE_FILES_DDL)))
        if records:
            with_identities = bool(new_files.get(IDENTITIES_SOURCE))
            counts.update(ingest_records(spark, warehouse, reduce(DataFrame.unionByName, records), run_id, with_identities))
    except Exception as error:  # recorded in the ledger, then the run stops
        status, message = "failed", f"{type(error).__name__}: {str(error)[:500]}"
        raise
    finally:
        ledger = _ledger_rows(run_id, started, found_count, new_files, counts, status, message)
        if ledger:
            try:
                io.write_ledger(spark, warehouse, [tuple(asdict(r).values()) for r in ledger])
            except Exception as ledger_error:
                if status == "succeeded":
                    raise
                # A failure that stopped Spark (a driver out of memory) also fails this write:
                # the run's own error, raised after this, is the one a user has to act on.
                note("ledger_not_written", f"the failed run {run_id} could not be recorded in the ledger: "
                     f"{type(ledger_error).__name__}: {str(ledger_error)[:300]}")
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
