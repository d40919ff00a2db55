"""Facebook: Graph API page exports, one JSON document per file.

A file is a response envelope ``{"data": [posts], "paging": {...}}``; each post nests its
``comments`` (with their replies) and ``reactions``. Every post, comment, reply and
reaction is a record of its own (record_path ``data[2].comments.data[0]``, ...).

Mapping rules:
- A post is a ``post``; ``message_tags`` of users and pages are ``mention`` events.
- A comment is a ``reply`` to the post (target: the post's author); a reply to a comment
  is a ``reply`` to that comment (target: the comment's author, root: the post).
- A reaction (any type) is a ``like`` of the post. The Graph API gives no reaction time,
  so its time is the post's.
- The Graph API hides ``from`` of commenters without the right permission: such a
  comment cannot be attributed and is quarantined with that reason.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from transforms.adapters.common import bad_timestamp, finish_records, json_problem, missing, not_scalar, parse_json
from transforms.schema import account, compact, event, first_problem, record_key
from transforms.text import blank_to_null, hashtags_in, iso_timestamp

PLATFORM = "facebook"


def _s(*names: str) -> list[StructField]:
    return [StructField(n, StringType()) for n in names]


_FROM = StructType(_s("id", "name"))
_TAGS = ArrayType(StructType(_s("id", "name", "type")))
REPLY = StructType([*_s("id", "created_time", "message"), StructField("from", _FROM), StructField("message_tags", _TAGS)])
COMMENT = StructType([*REPLY.fields, StructField("comments", StructType([StructField("data", ArrayType(REPLY))]))])
REACTION = StructType(_s("id", "name", "type"))
POST = StructType(
    [
        *_s("id", "created_time", "message", "story"),
        StructField("from", _FROM),
        StructField("message_tags", _TAGS),
        StructField("comments", StructType([StructField("data", ArrayType(COMMENT))])),
        StructField("reactions", StructType([StructField("data", ArrayType(REACTION))])),
    ]
)
ENVELOPE = StructType([StructField("data", ArrayType(POST)), StructField("error", StructType(_s("message")))])
LINEAGE = ("source", "source_file", "source_position")


def _content(item: Column, kind: str, ts: Column, target: Column | None, parent: Column | None, root: Column | None) -> Column:
    """The item's own event plus one mention per tagged user or page."""
    item_id, author, text = blank_to_null(item["id"]), blank_to_null(item["from"]["id"]), blank_to_null(item["message"])
    tags = hashtags_in(text)
    own = event(
        PLATFORM, kind, F.concat(F.lit("post|"), item_id), author, ts,
        target=target, post_id=item_id, parent_post_id=parent, root_post_id=root, text=text, hashtags=tags,
    )
    tagged = F.filter(
        F.coalesce(item["message_tags"], F.array()),
        lambda t: t["id"].isNotNull() & F.coalesce(t["type"], F.lit("user")).isin("user", "page"),
    )
    mentions = F.transform(
        tagged,
        lambda t: event(
            PLATFORM, "mention", F.concat(F.lit("mention|"), item_id, F.lit("|"), t["id"]), author, ts,
            target=t["id"], post_id=item_id, text=text, hashtags=tags,
        ),
    )
    return F.concat(F.array(own), F.array_distinct(mentions))


def _people(item: Column, snapshot_ts: Column) -> Column:
    author = F.when(blank_to_null(item["from"]["id"]).isNotNull(), account(PLATFORM, item["from"]["id"], snapshot_ts, display_name=item["from"]["name"]))
    tagged = F.transform(
        F.filter(F.coalesce(item["message_tags"], F.array()), lambda t: t["id"].isNotNull()),
        lambda t: account(PLATFORM, t["id"], None, display_name=t["name"]),
    )
    return compact(F.concat(F.array(author), tagged))


def _item_problem(item: Column, ts: Column, what: str) -> Column:
    return first_problem(
        missing(item["id"], f"{what} id"),
        not_scalar(item["id"], f"{what} id"),
        (
            blank_to_null(item["from"]["id"]).isNull(),
            F.lit(f"{what} has no 'from': the Graph API hides the author without the pages_read_user_content permission, so it cannot be attributed"),
        ),
        bad_timestamp(item["created_time"], ts, "created_time"),
    )


