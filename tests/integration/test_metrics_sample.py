"""The metrics stage end to end on the generated sample, checked against what was planted.

Every expectation here is computed by the test itself, from the sample's truth files
(``truth/accounts.csv``, ``truth/cascades.csv``) and the silver tables, never with the
transforms under test: who is scored from the verdicts, bot-only reach from the planted
bot labels, and the hop counts of Bluesky cascades from the planted reshare chains.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.common.delta import Warehouse
from jobs.metrics import LINKS_TABLE, TABLE
from tests.integration.conftest import EMPTY_SCORE_DATE

pytestmark = pytest.mark.integration

SCORE_DATE = dt.date(2026, 11, 1)
# What reaches a person (a follow does not).
ENGAGEMENT_TYPES = ("reshare", "quote", "reply", "like", "mention")
# The only source whose reshares name the reshare they came through (``via``).
CHAIN_PLATFORM = "bluesky"


def person_key(platform: str, account_id: str, person_id: str | None) -> str:
    """An account's person; an account nobody links is a person of its own."""
    return person_id if person_id is not None else f"{platform}:{account_id}"


def in_window(day: dt.date, score_date: dt.date, window_days: int) -> bool:
    """Whether an event day is in the rolling window ending with the score date."""
    return score_date - dt.timedelta(days=window_days) < day <= score_date


