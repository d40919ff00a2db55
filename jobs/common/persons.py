"""How the jobs that write or check gold tables read the silver tables that name persons."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from jobs.common.config import CloutConfig
from jobs.common.delta import Warehouse
from transforms.metrics.person_metrics import with_pseudonymous_persons


def person_rows(spark: SparkSession, config: CloutConfig, warehouse: Warehouse, table: str) -> DataFrame:
    """``silver/accounts`` or ``silver/account_quality`` with persons named as the gold tables
    name them: their ids, or with ``[privacy] pseudonymise`` their salted-hash pseudonyms.

    Raises:
        ConfigError: If pseudonymising is on and the salt is not in the environment.
    """
    rows = spark.read.format("delta").load(warehouse.path(table))
    if not config.privacy.pseudonymise:
        return rows
    return with_pseudonymous_persons(rows, config.privacy.salt())
