"""Builders of tiny silver/events and silver/accounts DataFrames for unit tests."""

from __future__ import annotations

import datetime as dt

from transforms.schema import ACCOUNTS_SCHEMA, EVENTS_SCHEMA

T0 = dt.datetime(2026, 10, 1, 9, 0, 0)


def event(kind, actor, at, *, target=None, post=None, parent=None, text=None, tags=None, platform="twitter"):
    """One silver/events row; ``at`` is seconds after T0."""
    when = T0 + dt.timedelta(seconds=at)
    values = {f.name: None for f in EVENTS_SCHEMA.fields}
    values.update(
        event_id=f"{platform}:{kind}:{actor}:{at}:{post}:{target}", platform=platform, event_type=kind,
        actor_account_id=actor, target_account_id=target, post_id=post, parent_post_id=parent, event_ts=when,
        text=text, hashtags=tags, event_date=when.date(),
    )
    return tuple(values[f.name] for f in EVENTS_SCHEMA.fields)


def events_df(spark, rows):
    return spark.createDataFrame(rows, EVENTS_SCHEMA)


def accounts_df(spark, rows):
    """silver/accounts rows from dicts (platform and account_id at least)."""
    full = []
    for row in rows:
        values = {f.name: None for f in ACCOUNTS_SCHEMA.fields}
        values.update(row)
        full.append(tuple(values[f.name] for f in ACCOUNTS_SCHEMA.fields))
    return spark.createDataFrame(full, ACCOUNTS_SCHEMA)


def jetstream(did, collection, rkey, record, operation="create"):
    """One Bluesky Jetstream commit event, as a dict."""
    return {"did": did, "time_us": 1725911162329308, "kind": "commit",
            "commit": {"rev": "3l3qo2vutsw2b", "operation": operation, "collection": collection, "rkey": rkey, "record": record, "cid": "bafyreia"}}
