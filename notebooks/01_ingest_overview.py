# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest overview
# MAGIC What the last ingest runs read, accepted, quarantined and skipped as duplicates, per source,
# MAGIC the reasons records were quarantined, and the activity that landed, day by day.

# COMMAND ----------

try:
    spark  # noqa: F821 - provided by Databricks
except NameError:  # running locally: the same session builder as the jobs
    from jobs.common.config import load_config
    from jobs.common.delta import Warehouse, register_local_tables
    from jobs.common.spark import build_spark

    config = load_config()
    spark = build_spark(config, warehouse="warehouse")
    register_local_tables(spark, Warehouse("warehouse", config.database))

    def display(frame):  # Databricks' table view, as text
        frame.show(50, truncate=False)

import matplotlib.pyplot as plt

# COMMAND ----------

# MAGIC %md
# MAGIC ## Runs
# MAGIC Every record read is accepted, quarantined or a duplicate of one already ingested.

# COMMAND ----------

display(spark.sql(
    "SELECT run_id, source, records_read, accepted, quarantined, duplicates, status "
    "FROM clout.ingest_runs ORDER BY started_at DESC, source LIMIT 50"
))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Why records were quarantined

# COMMAND ----------

reasons = spark.sql(
    """SELECT source, regexp_replace(reason, "'[^']*'", "'…'") AS reason, count(*) AS records
       FROM clout.silver_quarantine GROUP BY 1, 2 ORDER BY records DESC LIMIT 15"""
).toPandas()
print(reasons.to_string(index=False))
if len(reasons):
    labels = [f"{row.source}: {row.reason[:60]}" for row in reasons.itertuples()]
    figure, axis = plt.subplots(figsize=(9, 0.35 * len(reasons) + 1))
    axis.barh(labels[::-1], reasons["records"][::-1])
    axis.set_xlabel("records")
    axis.set_title("Top quarantine reasons")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Activity per day and platform

# COMMAND ----------

daily = spark.sql(
    """SELECT to_date(event_ts) AS day, platform, count(*) AS events
       FROM clout.silver_events GROUP BY 1, 2"""
).toPandas()  # one row per day and platform
if len(daily):
    per_day = daily.pivot(index="day", columns="platform", values="events").fillna(0).sort_index()
    axis = per_day.plot(figsize=(10, 4), title="Events per day")
    axis.set_ylabel("events")

# COMMAND ----------

display(spark.sql(
    "SELECT platform, event_type, count(*) AS events FROM clout.silver_events "
    "GROUP BY platform, event_type ORDER BY platform, event_type"
))
