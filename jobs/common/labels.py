"""Reading labelled accounts (ground truth) for training and evaluating account quality.

Two layouts are read. The project's own: ``platform, account_id, kind[, group]`` with
``kind`` either ``genuine`` or a bot kind (the sample generator's ``truth/accounts.csv``).
And research exports, where one column holds a collection name per account (cresci-2015's
``dataset``): ``LabelFormat`` says which column is the id, which holds the label, which of
its values mean genuine, and which bot kind the others are.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

LABELS_COLUMNS = ("platform", "account_id", "kind", "group", "label")


@dataclass(frozen=True)
class LabelFormat:
    """How a labels CSV is read.

    Attributes:
        id_column: Column with the account id.
        label_column: Column with the label: a kind, or a collection name.
        genuine_values: Values of ``label_column`` that mean a genuine account.
        bot_kind: Kind given to every other value; empty keeps the value as the kind.
        group_column: Column reported as the account's group (market, collection); empty
            uses the label value.
        platform: Platform of every account, when the file has no ``platform`` column.
    """

    id_column: str = "account_id"
    label_column: str = "kind"
    genuine_values: tuple[str, ...] = ("genuine",)
    bot_kind: str = ""
    group_column: str = ""
    platform: str = "twitter"


def read_labels(spark: SparkSession, path: str, label_format: LabelFormat) -> DataFrame:
    """Reads a labels CSV into ``platform, account_id, kind, group, label`` (label 1 = bot).

    Raises:
        ValueError: If a named column is missing from the file.
    """
    raw = spark.read.option("header", True).option("multiLine", True).option("escape", '"').csv(path)
    needed = [label_format.id_column, label_format.label_column] + ([label_format.group_column] if label_format.group_column else [])
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise ValueError(f"labels file {path} has no column(s) {missing}; it has {raw.columns}")
    value = F.trim(F.col(label_format.label_column))
    genuine = value.isin(*label_format.genuine_values)
    kind = F.when(genuine, F.lit("genuine")).otherwise(F.lit(label_format.bot_kind) if label_format.bot_kind else value)
    platform = F.col("platform") if "platform" in raw.columns else F.lit(label_format.platform)
    group = F.col(label_format.group_column) if label_format.group_column else value
    return raw.select(
        platform.alias("platform"),
        F.trim(F.col(label_format.id_column)).alias("account_id"),
        kind.alias("kind"),
        group.alias("group"),
        (~genuine).cast("int").alias("label"),
    ).where(F.col("account_id").isNotNull() & value.isNotNull())


def add_label_arguments(parser) -> None:
    """The options of :class:`LabelFormat` on an argparse parser."""
    group = parser.add_argument_group("labels file layout")
    group.add_argument("--id-column", default=None, help="column with the account id (default account_id; 'id' for research exports)")
    group.add_argument("--label-column", default="kind", help="column with the label (default kind; 'dataset' for cresci-2015)")
    group.add_argument("--genuine-values", default="genuine", help="comma-separated label values meaning genuine (cresci-2015: E13,TFP)")
    group.add_argument("--bot-kind", default="", help="kind given to every other label value (cresci-2015: fake_follower)")
    group.add_argument("--group-column", default="", help="column reported as the group (default: the label value)")
    group.add_argument("--platform", default="twitter", help="platform of the accounts when the file has no platform column")


def label_format_from(args) -> LabelFormat:
    """The :class:`LabelFormat` the parsed options describe."""
    return LabelFormat(
        id_column=args.id_column or "account_id",
        label_column=args.label_column,
        genuine_values=tuple(v.strip() for v in args.genuine_values.split(",") if v.strip()),
        bot_kind=args.bot_kind,
        group_column=args.group_column,
        platform=args.platform,
    )
