"""Gaming resistance end to end: the tricks that discredited Klout, on a world built for them.

:mod:`tests.integration.gaming_world` writes a small Bluesky world (a genuine background,
a spammer with its amplifiers, an engagement ring, a bought-follower burst, a celebrity
nobody engages any more, persons who went quiet) with twins that have the same genuine
activity without the trick. The pipeline runs on it once (ingest, quality, metrics and
score for the score date); the tests check the verdicts on the planted roles, what the metrics
make of each trick, and the score stage's numbers. Expected counts are computed by the tests from ``silver/events`` and
the planted truth, not with the metrics transforms.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import pytest
from pyspark.sql import functions as F

from jobs.common.delta import Warehouse
from jobs.ingest import run_ingest
from jobs.metrics import TABLE as METRICS_TABLE
from jobs.metrics import run_metrics
from jobs.quality import TABLE as QUALITY_TABLE
from jobs.quality import run_quality
from jobs.score import TABLE as SCORES_TABLE
from jobs.score import run_score
from jobs.topics import LEADERS_TABLE as TOPIC_LEADERS_TABLE
from jobs.topics import TABLE as TOPIC_SCORES_TABLE
from jobs.topics import run_topics
from tests.integration import gaming_world
from tests.integration.gaming_world import SCORE_DATE, write_gaming_world

pytestmark = pytest.mark.integration

# What reaches a person (a follow does not).
ENGAGEMENT_TYPES = ("reshare", "quote", "reply", "like", "mention")
# Metrics every twin pair must share when no trick counts.
TWIN_METRICS = (
    "true_reach", "engagers", "posts", "reacted_posts_share", "reactions_per_post", "weighted_reactions_per_post",
    "hop_1", "hop_2", "hop_3", "network_influence",
)


@dataclass(frozen=True)
class GamingRun:
    """The world, its warehouse after the pipeline, and what the tests read from it."""

    truth: dict
    warehouse: Warehouse
    seconds: dict[str, float]
    verdicts: dict[str, dict]  # person_id -> verdict (one account per person in this world)
    metrics: dict[str, dict]  # person_id -> gold/person_metrics row of the score date
    scores: dict[str, dict]  # person_id -> gold/scores row of the score date
    topics: dict[tuple[str, str], dict]  # (person_id, topic) -> gold/topic_scores row of the score date
    leaders: dict[str, list[str]]  # topic -> person_ids of gold/topic_leaders, best first
    engagements: list[dict]  # engagement events in the metrics window: actor, target person, type, day
    received: dict[str, dict[str, int]]  # person_id -> event type -> events targeting it, all dates

    def role(self, name: str) -> str:
        return self.truth["roles"][name]

    def group(self, name: str) -> list[str]:
        return self.truth["groups"][name]

    def genuine_engagers(self, person: str) -> set[str]:
        """Distinct genuine persons that engaged ``person`` in the window, from the events."""
        return {
            e["actor"] for e in self.engagements
            if e["target"] == person and e["actor"] != person and self.verdicts[e["actor"]]["is_genuine"]
        }


@pytest.fixture(scope="module")
def gaming(spark, config, tmp_path_factory) -> GamingRun:
    root = tmp_path_factory.mktemp("gaming")
    started = time.monotonic()
    truth = write_gaming_world(root / "input")
    seconds = {"generate": time.monotonic() - started}
    warehouse = Warehouse(str(root / "warehouse"), "clout_gaming")
    for stage, run in (
        ("ingest", lambda: run_ingest(spark, config, str(root / "input"), warehouse)),
        ("quality", lambda: run_quality(spark, config, warehouse, SCORE_DATE)),
        ("metrics", lambda: run_metrics(spark, config, warehouse, SCORE_DATE, "dataframe")),
        ("score", lambda: run_score(spark, config, warehouse, SCORE_DATE)),
        ("topics", lambda: run_topics(spark, config, warehouse, SCORE_DATE)),
    ):
        begun = time.monotonic()
        run()
        seconds[stage] = time.monotonic() - begun

    person = F.coalesce(F.col("person_id"), F.concat_ws(":", "platform", "account_id"))
    verdicts = spark.read.format("delta").load(warehouse.path(QUALITY_TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE))
    verdict_rows = {
        row["person"]: row.asDict(recursive=True)
        for row in verdicts.select(person.alias("person"), "kind", "is_bot", "is_inactive", "is_genuine", "bot_score", "reasons").collect()
    }
    metrics = spark.read.format("delta").load(warehouse.path(METRICS_TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE))
    metric_rows = {row["person_id"]: row.asDict() for row in metrics.drop("reach_by_platform").collect()}
    scores = spark.read.format("delta").load(warehouse.path(SCORES_TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE))
    score_rows = {row["person_id"]: row.asDict() for row in scores.drop("reasons").collect()}
    topic_scores = spark.read.format("delta").load(warehouse.path(TOPIC_SCORES_TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE))
    topic_rows = {(row["person_id"], row["topic"]): row.asDict() for row in topic_scores.collect()}
    leader_rows = spark.read.format("delta").load(warehouse.path(TOPIC_LEADERS_TABLE)).where(F.col("score_date") == F.lit(SCORE_DATE))
    leaders: dict[str, list[str]] = defaultdict(list)
    for row in leader_rows.orderBy("topic", "leader_rank").collect():
        leaders[row["topic"]].append(row["person_id"])

    # Every account of this world is a person of its own: platform:did.
    events = spark.read.format("delta").load(warehouse.path("silver/events")).where(F.col("target_account_id").isNotNull())
    actor = F.concat_ws(":", "platform", "actor_account_id")
    target = F.concat_ws(":", "platform", "target_account_id")
    start = SCORE_DATE - dt.timedelta(days=config.metrics.window_days)
    engagements = [
        row.asDict()
        for row in events.where(
            F.col("event_type").isin(*ENGAGEMENT_TYPES) & (F.col("event_date") > F.lit(start)) & (F.col("event_date") <= F.lit(SCORE_DATE))
        )
        .select(actor.alias("actor"), target.alias("target"), "event_type", "event_date")
        .collect()
    ]
    received: dict[str, dict[str, int]] = defaultdict(dict)
    for row in events.groupBy(target.alias("target"), "event_type").count().collect():
        received[row["target"]][row["event_type"]] = row["count"]
    print(f"gaming world: {truth['events']:,} events, {truth['accounts']:,} accounts; seconds: "
          + ", ".join(f"{stage} {value:.0f}" for stage, value in seconds.items()))
    return GamingRun(truth, warehouse, seconds, verdict_rows, metric_rows, score_rows, topic_rows, dict(leaders), engagements, dict(received))


def kinds(run: GamingRun, persons: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for person in persons:
        counts[run.verdicts[person]["kind"] if person in run.verdicts else "missing"] += 1
    return dict(counts)


# -- the world ------------------------------------------------------------------------------


def test_the_world_lands_whole_and_every_account_is_its_own_person(spark, gaming):
    accounts = spark.read.format("delta").load(gaming.warehouse.path("silver/accounts"))
    persons = {row["person_id"] for row in accounts.select("person_id").collect()}
    assert accounts.count() == gaming.truth["accounts"]
    # The names the truth file gives the roles are the persons ingest made of the accounts.
    assert set(gaming.truth["roles"].values()) <= persons
    events = spark.read.format("delta").load(gaming.warehouse.path("silver/events"))
    # One event per commit, no mentions lost: posts with a mention facet add one each.
    assert events.where(F.col("event_type") != "mention").count() == gaming.truth["events"]
    assert spark.read.format("delta").load(gaming.warehouse.path("silver/quarantine")).count() == 0
    last = events.agg(F.max("event_date")).first()[0]
    assert last == SCORE_DATE


# -- (a) the verdicts -----------------------------------------------------------------------


def test_the_spammer_and_its_amplifiers_are_bots(gaming):
    spammer = gaming.verdicts[gaming.role("spammer")]
    assert spammer["kind"] == "spam"
    assert any(gaming_world.SPAM_LINK in reason for reason in spammer["reasons"]), spammer["reasons"]
    assert kinds(gaming, gaming.group("spam_bots")) == {"automated_amplifier": gaming_world.N_SPAM_BOTS}


def test_bought_followers_are_bots(gaming):
    assert kinds(gaming, gaming.group("fake_followers")) == {"fake_follower": gaming_world.N_FAKE_FOLLOWERS}


def test_ring_members_are_flagged_and_their_twins_are_not(gaming):
    members = [gaming.role(f"ring_member_{k}") for k in range(1, gaming_world.N_RING + 1)]
    twins = [gaming.role(f"ring_twin_{k}") for k in range(1, gaming_world.N_RING + 1)]
    assert kinds(gaming, members) == {"engagement_ring": gaming_world.N_RING}
    assert kinds(gaming, twins) == {"genuine": gaming_world.N_RING}


def test_people_and_the_background_are_genuine(gaming):
    people = ["modest", "expert", "celebrity", "buyer", "buyer_twin", "quiet", "quiet_twin"]
    assert {name: gaming.verdicts[gaming.role(name)]["kind"] for name in people} == dict.fromkeys(people, "genuine")
    # Silent for 100 days: inactive, not a bot, and still scored.
    long_quiet = gaming.verdicts[gaming.role("long_quiet")]
    assert (long_quiet["kind"], long_quiet["is_bot"]) == ("inactive", False)
    background = gaming.group("commons") + gaming.group("audiences")
    assert kinds(gaming, background) == {"genuine": len(background)}
    # Followers who only follow, and old engagers, are people too: some merely inactive.
    crowd = gaming.group("lurkers") + gaming.group("celebrity_past_engagers")
    assert set(kinds(gaming, crowd)) == {"genuine", "inactive"}


def test_bot_engagers_do_not_raise_a_persons_bot_score_they_are_only_named(gaming):
    # buyer and buyer_twin post the same and have mirrored genuine audiences; only buyer
    # also drew 5,000 bought followers' likes. Its bot score is its own behaviour's.
    buyer, twin = gaming.verdicts[gaming.role("buyer")], gaming.verdicts[gaming.role("buyer_twin")]
    assert buyer["bot_score"] == twin["bot_score"] < 0.5
    company = [r for r in buyer["reasons"] if r.endswith(" accounts that engage with it are bots")]
    assert len(company) == 1 and company[0].startswith("100% of the "), buyer["reasons"]
    assert not any(r.endswith("are bots") for r in twin["reasons"])


# -- (b) what the metrics make of each trick ------------------------------------------------


def test_bots_engage_nobody_the_spammer_reaches_no_one(gaming):
    spammer = gaming.role("spammer")
    received = gaming.received[spammer]
    # Hundreds of reposts and likes, every one by an amplifier.
    assert received.get("reshare", 0) >= 25 * gaming_world.N_SPAM_BOTS
    assert received.get("like", 0) >= 15 * gaming_world.N_SPAM_BOTS
    assert {e["actor"] for e in gaming.engagements if e["target"] == spammer} <= set(gaming.group("spam_bots"))
    assert gaming.genuine_engagers(spammer) == set()
    # A bot is no scored person, and no amplifier reaches anyone.
    assert spammer not in gaming.metrics
    assert not set(gaming.group("spam_bots")) & set(gaming.metrics)
    modest = gaming.metrics[gaming.role("modest")]
    assert modest["engagers"] == len(gaming.genuine_engagers(gaming.role("modest"))) == gaming_world.MODEST_ENGAGERS
    assert modest["true_reach"] > 0.2 * gaming_world.MODEST_ENGAGERS


def test_bought_followers_add_nothing(gaming):
    buyer, twin = gaming.role("buyer"), gaming.role("buyer_twin")
    # The buyer received 5,000 follows and thousands of likes more than its twin ...
    assert gaming.received[buyer]["follow"] - gaming.received[twin]["follow"] == gaming_world.N_FAKE_FOLLOWERS
    assert gaming.received[buyer]["like"] - gaming.received[twin]["like"] >= gaming_world.N_FAKE_FOLLOWERS
    # ... and its metrics are its twin's.
    assert gaming.metrics[buyer]["engagers"] == gaming_world.BUYER_AUDIENCE
    for metric in TWIN_METRICS:
        assert gaming.metrics[buyer][metric] == pytest.approx(gaming.metrics[twin][metric], rel=1e-9, abs=1e-15), metric
    assert gaming.metrics[buyer]["network_influence"] > 0


def test_ring_members_are_not_scored_and_their_twins_keep_their_real_audience(gaming):
    for k in range(1, gaming_world.N_RING + 1):
        member, twin = gaming.role(f"ring_member_{k}"), gaming.role(f"ring_twin_{k}")
        assert member not in gaming.metrics, k
        # The member's posts drew ring engagement on top of the audience it shares with its twin.
        assert gaming.received[member]["like"] > gaming.received[twin].get("like", 0) + 100, k
        expected = gaming.genuine_engagers(twin)
        assert 0 < len(expected) <= gaming_world.RING_AUDIENCE, k
        assert gaming.metrics[twin]["engagers"] == len(expected), k


def test_a_celebrity_nobody_engages_any_more_counts_less_than_an_engaged_expert(gaming):
    celebrity, expert = gaming.role("celebrity"), gaming.role("expert")
    # Thousands of followers and hundreds of engagers, all but three before the window.
    assert gaming.received[celebrity]["follow"] == gaming_world.CELEBRITY_FOLLOWERS
    assert len(gaming.group("celebrity_past_engagers")) == gaming_world.CELEBRITY_PAST_ENGAGERS
    assert gaming.genuine_engagers(celebrity) == set(gaming.group("celebrity_recent_engagers"))
    assert gaming.metrics[celebrity]["engagers"] == gaming_world.CELEBRITY_RECENT_ENGAGERS
    assert gaming.metrics[expert]["engagers"] == len(gaming.genuine_engagers(expert)) == gaming_world.EXPERT_ENGAGERS
    assert gaming.metrics[celebrity]["true_reach"] < gaming.metrics[expert]["true_reach"] / 5
    assert gaming.metrics[celebrity]["network_influence"] < gaming.metrics[expert]["network_influence"]


def test_engagement_of_persons_who_went_quiet_is_older_and_fades(gaming):
    quiet, twin, long_quiet = (gaming.metrics[gaming.role(name)] for name in ("quiet", "quiet_twin", "long_quiet"))
    last_day = {
        name: max((e["event_date"] for e in gaming.engagements if e["target"] == gaming.role(name)), default=None)
        for name in ("quiet", "quiet_twin", "long_quiet")
    }
    assert last_day == {
        "quiet": SCORE_DATE - dt.timedelta(days=45),
        "quiet_twin": SCORE_DATE - dt.timedelta(days=1),
        "long_quiet": None,
    }
    # The same audience: quiet's engagers are as many, but their engagement is older.
    assert quiet["engagers"] == len(gaming.genuine_engagers(gaming.role("quiet"))) == gaming_world.QUIET_AUDIENCE
    assert twin["engagers"] == gaming_world.QUIET_AUDIENCE
    mean_decay = {name: row["true_reach"] / row["engagers"] for name, row in (("quiet", quiet), ("twin", twin))}
    assert mean_decay["quiet"] < 0.5 ** (44 / 30) < mean_decay["twin"], mean_decay
    assert quiet["true_reach"] < 0.5 * twin["true_reach"]
    assert quiet["network_influence"] < twin["network_influence"]
    # Silent for 100 days: nothing left in the window.
    assert (long_quiet["engagers"], long_quiet["true_reach"], long_quiet["posts"]) == (0, 0.0, 0)


# -- the score ------------------------------------------------------------------------------


def score_of(run: GamingRun, name: str) -> float | None:
    """A role's score, None for a person the score stage does not score (a bot)."""
    row = run.scores.get(run.role(name))
    return None if row is None else row["score"]


