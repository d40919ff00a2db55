"""Mastodon: API Status entities as JSON lines (one instance's ids).

Mapping rules:
- A status with ``reblog`` is a ``reshare`` of the reblogged status (Mastodon cannot
  reblog a reblog, so the reblogged status is the root); the original yields its events too.
- ``in_reply_to_id`` makes a ``reply`` (target ``in_reply_to_account_id``), else ``post``.
- One ``mention`` per distinct entry of ``mentions`` (not the account a reply answers).
- ``content`` is HTML: the text is its plain text; hashtags come from ``tags``.
- An edit (``edited_at``) keeps the status id and so the event id: the newest version wins.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from transforms.adapters.common import bad_timestamp, finish_records, json_problem, missing, not_scalar, out_of_range_time, parse_json
from transforms.schema import account, compact, event, first_problem, record_key
from transforms.text import blank_to_null, in_time_range, iso_timestamp, parse_bool, parse_long, strip_html

PLATFORM = "mastodon"


def _s(*names: str) -> list[StructField]:
    return [StructField(n, StringType()) for n in names]


ACCOUNT = StructType(
    _s(
        "id", "username", "acct", "display_name", "bot", "locked", "created_at", "note", "url",
        "followers_count", "following_count", "statuses_count", "last_status_at",
    )
)
_STATUS_FIELDS = [
    *_s("id", "created_at", "in_reply_to_id", "in_reply_to_account_id", "language", "content", "edited_at", "url"),
    StructField("account", ACCOUNT),
    StructField("mentions", ArrayType(StructType(_s("id", "username", "acct")))),
    StructField("tags", ArrayType(StructType(_s("name")))),
]
REBLOGGED = StructType(_STATUS_FIELDS)
STATUS = StructType([*_STATUS_FIELDS, StructField("reblog", REBLOGGED)])


def _snapshot(acc: Column, snapshot_ts: Column) -> Column:
    return account(
        PLATFORM,
        blank_to_null(acc["id"]),
        snapshot_ts,
        handle=acc["acct"],
        display_name=blank_to_null(acc["display_name"]),
        followers_count=parse_long(acc["followers_count"]),
        following_count=parse_long(acc["following_count"]),
        statuses_count=parse_long(acc["statuses_count"]),
        created_at=iso_timestamp(acc["created_at"]),
        declared_bot=parse_bool(acc["bot"]),
        protected=parse_bool(acc["locked"]),
        description=blank_to_null(strip_html(acc["note"])),
        url=blank_to_null(acc["url"]),
    )


def _status_events(status: Column, reblogged: Column | None) -> Column:
    sid, author = blank_to_null(status["id"]), blank_to_null(status["account"]["id"])
    ts = iso_timestamp(status["created_at"])
    version = F.coalesce(iso_timestamp(status["edited_at"]), ts)
    text = blank_to_null(strip_html(status["content"]))
    tags = F.array_distinct(F.transform(F.coalesce(status["tags"], F.array()), lambda t: F.lower(t["name"])))
    lang = blank_to_null(status["language"])
    is_reshare = F.lit(False) if reblogged is None else blank_to_null(reblogged["id"]).isNotNull()
    reply_to = blank_to_null(status["in_reply_to_id"])
    reply_target = blank_to_null(status["in_reply_to_account_id"])
    is_reply = ~is_reshare & reply_to.isNotNull()
    reblog_id = F.lit(None) if reblogged is None else blank_to_null(reblogged["id"])
    content = event(
        PLATFORM,
        F.when(is_reshare, "reshare").when(is_reply, "reply").otherwise("post"),
        F.concat(F.lit("post|"), sid),
        author,
        ts,
        target=F.when(is_reshare, None if reblogged is None else reblogged["account"]["id"]).when(is_reply, reply_target),
        target_handle=F.when(is_reshare, None if reblogged is None else reblogged["account"]["acct"]),
        post_id=sid,
        parent_post_id=F.when(is_reshare, reblog_id).when(is_reply, reply_to),
        root_post_id=F.when(is_reshare, reblog_id),
        text=F.when(~is_reshare, text),
        hashtags=tags,
        lang=lang,
        version_ts=version,
    )
    mentions = F.filter(
        F.coalesce(status["mentions"], F.array()),
        lambda m: ~is_reshare & m["id"].isNotNull() & (reply_target.isNull() | (m["id"] != reply_target)),
    )
    mention_events = F.transform(
        mentions,
        lambda m: event(
            PLATFORM, "mention", F.concat(F.lit("mention|"), sid, F.lit("|"), m["id"]), author, ts,
            target=m["id"], target_handle=m["acct"], post_id=sid, text=text, hashtags=tags, lang=lang, version_ts=version,
        ),
    )
    return F.concat(F.array(content), F.array_distinct(mention_events))


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Mastodon status lines to unified records."""
    status = F.col("j")
    reblog = status["reblog"]
    ts = iso_timestamp(status["created_at"])
    has_reblog = blank_to_null(reblog["id"]).isNotNull()
    events = compact(
        F.concat(_status_events(status, reblog), F.when(has_reblog, _status_events(reblog, None)).otherwise(F.array()))
    )
    mention_accounts = F.transform(
        F.filter(F.coalesce(status["mentions"], F.array()), lambda m: m["id"].isNotNull()),
        lambda m: account(PLATFORM, m["id"], None, handle=m["acct"]),
    )
    accounts = compact(
        F.concat(F.array(_snapshot(status["account"], ts), F.when(has_reblog, _snapshot(reblog["account"], ts))), mention_accounts)
    )
    problem = F.coalesce(
        json_problem(F.col("raw"), status, "Mastodon Status"),
        first_problem(
            missing(status["id"], "status id"),
            missing(status["account"]["id"], "account.id (the author)"),
            not_scalar(status["id"], "status id"),
            not_scalar(status["account"]["id"], "account.id (the author)"),
            bad_timestamp(status["created_at"], ts, "created_at"),
            (
                status["edited_at"].isNotNull() & iso_timestamp(status["edited_at"]).isNull(),
                F.concat(F.lit("edited_at '"), status["edited_at"], F.lit("' is not a timestamp")),
            ),
            (status["edited_at"].isNotNull() & ~in_time_range(iso_timestamp(status["edited_at"])),
             out_of_range_time(status["edited_at"], iso_timestamp(status["edited_at"]), "edited_at")),
            (has_reblog & iso_timestamp(reblog["created_at"]).isNull(), F.lit("reblog.created_at is not a timestamp")),
        ),
    )
    parsed = bronze.select("source", "source_file", "source_position", "raw", parse_json(F.col("raw"), STATUS).alias("j"))
    key = record_key(F.lit(PLATFORM), status["id"], F.coalesce(status["edited_at"], F.lit("")))
    return finish_records(parsed, record_path=F.lit(""), key=key, problem=problem, events=events, accounts=accounts)
