"""Figures of a verdict against labels: precision, recall, F1, ROC AUC, confusion matrix.

The figures are computed by Spark as a handful of grouped counts; only those counts reach
the driver, whatever the number of accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class BinaryFigures:
    """Figures of ``is_bot`` against the label.

    Attributes:
        true_positives: Bots called bots.
        false_positives: Genuine accounts called bots.
        false_negatives: Bots missed.
        true_negatives: Genuine accounts left alone.
        roc_auc: Area under the ROC curve of ``bot_score`` (None with one class only).
    """

    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    roc_auc: float | None = None

    @property
    def precision(self) -> float:
        called = self.true_positives + self.false_positives
        return self.true_positives / called if called else 0.0

    @property
    def recall(self) -> float:
        bots = self.true_positives + self.false_negatives
        return self.true_positives / bots if bots else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def accounts(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


@dataclass(frozen=True)
class KindFigures:
    """How one labelled kind fared.

    Attributes:
        kind: The labelled kind.
        accounts: Labelled accounts of that kind.
        flagged: Of them, called bots (for ``genuine``: wrongly).
        named: Of them, called by that very kind.
    """

    kind: str
    accounts: int
    flagged: int
    named: int

    @property
    def recall(self) -> float:
        return self.flagged / self.accounts if self.accounts else 0.0


@dataclass(frozen=True)
class QualityReport:
    """All figures of one evaluation.

    Attributes:
        overall: ``is_bot`` against the label.
        by_kind: Per labelled kind.
        by_group: ``is_bot`` per labelled group (market, collection).
        unscored: Labelled accounts the input has no trace of.
    """

    overall: BinaryFigures
    by_kind: list[KindFigures] = field(default_factory=list)
    by_group: dict[str, BinaryFigures] = field(default_factory=dict)
    unscored: int = 0


def binary_figures(judged: DataFrame, with_auc: bool = True) -> BinaryFigures:
    """Confusion counts (and ROC AUC) of ``is_bot`` against ``label`` (1 bot, 0 genuine)."""
    counts = {
        (row["label"], row["is_bot"]): row["n"]
        for row in judged.groupBy(F.col("label").cast("int").alias("label"), "is_bot").agg(F.count("*").alias("n")).collect()
    }
    auc = None
    if with_auc and counts.get((1, True), 0) + counts.get((1, False), 0) and counts.get((0, True), 0) + counts.get((0, False), 0):
        evaluator = BinaryClassificationEvaluator(rawPredictionCol="bot_score", labelCol="label", metricName="areaUnderROC")
        auc = evaluator.evaluate(judged.select(F.col("bot_score").cast("double"), F.col("label").cast("double")))
    return BinaryFigures(
        true_positives=counts.get((1, True), 0),
        false_positives=counts.get((0, True), 0),
        false_negatives=counts.get((1, False), 0),
        true_negatives=counts.get((0, False), 0),
        roc_auc=auc,
    )


def evaluate_verdicts(assessed: DataFrame, labels: DataFrame) -> QualityReport:
    """Compares verdicts with labels (``platform, account_id, kind, group, label``)."""
    judged = labels.join(assessed.select("platform", "account_id", "is_bot", "bot_score", F.col("kind").alias("called")), ["platform", "account_id"], "left")
    unscored = judged.where(F.col("is_bot").isNull()).count()
    judged = judged.where(F.col("is_bot").isNotNull()).cache()
    kinds = [
        KindFigures(row["kind"], row["accounts"], row["flagged"], row["named"])
        for row in judged.groupBy("kind")
        .agg(
            F.count("*").alias("accounts"),
            F.sum(F.col("is_bot").cast("int")).alias("flagged"),
            F.sum((F.col("called") == F.col("kind")).cast("int")).alias("named"),
        )
        .orderBy("kind")
        .collect()
    ]
    groups = [row["group"] for row in judged.select("group").distinct().orderBy("group").collect()]
    by_group = {group: binary_figures(judged.where(F.col("group") == group), with_auc=False) for group in groups}
    report = QualityReport(binary_figures(judged), kinds, by_group, unscored)
    judged.unpersist()
    return report


def format_report(report: QualityReport, title: str) -> str:
    """The report as people read it."""
    o = report.overall
    auc = f"{o.roc_auc:.4f}" if o.roc_auc is not None else "n/a"
    lines = [
        f"== {title}",
        f"accounts {o.accounts:,} (labelled but absent from the input: {report.unscored:,})",
        f"is_bot: precision {o.precision:.4f}  recall {o.recall:.4f}  F1 {o.f1:.4f}  ROC AUC {auc}",
        "confusion matrix (rows: label, columns: verdict)",
        f"{'':>10} {'bot':>8} {'genuine':>8}",
        f"{'bot':>10} {o.true_positives:>8,} {o.false_negatives:>8,}",
        f"{'genuine':>10} {o.false_positives:>8,} {o.true_negatives:>8,}",
        "per labelled kind: accounts, called bot, called by this kind",
    ]
    for k in report.by_kind:
        lines.append(f"{k.kind:>22} {k.accounts:>7,} {k.flagged:>7,} ({k.recall:6.1%}) {k.named:>7,}")
    if len(report.by_group) > 1:
        lines.append("per labelled group: accounts, called bot")
        for group, figures in report.by_group.items():
            lines.append(f"{group:>22} {figures.accounts:>7,} {figures.true_positives + figures.false_positives:>7,}")
    return "\n".join(lines)
