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
    from jobs.common.delta import Warehouse, register_local_tables
    from jobs.common.spark import build_spark

    config = load_config()
    spark = build_spark(config, warehouse="warehouse")
    register_local_tables(spark, Warehouse("warehouse", config.database))

    def display(frame):  # Databricks' table view, as text
        frame.show(50, truncate=False)

latest = spark.sql("SELECT max(score_date) FROM clout.silver_account_quality").first()[0]
print(f"score date: {latest}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Accounts per kind and platform
# MAGIC Bots first; `inactive` accounts are quiet, not fake, and count neither way.

# COMMAND ----------

kinds = spark.sql(
    f"SELECT platform, kind, count(*) AS accounts FROM clout.silver_account_quality "
    f"WHERE score_date = '{latest}' GROUP BY platform, kind"
).toPandas()  # one row per platform and kind: a few dozen rows
table = kinds.pivot(index="platform", columns="kind", values="accounts").fillna(0).astype(int)
print(table.to_string())
bots = table.drop(columns=[c for c in ("genuine", "inactive") if c in table.columns])
if bots.size:  # no bot found: nothing to draw
    axis = bots.plot.barh(stacked=True, figsize=(8, 4), title=f"Bots found per platform ({latest})")
    axis.set_xlabel("accounts")

# COMMAND ----------

# MAGIC %md
# MAGIC ## How sure the filter is
# MAGIC `bot_score` of every account (log scale): a verdict near 0.5 is a close call.

# COMMAND ----------

scores = spark.sql(
    f"""SELECT floor(bot_score * 20) / 20 AS bucket, is_bot, count(*) AS accounts
        FROM clout.silver_account_quality WHERE score_date = '{latest}' GROUP BY 1, 2"""
).toPandas()  # at most 21 buckets x 2
by_bucket = scores.pivot(index="bucket", columns="is_bot", values="accounts").fillna(0).sort_index()
by_bucket = by_bucket.rename(columns={False: "not a bot", True: "bot"})
if len(by_bucket):
    axis = by_bucket.plot.bar(stacked=True, logy=True, figsize=(9, 4), title="bot_score of all accounts", width=0.9)
    axis.set_xlabel("bot_score (bucket of 0.05)")
    axis.set_ylabel("accounts")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The strongest bots of each kind, with their reasons

# COMMAND ----------

display(spark.sql(
    f"""SELECT kind, platform, handle, round(bot_score, 2) AS bot_score, reasons
        FROM (SELECT *, row_number() OVER (PARTITION BY kind ORDER BY bot_score DESC, account_id) AS rank
              FROM clout.silver_account_quality WHERE score_date = '{latest}' AND is_bot)
        WHERE rank <= 3 ORDER BY kind, rank"""
))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Rings
# MAGIC Each group's size and how much of its members' engagement stays inside it.

# COMMAND ----------

display(spark.sql(
    f"""SELECT platform, ring_id, count(*) AS members, round(avg(features.ring_group_internal_share), 2) AS inside_share
        FROM clout.silver_account_quality
        WHERE score_date = '{latest}' AND kind = 'engagement_ring'
        GROUP BY platform, ring_id ORDER BY members DESC LIMIT 20"""
))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Genuine accounts closest to the line
# MAGIC The ones to review first.

# COMMAND ----------

display(spark.sql(
    f"""SELECT platform, handle, round(bot_score, 3) AS bot_score, model_used, signals.model_probability, reasons
        FROM clout.silver_account_quality WHERE score_date = '{latest}' AND NOT is_bot
        ORDER BY bot_score DESC LIMIT 10"""
))
