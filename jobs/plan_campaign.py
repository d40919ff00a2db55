"""Plans a campaign on a topic: K leaders whose genuine audiences overlap least.

``python -m jobs.plan_campaign --topic T --budget K [--pool N] [--min-score S]
[--platform P] [--date D] [--warehouse DIR] [--json]`` (or ``spark-submit
jobs/plan_campaign.py ...``) takes the topic's ``N`` best leaders (default ``[topics]
campaign_pool``), finds the distinct genuine persons who engaged each one's posts on the
topic in the window, and picks ``K`` of them by greedy maximum coverage on Spark
(:mod:`transforms.topics.campaign`). It prints each pick's added reach and the total
distinct reach, beside the reach of simply taking the top ``K``. Writes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import profile_from  # noqa: E402
from jobs.common.config import CloutConfig, load_ontology  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.run_log import RunLog  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.find_leaders import add_leader_arguments, chosen_topic, find_leaders, leaders_text  # noqa: E402
from jobs.topics import latest_date, leaders_of, topical_activity  # noqa: E402
from transforms.topics.campaign import leader_audiences, plan_campaign  # noqa: E402
from transforms.topics.ontology import Ontology  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.plan_campaign", description="K leaders of a topic with the least overlapping audiences.")
    parser.add_argument("--budget", type=int, required=True, help="leaders to pick")
    parser.add_argument("--pool", type=int, default=None, help="best leaders to choose from (default [topics] campaign_pool)")
    add_leader_arguments(parser)
    args = parser.parse_args(argv)
    if args.budget < 1 or (args.pool is not None and args.pool < args.budget):
        parser.error("--budget must be at least 1 and --pool at least --budget")
    return args


def campaign(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, ontology: Ontology, topic: str, budget: int,
             pool: int | None = None, score_date: dt.date | None = None, min_score: float | None = None,
             platform: str | None = None) -> dict[str, Any]:
    """A campaign plan as plain data.

    Raises:
        RuntimeError: If the warehouse has no topic leaders yet.
    """
    score_date = score_date or latest_date(spark, warehouse)
    size = max(pool or config.topics.campaign_pool, budget)
    candidates = leaders_of(spark, config, warehouse, score_date, topic, size, min_score, platform).localCheckpoint(eager=True)
    _, engaged, _ = topical_activity(spark, config, warehouse, score_date, ontology, persons=candidates)
    # Read by every pick and by the top K's reach: computed once.
    audiences = leader_audiences(engaged.where(F.col("topic") == topic), candidates).localCheckpoint(eager=True)
    plan = plan_campaign(audiences, candidates, budget)
    return {
        "topic": topic,
        "topic_path": ontology.path(topic),
        "score_date": score_date.isoformat(),
        "budget": budget,
        "candidates": candidates.count(),
        "method": plan.method,
        "picks": [dataclasses.asdict(p) for p in plan.picks],
        "reach": plan.reach,
        "top_k": list(plan.top_k),
        "top_k_reach": plan.top_k_reach,
    }


def plan_text(planned: dict[str, Any]) -> str:
    """A campaign plan for people."""
    head = (f"campaign on {planned['topic_path']} ({planned['score_date']}): {planned['budget']} of the "
            f"{planned['candidates']} best leaders, by {planned['method']}")
    if not planned["picks"]:
        return head + ": no leader has genuine engagers on this topic"
    lines = [head + ":", f"{'pick':>4}  {'rank':>4}  {'audience':>8}  {'adds':>6}  {'total':>6}  person"]
    for pick in planned["picks"]:
        lines.append(f"{pick['order']:>4}  {pick['leader_rank']:>4}  {pick['audience']:>8,}  {pick['added_reach']:>6,}  "
                     f"{pick['total_reach']:>6,}  {pick['person_id']}")
    gain = planned["reach"] / planned["top_k_reach"] if planned["top_k_reach"] else float("inf")
    lines.append(f"distinct genuine reach: {planned['reach']:,} (the top {len(planned['top_k'])} by topic score reach "
                 f"{planned['top_k_reach']:,}: {gain:.2f}x)" if planned["top_k_reach"] else
                 f"distinct genuine reach: {planned['reach']:,} (the top {len(planned['top_k'])} reach nobody)")
    return "\n".join(lines)


def print_demo_topics(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, score_date: dt.date, log: RunLog) -> None:
    """Ends a pipeline run with the leaders of ``[topics] demo_topics`` and the campaign of
    ``[topics] demo_campaign`` (topics the ontology lacks are named, not fatal)."""
    settings = config.topics
    ontology = load_ontology(settings)
    for text in settings.demo_topics:
        topic = ontology.resolve(text)
        if topic is None:
            log.event("unknown_topic", f"[topics] demo_topics: unknown topic {text!r}", topic=text)
            continue
        found = find_leaders(spark, config, warehouse, ontology, topic, settings.demo_leaders, score_date)
        log.event("topic_leaders", lambda found=found: leaders_text(found), **found)
    if settings.demo_campaign:
        text, budget = settings.demo_campaign
        topic = ontology.resolve(text)
        if topic is None:
            log.event("unknown_topic", f"[topics] demo_campaign: unknown topic {text!r}", topic=text)
            return
        planned = campaign(spark, config, warehouse, ontology, topic, budget, score_date=score_date)
        log.event("campaign_plan", lambda: plan_text(planned), **planned)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    ontology, topic = chosen_topic(config, args.topic, "jobs.plan_campaign")
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-plan-campaign")
    try:
        planned = campaign(spark, config, Warehouse(args.warehouse, config.database), ontology, topic, args.budget, args.pool,
                           args.date, args.min_score, args.platform)
    except RuntimeError as error:
        raise SystemExit(f"jobs.plan_campaign: {error}") from None
    print(json.dumps(planned, ensure_ascii=False) if args.json else plan_text(planned), flush=True)


if __name__ == "__main__":
    main()
