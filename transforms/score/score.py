"""The Clout score: one number from 1 to 100 per person and day, with its components.

How a score is made, in the order of the code:

1. **Components.** Each of the three metrics becomes a sub-score from 0 to 100 on a log
   scale with a fixed top (``*_full`` settings), so it depends on the person's own
   activity only, never on who else is in the population:

   - *true reach*: distinct genuine persons who engaged them in the window (what the
     reason says: "engaged by 412 distinct genuine people in 90 days");
   - *amplification*: genuine reactions per post, each reactor weighted by how rarely they
     react, plus the people reached at the 2nd and 3rd hop of reshares, over
     ``posts + evidence_posts`` posts (so one lucky post is not evidence of amplification);
   - *network influence*: how many of those engagers are influential themselves: their
     own influence mass from weighted PageRank (recursive: mass flows from engagers to
     whom they engage; 1 for a person nobody engages) is at least ``influential_mass``.
     A fixed bar on mass, not a share of the population, so unrelated persons joining
     move nobody's score.

2. **Raw score**: the weighted mean of the sub-scores, from 0 to 1.
3. **Calibration**: fixed anchors ``(raw, score)`` map the raw score piecewise linearly
   onto 1-100 (the defaults put the median active person above the floor near 20, the
   95th percentile near 50 and the 99th near 70 on the built-in sample; 100 needs every
   component full).
4. **Decay**: a person quiet for more than ``quiet_grace_days`` (no post, reshare or
   genuine engagement received) keeps ``(1 - t)^2`` of the points above the floor, ``t``
   going from 0 at the end of the grace to 1 at the end of the window: about half after
   30 quiet days, the floor after 90, and no day's drop is ever a cliff.

Each component's contribution is its share of the points above the floor, so the
contributions add up to ``score - 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

FLOOR = 1.0
TOP = 100.0
COMPONENTS = ("reach", "amplification", "influence")


@dataclass(frozen=True)
class ScoreSettings:
    """How metrics become the Clout score.

    Attributes:
        model_version: Written beside every score; change it whenever a setting here changes.
        reach_weight: Weight of true reach in the raw score.
        amplification_weight: Weight of amplification.
        influence_weight: Weight of network influence (the three weights add up to 1).
        reach_full: Distinct genuine engagers at which the reach sub-score is 100.
        amplification_full: Amplification (weighted genuine reactions per post) at which
            its sub-score is 100.
        influence_full: Influential engagers at which the network-influence sub-score is 100.
        influential_mass: Influence mass from which an engager counts as influential
            (the mass of a person nobody engages is 1).
        evidence_posts: Posts added to a person's own when amplification is averaged per post.
        deep_hop_weight: What a person reached at the 2nd or 3rd hop counts, against 1 for
            a direct reaction.
        anchors: ``(raw, score)`` points of the calibration, raw from 0 to 1 and score
            from 1 to 100, both increasing.
        quiet_grace_days: Quiet days before the score starts to decay.
        influence_links: Persons kept per person and direction in ``gold/influence_edges``.
        leaders_shown: Top persons a run prints.
    """

    model_version: str = "clout-score-v2"
    reach_weight: float = 0.5
    amplification_weight: float = 0.2
    influence_weight: float = 0.3
    reach_full: float = 10_000.0
    amplification_full: float = 20.0
    influence_full: float = 1_000.0
    influential_mass: float = 20.0
    evidence_posts: float = 3.0
    deep_hop_weight: float = 0.5
    anchors: tuple[tuple[float, float], ...] = ((0.0, 1.0), (0.125, 20.0), (0.3453, 50.0), (0.4203, 70.0), (1.0, 100.0))
    quiet_grace_days: int = 7
    influence_links: int = 10
    leaders_shown: int = 10

    def __post_init__(self) -> None:
        anchors = tuple((float(raw), float(score)) for raw, score in self.anchors)
        object.__setattr__(self, "anchors", anchors)
        weights = (self.reach_weight, self.amplification_weight, self.influence_weight)
        if min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-9:
            raise ValueError(f"the three weights must be non-negative and add up to 1, got {weights}")
        if min(self.reach_full, self.amplification_full, self.influence_full) <= 0 or self.influential_mass <= 1:
            raise ValueError("reach_full, amplification_full and influence_full must be positive, influential_mass above 1")
        raws, scores = [a[0] for a in anchors], [a[1] for a in anchors]
        if len(anchors) < 2 or raws[0] != 0.0 or raws[-1] != 1.0 or scores[0] != FLOOR or scores[-1] != TOP:
            raise ValueError(f"anchors must run from (0, {FLOOR:g}) to (1, {TOP:g}), got {anchors}")
        if any(b[0] <= a[0] or b[1] <= a[1] for a, b in zip(anchors, anchors[1:])):
            raise ValueError(f"anchors must increase in raw score and in score, got {anchors}")
        if self.quiet_grace_days < 0 or self.influence_links < 1:
            raise ValueError("quiet_grace_days must be >= 0, influence_links >= 1")

    @property
    def weights(self) -> dict[str, float]:
        return {"reach": self.reach_weight, "amplification": self.amplification_weight, "influence": self.influence_weight}


def log_scaled(value: Column, full: float) -> Column:
    """0 to 100: ``log(1 + value) / log(1 + full)``, capped at 100 (null or negative: 0)."""
    share = F.log1p(F.greatest(F.coalesce(value, F.lit(0.0)), F.lit(0.0))) / F.lit(math.log1p(full))
    return F.least(share, F.lit(1.0)) * F.lit(100.0)


def amplification_value(settings: ScoreSettings, hop_columns: list[str]) -> Column:
    """Weighted genuine reactions, plus deeper hops, per post with ``evidence_posts`` added."""
    reactions = F.col("weighted_reactions_per_post") * F.col("posts")
    deeper = sum((F.col(c) for c in hop_columns), F.lit(0)) * F.lit(settings.deep_hop_weight)
    return (reactions + deeper) / (F.col("posts") + F.lit(settings.evidence_posts))


def component_scores(metrics: DataFrame, settings: ScoreSettings) -> DataFrame:
    """Adds ``reach_score``, ``amplification_score`` and ``influence_score`` (0-100).

    Args:
        metrics: ``gold/person_metrics`` rows.
        settings: Score settings.
    """
    deeper_hops = [c for c in metrics.columns if c.startswith("hop_") and c != "hop_1"]
    return (
        metrics.withColumn("reach_score", log_scaled(F.col("engagers"), settings.reach_full))
        .withColumn("amplification_score", log_scaled(amplification_value(settings, deeper_hops), settings.amplification_full))
        .withColumn("influence_score", log_scaled(F.col("influential_engagers"), settings.influence_full))
    )


def calibrated(raw: Column, anchors: tuple[tuple[float, float], ...]) -> Column:
    """The score of a raw score in [0, 1]: piecewise linear through ``anchors``."""
    result = F.lit(anchors[-1][1])
    for (raw_a, score_a), (raw_b, score_b) in reversed(list(zip(anchors, anchors[1:]))):
        slope = (score_b - score_a) / (raw_b - raw_a)
        result = F.when(raw <= F.lit(raw_b), F.lit(score_a) + (raw - F.lit(raw_a)) * F.lit(slope)).otherwise(result)
    return F.when(raw <= F.lit(anchors[0][0]), F.lit(anchors[0][1])).otherwise(result)


def quiet_decay(quiet_days: Column, grace_days: int, window_days: int) -> Column:
    """Share of the points above the floor a quiet person keeps: 1 within the grace, then
    ``(1 - t)^2`` with ``t`` from 0 at the end of the grace to 1 at the end of the window;
    0 for a person with no activity in the window (``quiet_days`` null)."""
    span = max(window_days - grace_days, 1)
    t = F.least(F.greatest((quiet_days - F.lit(grace_days)).cast("double") / F.lit(float(span)), F.lit(0.0)), F.lit(1.0))
    # greatest() skips nulls: a person with no activity is tested for explicitly.
    return F.when(quiet_days.isNull(), F.lit(0.0)).otherwise(F.pow(F.lit(1.0) - t, F.lit(2.0)))


def clout_scores(metrics: DataFrame, settings: ScoreSettings, window_days: int) -> DataFrame:
    """Adds the score, its components and their contributions to each person's metrics.

    Args:
        metrics: One date's ``gold/person_metrics`` rows.
        settings: Score settings.
        window_days: The metrics' window (the decay reaches the floor at its end).

    Returns:
        The metrics with ``reach_score``, ``amplification_score``, ``influence_score``
        (0-100), ``raw_score`` (0-1), ``active_score`` (the score before decay), ``decay``,
        ``score`` (1-100, one decimal) and ``reach_points``, ``amplification_points``,
        ``influence_points`` (their shares of ``score - 1``).
    """
    weighted = {c: F.col(f"{c}_score") * F.lit(w / 100.0) for c, w in settings.weights.items()}
    raw = sum(weighted.values(), F.lit(0.0))
    scored = (
        component_scores(metrics, settings)
        .withColumn("raw_score", raw)
        .withColumn("active_score", calibrated(F.col("raw_score"), settings.anchors))
        .withColumn("decay", quiet_decay(F.col("quiet_days"), settings.quiet_grace_days, window_days))
        .withColumn("score", F.round(F.lit(FLOOR) + (F.col("active_score") - F.lit(FLOOR)) * F.col("decay"), 1))
    )
    above_floor = F.col("score") - F.lit(FLOOR)
    for component, part in weighted.items():
        share = F.coalesce(F.try_divide(part, F.col("raw_score")), F.lit(0.0))
        scored = scored.withColumn(f"{component}_points", F.round(above_floor * share, 2))
    return scored
