"""The unified schemas every platform adapter maps onto, and builders for them.

An adapter turns bronze rows (raw records as read) into *records*: one row per
independently mappable unit of a platform export (a tweet, a Jetstream event, a Facebook
comment ...), with the events and account snapshots it yields, or the problem that kept
it from being mapped. Everything downstream (quarantine, ledger, events, accounts) is
generic over that one shape.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DateType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from transforms.text import plausible_time

EVENT_TYPES = ("post", "reshare", "quote", "reply", "mention", "like", "follow")
# Event types that carry a post of their own (a post id whose author is the actor).
CONTENT_EVENT_TYPES = ("post", "reshare", "quote", "reply")

BRONZE_SCHEMA = StructType(
    [
        StructField("source", StringType(), False),
        StructField("source_file", StringType(), False),
        StructField("source_position", LongType(), False),
        StructField("raw", StringType(), True),
        StructField("file_modification_time", TimestampType(), True),
        StructField("ingest_run_id", StringType(), False),
        StructField("ingested_at", TimestampType(), False),
    ]
)

EVENT_STRUCT = StructType(
    [
        StructField("natural_key", StringType()),
        StructField("platform", StringType()),
        StructField("event_type", StringType()),
        StructField("actor_account_id", StringType()),
        StructField("target_account_id", StringType()),
        StructField("target_handle", StringType()),
        StructField("post_id", StringType()),
        StructField("parent_post_id", StringType()),
        StructField("root_post_id", StringType()),
        StructField("event_ts", TimestampType()),
        StructField("text", StringType()),
        StructField("hashtags", ArrayType(StringType())),
        StructField("lang", StringType()),
        StructField("version_ts", TimestampType()),
    ]
)

ACCOUNT_PROFILE_FIELDS = StructType(
    [
        StructField("handle", StringType()),
        StructField("display_name", StringType()),
        StructField("followers_count", LongType()),
        StructField("following_count", LongType()),
        StructField("statuses_count", LongType()),
        StructField("favourites_count", LongType()),
        StructField("listed_count", LongType()),
        StructField("created_at", TimestampType()),
        StructField("verified", BooleanType()),
        StructField("default_profile", BooleanType()),
        StructField("default_profile_image", BooleanType()),
        StructField("protected", BooleanType()),
        StructField("declared_bot", BooleanType()),
        StructField("description", StringType()),
        StructField("lang", StringType()),
        StructField("location", StringType()),
        StructField("url", StringType()),
    ]
)

ACCOUNT_STRUCT = StructType(
    [
        StructField("platform", StringType()),
        StructField("account_id", StringType()),
        *ACCOUNT_PROFILE_FIELDS.fields,
        StructField("snapshot_ts", TimestampType()),
    ]
)

# A link of identities.csv: an account and the person it belongs to.
IDENTITY_STRUCT = StructType(
    [
        StructField("person_id", StringType()),
        StructField("platform", StringType()),
        StructField("account_id", StringType()),
    ]
)

RECORD_SCHEMA = StructType(
    [
        StructField("source", StringType(), False),
        StructField("source_file", StringType(), False),
        StructField("source_position", LongType(), False),
        StructField("record_path", StringType(), False),
        StructField("raw", StringType(), True),
        StructField("record_key", StringType(), True),
        StructField("problem", StringType(), True),
        StructField("events", ArrayType(EVENT_STRUCT), True),
        StructField("accounts", ArrayType(ACCOUNT_STRUCT), True),
        # Only records of identities.csv carry one; the others leave it null.
        StructField("identity", IDENTITY_STRUCT, True),
    ]
)

EVENTS_SCHEMA = StructType(
    [
        StructField("event_id", StringType(), False),
        *[f for f in EVENT_STRUCT.fields if f.name != "natural_key"],
        StructField("event_date", DateType()),
        StructField("source", StringType()),
        StructField("source_file", StringType()),
        StructField("source_position", LongType()),
        StructField("ingest_run_id", StringType()),
    ]
)

ACCOUNTS_SCHEMA = StructType(
    [
        StructField("person_id", StringType()),
        *ACCOUNT_STRUCT.fields,
        StructField("source", StringType()),
        StructField("updated_run_id", StringType()),
    ]
)

QUARANTINE_SCHEMA = StructType(
    [
        StructField("source", StringType(), False),
        StructField("source_file", StringType(), False),
        StructField("source_position", LongType(), False),
        StructField("record_path", StringType(), False),
        StructField("raw", StringType(), True),
        StructField("reason", StringType(), False),
        StructField("record_key", StringType(), True),
        StructField("ingest_run_id", StringType(), False),
        StructField("quarantined_at", TimestampType(), False),
    ]
)

INGESTED_RECORDS_SCHEMA = StructType(
    [
        StructField("record_key", StringType(), False),
        StructField("source", StringType(), False),
        StructField("outcome", StringType(), False),
        StructField("ingest_run_id", StringType(), False),
    ]
)

# Events still waiting for their target account (known by handle or parent post only).
UNRESOLVED_TARGETS_SCHEMA = StructType(
    [
        StructField("event_id", StringType(), False),
        StructField("event_date", DateType(), False),
        StructField("platform", StringType(), False),
        StructField("target_handle", StringType(), True),
        StructField("parent_post_id", StringType(), True),
    ]
)

INGEST_FILES_SCHEMA = StructType(
    [
        StructField("source", StringType(), False),
        StructField("source_file", StringType(), False),
        StructField("file_size", LongType(), True),
        StructField("file_modification_time", TimestampType(), True),
        StructField("ingest_run_id", StringType(), False),
    ]
)

INGEST_RUNS_SCHEMA = StructType(
    [
        StructField("run_id", StringType(), False),
        StructField("source", StringType(), False),
        StructField("files_read", LongType(), False),
        StructField("records_read", LongType(), False),
        StructField("accepted", LongType(), False),
        StructField("quarantined", LongType(), False),
        StructField("duplicates", LongType(), False),
        StructField("events_mapped", LongType(), False),
        StructField("started_at", TimestampType(), False),
        StructField("ended_at", TimestampType(), False),
        StructField("status", StringType(), False),
        StructField("message", StringType(), True),
    ]
)


def _typed(value: Column | str | None, data_type: DataType) -> Column:
    # A type name costs one JVM call; a DataType object is sent as JSON and parsed each time.
    # Nested types keep their object so their fields' nullability is kept.
    target = data_type if isinstance(data_type, (ArrayType, MapType, StructType)) else data_type.simpleString()
    if value is None:
        return F.lit(None).cast(target)
    if isinstance(value, str):
        return F.lit(value).cast(target)
    return value.cast(target)


def event(
    platform: Column | str,
    event_type: Column | str,
    natural_key: Column,
    actor: Column,
    event_ts: Column,
    *,
    target: Column | None = None,
    target_handle: Column | None = None,
    post_id: Column | None = None,
    parent_post_id: Column | None = None,
    root_post_id: Column | None = None,
    text: Column | None = None,
    hashtags: Column | None = None,
    lang: Column | None = None,
    version_ts: Column | None = None,
) -> Column:
    """Builds one unified event struct; fields left out are null.

    Plain strings are literals (``event_type="post"``); columns are expressions.
    ``version_ts`` orders versions of an edited post and defaults to ``event_ts``. A time
    outside the accepted range (:data:`transforms.text.TIME_RANGE_TEXT`) is left null, so
    the record carrying the event is quarantined (``incomplete_event_problem``) whatever
    item of it holds the time.
    """
    values = {
        "natural_key": natural_key,
        "platform": platform,
        "event_type": event_type,
        "actor_account_id": actor,
        "target_account_id": target,
        "target_handle": target_handle,
        "post_id": post_id,
        "parent_post_id": parent_post_id,
        "root_post_id": root_post_id,
        "event_ts": plausible_time(event_ts),
        "text": text,
        "hashtags": hashtags,
        "lang": lang,
        "version_ts": plausible_time(version_ts if version_ts is not None else event_ts),
    }
    return F.struct(*[_typed(values[f.name], f.dataType).alias(f.name) for f in EVENT_STRUCT.fields])


def account(
    platform: Column | str, account_id: Column, snapshot_ts: Column | None, **profile: Column | None
) -> Column:
    """Builds one account snapshot struct; profile fields left out are null (unknown).

    A snapshot time or creation date outside the accepted range is unknown (null) too.
    """
    unknown = set(profile) - set(ACCOUNT_PROFILE_FIELDS.fieldNames())
    if unknown:
        raise ValueError(f"unknown account fields {sorted(unknown)}")
    if profile.get("created_at") is not None:
        profile = {**profile, "created_at": plausible_time(profile["created_at"])}
    snapshot = plausible_time(snapshot_ts) if snapshot_ts is not None else None
    values = {"platform": platform, "account_id": account_id, "snapshot_ts": snapshot, **profile}
    return F.struct(*[_typed(values.get(f.name), f.dataType).alias(f.name) for f in ACCOUNT_STRUCT.fields])


def no_events() -> Column:
    """An empty event array of the unified type."""
    return F.array().cast(ArrayType(EVENT_STRUCT))


def no_accounts() -> Column:
    """An empty account array of the unified type."""
    return F.array().cast(ArrayType(ACCOUNT_STRUCT))


def compact(array: Column) -> Column:
    """Drops null elements (events that do not apply to a record) from an array."""
    return F.filter(array, lambda element: element.isNotNull())


def first_problem(*checks: tuple[Column, Column]) -> Column:
    """The message of the first failed check, or null if every check passes.

    Args:
        *checks: ``(failed_condition, message)`` pairs, in order of importance.
    """
    return F.coalesce(*[F.when(failed, message) for failed, message in checks], F.lit(None).cast("string"))


def quoted(value: Column, limit: int = 60) -> Column:
    """A raw value shown in a problem message: quoted, cut at ``limit`` characters, an
    invisible NUL character shown as ``\\u0000``."""
    text = F.replace(F.coalesce(value.cast("string"), F.lit("null")), F.lit("\u0000"), F.lit("\\u0000"))
    short = F.when(F.length(text) > limit, F.concat(F.substring(text, 1, limit), F.lit("..."))).otherwise(text)
    return F.concat(F.lit("'"), short, F.lit("'"))


def record_key(*parts: Column) -> Column:
    """A stable key for a record, from the parts that identify it."""
    return F.sha2(F.concat_ws("|", *[F.coalesce(p.cast("string"), F.lit("")) for p in parts]), 256)