def test_score_the_spammer_is_not_scored_and_a_modest_real_person_is(gaming):
    assert score_of(gaming, "spammer") is None
    assert not set(gaming.group("spam_bots")) & set(gaming.scores)
    assert score_of(gaming, "modest") >= 20.0


def test_score_an_engagement_ring_gains_nothing(gaming):
    for k in range(1, gaming_world.N_RING + 1):
        member, twin = score_of(gaming, f"ring_member_{k}"), score_of(gaming, f"ring_twin_{k}")
        assert twin is not None and twin > 10.0, k
        assert member is None or member <= twin, (k, member, twin)


def test_score_bought_followers_buy_nothing(gaming):
    buyer, twin = gaming.scores[gaming.role("buyer")], gaming.scores[gaming.role("buyer_twin")]
    assert buyer["score"] <= twin["score"]
    for column in ("score", "reach_score", "amplification_score", "influence_score", "rank"):
        assert buyer[column] == pytest.approx(twin[column], rel=1e-9), column
    assert twin["score"] > 20.0


def test_score_a_celebrity_nobody_engages_is_below_an_engaged_expert(gaming):
    celebrity, expert = score_of(gaming, "celebrity"), score_of(gaming, "expert")
    assert celebrity + 20.0 < expert, (celebrity, expert)


