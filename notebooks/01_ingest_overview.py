# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest overview
# MAGIC What the last ingest runs read, accepted, quarantined and skipped as duplicates, per source,
# MAGIC and the reasons records were quarantined.

# COMMAND ----------

try:
    spark  # noqa: F821 - provided by Databricks
except NameError:  # running locally: the same session builder as the jobs
    from jobs.common.config import load_config
    from jobs.common.delta import Warehouse, local_tables, register_table
    from jobs.common.spark import build_spark

    config = load_config()
    spark = build_spark(config, warehouse="warehouse")
    warehouse = Warehouse("warehouse", config.database)
    for table in local_tables(warehouse):  # a local session's catalog starts empty
        register_table(spark, warehouse, table)

# COMMAND ----------

spark.sql(
    "SELECT run_id, source, records_read, accepted, quarantined, duplicates, status "
    "FROM clout.ingest_runs ORDER BY started_at DESC, source"
).show(50, truncate=False)

# COMMAND ----------

spark.sql(
    "SELECT source, reason, count(*) AS records FROM clout.silver_quarantine "
    "GROUP BY source, reason ORDER BY records DESC"
).show(20, truncate=False)

# COMMAND ----------

spark.sql(
    "SELECT platform, event_type, count(*) AS events FROM clout.silver_events "
    "GROUP BY platform, event_type ORDER BY platform, event_type"
).show(60)
