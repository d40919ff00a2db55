"""Bluesky: AT Protocol events as streamed by Jetstream (JSON lines, accounts are DIDs).

Mapping rules:
- ``app.bsky.feed.post`` create: ``reply`` if it has ``reply`` refs (target = author of the
  parent, root = the thread root), ``quote`` if it embeds a record
  (``app.bsky.embed.record`` or ``recordWithMedia``), else ``post``; plus one ``mention``
  per distinct mention facet. The post id is its AT URI ``at://<did>/<collection>/<rkey>``.
- ``app.bsky.feed.repost``: ``reshare`` of ``subject``; its parent is the repost it came
  through (``via``) when given, else the post itself, and its root is always the post.
- ``app.bsky.feed.like``: ``like``; ``app.bsky.graph.follow``: ``follow`` of ``subject``.
- ``identity`` events carry the account's handle; ``account`` events its status.
- A ``delete`` commit cannot be applied to an append-only event log: it is quarantined
  with that reason, so it is accounted for and visible.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from transforms.adapters.common import finish_records, json_problem, missing, not_scalar, parse_json
from transforms.schema import account, compact, event, first_problem, record_key
from transforms.text import TIME_RANGE_TEXT, iso_timestamp, plausible_time

PLATFORM = "bluesky"
DID_PATTERN = r"^did:[a-z]+:[A-Za-z0-9._:%-]+$"
AT_URI_DID = r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]+)/"


def _s(*names: str) -> list[StructField]:
    return [StructField(n, StringType()) for n in names]


_REF = StructType(_s("uri", "cid"))
RECORD = StructType(
    [
        *_s("$type", "createdAt", "text"),
        StructField("langs", ArrayType(StringType())),
        StructField("subject", StringType()),  # a strong ref object (repost/like) or a DID (follow)
        StructField("via", _REF),
        StructField("reply", StructType([StructField("root", _REF), StructField("parent", _REF)])),
        StructField(
            "facets",
            ArrayType(StructType([StructField("features", ArrayType(StructType(_s("$type", "did", "tag", "uri"))))])),
        ),
        StructField(
            "embed",
            StructType([*_s("$type"), StructField("record", StructType([*_s("uri", "cid"), StructField("record", _REF)]))]),
        ),
    ]
)
LINE = StructType(
    [
        *_s("did", "time_us", "kind"),
        StructField("commit", StructType([*_s("rev", "operation", "collection", "rkey", "cid"), StructField("record", RECORD)])),
        StructField("identity", StructType(_s("did", "handle", "seq", "time"))),
        StructField("account", StructType(_s("did", "active", "status", "time"))),
    ]
)


def did_of(uri: Column) -> Column:
    """The DID (account) in an AT URI, or null."""
    return F.nullif(F.regexp_extract(F.coalesce(uri, F.lit("")), AT_URI_DID, 1), F.lit(""))


def to_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze Jetstream lines to unified records."""
    j = F.col("j")
    commit, rec = j["commit"], j["commit"]["record"]
    did = j["did"]
    collection = commit["collection"]
    own_uri = F.concat(F.lit("at://"), did, F.lit("/"), collection, F.lit("/"), commit["rkey"])
    # The record's own time, else the relay's: a time outside the accepted range is no time.
    created = iso_timestamp(rec["createdAt"])
    ts = F.coalesce(plausible_time(created), plausible_time(F.timestamp_micros(j["time_us"].try_cast("long"))))
    subject_ref = F.from_json(rec["subject"], _REF)
    subject_uri = F.when(F.trim(rec["subject"]).startswith("{"), subject_ref["uri"])
    follow_subject = F.when(~F.trim(rec["subject"]).startswith("{"), rec["subject"])

    features = F.flatten(F.transform(F.coalesce(rec["facets"], F.array()), lambda f: F.coalesce(f["features"], F.array())))
    mentioned = F.array_distinct(
        F.transform(F.filter(features, lambda x: x["$type"] == "app.bsky.richtext.facet#mention"), lambda x: x["did"])
    )
    tags = F.array_distinct(
        F.transform(F.filter(features, lambda x: x["$type"] == "app.bsky.richtext.facet#tag"), lambda x: F.lower(x["tag"]))
    )
    lang = F.get(rec["langs"], 0)
    quoted_uri = F.coalesce(rec["embed"]["record"]["record"]["uri"], rec["embed"]["record"]["uri"])
    is_reply = rec["reply"]["parent"]["uri"].isNotNull()
    is_quote = ~is_reply & quoted_uri.isNotNull()
    is_post = collection == "app.bsky.feed.post"

    post_event = event(
        PLATFORM,
        F.when(is_reply, "reply").when(is_quote, "quote").otherwise("post"),
        F.concat(F.lit("post|"), own_uri),
        did,
        ts,
        target=F.when(is_reply, did_of(rec["reply"]["parent"]["uri"])).when(is_quote, did_of(quoted_uri)),
        post_id=own_uri,
        parent_post_id=F.when(is_reply, rec["reply"]["parent"]["uri"]).when(is_quote, quoted_uri),
        root_post_id=F.when(is_reply, rec["reply"]["root"]["uri"]).when(is_quote, quoted_uri),
        text=rec["text"],
        hashtags=tags,
        lang=lang,
    )
    mention_events = F.transform(
        mentioned,
        lambda m: event(
            PLATFORM, "mention", F.concat(F.lit("mention|"), own_uri, F.lit("|"), m), did, ts,
            target=m, post_id=own_uri, text=rec["text"], hashtags=tags, lang=lang,
        ),
    )
    subject_event = {
        "app.bsky.feed.repost": event(
            PLATFORM, "reshare", F.concat(F.lit("repost|"), own_uri), did, ts,
            target=did_of(subject_uri), post_id=own_uri,
            parent_post_id=F.coalesce(rec["via"]["uri"], subject_uri), root_post_id=subject_uri,
        ),
        "app.bsky.feed.like": event(
            PLATFORM, "like", F.concat(F.lit("like|"), own_uri), did, ts,
            target=did_of(subject_uri), parent_post_id=subject_uri, root_post_id=subject_uri,
        ),
        "app.bsky.graph.follow": event(
            PLATFORM, "follow", F.concat(F.lit("follow|"), own_uri), did, ts, target=follow_subject,
        ),
    }
    events = F.when(is_post, F.concat(F.array(post_event), mention_events))
    for name, built in subject_event.items():
        events = events.when(collection == name, F.array(built))
    events = compact(F.coalesce(events.otherwise(F.array()), F.array()))

    kind = j["kind"]
    is_commit = kind == "commit"
    handle_snapshot = F.when(
        kind == "identity",
        account(PLATFORM, did, iso_timestamp(j["identity"]["time"]), handle=j["identity"]["handle"]),
    )
    mention_accounts = F.transform(mentioned, lambda m: account(PLATFORM, m, None))
    accounts = compact(F.concat(F.array(handle_snapshot, F.when(is_commit, account(PLATFORM, did, None))), mention_accounts))

    supported = list(subject_event) + ["app.bsky.feed.post"]
    rkey_not_scalar, rkey_reason = not_scalar(commit["rkey"], "rkey")
    problem = F.coalesce(
        json_problem(F.col("raw"), j, "Jetstream event"),
        first_problem(
            missing(did, "did"),
            (~did.rlike(DID_PATTERN), F.concat(F.lit("did '"), did, F.lit("' is not a DID"))),
            (~kind.isin("commit", "identity", "account"), F.concat(F.lit("event kind '"), F.coalesce(kind, F.lit("null")), F.lit("' is not commit, identity or account"))),
            (
                is_commit & (commit["operation"] == "delete"),
                F.concat(F.lit("delete of "), own_uri, F.lit(": deletions are not applied to the append-only event log")),
            ),
            (is_commit & ~collection.isin(*supported), F.concat(F.lit("collection '"), F.coalesce(collection, F.lit("null")), F.lit("' is not one Clout reads"))),
            (is_commit & commit["rkey"].isNull(), F.lit("commit has no rkey")),
            (is_commit & rkey_not_scalar, rkey_reason),
            (is_commit & rec.isNull(), F.lit("commit has no record")),
            (
                is_commit & ts.isNull(),
                F.when(
                    created.isNotNull(),
                    F.concat(F.lit("createdAt '"), rec["createdAt"], F.lit(f"' is outside the times Clout accepts ({TIME_RANGE_TEXT}) and time_us gives no time inside them: a clock or export error")),
                ).otherwise(F.concat(F.lit("createdAt '"), F.coalesce(rec["createdAt"], F.lit("null")), F.lit("' is not a timestamp"))),
            ),
            (is_commit & ~collection.isin("app.bsky.feed.post", "app.bsky.graph.follow") & subject_uri.isNull(), F.lit("subject.uri is missing")),
            (is_commit & (collection == "app.bsky.graph.follow") & ~F.coalesce(follow_subject.rlike(DID_PATTERN), F.lit(False)), F.lit("follow subject is not a DID")),
        ),
    )
    parsed = bronze.select("source", "source_file", "source_position", "raw", parse_json(F.col("raw"), LINE).alias("j"))
    # A record is identified by what it is: the commit's URI and revision, or the identity sequence.
    key = F.when(is_commit, record_key(F.lit(PLATFORM), own_uri, commit["rev"], commit["operation"])).otherwise(
        record_key(F.lit(PLATFORM), kind, did, F.coalesce(j["identity"]["seq"], j["account"]["time"], j["time_us"]))
    )
    return finish_records(parsed, record_path=F.lit(""), key=key, problem=problem, events=events, accounts=accounts)