def test_score_quiet_persons_fade_to_the_floor(gaming):
    quiet, twin = gaming.scores[gaming.role("quiet")], gaming.scores[gaming.role("quiet_twin")]
    assert quiet["score"] < twin["score"] / 2, (quiet["score"], twin["score"])
    assert quiet["quiet_days"] == 45 and quiet["decay"] < 0.5
    assert twin["quiet_days"] <= 1 and twin["decay"] == 1.0
    assert score_of(gaming, "long_quiet") <= 5.0


# -- topics and campaigns -------------------------------------------------------------------


def test_topics_a_single_post_gives_no_topic_and_steady_engaged_posting_does(gaming):
    one, steady = gaming.role("topic_one_post"), gaming.role("topic_steady")
    assert gaming.scores[one]["score"] > 1.0  # an active, engaged person
    assert not {topic for person, topic in gaming.topics if person == one} & {"space", "science"}
    row = gaming.topics[(steady, "space")]
    engagers = gaming.group("topic_steady_engagers")
    assert all(gaming.verdicts[e]["is_genuine"] for e in engagers)
    assert (row["topical_posts"], row["evidence_posts"], row["evidence_days"], row["genuine_engagers"]) == (8, 8, 8, len(engagers))
    assert (steady, "science") in gaming.topics  # the topic above space


