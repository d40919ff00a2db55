"""SNAP-style activity files: ``userA userB unix_ts type`` per line, space separated.

The format of the Higgs Twitter dataset: ``RT`` (A retweeted B) is a ``reshare``, ``MT``
(A mentioned B) a ``mention``, ``RE`` (A replied to B) a ``reply``; A is the actor and B
the target. There are no post ids. Ids are anonymised integers, so the platform name is
a setting (``ingest.edges_platform``): they must not be mixed with real account ids.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from transforms.adapters.common import finish_records, out_of_range_time
from transforms.schema import account, event, first_problem, quoted, record_key
from transforms.text import NUMERIC_ID_PATTERN, in_time_range

EDGE_TYPES = {"RT": "reshare", "MT": "mention", "RE": "reply"}


def to_records(bronze: DataFrame, platform: str) -> DataFrame:
    """Maps bronze SNAP activity lines to unified records.

    Args:
        bronze: Bronze lines of the ``edges`` source.
        platform: Platform name given to the accounts.
    """
    fields = F.split(F.trim(F.col("raw")), r"\s+")
    actor, target, epoch, code = (F.get(fields, i) for i in range(4))
    ts = F.when(epoch.rlike(r"^[0-9]{1,12}$"), F.timestamp_seconds(epoch.try_cast("long")))
    kind = F.coalesce(*[F.when(code == k, F.lit(v)) for k, v in EDGE_TYPES.items()])
    problem = first_problem(
        (F.size(fields) != 4, F.concat(F.lit("line has "), F.size(fields).cast("string"), F.lit(" fields; expected 4: userA userB unix_ts type"))),
        (~actor.rlike(NUMERIC_ID_PATTERN), F.concat(F.lit("userA "), quoted(actor), F.lit(" is not an integer id"))),
        (~target.rlike(NUMERIC_ID_PATTERN), F.concat(F.lit("userB "), quoted(target), F.lit(" is not an integer id"))),
        (ts.isNull(), F.concat(F.lit("unix_ts "), quoted(epoch), F.lit(" is not a unix timestamp"))),
        (~in_time_range(ts), out_of_range_time(epoch, ts, "unix_ts")),
        (kind.isNull(), F.concat(F.lit("type "), quoted(code), F.lit(" is not RT, MT or RE"))),
    )
    natural = F.concat_ws("|", F.lit("edge"), actor, target, epoch, code)
    return finish_records(
        bronze,
        record_path=F.lit(""),
        key=record_key(F.lit(platform), natural),
        problem=problem,
        events=F.array(event(platform, kind, natural, actor, ts, target=target)),
        accounts=F.array(account(platform, actor, None), account(platform, target, None)),
    )
