"""Column functions for the text and time formats platforms use.

All built-in Spark expressions (no Python UDFs), so they run in the JVM at cluster speed.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

# Twitter-style @handle: 1-15 word characters, not inside an e-mail address or a word.
TWITTER_MENTION_PATTERN = r"(?<![A-Za-z0-9_!#$%&*@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])"
# "RT @name:" at the start of a tweet's text: a reshare in exports without retweet fields.
RETWEET_PREFIX_PATTERN = r"^RT @([A-Za-z0-9_]{1,15}):"
# #tag in any script (letters, digits, underscore), not "&#39;" and not inside a word.
HASHTAG_PATTERN = r"(?<![\p{L}\p{N}_&])#([\p{L}\p{N}_]{1,100})"
# Weibo topics are enclosed: #话题#.
WEIBO_TOPIC_PATTERN = r"#([^#\s]{1,64})#"
# Weibo @name: CJK, letters, digits, _ and -.
WEIBO_MENTION_PATTERN = r"@([\p{IsHan}\p{L}\p{N}_\-]{1,30})"
NUMERIC_ID_PATTERN = r"^[0-9]{1,25}$"
# Activity times Clout accepts, UTC, the end excluded. Nothing happened online before the Unix
# epoch, and a time past 2100 is a clock or export error; Spark's dates also end in 9999, and
# a later one cannot be turned into a date by the driver (Python's dates stop there).
# The bounds are epoch seconds, so they mean the same instants in any session time zone.
EARLIEST_TIME, LATEST_TIME = 0, 4_102_444_800  # 1970-01-01, 2100-01-01 (UTC)
TIME_RANGE_TEXT = "1970-01-01 to 2099-12-31 UTC"


def extract_all(text: Column, pattern: str) -> Column:
    """Distinct, lowercased first groups of a pattern in a text (empty array for null)."""
    found = F.regexp_extract_all(F.coalesce(text, F.lit("")), F.lit(pattern), 1)
    return F.array_distinct(F.transform(found, lambda tag: F.lower(tag)))


def hashtags_in(text: Column) -> Column:
    """Hashtags of a text, lowercased, without '#'."""
    return extract_all(text, HASHTAG_PATTERN)


def twitter_mentions_in(text: Column) -> Column:
    """@handles of a tweet's text, lowercased, without '@'."""
    return extract_all(text, TWITTER_MENTION_PATTERN)


def strip_html(html: Column) -> Column:
    """Plain text of an HTML fragment (Mastodon ``content``): tags out, entities decoded."""
    text = F.regexp_replace(html, r"<br\s*/?>|</p>\s*<p>", " ")
    text = F.regexp_replace(text, r"<[^>]*>", "")
    for entity, char in (("&quot;", '"'), ("&#39;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " ")):
        text = F.regexp_replace(text, entity, char)
    text = F.regexp_replace(text, "&amp;", "&")
    return F.trim(F.regexp_replace(text, r"\s+", " "))


def twitter_timestamp(value: Column) -> Column:
    """Parses Twitter/Weibo ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) to UTC.

    Spark's parser does not accept day-of-week names, so the leading ``Wed `` is cut.
    Returns null when the value is not such a timestamp.
    """
    return F.try_to_timestamp(F.substring(F.trim(value), 5, 100), F.lit("MMM dd HH:mm:ss Z yyyy"))


def iso_timestamp(value: Column) -> Column:
    """Parses ISO 8601 timestamps, with ``Z``, ``+00:00`` or Graph API's ``+0000``."""
    return F.coalesce(
        F.try_to_timestamp(value),
        F.try_to_timestamp(value, F.lit("yyyy-MM-dd'T'HH:mm:ssZ")),
        F.try_to_timestamp(value, F.lit("yyyy-MM-dd'T'HH:mm:ss.SSSZ")),
    )


def epoch_seconds_timestamp(value: Column) -> Column:
    """Parses epoch seconds given as an integer, a float or a string of either."""
    seconds = value.try_cast("double")
    return F.when(
        seconds.isNotNull() & (seconds >= 0) & (seconds < 1e11), F.timestamp_micros((seconds * 1_000_000).cast("long"))
    )


def in_time_range(ts: Column) -> Column:
    """Whether a timestamp lies in the range of activity times Clout accepts (null for null)."""
    return (ts >= F.timestamp_seconds(F.lit(EARLIEST_TIME))) & (ts < F.timestamp_seconds(F.lit(LATEST_TIME)))


def plausible_time(ts: Column) -> Column:
    """The timestamp if it lies in the accepted range, else null (unknown)."""
    return F.when(in_time_range(ts), ts)


def is_numeric_id(value: Column) -> Column:
    """Whether a value is a decimal integer id."""
    return F.coalesce(value.rlike(NUMERIC_ID_PATTERN), F.lit(False))


def parse_long(value: Column) -> Column:
    """An integer count, or null when the value is not one."""
    return value.try_cast("double").try_cast("long")


def parse_bool(value: Column) -> Column:
    """A boolean from ``true``/``false``/``1``/``0``/``True``; null (unknown) otherwise."""
    lowered = F.lower(F.trim(value))
    return (
        F.when(lowered.isin("true", "1", "1.0", "yes", "t"), F.lit(True))
        .when(lowered.isin("false", "0", "0.0", "no", "f"), F.lit(False))
        .otherwise(F.lit(None).cast("boolean"))
    )


def blank_to_null(value: Column) -> Column:
    """Null for empty or whitespace-only strings (empty export fields mean unknown)."""
    return F.when(F.trim(value) != "", value)
