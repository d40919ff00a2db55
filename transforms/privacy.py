"""The right to be forgotten: which rows of each table hold a person, and what stays.

A person's own activity goes (their events, accounts, identity links, verdicts, gold rows
and the raw records that carry any of it); other people's activity towards them stays,
with the target anonymised, so nobody else's history changes except for losing them.
Everything here is a pure selection; ``jobs.forget`` deletes what it selects.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from transforms.metrics.person_metrics import person_of_account

SUBJECT_COLUMNS = ("platform", "account_id")


def subject_accounts(accounts: DataFrame, identities: DataFrame, person_id: str) -> DataFrame:
    """``(platform, account_id, handle)`` of every account of a person: those ``silver/accounts``
    gives the person, those ``silver/identities`` links to them, and for a person id of the
    form ``platform:account_id`` (an account no profile or identity names) that account."""
    owned = accounts.where(person_of_account() == F.lit(person_id)).select(*SUBJECT_COLUMNS)
    linked = identities.where(F.col("person_id") == F.lit(person_id)).select(*SUBJECT_COLUMNS)
    platform, _, account_id = person_id.partition(":")
    own_account = accounts.sparkSession.createDataFrame([(platform, account_id)] if account_id else [], "platform string, account_id string")
    keys = owned.unionByName(linked).unionByName(own_account).distinct()
    handles = accounts.select(*SUBJECT_COLUMNS, "handle")
    return keys.join(handles, list(SUBJECT_COLUMNS), "left")


def raw_records_of(records: DataFrame, subject: DataFrame) -> DataFrame:
    """``(source_file, source_position)`` of the raw records that carry the subject: a
    profile snapshot or an event they acted in, or an identity link of theirs.

    Args:
        records: A source's unified records (its adapter's output over its bronze rows).
        subject: From :func:`subject_accounts`.
    """
    keys = subject.select(F.concat_ws(":", *SUBJECT_COLUMNS).alias("_key")).distinct()
    carried = records.select(
        "source_file",
        "source_position",
        F.explode(
            F.concat(
                F.transform(F.coalesce("accounts", F.array()), lambda a: F.concat_ws(":", a["platform"], a["account_id"])),
                F.transform(F.coalesce("events", F.array()), lambda e: F.concat_ws(":", e["platform"], e["actor_account_id"])),
                F.array(F.concat_ws(":", F.col("identity.platform"), F.col("identity.account_id"))),
            )
        ).alias("_key"),
    )
    return carried.join(F.broadcast(keys), "_key", "left_semi").select("source_file", "source_position").distinct()
