"""Campaign planning: which K leaders of a topic reach the most distinct genuine people.

The top K leaders of a topic often share much of one audience (the same fans follow the
same few voices), so picking them reaches fewer people than K picks could. The planner is
the greedy algorithm for maximum coverage: each pick is the leader who adds the most
genuine engagers not yet reached, which reaches at least ``1 - 1/e`` (63%) of the best
possible. When the plain top K happen to reach more (possible, rarely), they are the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class Pick:
    """One leader of a plan.

    Attributes:
        order: 1 for the first pick.
        person_id: The leader.
        leader_rank: Their rank among the topic's leaders.
        audience: Distinct genuine engagers of their topical posts.
        added_reach: Of those, people no earlier pick reaches.
        total_reach: Distinct people reached by this pick and the earlier ones.
    """

    order: int
    person_id: str
    leader_rank: int
    audience: int
    added_reach: int
    total_reach: int


@dataclass(frozen=True)
class Plan:
    """A campaign plan beside the plain top K.

    Attributes:
        picks: The chosen leaders, in pick order.
        reach: Distinct genuine people the picks reach together.
        top_k: The ``budget`` best-ranked leaders.
        top_k_reach: Distinct genuine people they reach together.
        method: ``greedy coverage``, or ``top K`` when those reach more.
    """

    picks: tuple[Pick, ...]
    reach: int
    top_k: tuple[str, ...]
    top_k_reach: int
    method: str


def leader_audiences(engaged: DataFrame, leaders: DataFrame) -> DataFrame:
    """``person_id, engager_person_id``: the distinct genuine engagers of each leader's posts
    on the leader's topic.

    Args:
        engaged: From :func:`transforms.topics.scores.topical_engagements`.
        leaders: ``person_id, topic`` of the candidates.
    """
    return (
        engaged.join(leaders.select("person_id", "topic"), ["person_id", "topic"], "left_semi")
        .select("person_id", "engager_person_id")
        .distinct()
    )


def _reach(audiences: DataFrame, persons: list[str]) -> int:
    return audiences.where(F.col("person_id").isin(*persons)).select("engager_person_id").distinct().count() if persons else 0


def plan_campaign(audiences: DataFrame, leaders: DataFrame, budget: int) -> Plan:
    """Picks up to ``budget`` leaders by greedy maximum coverage.

    Runs about ``budget`` small Spark jobs (one per pick: the gain of every candidate over
    what is not reached yet), each on the candidates' audiences only; the driver gets the
    pick and each candidate's audience size (one number per candidate), never an audience.
    Stops early when no candidate adds anyone.

    Args:
        audiences: From :func:`leader_audiences`.
        leaders: ``person_id, leader_rank`` of the candidates (rank 1 best).
        budget: Leaders to pick.
    """
    ranks = leaders.select("person_id", "leader_rank")
    # One row per candidate (the pool, tens of leaders): a bounded collect.
    sizes = {r["person_id"]: r["audience"] for r in audiences.groupBy("person_id").agg(F.count("*").alias("audience")).collect()}
    remaining = audiences.localCheckpoint(eager=True)
    picks: list[Pick] = []
    total = 0
    for order in range(1, budget + 1):
        best = (
            remaining.groupBy("person_id").agg(F.count("*").alias("gain"))
            .join(ranks, "person_id")
            .orderBy(F.desc("gain"), F.asc("leader_rank"), F.asc("person_id"))
            .first()
        )
        if best is None:
            break
        total += best["gain"]
        picks.append(Pick(order, best["person_id"], best["leader_rank"], sizes[best["person_id"]], best["gain"], total))
        reached = remaining.where(F.col("person_id") == best["person_id"]).select("engager_person_id")
        remaining = remaining.join(reached, "engager_person_id", "left_anti").localCheckpoint(eager=True)
    top_k = [r["person_id"] for r in ranks.where(F.col("leader_rank") <= budget).orderBy("leader_rank").collect()]
    top_k_reach = _reach(audiences, top_k)
    if top_k_reach > total:
        running, seen = 0, []
        picks = []
        for order, person in enumerate(top_k, 1):
            seen.append(person)
            added = _reach(audiences, seen) - running
            running += added
            picks.append(Pick(order, person, order, sizes.get(person, 0), added, running))
        return Plan(tuple(picks), running, tuple(top_k), top_k_reach, "top K")
    return Plan(tuple(picks), total, tuple(top_k), top_k_reach, "greedy coverage")
