"""Who influences whom: each person's strongest links of the genuine-engagement graph.

An edge runs from an engager to the person they engage (as in network influence). Its
strength is the share of the engager's decayed genuine engagement that goes to that
person: 0.4 means 40% of what the engager reacted to in the window was this person's.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from transforms.graph.pagerank import normalized_out_weights

INFLUENCES = "influences"
INFLUENCED_BY = "influenced_by"


def top_influence_edges(edges: DataFrame, k: int) -> DataFrame:
    """The top ``k`` persons each person influences and the top ``k`` who influence them.

    Args:
        edges: ``(src, dst, weight)``: engager person, engaged person, decayed engagement
            (:func:`transforms.metrics.person_metrics.influence_edges`).
        k: Links kept per person and direction.

    Returns:
        ``person_id, direction, rank, other_person_id, strength, engagement``: with
        ``direction`` ``influences``, ``other_person_id`` engages the person (strength:
        share of their engagement going to the person); with ``influenced_by``, the person
        engages ``other_person_id`` (strength: share of the person's engagement going
        there). ``rank`` 1 is the strongest; ties go to the larger engagement, then the id.
    """
    shares = normalized_out_weights(edges).withColumnRenamed("weight", "strength")
    engagement = edges.where(F.col("weight") > 0).groupBy("src", "dst").agg(F.sum("weight").alias("engagement"))
    links = shares.join(engagement, ["src", "dst"])
    both = links.select(
        F.col("dst").alias("person_id"), F.lit(INFLUENCES).alias("direction"), F.col("src").alias("other_person_id"), "strength", "engagement"
    ).unionByName(
        links.select(
            F.col("src").alias("person_id"), F.lit(INFLUENCED_BY).alias("direction"), F.col("dst").alias("other_person_id"), "strength", "engagement"
        )
    )
    strongest = Window.partitionBy("person_id", "direction").orderBy(F.desc("strength"), F.desc("engagement"), "other_person_id")
    return (
        both.withColumn("rank", F.row_number().over(strongest))
        .where(F.col("rank") <= k)
        .select("person_id", "direction", "rank", "other_person_id", "strength", "engagement")
    )