def _exploded(df: DataFrame, array: Column, path: Column, keep: dict[str, Column]) -> DataFrame:
    return df.select(
        *LINEAGE,
        *[c.alias(n) for n, c in keep.items()],
        path.alias("_parent_path"),
        F.posexplode(F.coalesce(array, F.array())).alias("index", "item"),
    ).withColumn("path", F.concat(F.col("_parent_path"), F.lit("["), F.col("index").cast("string"), F.lit("]")))


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Facebook export files to unified records."""
    files = bronze.select(*LINEAGE, "raw", parse_json(F.col("raw"), ENVELOPE).alias("j"))
    file_problem = F.coalesce(
        json_problem(F.col("raw"), F.col("j"), "Graph API response"),
        F.when(F.col("j")["error"].isNotNull(), F.concat(F.lit("Graph API error: "), F.coalesce(F.col("j")["error"]["message"], F.lit("unknown")))),
        F.when(F.col("j")["data"].isNull(), F.lit("Graph API response has no data array")),
    )
    bad_files = finish_records(
        files.where(file_problem.isNotNull()), record_path=F.lit(""), key=F.lit(None), problem=file_problem,
        events=F.array(), accounts=F.array(),
    )
    good = files.where(file_problem.isNull())

    posts = _exploded(good, F.col("j")["data"], F.lit("data"), {})
    post, post_ts = F.col("item"), iso_timestamp(F.col("item")["created_time"])
    post_records = finish_records(
        posts.withColumn("raw", F.to_json(F.col("item").dropFields("comments", "reactions"))),
        record_path=F.col("path"),
        key=record_key(F.lit(PLATFORM), F.lit("post"), post["id"]),
        problem=_item_problem(post, post_ts, "post"),
        events=_content(post, "post", post_ts, None, None, None),
        accounts=_people(post, post_ts),
    )

    post_context = {
        "post_id": post["id"], "post_author": post["from"]["id"], "post_ts": post_ts, "post_path": F.col("path"),
        "post_problem": _item_problem(post, post_ts, "post"),
    }
    comments = _exploded(posts, post["comments"]["data"], F.concat(F.col("path"), F.lit(".comments.data")), post_context)
    comment, comment_ts = F.col("item"), iso_timestamp(F.col("item")["created_time"])
    comment_records = finish_records(
        comments.withColumn("raw", F.to_json(F.col("item").dropFields("comments"))),
        record_path=F.col("path"),
        key=record_key(F.lit(PLATFORM), F.lit("post"), comment["id"]),
        problem=_item_problem(comment, comment_ts, "comment"),
        events=_content(comment, "reply", comment_ts, F.col("post_author"), F.col("post_id"), F.col("post_id")),
        accounts=_people(comment, comment_ts),
    )

    reply_context = {"post_id": F.col("post_id"), "comment_id": comment["id"], "comment_author": comment["from"]["id"]}
    replies = _exploded(comments, comment["comments"]["data"], F.concat(F.col("path"), F.lit(".comments.data")), reply_context)
    reply, reply_ts = F.col("item"), iso_timestamp(F.col("item")["created_time"])
    reply_records = finish_records(
        replies.withColumn("raw", F.to_json(F.col("item"))),
        record_path=F.col("path"),
        key=record_key(F.lit(PLATFORM), F.lit("post"), reply["id"]),
        problem=_item_problem(reply, reply_ts, "reply"),
        events=_content(reply, "reply", reply_ts, F.col("comment_author"), F.col("comment_id"), F.col("post_id")),
        accounts=_people(reply, reply_ts),
    )

    reactions = _exploded(posts, post["reactions"]["data"], F.concat(F.col("path"), F.lit(".reactions.data")), post_context)
    reaction = F.col("item")
    reaction_records = finish_records(
        reactions.withColumn("raw", F.to_json(F.col("item"))),
        record_path=F.col("path"),
        key=record_key(F.lit(PLATFORM), F.lit("reaction"), F.col("post_id"), reaction["id"]),
        problem=first_problem(
            missing(reaction["id"], "reaction user id"),
            (F.col("post_problem").isNotNull(), F.concat(F.lit("the reacted post cannot be mapped: "), F.col("post_problem"))),
        ),
        events=F.array(
            event(
                PLATFORM, "like", F.concat(F.lit("like|"), F.col("post_id"), F.lit("|"), reaction["id"]), reaction["id"], F.col("post_ts"),
                target=F.col("post_author"), parent_post_id=F.col("post_id"), root_post_id=F.col("post_id"),
            )
        ),
        accounts=F.array(account(PLATFORM, reaction["id"], None, display_name=reaction["name"])),
    )
    return bad_files.unionByName(post_records).unionByName(comment_records).unionByName(reply_records).unionByName(reaction_records)