def read_truth(sample: Path, name: str) -> list[dict[str, str]]:
    with open(sample / "truth" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class World:
    """What the tests read once: the written metrics, the verdicts and the inputs."""

    sample: Path
    warehouse: Warehouse
    score_date: dt.date
    window_days: int
    metrics: dict[str, dict]  # person_id -> row of the score date
    metric_rows: int  # rows of the score date (before keying by person)
    verdicts: list[dict]  # platform, account_id, person_id, is_bot, is_genuine
    persons: dict[tuple[str, str], str | None]  # silver/accounts: (platform, account_id) -> person_id
    reshares: list[dict]  # reshare events with a post id in the window


def load_world(spark: SparkSession, sample: Path, warehouse: Warehouse, score_date: dt.date, window_days: int) -> World:
    table = spark.read.format("delta").load(warehouse.path(TABLE)).where(F.col("score_date") == F.lit(score_date))
    rows = [row.asDict() for row in table.drop("reach_by_platform").collect()]  # one per scored person: ~2k
    verdicts = (
        spark.read.format("delta")
        .load(warehouse.path("silver/account_quality"))
        .where(F.col("score_date") == F.lit(score_date))
        .select("platform", "account_id", "person_id", "is_bot", "is_genuine")
    )
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts")).select("platform", "account_id", "person_id")
    start = score_date - dt.timedelta(days=window_days)
    reshares = (
        spark.read.format("delta")
        .load(warehouse.path("silver/events"))
        .where(
            (F.col("event_type") == "reshare")
            & F.col("post_id").isNotNull()
            & (F.col("event_date") > F.lit(start))
            & (F.col("event_date") <= F.lit(score_date))
        )
        .select("platform", "post_id", "parent_post_id", "actor_account_id", "target_account_id", "event_date")
    )
    return World(
        sample=sample,
        warehouse=warehouse,
        score_date=score_date,
        window_days=window_days,
        metrics={row["person_id"]: row for row in rows},
        metric_rows=len(rows),
        verdicts=[row.asDict() for row in verdicts.collect()],
        persons={(row.platform, row.account_id): row.person_id for row in accounts.collect()},
        reshares=[row.asDict() for row in reshares.collect()],
    )


@pytest.fixture(scope="module")
def world(spark, config, sample_metrics) -> World:
    run = sample_metrics.run
    assert run.score_date == SCORE_DATE
    return load_world(spark, run.sample, run.warehouse, run.score_date, config.metrics.window_days)


# -- 1. who is scored, and reruns -----------------------------------------------------------


def scored_and_bot_only(verdicts: list[dict]) -> tuple[dict[str, list[str]], set[str]]:
    """Persons with an account that is not a bot (with those accounts' platforms), and
    persons all of whose accounts are bots."""
    platforms: dict[str, set[str]] = defaultdict(set)
    everyone = set()
    for verdict in verdicts:
        person = person_key(verdict["platform"], verdict["account_id"], verdict["person_id"])
        everyone.add(person)
        if not verdict["is_bot"]:
            platforms[person].add(verdict["platform"])
    return {person: sorted(p) for person, p in platforms.items()}, everyone - set(platforms)


def partition_files(spark: SparkSession, path: str, version: int, score_date: dt.date) -> set[str]:
    table = spark.read.format("delta").option("versionAsOf", version).load(path)
    return {row.file for row in table.where(F.col("score_date") == F.lit(score_date)).select(F.input_file_name().alias("file")).distinct().collect()}


def test_one_row_per_scored_person_and_a_rerun_replaces_only_its_date(spark, sample_metrics, world):
    scored, bot_only = scored_and_bot_only(world.verdicts)
    assert len(scored) > 1000
    assert bot_only, "the sample plants persons whose every account is a bot"

    # One row per person with an account that is not a bot, and none for a bot-only person.
    assert world.metric_rows == len(world.metrics) == len(scored)
    assert set(world.metrics) == set(scored)
    assert not bot_only & set(world.metrics)
    assert {p: row["platforms"] for p, row in world.metrics.items()} == scored

    # Network influence is a distribution over the scored persons.
    influence = [row["network_influence"] for row in world.metrics.values()]
    assert min(influence) >= 0
    assert sum(influence) == pytest.approx(1.0, abs=1e-6)
    assert sum(row["influence_vs_average"] for row in world.metrics.values()) == pytest.approx(len(scored), rel=1e-6)

    # The rerun replaced the date: the same rows, not twice as many.
    first, empty, again = sample_metrics.first, sample_metrics.empty, sample_metrics.again
    assert first["empty"] is False and again["empty"] is False
    assert first["rows_out"][TABLE] == again["rows_out"][TABLE] == len(scored)
    assert first["rows_out"][LINKS_TABLE] == again["rows_out"][LINKS_TABLE] > len(scored) // 2
    assert first["rows_in"] == again["rows_in"]
    assert first["rows_in"]["account verdicts"] == len(world.verdicts)

    # The date without verdicts wrote nothing and left the score date alone.
    assert empty["empty"] is True
    assert empty["rows_out"] == {TABLE: 0, LINKS_TABLE: 0}
    assert empty["rows_in"] == {"account verdicts": 0, "genuine engagements": 0}
    assert empty["persons_reached"] == 0
    path = world.warehouse.path(TABLE)
    table = spark.read.format("delta").load(path)
    assert table.where(F.col("score_date") == F.lit(EMPTY_SCORE_DATE)).count() == 0
    # Delta's history: the first run wrote the score date, the rerun replaced it; whatever
    # the empty date's run committed in between wrote no row and left those files alone.
    history = sorted(
        DeltaTable.forPath(spark, path).history().select("version", "operation", "operationParameters", "operationMetrics").collect(),
        key=lambda commit: commit.version,
    )
    writes = [c for c in history if c.operation == "WRITE"]
    rerun = max(c.version for c in writes if SCORE_DATE.isoformat() in c.operationParameters.get("predicate", ""))
    first_write = max(
        c.version
        for c in writes
        if c.version < rerun and (SCORE_DATE.isoformat() in c.operationParameters.get("predicate", "") or "predicate" not in c.operationParameters)
    )
    between = [c for c in writes if first_write < c.version < rerun]
    assert all(EMPTY_SCORE_DATE.isoformat() in c.operationParameters.get("predicate", "") for c in between), between
    assert all(int(c.operationMetrics.get("numOutputRows", "0")) == 0 for c in between), between
    first_files = partition_files(spark, path, first_write, SCORE_DATE)
    assert first_files and partition_files(spark, path, rerun - 1, SCORE_DATE) == first_files
    # ... and the rerun rewrote the score date: new files, the same number of rows.
    assert partition_files(spark, path, rerun, SCORE_DATE).isdisjoint(first_files)
    assert table.where(F.col("score_date") == F.lit(SCORE_DATE)).count() == len(scored)


# -- 2. reach that only bots gave -------------------------------------------------------------


def bot_only_engaged_persons(spark: SparkSession, world: World) -> dict[str, int]:
    """Persons every engagement of whom in the window came from a planted bot (kind other
    than genuine in truth/accounts.csv), with how many such engagements they received.

    Engagements of a person's own accounts do not count: they do not reach the person.
    An engager the truth does not know counts as not a planted bot.
    """
    truth = spark.createDataFrame(
        [(r["platform"], r["account_id"], r["kind"] != "genuine") for r in read_truth(world.sample, "accounts.csv")],
        "platform string, actor_account_id string, planted_bot boolean",
    )
    accounts = spark.read.format("delta").load(world.warehouse.path("silver/accounts"))
    actor_persons = accounts.select("platform", F.col("account_id").alias("actor_account_id"), F.col("person_id").alias("actor_person"))
    target_persons = accounts.select("platform", F.col("account_id").alias("target_account_id"), F.col("person_id").alias("target_person"))
    start = world.score_date - dt.timedelta(days=world.window_days)
    received = (
        spark.read.format("delta")
        .load(world.warehouse.path("silver/events"))
        .where(
            F.col("event_type").isin(*ENGAGEMENT_TYPES)
            & F.col("target_account_id").isNotNull()
            & (F.col("event_date") > F.lit(start))
            & (F.col("event_date") <= F.lit(world.score_date))
        )
        .join(actor_persons, ["platform", "actor_account_id"], "left")
        .join(target_persons, ["platform", "target_account_id"], "left")
        .join(truth, ["platform", "actor_account_id"], "left")
        .select(
            F.coalesce("actor_person", F.concat_ws(":", "platform", "actor_account_id")).alias("engager"),
            F.coalesce("target_person", F.concat_ws(":", "platform", "target_account_id")).alias("person"),
            F.coalesce("planted_bot", F.lit(False)).alias("planted_bot"),
        )
        .where(F.col("engager") != F.col("person"))
    )
    only_bots = (
        received.groupBy("person")
        .agg(F.count("*").alias("engagements"), F.sum(F.col("planted_bot").cast("long")).alias("from_bots"))
        .where(F.col("engagements") == F.col("from_bots"))
    )
    return {row.person: row.engagements for row in only_bots.collect()}


def test_a_person_engaged_only_by_bots_has_no_true_reach(spark, world):
    only_bots = bot_only_engaged_persons(spark, world)
    scored = {person: engagements for person, engagements in only_bots.items() if person in world.metrics}
    assert scored, f"no scored person is engaged by planted bots only (unscored ones: {sorted(only_bots)})"
    reached = {p: (world.metrics[p]["true_reach"], world.metrics[p]["engagers"]) for p in scored}
    assert reached == {p: (0.0, 0) for p in scored}


# -- 3. the hops of planted cascades ----------------------------------------------------------


def expected_hops(world: World, cascades: list[dict]) -> tuple[dict[str, dict[str, int]], set[str]]:
    """``{person: {engager person: shallowest hop}}`` and the persons who wrote a Bluesky
    cascade root, by the rule the metric states, from the planted chains.

    A reshare reaches the root's author when it was ingested, falls in the window, its
    actor is genuine on the score date and is another person. On Bluesky a reshare is at
    the depth of its planted chain, and only while every reshare up the chain reached the
    author too (a chain through a bot's, an unseen or an old reshare breaks there). Other
    platforms point every reshare at the original: hop 1. Reshares outside any planted
    chain (research_csv retweets, which name no post) are hop 1 of their target.
    """
    genuine = {(v["platform"], v["account_id"]) for v in world.verdicts if v["is_genuine"]}

    def person(platform: str, account_id: str) -> str:
        return person_key(platform, account_id, world.persons.get((platform, account_id)))

    events = {(e["platform"], e["post_id"]): e for e in world.reshares}
    rows = {(r["platform"], r["post_id"]): r for r in cascades}
    roots = {(r["platform"], r["root_post_id"]): r for r in cascades if r["hop"] == "0"}
    assert len(rows) == len(cascades)  # a post is in one chain, once

    def reaches(row: dict) -> bool:
        event = events.get((row["platform"], row["post_id"]))
        author = roots[(row["platform"], row["root_post_id"])]["actor_account_id"]
        return (
            event is not None
            and in_window(event["event_date"], world.score_date, world.window_days)
            and (row["platform"], row["actor_account_id"]) in genuine
            and person(row["platform"], row["actor_account_id"]) != person(row["platform"], author)
        )

    depth: dict[tuple[str, str], int | None] = {}

    def hop_of(row: dict) -> int | None:
        key = (row["platform"], row["post_id"])
        if key not in depth:
            if not reaches(row):
                depth[key] = None
            elif row["platform"] != CHAIN_PLATFORM or row["parent_post_id"] == row["root_post_id"]:
                depth[key] = 1
            else:
                parent = hop_of(rows[(row["platform"], row["parent_post_id"])])
                depth[key] = None if parent is None else parent + 1
        return depth[key]

    reached: dict[str, dict[str, int]] = defaultdict(dict)

    def reach(author: str, engager: str, hop: int) -> None:
        reached[author][engager] = min(hop, reached[author].get(engager, hop))

    for row in cascades:
        if row["hop"] == "0":
            continue
        event = events.get((row["platform"], row["post_id"]))
        root = roots[(row["platform"], row["root_post_id"])]
        if event is not None:  # the ingested chain is the planted one
            assert (event["actor_account_id"], event["target_account_id"]) == (row["actor_account_id"], root["actor_account_id"]), row
            if row["platform"] == CHAIN_PLATFORM:
                assert event["parent_post_id"] == row["parent_post_id"], row
        hop = hop_of(row)
        if hop is not None:
            assert row["platform"] != CHAIN_PLATFORM or hop == int(row["hop"]), row
            reach(person(row["platform"], root["actor_account_id"]), person(row["platform"], row["actor_account_id"]), hop)
    for event in world.reshares:
        if (event["platform"], event["post_id"]) in rows or event["target_account_id"] is None:
            continue
        assert event["platform"] != CHAIN_PLATFORM, event  # every Bluesky reshare is in a planted chain
        engager, author = person(event["platform"], event["actor_account_id"]), person(event["platform"], event["target_account_id"])
        if (event["platform"], event["actor_account_id"]) in genuine and engager != author:
            reach(author, engager, 1)
    bluesky_authors = {person(CHAIN_PLATFORM, r["actor_account_id"]) for r in roots.values() if r["platform"] == CHAIN_PLATFORM}
    return reached, bluesky_authors


def hop_counts(reached: dict[str, int], max_hop: int) -> tuple[int, ...]:
    return tuple(sum(1 for hop in reached.values() if hop == h) for h in range(1, max_hop + 1))


def test_the_second_and_third_hops_of_planted_cascades_are_exact(world, config):
    max_hop = config.metrics.max_hop
    assert max_hop == 3
    reached, bluesky_authors = expected_hops(world, read_truth(world.sample, "cascades.csv"))
    expected = {
        author: counts
        for author in bluesky_authors
        if (counts := hop_counts(reached.get(author, {}), max_hop))[1] > 0
    }
    # Only persons with an account that is not a bot are scored (a root author the quality
    # stage calls a bot has no row).
    checked = {author: counts for author, counts in expected.items() if author in world.metrics}
    assert len(checked) >= 5, expected
    assert sum(1 for counts in checked.values() if counts[2] > 0) >= 3, checked
    actual = {author: tuple(world.metrics[author][f"hop_{h}"] for h in range(1, max_hop + 1)) for author in checked}
    assert {a: actual[a][1:] for a in checked} == {a: counts[1:] for a, counts in checked.items()}, "hop_2, hop_3"

    # All three hops of those authors, and of any scored Bluesky author whose row shows a
    # 2nd hop the planted chains do not have.
    phantom = {a for a in bluesky_authors - set(checked) if a in world.metrics and world.metrics[a]["hop_2"] > 0}
    compared = {a: hop_counts(reached.get(a, {}), max_hop) for a in set(checked) | phantom}
    table = {a: tuple(world.metrics[a][f"hop_{h}"] for h in range(1, max_hop + 1)) for a in compared}
    wrong = {a: {"expected": compared[a], "table": table[a]} for a in compared if table[a] != compared[a]}
    assert wrong == {}, f"hop_1..hop_3 of {len(wrong)} of {len(compared)} Bluesky cascade authors: {wrong}"
