"""Reddit: Pushshift-style submissions and comments, mixed, as JSON lines.

Mapping rules:
- A submission (``title``, no ``parent_id``) is a ``post`` with id ``t3_<id>``.
- A comment is a ``reply``: parent ``parent_id`` (``t1_`` comment or ``t3_`` submission),
  root ``link_id``. Its target (the parent's author) is not in the record: it is filled
  downstream from the parent's own event.
- Accounts are usernames. ``[deleted]``/``[removed]`` authors cannot be attributed to an
  account: such records are quarantined with that reason.
- ``edited`` (an epoch) is a newer version of the same item: the event id stays, the
  newest version wins.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from transforms.adapters.common import bad_timestamp, finish_records, json_problem, missing, not_scalar, parse_json
from transforms.schema import account, event, first_problem, record_key
from transforms.text import blank_to_null, epoch_seconds_timestamp, hashtags_in

PLATFORM = "reddit"
DELETED_AUTHORS = ("[deleted]", "[removed]")

ITEM = StructType(
    [
        StructField(n, StringType())
        for n in (
            "id", "name", "author", "author_fullname", "created_utc", "subreddit", "title", "selftext",
            "body", "parent_id", "link_id", "edited", "lang",
        )
    ]
)


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Pushshift lines to unified records."""
    item = F.col("j")
    is_comment = item["parent_id"].isNotNull() | item["body"].isNotNull()
    prefix = F.when(is_comment, F.lit("t1_")).otherwise(F.lit("t3_"))
    bare_id = F.regexp_replace(blank_to_null(item["id"]), r"^t[13]_", "")
    post_id = F.concat(prefix, bare_id)
    author = blank_to_null(item["author"])
    ts = epoch_seconds_timestamp(item["created_utc"])
    edited = F.when(~F.lower(F.coalesce(item["edited"], F.lit("false"))).isin("false", "0"), epoch_seconds_timestamp(item["edited"]))
    text = F.when(
        is_comment, blank_to_null(item["body"])
    ).otherwise(F.concat_ws("\n\n", blank_to_null(item["title"]), blank_to_null(item["selftext"])))
    text = F.when(~text.isin("[deleted]", "[removed]"), text)
    content = event(
        PLATFORM,
        F.when(is_comment, "reply").otherwise("post"),
        F.concat(F.lit("post|"), post_id),
        author,
        ts,
        post_id=post_id,
        parent_post_id=F.when(is_comment, item["parent_id"]),
        root_post_id=F.when(is_comment, item["link_id"]),
        text=text,
        hashtags=hashtags_in(text),
        lang=blank_to_null(item["lang"]),
        version_ts=F.coalesce(edited, ts),
    )
    problem = F.coalesce(
        json_problem(F.col("raw"), item, "Pushshift item"),
        first_problem(
            missing(item["id"], "id"),
            missing(author, "author"),
            not_scalar(item["id"], "id"),
            (
                author.isin(*DELETED_AUTHORS),
                F.concat(F.lit("author is '"), author, F.lit("': the account was deleted, so the activity cannot be attributed to anyone")),
            ),
            bad_timestamp(item["created_utc"], ts, "created_utc"),
            (is_comment & ~F.coalesce(item["parent_id"].rlike(r"^t[13]_"), F.lit(False)), F.concat(F.lit("parent_id '"), F.coalesce(item["parent_id"], F.lit("null")), F.lit("' is not a t1_/t3_ fullname"))),
        ),
    )
    parsed = bronze.select("source", "source_file", "source_position", "raw", parse_json(F.col("raw"), ITEM).alias("j"))
    key = record_key(F.lit(PLATFORM), post_id, F.coalesce(item["edited"], F.lit("")))
    return finish_records(
        parsed,
        record_path=F.lit(""),
        key=key,
        problem=problem,
        events=F.array(content),
        accounts=F.array(account(PLATFORM, author, ts, handle=author)),
    )
