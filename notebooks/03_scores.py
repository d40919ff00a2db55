# Databricks notebook source
# MAGIC %md
# MAGIC # Clout scores
# MAGIC The Clout score of the latest score date against the calibration anchors it was built
# MAGIC with, what each component contributes, who moved up and down, and one person's history
# MAGIC with the reasons and the links behind their score.

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

import os

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from jobs.calibrate_score import TARGETS
from jobs.common.config import load_config
from transforms.score.score import FLOOR

# The profile the scores were made with: the daily job's on Databricks, conf/local.toml here.
profile = load_config("conf/cluster.toml" if "DATABRICKS_RUNTIME_VERSION" in os.environ else None)

if not spark.catalog.tableExists("clout.gold_scores"):
    raise RuntimeError("clout.gold_scores does not exist: run the score stage (python -m jobs.score --warehouse ... --date ...) first")
latest = spark.sql("SELECT max(score_date) FROM clout.gold_scores").first()[0]
if latest is None:
    raise RuntimeError("clout.gold_scores holds no score yet: run the score stage for a date with person metrics")
versions = sorted(row[0] for row in spark.sql(
    f"SELECT DISTINCT model_version FROM clout.gold_scores WHERE score_date = DATE'{latest}'"
).collect())
print(f"score date: {latest}; scores made by {', '.join(versions)}")
print(f"profile: {profile.profile} ({profile.score.model_version}), anchors (raw, score): {list(profile.score.anchors)}")
if versions != [profile.score.model_version]:
    print("note: these scores were not made with this profile's model_version: its anchors may not be the ones they were calibrated by")

# COMMAND ----------

# MAGIC %md
# MAGIC ## The score against its calibration anchors
# MAGIC Every person of the date, in buckets of one point (log scale; persons nobody genuinely engages sit at the floor, 1).
# MAGIC The dashed lines are the profile's `[score] anchors`; the fixed anchors were fitted so that,
# MAGIC among active persons above the floor, the median scores about 20, the 95th percentile about 50
# MAGIC and the 99th about 70. Below, the actual percentiles of the date beside those targets.

# COMMAND ----------

grid = ", ".join(str(share) for share, _ in TARGETS)
names = [f"{share * 100:g}th percentile" if share != 0.5 else "median" for share, _ in TARGETS]
spread = spark.sql(
    f"""SELECT count(*) AS persons,
               count_if(score > {FLOOR}) AS above_floor,
               count_if(score > {FLOOR} AND decay = 1) AS active_above_floor,
               percentile_approx(CASE WHEN score > {FLOOR} THEN score END, array({grid}), 10000) AS above,
               percentile_approx(CASE WHEN score > {FLOOR} AND decay = 1 THEN score END, array({grid}), 10000) AS active_above
        FROM clout.gold_scores WHERE score_date = DATE'{latest}'"""
).first()
print(f"{spread['persons']:,} persons scored, {spread['above_floor']:,} above the floor (score {FLOOR:g}), "
      f"{spread['active_above_floor']:,} of them active (not decayed)")
percentiles = pd.DataFrame({
    "percentile": names,
    "target": [target for _, target in TARGETS],
    "above the floor": spread["above"] or [None] * len(TARGETS),
    "active, above the floor (as calibrated)": spread["active_above"] or [None] * len(TARGETS),
})
print(percentiles.to_string(index=False))

buckets = spark.sql(
    f"""SELECT least(floor(score), 99) AS bucket, count(*) AS persons
        FROM clout.gold_scores WHERE score_date = DATE'{latest}' GROUP BY 1 ORDER BY 1"""
).toPandas()  # at most 99 buckets of one point
figure, axis = plt.subplots(figsize=(10, 4.5))
axis.bar(buckets["bucket"], buckets["persons"], width=1.0, align="edge", color="#4c72b0", label="persons")
axis.set_yscale("log")
for raw, anchor in profile.score.anchors:
    axis.axvline(anchor, color="#c44e52", linestyle="--", linewidth=1)
    axis.annotate(f"anchor {anchor:g}\n(raw {raw:g})", (anchor, 1), xycoords=("data", "axes fraction"),
                  xytext=(3, -4), textcoords="offset points", va="top", fontsize=8, color="#c44e52")
for name, (_, target), actual in zip(names, TARGETS, spread["above"] or []):
    axis.axvline(actual, color="#55a868", linestyle=":", linewidth=1.5,
                 label=f"actual {name} above the floor: {actual:.1f} (target {target:g})")
