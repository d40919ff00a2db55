"""Twitter/X: API v1.1 tweet objects and API v2 responses, as JSON lines in one folder.

Each line is told apart by its content: a v2 response has a top-level ``data`` array.

Mapping rules:
- A tweet yields one content event: ``reshare`` if it has ``retweeted_status`` (v2:
  ``referenced_tweets`` of type ``retweeted``), else ``quote``, else ``reply``, else
  ``post``. v1.1 always embeds the root of a retweet chain, so a retweet of a retweet
  points at the root; an embedded original (retweeted or quoted) yields its own events
  too, deduplicated by ``event_id`` downstream.
- One ``mention`` per distinct mentioned account, except the account a reply answers
  (the reply already targets it); a pure reshare carries the original's mentions, which
  belong to the original, so it yields none of its own.
- Every ``user`` object is an account snapshot as of the tweet's time.
- In a v2 response every element of ``data``, ``includes.tweets`` and ``includes.users``
  is a record of its own (record_path ``data[3]``, ...).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from transforms.adapters.common import (
    bad_timestamp,
    finish_records,
    json_problem,
    missing,
    not_matching,
    parse_json,
)
from transforms.schema import account, compact, event, first_problem, record_key
from transforms.text import (
    NUMERIC_ID_PATTERN,
    blank_to_null,
    hashtags_in,
    iso_timestamp,
    parse_bool,
    parse_long,
    twitter_timestamp,
)

PLATFORM = "twitter"


def _strings(*names: str) -> list[StructField]:
    return [StructField(n, StringType()) for n in names]


V1_USER = StructType(
    _strings(
        "id", "id_str", "screen_name", "name", "followers_count", "friends_count", "statuses_count",
        "favourites_count", "listed_count", "created_at", "verified", "default_profile",
        "default_profile_image", "protected", "description", "lang", "location", "url",
    )
)
V1_ENTITIES = StructType(
    [
        StructField("hashtags", ArrayType(StructType(_strings("text")))),
        StructField("user_mentions", ArrayType(StructType(_strings("id", "id_str", "screen_name")))),
    ]
)
_V1_TWEET_FIELDS = [
    *_strings(
        "id", "id_str", "created_at", "text", "full_text", "lang", "in_reply_to_status_id_str",
        "in_reply_to_user_id_str", "in_reply_to_screen_name", "is_quote_status",
    ),
    StructField("extended_tweet", StructType(_strings("full_text"))),
    StructField("user", V1_USER),
    StructField("entities", V1_ENTITIES),
]
# An embedded tweet: full fields, and only a reference of what it embeds in turn.
_V1_REFERENCE = StructType([*_strings("id", "id_str"), StructField("user", V1_USER)])
V1_EMBEDDED = StructType(
    [*_V1_TWEET_FIELDS, StructField("retweeted_status", _V1_REFERENCE), StructField("quoted_status", _V1_REFERENCE)]
)
V1_TWEET = StructType(
    [*_V1_TWEET_FIELDS, StructField("retweeted_status", V1_EMBEDDED), StructField("quoted_status", V1_EMBEDDED)]
)

V2_TWEET = StructType(
    [
        *_strings("id", "text", "author_id", "created_at", "conversation_id", "lang", "in_reply_to_user_id"),
        StructField("referenced_tweets", ArrayType(StructType(_strings("type", "id")))),
        StructField(
            "entities",
            StructType(
                [
                    StructField("hashtags", ArrayType(StructType(_strings("tag")))),
                    StructField("mentions", ArrayType(StructType(_strings("username", "id")))),
                ]
            ),
        ),
    ]
)
V2_USER = StructType(
    [
        *_strings("id", "username", "name", "created_at", "verified", "description", "protected", "location", "url"),
        StructField(
            "public_metrics",
            StructType(_strings("followers_count", "following_count", "tweet_count", "listed_count")),
        ),
    ]
)
V2_RESPONSE = StructType(
    [
        StructField("data", ArrayType(V2_TWEET)),
        StructField("includes", StructType([StructField("users", ArrayType(V2_USER)), StructField("tweets", ArrayType(V2_TWEET))])),
        StructField("errors", ArrayType(StructType(_strings("title", "detail")))),
    ]
)
# One parse serves both versions: v1.1 fields and v2 envelope fields side by side.
LINE_SCHEMA = StructType([*V1_TWEET.fields, *V2_RESPONSE.fields])


def tweet_key(tweet_id: Column) -> Column:
    """Record key of a tweet: its id identifies it across files and API versions."""
    return record_key(F.lit(PLATFORM), F.lit("tweet"), tweet_id)


# ---------------------------------------------------------------- v1.1


def _v1_id(obj: Column) -> Column:
    return F.coalesce(blank_to_null(obj["id_str"]), blank_to_null(obj["id"]))


def _v1_text(tweet: Column) -> Column:
    return F.coalesce(tweet["extended_tweet"]["full_text"], tweet["full_text"], tweet["text"])


def _v1_user_snapshot(user: Column, snapshot_ts: Column) -> Column:
    return account(
        PLATFORM,
        _v1_id(user),
        snapshot_ts,
        handle=user["screen_name"],
        display_name=user["name"],
        followers_count=parse_long(user["followers_count"]),
        following_count=parse_long(user["friends_count"]),
        statuses_count=parse_long(user["statuses_count"]),
        favourites_count=parse_long(user["favourites_count"]),
        listed_count=parse_long(user["listed_count"]),
        created_at=twitter_timestamp(user["created_at"]),
        verified=parse_bool(user["verified"]),
        default_profile=parse_bool(user["default_profile"]),
        default_profile_image=parse_bool(user["default_profile_image"]),
        protected=parse_bool(user["protected"]),
        description=blank_to_null(user["description"]),
        lang=blank_to_null(user["lang"]),
        location=blank_to_null(user["location"]),
        url=blank_to_null(user["url"]),
    )


def _v1_tweet_events(tweet: Column) -> Column:
    """Content event plus mentions of one v1.1 tweet (embedded or not)."""
    tweet_id = _v1_id(tweet)
    author = _v1_id(tweet["user"])
    ts = twitter_timestamp(tweet["created_at"])
    text = _v1_text(tweet)
    retweeted, quoted_tweet = tweet["retweeted_status"], tweet["quoted_status"]
    is_reshare = _v1_id(retweeted).isNotNull()
    is_quote = ~is_reshare & _v1_id(quoted_tweet).isNotNull()
    is_reply = ~is_reshare & ~is_quote & blank_to_null(tweet["in_reply_to_status_id_str"]).isNotNull()
    referenced = F.when(is_reshare, retweeted).when(is_quote, quoted_tweet)
    reply_target = blank_to_null(tweet["in_reply_to_user_id_str"])
    tags = tweet["entities"]["hashtags"]
    hashtags = F.when(tags.isNotNull(), F.array_distinct(F.transform(tags, lambda t: F.lower(t["text"])))).otherwise(
        hashtags_in(text)
    )
    kind = F.when(is_reshare, "reshare").when(is_quote, "quote").when(is_reply, "reply").otherwise("post")
    content = event(
        PLATFORM,
        kind,
        F.concat(F.lit("post|"), tweet_id),
        author,
        ts,
        target=F.when(is_reply, reply_target).otherwise(_v1_id(referenced["user"])),
        target_handle=F.when(is_reply, tweet["in_reply_to_screen_name"]).otherwise(referenced["user"]["screen_name"]),
        post_id=tweet_id,
        parent_post_id=F.when(is_reply, tweet["in_reply_to_status_id_str"]).otherwise(_v1_id(referenced)),
        root_post_id=F.when(is_reshare | is_quote, _v1_id(referenced)),
        text=text,
        hashtags=hashtags,
        lang=blank_to_null(tweet["lang"]),
    )
    mentions = F.filter(
        F.coalesce(tweet["entities"]["user_mentions"], F.array()),
        lambda m: ~is_reshare & (~is_reply | reply_target.isNull() | (_v1_id(m) != reply_target) | _v1_id(m).isNull()),
    )
    mention_events = F.transform(
        mentions,
        lambda m: event(
            PLATFORM,
            "mention",
            F.concat(F.lit("mention|"), tweet_id, F.lit("|"), F.coalesce(_v1_id(m), F.concat(F.lit("@"), F.lower(m["screen_name"])))),
            author,
            ts,
            target=_v1_id(m),
            target_handle=m["screen_name"],
            post_id=tweet_id,
            text=text,
            hashtags=hashtags,
            lang=blank_to_null(tweet["lang"]),
        ),
    )
    # Drop repeats of one account within a tweet's mentions.
    unique_mentions = F.array_distinct(mention_events)
    return F.when(tweet_id.isNull(), F.array()).otherwise(F.concat(F.array(content), unique_mentions))


def _v1_record(tweet: Column) -> tuple[Column, Column, Column, Column]:
    """Key, problem, events and accounts of a line that is one v1.1 tweet."""
    tweet_id, author = _v1_id(tweet), _v1_id(tweet["user"])
    ts = twitter_timestamp(tweet["created_at"])
    problem = F.coalesce(
        json_problem(F.col("raw"), tweet, "Twitter v1.1 tweet"),
        first_problem(
            missing(tweet_id, "tweet id (id_str)"),
            not_matching(tweet_id, NUMERIC_ID_PATTERN, "tweet id"),
            missing(author, "author (user.id_str)"),
            not_matching(author, NUMERIC_ID_PATTERN, "author id user.id_str"),
            bad_timestamp(tweet["created_at"], ts, "created_at"),
            (
                tweet["retweeted_status"].isNotNull() & twitter_timestamp(tweet["retweeted_status"]["created_at"]).isNull(),
                F.concat(F.lit("retweeted_status.created_at "), F.coalesce(tweet["retweeted_status"]["created_at"], F.lit("null")), F.lit(" is not a timestamp")),
            ),
        ),
    )
    embedded = [tweet["retweeted_status"], tweet["quoted_status"]]
    events = compact(
        F.flatten(F.array(_v1_tweet_events(tweet), *[F.when(_v1_id(e).isNotNull(), _v1_tweet_events(e)).otherwise(F.array()) for e in embedded]))
    )
    users = [tweet["user"], *[e["user"] for e in embedded]]
    mention_accounts = F.transform(
        F.filter(F.coalesce(tweet["entities"]["user_mentions"], F.array()), lambda m: _v1_id(m).isNotNull()),
        lambda m: account(PLATFORM, _v1_id(m), None, handle=m["screen_name"]),
    )
    reply_account = F.when(
        blank_to_null(tweet["in_reply_to_user_id_str"]).isNotNull(),
        account(PLATFORM, tweet["in_reply_to_user_id_str"], None, handle=tweet["in_reply_to_screen_name"]),
    )
    accounts = compact(
        F.concat(F.array(*[F.when(_v1_id(u).isNotNull(), _v1_user_snapshot(u, ts)) for u in users], reply_account), mention_accounts)
    )
    return tweet_key(tweet_id), problem, events, accounts


# ---------------------------------------------------------------- v2


def _v2_tweet_record(tweet: Column) -> tuple[Column, Column, Column]:
    """Problem, events and accounts of one v2 tweet object."""
    refs = F.coalesce(tweet["referenced_tweets"], F.array())

    def ref_id(ref_type: str) -> Column:
        return F.get(F.filter(refs, lambda r: r["type"] == ref_type), 0)["id"]

    retweeted, quoted_id, replied = ref_id("retweeted"), ref_id("quoted"), ref_id("replied_to")
    is_reshare = retweeted.isNotNull()
    is_quote = ~is_reshare & quoted_id.isNotNull()
    is_reply = ~is_reshare & ~is_quote & replied.isNotNull()
    tweet_id, author = blank_to_null(tweet["id"]), blank_to_null(tweet["author_id"])
    ts = iso_timestamp(tweet["created_at"])
    reply_target = blank_to_null(tweet["in_reply_to_user_id"])
    tags = F.coalesce(tweet["entities"]["hashtags"], F.array())
    hashtags = F.array_distinct(F.transform(tags, lambda t: F.lower(t["tag"])))
    conversation = blank_to_null(tweet["conversation_id"])
    content = event(
        PLATFORM,
        F.when(is_reshare, "reshare").when(is_quote, "quote").when(is_reply, "reply").otherwise("post"),
        F.concat(F.lit("post|"), tweet_id),
        author,
        ts,
        target=F.when(is_reply, reply_target),
        post_id=tweet_id,
        parent_post_id=F.coalesce(retweeted, quoted_id, replied),
        root_post_id=F.when(is_reshare, retweeted)
        .when(is_quote, quoted_id)
        .when(is_reply & (conversation != tweet_id), conversation),
        text=tweet["text"],
        hashtags=hashtags,
        lang=blank_to_null(tweet["lang"]),
    )
    mentions = F.filter(
        F.coalesce(tweet["entities"]["mentions"], F.array()),
        lambda m: ~is_reshare & (~is_reply | reply_target.isNull() | m["id"].isNull() | (m["id"] != reply_target)),
    )
    mention_events = F.transform(
        mentions,
        lambda m: event(
            PLATFORM,
            "mention",
            F.concat(F.lit("mention|"), tweet_id, F.lit("|"), F.coalesce(m["id"], F.concat(F.lit("@"), F.lower(m["username"])))),
            author,
            ts,
            target=m["id"],
            target_handle=m["username"],
            post_id=tweet_id,
            text=tweet["text"],
            hashtags=hashtags,
            lang=blank_to_null(tweet["lang"]),
        ),
    )
    accounts = F.transform(
        F.filter(F.coalesce(tweet["entities"]["mentions"], F.array()), lambda m: m["id"].isNotNull()),
        lambda m: account(PLATFORM, m["id"], None, handle=m["username"]),
    )
    problem = first_problem(
        missing(tweet_id, "tweet id"),
        not_matching(tweet_id, NUMERIC_ID_PATTERN, "tweet id"),
        missing(author, "author_id"),
        not_matching(author, NUMERIC_ID_PATTERN, "author_id"),
        bad_timestamp(tweet["created_at"], ts, "created_at"),
    )
    return problem, F.concat(F.array(content), F.array_distinct(mention_events)), accounts


def _v2_user_snapshot(user: Column, snapshot_ts: Column) -> Column:
    metrics = user["public_metrics"]
    return account(
        PLATFORM,
        user["id"],
        snapshot_ts,
        handle=user["username"],
        display_name=user["name"],
        followers_count=parse_long(metrics["followers_count"]),
        following_count=parse_long(metrics["following_count"]),
        statuses_count=parse_long(metrics["tweet_count"]),
        listed_count=parse_long(metrics["listed_count"]),
        created_at=iso_timestamp(user["created_at"]),
        verified=parse_bool(user["verified"]),
        protected=parse_bool(user["protected"]),
        description=blank_to_null(user["description"]),
        location=blank_to_null(user["location"]),
        url=blank_to_null(user["url"]),
    )


# What a line's items are: the line itself (a v1.1 tweet), or an element of a v2 response.
_V1, _V2_TWEET, _V2_USER, _V2_EMPTY = "v1", "v2 tweet", "v2 user", "v2 empty"
_ITEM = StructType(
    [StructField("kind", StringType()), StructField("path", StringType()), StructField("tweet", V2_TWEET), StructField("user", V2_USER)]
)


def _v2_items(response: Column) -> Column:
    """The records of a v2 response: each element of ``data``, ``includes.tweets`` and
    ``includes.users``, or the response itself when it has no data."""

    def elements(array: Column, path: str, kind: str) -> Column:
        def item(element: Column, index: Column) -> Column:
            tweet, user = (element, F.lit(None)) if kind == _V2_TWEET else (F.lit(None), element)
            path_text = F.concat(F.lit(f"{path}["), index.cast("string"), F.lit("]"))
            return F.struct(F.lit(kind), path_text, tweet, user).cast(_ITEM)

        return F.transform(F.coalesce(array, F.array()), item)

    data = F.coalesce(response["data"], F.array())
    empty = F.when(F.size(data) == 0, F.array(F.struct(F.lit(_V2_EMPTY), F.lit(""), F.lit(None), F.lit(None)).cast(_ITEM)))
    return F.concat(
        elements(response["data"], "data", _V2_TWEET),
        elements(response["includes"]["tweets"], "includes.tweets", _V2_TWEET),
        elements(response["includes"]["users"], "includes.users", _V2_USER),
        F.coalesce(empty, F.array().cast(ArrayType(_ITEM))),
    )


def _v2_seen_at(response: Column) -> Column:
    """A response is as recent as its newest tweet: that is when its user objects were seen."""
    all_tweets = F.concat(F.coalesce(response["data"], F.array()), F.coalesce(response["includes"]["tweets"], F.array()))
    return F.array_max(F.transform(all_tweets, lambda t: iso_timestamp(t["created_at"])))


def _v2_empty_problem(response: Column) -> Column:
    errors = F.array_join(F.transform(F.coalesce(response["errors"], F.array()), lambda e: F.coalesce(e["detail"], e["title"])), "; ")
    return F.concat(F.lit("API v2 response has no data"), F.when(errors != "", F.concat(F.lit(" (errors: "), errors, F.lit(")"))).otherwise(F.lit("")))


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Twitter lines (v1.1 tweets and v2 responses) to unified records.

    Every line is parsed once and yields its records in one pass (a v1.1 tweet one, a v2
    response one per element), so the export is read and parsed once whatever it mixes.
    """
    parsed = bronze.select("source", "source_file", "source_position", "raw", parse_json(F.col("raw"), LINE_SCHEMA).alias("j"))
    line = F.col("j")
    is_v2 = line["data"].isNotNull() | line["includes"].isNotNull() | line["errors"].isNotNull()
    is_good_json = json_problem(F.col("raw"), line, "Twitter").isNull()
    v1_item = F.array(F.struct(F.lit(_V1), F.lit(""), F.lit(None), F.lit(None)).cast(_ITEM))
    items = parsed.select(
        "source", "source_file", "source_position", "raw", "j",
        F.explode(F.when(is_v2 & is_good_json, _v2_items(line)).otherwise(v1_item)).alias("item"),
    ).withColumn("seen_at", F.when(F.col("item.kind") != _V1, _v2_seen_at(line)))

    kind, tweet, user = F.col("item.kind"), F.col("item.tweet"), F.col("item.user")
    v1_key, v1_problem, v1_events, v1_accounts = _v1_record(line)
    tweet_problem, tweet_events, tweet_accounts = _v2_tweet_record(tweet)
    item_raw = F.when(kind == _V2_TWEET, F.to_json(tweet)).when(kind == _V2_USER, F.to_json(user)).otherwise(F.col("raw"))

    def by_kind(v1: Column, v2_tweet: Column, v2_user: Column, v2_empty: Column) -> Column:
        return F.when(kind == _V1, v1).when(kind == _V2_TWEET, v2_tweet).when(kind == _V2_USER, v2_user).otherwise(v2_empty)

    return finish_records(
        items.withColumn("raw", item_raw),
        record_path=F.col("item.path"),
        key=by_kind(v1_key, tweet_key(tweet["id"]), record_key(F.lit(PLATFORM), F.lit("user"), F.col("raw")), F.lit(None)),
        problem=by_kind(
            v1_problem,
            tweet_problem,
            first_problem(missing(user["id"], "user id"), not_matching(user["id"], NUMERIC_ID_PATTERN, "user id")),
            _v2_empty_problem(line),
        ),
        events=by_kind(v1_events, tweet_events, F.array(), F.array()),
        accounts=by_kind(v1_accounts, tweet_accounts, F.array(_v2_user_snapshot(user, F.col("seen_at"))), F.array()),
    )
