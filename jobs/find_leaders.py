"""The opinion leaders of a topic, from the warehouse's gold tables.

``python -m jobs.find_leaders --topic T [--top N] [--min-score S] [--platform P]
[--date D] [--warehouse DIR] [--json]`` (or ``spark-submit jobs/find_leaders.py ...``) prints
the best persons of topic ``T`` (a name such as ``football`` or a path such as
``sports > football``) on date ``D`` (default: the latest the warehouse holds), with their
topic score, Clout score, reach, platforms and evidence. Filters apply before ranking. An
unknown topic gets the closest topic names. Writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import SparkSession  # noqa: E402

from jobs.common.cli import add_profile_arguments, iso_date, profile_from  # noqa: E402
from jobs.common.config import CloutConfig, load_ontology  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.topics import UnknownTopic, latest_date, leaders_of, resolve_topic  # noqa: E402
from transforms.topics.leaders import LEADER_COLUMNS  # noqa: E402
from transforms.topics.ontology import Ontology  # noqa: E402


def add_leader_arguments(parser: argparse.ArgumentParser) -> None:
    """``--warehouse``, ``--topic``, ``--date``, ``--min-score``, ``--platform``, ``--json`` and the profile options."""
    parser.add_argument("--warehouse", default="warehouse", help="warehouse directory or URI (default: make demo's, warehouse)")
    parser.add_argument("--topic", required=True, help="topic name or path, e.g. football or 'sports > football'")
    parser.add_argument("--date", type=iso_date, default=None, help="score date (default: the latest in the warehouse)")
    parser.add_argument("--min-score", type=float, default=None, help="least Clout score of a leader")
    parser.add_argument("--platform", default=None, help="only persons with an account on this platform")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_profile_arguments(parser)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.find_leaders", description="The opinion leaders of a topic.")
    parser.add_argument("--top", type=int, default=10, help="leaders to print (default 10)")
    add_leader_arguments(parser)
    args = parser.parse_args(argv)
    if args.top < 1:
        parser.error("--top must be at least 1")
    return args


def chosen_topic(config: CloutConfig, text: str, prog: str) -> tuple[Ontology, str]:
    """The ontology and the topic a user named; an unknown topic ends the tool with the
    closest names (before any Spark session starts)."""
    ontology = load_ontology(config.topics)
    try:
        return ontology, resolve_topic(ontology, text)
    except UnknownTopic as error:
        raise SystemExit(f"{prog}: {error}") from None


def find_leaders(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, ontology: Ontology, topic: str, top: int,
                 score_date: dt.date | None = None, min_score: float | None = None, platform: str | None = None) -> dict[str, Any]:
    """The leaders of a topic as plain data (a bounded collect of ``top`` rows).

    Raises:
        RuntimeError: If the warehouse has no topic leaders yet.
    """
    score_date = score_date or latest_date(spark, warehouse)
    rows = leaders_of(spark, config, warehouse, score_date, topic, top, min_score, platform).orderBy("leader_rank").collect()
    return {
        "topic": topic,
        "topic_path": ontology.path(topic),
        "score_date": score_date.isoformat(),
        "filters": {"min_score": min_score, "platform": platform},
        "leaders": [{c: (list(r[c]) if c == "platforms" else r[c]) for c in LEADER_COLUMNS if c not in ("topic", "topic_path")} for r in rows],
    }


def leaders_text(found: dict[str, Any]) -> str:
    """A topic's leaders for people."""
    filters = [f"Clout score >= {found['filters']['min_score']:g}"] if found["filters"]["min_score"] is not None else []
    filters += [f"on {found['filters']['platform']}"] if found["filters"]["platform"] else []
    head = f"leaders of {found['topic_path']} on {found['score_date']}" + (f" ({', '.join(filters)})" if filters else "")
    if not found["leaders"]:
        return head + ": nobody has evidence on this topic" + (" with these filters" if filters else "")
    lines = [head + ":", f"{'rank':>4}  {'topic':>5}  {'score':>5}  {'reach':>6}  {'topic engagers':>14}  person (platforms)"]
    for leader in found["leaders"]:
        lines.append(
            f"{leader['leader_rank']:>4}  {leader['topic_score']:>5.1f}  {leader['score']:>5.1f}  {leader['reach'] or 0:>6,}  "
            f"{leader['genuine_engagers']:>14,}  {leader['person_id']} ({', '.join(leader['platforms'])})"
        )
        lines.append(f"{'':>6}{leader['evidence']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    ontology, topic = chosen_topic(config, args.topic, "jobs.find_leaders")
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-find-leaders")
    try:
        found = find_leaders(spark, config, Warehouse(args.warehouse, config.database), ontology, topic, args.top, args.date,
                             args.min_score, args.platform)
    except RuntimeError as error:
        raise SystemExit(f"jobs.find_leaders: {error}") from None
    print(json.dumps(found, ensure_ascii=False) if args.json else leaders_text(found), flush=True)


if __name__ == "__main__":
    main()