axis.set_xlim(0, 101)
axis.set_xlabel("score")
axis.set_ylabel("persons")
axis.set_title(f"Clout scores on {latest} and the calibration anchors")
axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)

# COMMAND ----------

# MAGIC %md
# MAGIC ## The components
# MAGIC Each component's sub-score (0-100, log-scaled from its metric) over the persons above the floor,
# MAGIC then what each contributes to the top 100: a component's points are its share of `score - 1`.

# COMMAND ----------

subscores = spark.sql(
    f"""SELECT component, least(floor(value / 5) * 5, 95) AS bucket, count(*) AS persons
        FROM (SELECT stack(3, 'reach', reach_score, 'amplification', amplification_score, 'influence', influence_score)
                     AS (component, value)
              FROM clout.gold_scores WHERE score_date = DATE'{latest}' AND score > {FLOOR})
        GROUP BY 1, 2"""
).toPandas()  # at most 3 components x 20 buckets
components = [("reach", "reach_score"), ("amplification", "amplification_score"), ("influence", "influence_score")]
figure, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True, layout="constrained")
for axis, (component, column) in zip(axes, components):
    counts = subscores[subscores["component"] == component]
    axis.bar(counts["bucket"], counts["persons"], width=5.0, align="edge", color="#4c72b0")
    axis.set_xlim(0, 100)
    axis.set_xlabel(f"{column} (buckets of 5)")
    axis.set_title(component)
axes[0].set_ylabel("persons above the floor")
axes[0].set_yscale("log")
figure.suptitle(f"Sub-scores on {latest}")

# COMMAND ----------

points = spark.sql(
    f"""WITH top AS (SELECT * FROM clout.gold_scores WHERE score_date = DATE'{latest}' ORDER BY rank, person_id LIMIT 100)
        SELECT band, count(*) AS persons, round(avg(score), 1) AS mean_score,
               round(avg(reach_points), 2) AS reach, round(avg(amplification_points), 2) AS amplification,
               round(avg(influence_points), 2) AS influence
        FROM (SELECT *, 'top 100' AS band FROM top
              UNION ALL
              SELECT *, CASE WHEN rank <= 10 THEN 'rank 1-10' WHEN rank <= 50 THEN 'rank 11-50' ELSE 'rank 51+' END AS band FROM top)
        GROUP BY band ORDER BY band = 'top 100', band"""
).toPandas()  # at most four bands
print("mean points per component (they add up to mean_score - 1):")
print(points.to_string(index=False))
if len(points):
    axis = points.set_index("band")[["reach", "amplification", "influence"]].iloc[::-1].plot.barh(
        stacked=True, figsize=(9, 3.5), title=f"Mean points per component, top 100 on {latest}")
    axis.set_xlabel(f"mean points (score - {FLOOR:g})")
    axis.set_ylabel("")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Movers up and down
# MAGIC `score_change_1d` and `score_change_7d`: the score minus the person's score 1 and 7 days before
# MAGIC (null when the person was not scored then).

# COMMAND ----------

changes = spark.sql(
    f"""SELECT count(score_change_1d) AS score_change_1d, count(score_change_7d) AS score_change_7d
        FROM clout.gold_scores WHERE score_date = DATE'{latest}'"""
).first()
dates = spark.sql("SELECT count(DISTINCT score_date) AS dates, min(score_date) AS first FROM clout.gold_scores").first()
for change in ("score_change_1d", "score_change_7d"):
    if not changes[change]:
        print(f"{change}: null for every person on {latest}: nobody was scored "
              f"{'the day' if change.endswith('1d') else 'seven days'} before "
              f"(gold/scores holds {dates['dates']} score date(s), from {dates['first']})")
        continue
    print(f"{change}: known for {changes[change]:,} persons on {latest}")
    movers = spark.sql(
        f"""(SELECT 'up' AS way, person_id, score, {change} AS change, rank, reasons FROM clout.gold_scores
             WHERE score_date = DATE'{latest}' AND {change} > 0 ORDER BY {change} DESC, person_id LIMIT 10)
            UNION ALL
            (SELECT 'down' AS way, person_id, score, {change} AS change, rank, reasons FROM clout.gold_scores
             WHERE score_date = DATE'{latest}' AND {change} < 0 ORDER BY {change} ASC, person_id LIMIT 10)"""
    )
    display(movers)
    moved = movers.select("way", "person_id", "change").toPandas().sort_values("change")  # at most 20 rows
    if len(moved):
        figure, axis = plt.subplots(figsize=(9, 0.3 * len(moved) + 1.2))
        axis.barh(moved["person_id"], moved["change"],
                  color=["#55a868" if value > 0 else "#c44e52" for value in moved["change"]])
        axis.axvline(0, color="black", linewidth=0.8)
        axis.set_xlabel(change)
        axis.set_title(f"Largest moves up and down on {latest} ({change})")
    else:
        print(f"{change}: no person's score moved")

