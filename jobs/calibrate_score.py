"""Calibration anchors of the Clout score, fitted on a warehouse's person metrics.

``python -m jobs.calibrate_score --warehouse W --date D [--conf PROFILE]`` computes every
person's raw score (the weighted mean of the three log-scaled components, 0-1) on date D
with the profile's ``[score]`` settings and prints, for active persons above the floor
(some genuine engagement, not quiet), the raw
scores at the target percentiles (by default the median, the 95th and the 99th), and the
``anchors`` line that puts those percentiles at their target scores (20, 50 and 70).

Anchors are fixed settings, not refitted each day: a score must not move because other
people joined. Refit them when the population or a ``[score]`` setting changes, and give
the result a new ``model_version``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, iso_date, profile_from  # noqa: E402
from jobs.common.delta import Warehouse  # noqa: E402
from jobs.common.spark import build_spark  # noqa: E402
from jobs.score import METRICS_TABLE  # noqa: E402
from transforms.score.score import FLOOR, TOP, clout_scores  # noqa: E402

TARGETS = ((0.5, 20.0), (0.95, 50.0), (0.99, 70.0))


def fitted_anchors(raw_at: list[float], targets: tuple[tuple[float, float], ...]) -> list[list[float]]:
    """``[[0, 1], [raw at each target percentile, its score], [1, 100]]``, kept increasing."""
    anchors = [[0.0, FLOOR]]
    for raw, (_, score) in zip(raw_at, targets):
        if raw > anchors[-1][0] and raw < 1.0:
            anchors.append([round(raw, 4), score])
    return anchors + [[1.0, TOP]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jobs.calibrate_score", description="Fit the score's calibration anchors on a warehouse.")
    parser.add_argument("--warehouse", required=True, help="warehouse directory or URI")
    parser.add_argument("--date", type=iso_date, required=True, help="score date of gold/person_metrics to fit on")
    add_profile_arguments(parser)
    args = parser.parse_args(argv)
    config = profile_from(args)
    spark = build_spark(config, warehouse=args.warehouse, app_name="clout-calibrate-score")
    warehouse = Warehouse(args.warehouse, config.database)
    metrics = spark.read.format("delta").load(warehouse.path(METRICS_TABLE)).where(F.col("score_date") == F.lit(args.date))
    raw = clout_scores(metrics, config.score, config.metrics.window_days).where((F.col("raw_score") > 0) & (F.col("decay") == 1.0))
    row = raw.agg(F.count("*").alias("persons"), F.percentile_approx("raw_score", [p for p, _ in TARGETS], 100_000).alias("raw")).first()
    if not row["persons"]:
        raise SystemExit(f"jobs.calibrate_score: no person above the floor in {METRICS_TABLE} on {args.date}")
    print(f"active persons above the floor on {args.date}: {row['persons']:,}")
    for (share, score), value in zip(TARGETS, row["raw"]):
        print(f"  raw score at the {share * 100:g}th percentile: {value:.4f} (target score {score:g})")
    print(f"anchors = {fitted_anchors(row['raw'], TARGETS)}")
    spark.stop()


if __name__ == "__main__":
    main()
