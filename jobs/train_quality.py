"""Trains the account-quality model on labelled accounts and writes a versioned model.

``python -m jobs.train_quality --input DIR --labels CSV --out FOLDER [--version NAME]``

The input is ingested into a warehouse of its own (``--warehouse``), features are computed
over all of its activity, and the labelled accounts are split by a hash of their id:
``--holdout`` of them are never seen by the fit, and the figures printed (and kept in the
model's metadata) are on those. With ``--leave-one-group-out``, each bot group (market)
is in turn left out of training and tested on, beside held-out genuine accounts.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
import datetime as dt
import sys
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyspark.sql import Column, DataFrame  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from jobs.common.cli import add_profile_arguments, ingested_input, profile_from  # noqa: E402
from jobs.common.labels import add_label_arguments, label_format_from, read_labels  # noqa: E402
from jobs.common.model_store import save_model  # noqa: E402
from transforms.quality.assess import assess_features, quality_features  # noqa: E402
from transforms.quality.evaluation import BinaryFigures, binary_figures, evaluate_verdicts, format_report  # noqa: E402
from transforms.quality.model import ModelSettings, fit_quality_model  # noqa: E402


def held_out(fraction: float, seed: int) -> Column:
    """True for a stable ``fraction`` of accounts, chosen by a hash of their id."""
    bucket = F.pmod(F.xxhash64(F.col("platform"), F.col("account_id"), F.lit(seed)), F.lit(10_000))
    return bucket < F.lit(int(round(fraction * 10_000)))


def _figures_dict(figures: BinaryFigures) -> dict:
    return {
        "accounts": figures.accounts,
        "precision": round(figures.precision, 4),
        "recall": round(figures.recall, 4),
        "f1": round(figures.f1, 4),
        "roc_auc": None if figures.roc_auc is None else round(figures.roc_auc, 4),
        "confusion": {"tp": figures.true_positives, "fp": figures.false_positives, "fn": figures.false_negatives, "tn": figures.true_negatives},
    }


def leave_one_group_out(labelled: DataFrame, events: DataFrame, config, version: str, settings: ModelSettings) -> dict[str, BinaryFigures]:
    """Per bot group: fit without it, test on it plus the held-out genuine accounts."""
    groups = [r["group"] for r in labelled.where("label = 1").select("group").distinct().orderBy("group").collect()]
    results = {}
    for group in groups:
        train = labelled.where(~F.col("holdout") & ((F.col("label") == 0) | (F.col("group") != group)))
        test = labelled.where((F.col("holdout") & (F.col("label") == 0)) | ((F.col("label") == 1) & (F.col("group") == group)))
        model = fit_quality_model(train, f"{version}-without-{group}", settings)
        verdicts = assess_features(test.drop("label", "kind", "group", "holdout"), events, model, config.quality, None)
        judged = test.select("platform", "account_id", "label").join(verdicts, ["platform", "account_id"])
        results[group] = binary_figures(judged)
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.train_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="raw input folder (source sub-folders, or a research export's files)")
    parser.add_argument("--labels", required=True, help="CSV of labelled accounts")
    parser.add_argument("--out", required=True, help="model folder to write (e.g. models/quality/cresci-2015-v1)")
    parser.add_argument("--version", default=None, help="model version name (default: the folder name)")
    parser.add_argument("--warehouse", default=None, help="warehouse the input is ingested into (default: a temp folder per input)")
    parser.add_argument("--holdout", type=float, default=0.3, help="share of labelled accounts kept out of the fit (default 0.3)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the split and the trees")
    parser.add_argument("--leave-one-group-out", action="store_true", help="also report figures with each bot group left out")
    add_profile_arguments(parser)
    add_label_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    version = args.version or Path(args.out).name
    spark, warehouse = ingested_input(config, args.input, args.warehouse, "train")

    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    labels = read_labels(spark, args.labels, label_format_from(args))
    features = quality_features(events, accounts, config.quality, None)
    labelled = (
        features.join(labels, ["platform", "account_id"])
        .withColumn("holdout", held_out(args.holdout, args.seed))
        .localCheckpoint(eager=True)
    )
    train = labelled.where(~F.col("holdout"))
    settings = ModelSettings(seed=args.seed)
    model = fit_quality_model(train, version, settings)

    holdout = labelled.where("holdout")
    verdicts = assess_features(holdout.drop("label", "kind", "group", "holdout"), events, model, config.quality, None)
    report = evaluate_verdicts(verdicts, holdout.select("platform", "account_id", "kind", "group", "label"))
    print(format_report(report, f"model {version}: {report.overall.accounts:,} held-out accounts (never seen by the fit)"))

    metadata = {
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "labels": str(args.labels),
        "input": str(args.input),
        "training_accounts": train.count(),
        "holdout_share": args.holdout,
        "seed": args.seed,
        "hyperparameters": asdict(settings),
        "held_out": _figures_dict(report.overall),
    }
    if args.leave_one_group_out:
        per_group = leave_one_group_out(labelled, events, config, version, settings)
        print("leave-one-group-out (fit without the group; test on it and the held-out genuine accounts):")
        for group, figures in per_group.items():
            print(f"  without {group:>6}: precision {figures.precision:.4f} recall {figures.recall:.4f} F1 {figures.f1:.4f} (accounts {figures.accounts:,})")
        metadata["leave_one_group_out"] = {group: _figures_dict(f) for group, f in per_group.items()}
    folder = save_model(model, args.out, metadata, train)
    print(f"model written to {folder}")


if __name__ == "__main__":
    main()
