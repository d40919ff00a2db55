"""Bot-research CSV exports: ``users.csv`` (Twitter user-object fields as columns) and
``tweets.csv[.gz]`` (``user_id, id, created_at, text``), the layout of cresci-2015.

Bronze holds each CSV row as a JSON object of header -> value, so every column except
the ids may be missing (exports differ in what they carry).

Mapping rules:
- A tweet whose text starts with ``RT @name:`` is a ``reshare`` of name's content (known
  by screen name only); any other is a ``post``. Either yields one ``mention`` per other
  distinct ``@name`` in the text. Targets known only by screen name are resolved to
  account ids downstream, where an account with that screen name is known.
- A users.csv row is an account snapshot as of ``updated`` (when it was collected).
  Empty fields mean unknown, never false.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import MapType, StringType

from transforms.adapters.common import bad_timestamp, finish_records, missing, not_matching, runs_over_lines
from transforms.schema import account, event, first_problem, record_key
from transforms.text import (
    NUMERIC_ID_PATTERN,
    RETWEET_PREFIX_PATTERN,
    blank_to_null,
    hashtags_in,
    parse_bool,
    parse_long,
    twitter_mentions_in,
    twitter_timestamp,
)

ROW = MapType(StringType(), StringType())


def _field(row: Column, name: str) -> Column:
    return blank_to_null(F.trim(row[name]))


def _tweet_records(rows: DataFrame, platform: str) -> DataFrame:
    row = F.col("row")
    tweet_id, author, text = _field(row, "id"), _field(row, "user_id"), row["text"]
    ts = twitter_timestamp(_field(row, "created_at"))
    retweeted = F.nullif(F.regexp_extract(F.coalesce(text, F.lit("")), RETWEET_PREFIX_PATTERN, 1), F.lit(""))
    is_reshare = retweeted.isNotNull()
    tags = hashtags_in(text)
    content = event(
        platform, F.when(is_reshare, "reshare").otherwise("post"), F.concat(F.lit("post|"), tweet_id), author, ts,
        target_handle=retweeted, post_id=tweet_id, text=text, hashtags=tags,
    )
    others = F.filter(twitter_mentions_in(text), lambda name: retweeted.isNull() | (name != F.lower(retweeted)))
    mentions = F.transform(
        others,
        lambda name: event(
            platform, "mention", F.concat(F.lit("mention|"), tweet_id, F.lit("|@"), name), author, ts,
            target_handle=name, post_id=tweet_id, text=text, hashtags=tags,
        ),
    )
    problem = first_problem(
        runs_over_lines(tweet_id, "id"),
        runs_over_lines(author, "user_id"),
        runs_over_lines(_field(row, "created_at"), "created_at"),
        missing(tweet_id, "id"),
        not_matching(tweet_id, NUMERIC_ID_PATTERN, "tweet id"),
        missing(author, "user_id"),
        not_matching(author, NUMERIC_ID_PATTERN, "user_id"),
        bad_timestamp(_field(row, "created_at"), ts, "created_at"),
    )
    return finish_records(
        rows,
        record_path=F.lit(""),
        key=record_key(F.lit(platform), F.lit("tweet"), tweet_id),
        problem=problem,
        events=F.concat(F.array(content), mentions),
        accounts=F.array(account(platform, author, None)),
    )


def _user_records(rows: DataFrame, platform: str) -> DataFrame:
    row = F.col("row")
    account_id = _field(row, "id")
    created_raw = _field(row, "created_at")
    created = twitter_timestamp(created_raw)
    updated = F.try_to_timestamp(_field(row, "updated"))
    snapshot = account(
        platform,
        account_id,
        updated,
        handle=_field(row, "screen_name"),
        display_name=_field(row, "name"),
        followers_count=parse_long(_field(row, "followers_count")),
        following_count=parse_long(_field(row, "friends_count")),
        statuses_count=parse_long(_field(row, "statuses_count")),
        favourites_count=parse_long(_field(row, "favourites_count")),
        listed_count=parse_long(_field(row, "listed_count")),
        created_at=created,
        verified=parse_bool(_field(row, "verified")),
        default_profile=parse_bool(_field(row, "default_profile")),
        default_profile_image=parse_bool(_field(row, "default_profile_image")),
        protected=parse_bool(_field(row, "protected")),
        description=_field(row, "description"),
        lang=_field(row, "lang"),
        location=_field(row, "location"),
        url=_field(row, "url"),
    )
    problem = first_problem(
        runs_over_lines(account_id, "id"),
        runs_over_lines(created_raw, "created_at"),
        runs_over_lines(_field(row, "updated"), "updated"),
        missing(account_id, "id"),
        not_matching(account_id, NUMERIC_ID_PATTERN, "account id"),
        (created_raw.isNotNull() & created.isNull(), F.concat(F.lit("created_at '"), created_raw, F.lit("' is not a timestamp"))),
    )
    return finish_records(
        rows,
        record_path=F.lit(""),
        key=record_key(F.lit(platform), F.lit("user"), account_id, F.coalesce(_field(row, "updated"), F.lit(""))),
        problem=problem,
        events=F.array(),
        accounts=F.array(snapshot),
    )


def to_records(bronze: DataFrame, platform: str) -> DataFrame:
    """Maps bronze research CSV rows (JSON objects of header -> value) to unified records.

    Args:
        bronze: Bronze rows of the ``research_csv`` source.
        platform: Platform name of the accounts (the exports are of Twitter accounts).
    """
    parsed = bronze.select("source", "source_file", "source_position", "raw", F.from_json("raw", ROW).alias("row"))
    is_tweet = F.col("row")["user_id"].isNotNull() | F.col("row")["text"].isNotNull()
    return _tweet_records(parsed.where(is_tweet), platform).unionByName(_user_records(parsed.where(~is_tweet), platform))