# COMMAND ----------

# MAGIC %md
# MAGIC ## One person's history
# MAGIC The top person of the latest date: their score on every date scored, the points each component
# MAGIC gave it and the sub-scores, the reasons behind the latest score, and their strongest links in
# MAGIC the genuine-engagement graph (`gold/influence_edges`).

# COMMAND ----------

top = spark.sql(
    f"""SELECT person_id, score, rank, platforms, reasons FROM clout.gold_scores
        WHERE score_date = DATE'{latest}' ORDER BY rank, person_id LIMIT 1"""
).first()
person = top["person_id"]
print(f"{person} ({', '.join(top['platforms'] or [])}): score {top['score']:.1f}, rank {top['rank']} on {latest}")
for reason in top["reasons"] or []:
    print(f"  - {reason}")

history = spark.sql(
    """SELECT score_date, score, active_score, reach_points, amplification_points, influence_points,
              reach_score, amplification_score, influence_score, rank
       FROM clout.gold_scores WHERE person_id = :person ORDER BY score_date""",
    args={"person": person},
).toPandas()  # one row per date the person was scored
history["score_date"] = pd.to_datetime(history["score_date"])
print(history.to_string(index=False))
figure, (above, below) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, layout="constrained")
bottom = pd.Series(FLOOR, index=history.index)
for column, colour in (("reach_points", "#4c72b0"), ("amplification_points", "#dd8452"), ("influence_points", "#55a868")):
    above.bar(history["score_date"], history[column], bottom=bottom, width=0.8, color=colour, label=column)
    bottom = bottom + history[column]
above.plot(history["score_date"], history["score"], color="black", marker="o", label="score")
above.set_ylim(0, 100)
above.set_ylabel("score")
above.set_title(f"{person}: score and points per component")
above.legend(loc="upper left", fontsize=8)
for column in ("reach_score", "amplification_score", "influence_score"):
    below.plot(history["score_date"], history[column], marker="o", label=column)
below.set_ylim(0, 100)
below.set_ylabel("sub-score")
below.legend(loc="upper left", fontsize=8)
# at least a week wide, whole days on the axis (one date scored is one bar, not a day of hours)
below.set_xlim(history["score_date"].min() - pd.Timedelta(days=3), history["score_date"].max() + pd.Timedelta(days=3))
below.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=10))
below.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
below.set_xlabel("score date")

# COMMAND ----------

links = spark.sql(
    f"""SELECT link.direction, link.rank, link.other_person_id, round(link.strength, 3) AS strength,
               round(link.engagement, 2) AS engagement, their.score AS their_score
        FROM clout.gold_influence_edges AS link
        LEFT JOIN clout.gold_scores AS their
          ON their.person_id = link.other_person_id AND their.score_date = link.score_date
        WHERE link.person_id = :person AND link.score_date = DATE'{latest}'
        ORDER BY link.direction, link.rank""",
    args={"person": person},
)
print("influences: other_person_id engages the person (strength: share of their engagement that goes to the person)")
print("influenced_by: the person engages other_person_id (strength: share of the person's engagement that goes there)")
display(links)
strongest = links.toPandas()  # at most [score] influence_links rows per direction
if len(strongest):
    figure, axes = plt.subplots(1, 2, figsize=(12, 0.3 * strongest.groupby("direction").size().max() + 1.8))
    for axis, direction, title in zip(axes, ("influences", "influenced_by"), ("who engages them", "whom they engage")):
        side = strongest[strongest["direction"] == direction].sort_values("rank", ascending=False)
        axis.barh(side["other_person_id"], side["strength"], color="#4c72b0")
        axis.set_xlim(0, 1)
        axis.set_xlabel("strength")
        axis.set_title(f"{direction}: {title}")
    figure.suptitle(f"Strongest links of {person} on {latest}")
    figure.tight_layout()
else:
    print(f"{person} has no link in gold/influence_edges on {latest}")
