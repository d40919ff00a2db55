"""``identities.csv``: accounts that belong to one person across platforms."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import MapType, StringType, StructField, StructType

from transforms.adapters.common import finish_records, missing, runs_over_lines
from transforms.ingest import ACCEPTED
from transforms.schema import first_problem, record_key
from transforms.text import blank_to_null

IDENTITIES_SCHEMA = StructType(
    [
        StructField("person_id", StringType(), False),
        StructField("platform", StringType(), False),
        StructField("account_id", StringType(), False),
    ]
)


def identity_records(bronze: DataFrame) -> DataFrame:
    """Maps bronze identities rows to records whose ``identity`` is the link they state.

    An account listed for two different persons is ambiguous: all its rows are
    quarantined, and the account stays a person of its own until the file is fixed.
    """
    row = F.from_json("raw", MapType(StringType(), StringType()))
    parsed = bronze.select(
        "source", "source_file", "source_position", "raw",
        *[F.lower(F.trim(blank_to_null(row[c]))).alias(c) if c == "platform" else F.trim(blank_to_null(row[c])).alias(c) for c in IDENTITIES_SCHEMA.fieldNames()],
    )
    per_account = Window.partitionBy("platform", "account_id")
    persons = F.size(F.collect_set("person_id").over(per_account))
    parsed = parsed.withColumn("_persons", persons).withColumn("_listed", F.array_join(F.array_sort(F.collect_set("person_id").over(per_account)), ", "))
    problem = first_problem(
        *[runs_over_lines(F.col(c), c) for c in IDENTITIES_SCHEMA.fieldNames()],
        missing(F.col("person_id"), "person_id"),
        missing(F.col("platform"), "platform"),
        missing(F.col("account_id"), "account_id"),
        (
            F.col("_persons") > 1,
            F.concat(F.lit("account "), F.col("platform"), F.lit(":"), F.col("account_id"), F.lit(" is listed for several persons ("), F.col("_listed"), F.lit(")")),
        ),
    )
    return finish_records(
        parsed,
        record_path=F.lit(""),
        key=record_key(F.lit("identity"), F.col("person_id"), F.col("platform"), F.col("account_id")),
        problem=problem,
        events=F.array(),
        accounts=F.array(),
        identity=F.struct(*IDENTITIES_SCHEMA.fieldNames()),
    )


def identity_links(records: DataFrame) -> DataFrame:
    """The links (``person_id, platform, account_id``) of the accepted identities records."""
    return records.where(F.col("identity").isNotNull() & (F.col("outcome") == ACCEPTED)).select(
        *[F.col("identity")[c].alias(c) for c in IDENTITIES_SCHEMA.fieldNames()]
    )
