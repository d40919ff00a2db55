# Databricks notebook source
# MAGIC %md
# MAGIC # Account quality
# MAGIC Who the quality stage called a bot, of which kind, and why: the verdicts of the latest
# MAGIC score date, the reasons behind them, and the numbers each verdict rests on.

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

latest = spark.sql("SELECT max(score_date) FROM clout.silver_account_quality").first()[0]
print(f"score date: {latest}")

# COMMAND ----------

# MAGIC %md Accounts per kind and platform.

spark.sql(
    f"SELECT platform, kind, count(*) AS accounts FROM clout.silver_account_quality "
    f"WHERE score_date = '{latest}' GROUP BY platform, kind ORDER BY platform, accounts DESC"
).show(60)

# COMMAND ----------

# MAGIC %md The strongest bots of each kind, with their reasons.

spark.sql(
    f"""SELECT kind, platform, handle, round(bot_score, 2) AS bot_score, reasons
        FROM (SELECT *, row_number() OVER (PARTITION BY kind ORDER BY bot_score DESC, account_id) AS rank
              FROM clout.silver_account_quality WHERE score_date = '{latest}' AND is_bot)
        WHERE rank <= 3 ORDER BY kind, rank"""
).show(20, truncate=False)

# COMMAND ----------

# MAGIC %md Rings: each group's size and how much of its members' engagement stays inside.

spark.sql(
    f"""SELECT platform, ring_id, count(*) AS members, round(avg(features.ring_group_internal_share), 2) AS inside_share
        FROM clout.silver_account_quality
        WHERE score_date = '{latest}' AND kind = 'engagement_ring'
        GROUP BY platform, ring_id ORDER BY members DESC"""
).show(20, truncate=False)

# COMMAND ----------

# MAGIC %md Genuine accounts closest to the line: the ones to review first.

spark.sql(
    f"""SELECT platform, handle, round(bot_score, 3) AS bot_score, model_used, signals.model_probability, reasons
        FROM clout.silver_account_quality WHERE score_date = '{latest}' AND NOT is_bot
        ORDER BY bot_score DESC LIMIT 10"""
).show(truncate=False)
