"""Weibo: API status objects as JSON lines (Chinese text, ``#topic#`` hashtags, +0800 times).

Mapping rules:
- A status with ``retweeted_status`` is a ``reshare``; Weibo embeds the root of a repost
  chain, so parent and root are that status (the earlier reposters of a chain appear only
  as ``//@name:`` in the text). The embedded original yields its events too.
- Otherwise a ``post``. One ``mention`` per distinct ``@name`` in the text, the
  ``//@name:`` of a repost chain included (Weibo links them as mentions); names are
  resolved to account ids downstream where an account with that screen name is known.
- ``created_at`` carries its offset (+0800) and is converted to UTC.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from transforms.adapters.common import bad_timestamp, finish_records, json_problem, missing, not_matching, parse_json
from transforms.schema import account, compact, event, first_problem, record_key
from transforms.text import (
    NUMERIC_ID_PATTERN,
    WEIBO_MENTION_PATTERN,
    WEIBO_TOPIC_PATTERN,
    blank_to_null,
    extract_all,
    parse_bool,
    parse_long,
    twitter_timestamp,
)

PLATFORM = "weibo"


def _s(*names: str) -> list[StructField]:
    return [StructField(n, StringType()) for n in names]


USER = StructType(
    _s(
        "id", "idstr", "screen_name", "name", "followers_count", "friends_count", "statuses_count",
        "favourites_count", "created_at", "verified", "description", "lang", "location", "url",
    )
)
_FIELDS = [*_s("created_at", "id", "idstr", "mid", "text"), StructField("user", USER)]
STATUS = StructType([*_FIELDS, StructField("retweeted_status", StructType(_FIELDS))])


def _id(obj: Column) -> Column:
    return F.coalesce(blank_to_null(obj["idstr"]), blank_to_null(obj["id"]), blank_to_null(obj["mid"]))


def _user_id(user: Column) -> Column:
    return F.coalesce(blank_to_null(user["idstr"]), blank_to_null(user["id"]))


def _snapshot(user: Column, snapshot_ts: Column) -> Column:
    return account(
        PLATFORM,
        _user_id(user),
        snapshot_ts,
        handle=user["screen_name"],
        display_name=user["name"],
        followers_count=parse_long(user["followers_count"]),
        following_count=parse_long(user["friends_count"]),
        statuses_count=parse_long(user["statuses_count"]),
        favourites_count=parse_long(user["favourites_count"]),
        created_at=twitter_timestamp(user["created_at"]),
        verified=parse_bool(user["verified"]),
        description=blank_to_null(user["description"]),
        lang=blank_to_null(user["lang"]),
        location=blank_to_null(user["location"]),
        url=blank_to_null(user["url"]),
    )


def _status_events(status: Column, root: Column | None) -> Column:
    sid, author = _id(status), _user_id(status["user"])
    ts = twitter_timestamp(status["created_at"])
    text = status["text"]
    tags = extract_all(text, WEIBO_TOPIC_PATTERN)
    is_reshare = F.lit(False) if root is None else _id(root).isNotNull()
    root_id = F.lit(None) if root is None else _id(root)
    content = event(
        PLATFORM,
        F.when(is_reshare, "reshare").otherwise("post"),
        F.concat(F.lit("post|"), sid),
        author,
        ts,
        target=F.when(is_reshare, None if root is None else _user_id(root["user"])),
        target_handle=F.when(is_reshare, None if root is None else root["user"]["screen_name"]),
        post_id=sid,
        parent_post_id=F.when(is_reshare, root_id),
        root_post_id=F.when(is_reshare, root_id),
        text=text,
        hashtags=tags,
        lang=F.lit("zh"),
    )
    mention_events = F.transform(
        extract_all(text, WEIBO_MENTION_PATTERN),
        lambda m: event(
            PLATFORM, "mention", F.concat(F.lit("mention|"), sid, F.lit("|@"), m), author, ts,
            target_handle=m, post_id=sid, text=text, hashtags=tags, lang=F.lit("zh"),
        ),
    )
    return compact(F.concat(F.array(content), mention_events))


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Weibo status lines to unified records."""
    status = F.col("j")
    root = status["retweeted_status"]
    has_root = _id(root).isNotNull()
    ts = twitter_timestamp(status["created_at"])
    events = F.concat(_status_events(status, root), F.when(has_root, _status_events(root, None)).otherwise(F.array()))
    accounts = compact(F.array(_snapshot(status["user"], ts), F.when(has_root, _snapshot(root["user"], ts))))
    problem = F.coalesce(
        json_problem(F.col("raw"), status, "Weibo status"),
        first_problem(
            missing(_id(status), "status id (idstr/id/mid)"),
            not_matching(_id(status), NUMERIC_ID_PATTERN, "status id"),
            missing(_user_id(status["user"]), "author (user.idstr)"),
            not_matching(_user_id(status["user"]), NUMERIC_ID_PATTERN, "author id user.idstr"),
            bad_timestamp(status["created_at"], ts, "created_at"),
            (has_root & twitter_timestamp(root["created_at"]).isNull(), F.lit("retweeted_status.created_at is not a timestamp")),
            (has_root & _user_id(root["user"]).isNull(), F.lit("retweeted_status.user is missing")),
        ),
    )
    parsed = bronze.select("source", "source_file", "source_position", "raw", parse_json(F.col("raw"), STATUS).alias("j"))
    return finish_records(
        parsed, record_path=F.lit(""), key=record_key(F.lit(PLATFORM), _id(status)), problem=problem, events=events, accounts=accounts
    )
