"""Evaluates account quality against labelled accounts: precision, recall, F1, ROC AUC.

``python -m jobs.evaluate_quality --input DIR --labels CSV [--model FOLDER] [--date D]``

The input is ingested into a warehouse of its own and every account is judged exactly as
the ``quality`` stage judges it (model and explicit signals). Accounts the model was
fitted on are left out unless ``--include-training-accounts`` is given, so the figures
are on accounts the model never saw.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# spark-submit runs this file as a script: make the project importable when it does.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.common.cli import add_profile_arguments, ingested_input, iso_date, profile_from  # noqa: E402
from jobs.common.labels import add_label_arguments, label_format_from, read_labels  # noqa: E402
from jobs.common.model_store import load_model, read_training_accounts, training_accounts_path  # noqa: E402
from transforms.quality.assess import assess_accounts  # noqa: E402
from transforms.quality.evaluation import evaluate_verdicts, format_report  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jobs.evaluate_quality", description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="raw input folder (source sub-folders, or a research export's files)")
    parser.add_argument("--labels", required=True, help="CSV of labelled accounts")
    parser.add_argument("--model", default=None, help="model folder (default: [quality] model of the profile)")
    parser.add_argument("--date", type=iso_date, default=None, help="score date (default: judge all of the input's activity)")
    parser.add_argument("--warehouse", default=None, help="warehouse the input is ingested into (default: a temp folder per input)")
    parser.add_argument("--include-training-accounts", action="store_true", help="also count accounts the model was fitted on")
    add_profile_arguments(parser)
    add_label_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = profile_from(args)
    model_path = args.model or config.quality.model
    spark, warehouse = ingested_input(config, args.input, args.warehouse, "evaluate")

    events = spark.read.format("delta").load(warehouse.path("silver/events"))
    accounts = spark.read.format("delta").load(warehouse.path("silver/accounts"))
    model = load_model(model_path)
    labels = read_labels(spark, args.labels, label_format_from(args))
    left_out = ""
    if not args.include_training_accounts and training_accounts_path(model_path).exists():
        labels = labels.join(read_training_accounts(spark, model_path), ["platform", "account_id"], "left_anti")
        left_out = ", accounts the model was fitted on left out"
    verdicts = assess_accounts(events, accounts, model, config.quality, args.date)
    report = evaluate_verdicts(verdicts, labels)
    print(format_report(report, f"model {model.version} with explicit signals on {args.input}{left_out}"))


if __name__ == "__main__":
    main()