def test_topics_posting_often_to_nobody_ranks_below_fewer_posts_that_draw_engagement(gaming):
    loud = gaming.topics[(gaming.role("topic_loud"), "space")]
    engaged = gaming.topics[(gaming.role("topic_engaged"), "space")]
    assert (loud["topical_posts"], loud["evidence_posts"], loud["evidence_days"], loud["genuine_engagers"]) == (60, 3, 3, 3)
    assert (engaged["topical_posts"], engaged["evidence_posts"], engaged["genuine_engagers"]) == (5, 5, 15)
    assert loud["rank_in_topic"] > engaged["rank_in_topic"] and loud["topic_score"] < engaged["topic_score"]


def test_topics_bots_lead_no_topic(gaming):
    bots = {p for p, v in gaming.verdicts.items() if v["is_bot"]}
    assert bots >= set(gaming.group("spam_bots")) | {gaming.role("spammer")}
    assert not bots & {p for persons in gaming.leaders.values() for p in persons}
    assert not bots & {p for p, _ in gaming.topics}


def test_campaign_the_planner_reaches_more_than_the_top_leaders_who_share_one_audience(spark, config, gaming):
    from jobs.common.config import load_ontology
    from jobs.plan_campaign import campaign

    tops = {gaming.role(f"campaign_top_{k}") for k in (1, 2, 3)}
    niches = {gaming.role(f"campaign_niche_{k}") for k in (1, 2)}
    assert set(gaming.leaders["finance"][:3]) == tops and set(gaming.leaders["finance"][3:5]) == niches
    planned = campaign(spark, config, gaming.warehouse, load_ontology(config.topics), "finance", 3, score_date=SCORE_DATE)
    shared, own = len(gaming.group("campaign_shared_audience")), [len(gaming.group(f"campaign_niche_{k}_audience")) for k in (1, 2)]
    assert set(planned["top_k"]) == tops and planned["top_k_reach"] == shared
    assert planned["method"] == "greedy coverage" and planned["reach"] == shared + sum(own) > planned["top_k_reach"]
    assert [p["added_reach"] for p in planned["picks"]] == [shared, *own]
    assert {p["person_id"] for p in planned["picks"][1:]} == niches
