# Databricks notebook source
# MAGIC %md
# MAGIC # Topic leaders
# MAGIC The opinion leaders of one topic on the latest score date: their topic scores beside their
# MAGIC Clout scores, how much their genuine audiences on the topic overlap, the campaign the planner
# MAGIC picks among them, and who influences whom among the topic's top persons.

# COMMAND ----------

try:
    spark  # noqa: F821 - provided by Databricks
except NameError:  # running locally: the same session builder as the jobs
    import os

    from jobs.common.config import load_config
    from jobs.common.delta import Warehouse, register_local_tables
    from jobs.common.spark import build_spark

    config = load_config()
    root = os.environ.get("CLOUT_WAREHOUSE", "warehouse")
    spark = build_spark(config, warehouse=root)
    register_local_tables(spark, Warehouse(root, config.database))

    def display(frame):  # Databricks' table view, as text
        frame.show(50, truncate=False)

# COMMAND ----------

TOPIC = "ai"  # the topic to show: change it to any topic name or path of the ontology (conf/topics)

import math
import os

import matplotlib.pyplot as plt
import numpy as np
from pyspark.sql import functions as F

from jobs.common.config import load_config, load_ontology
from jobs.common.delta import Warehouse
from jobs.plan_campaign import campaign, plan_text
from jobs.topics import topical_activity

# The profile the topics were made with: the daily job's on Databricks, conf/local.toml here.
profile = load_config("conf/cluster.toml" if "DATABRICKS_RUNTIME_VERSION" in os.environ else None)
ontology = load_ontology(profile.topics)
# The warehouse the tables live in, from where the catalog says the leaders are (a local path,
# s3://, abfss://, dbfs:/ ...); "scheme:/path" becomes "scheme:///path", which Warehouse keeps as a URI.
location = spark.sql("DESCRIBE DETAIL clout.gold_topic_leaders").first()["location"].rstrip("/")
root = location.removesuffix("/gold/topic_leaders")
if ":/" in root and "://" not in root:
    root = root.replace(":/", ":///", 1)
warehouse = Warehouse(root, profile.database)

latest = spark.sql("SELECT max(score_date) FROM clout.gold_topic_leaders").first()[0]
if latest is None:
    raise RuntimeError("clout.gold_topic_leaders holds no leaders yet: run the topics stage (python -m jobs.topics ...) first")
led = spark.sql(
    f"""SELECT topic, count(*) AS leaders FROM clout.gold_topic_leaders
        WHERE score_date = DATE'{latest}' GROUP BY topic ORDER BY leaders DESC, topic"""
).toPandas()  # one row per topic with leaders
persons = spark.sql(
    f"SELECT count(DISTINCT person_id) FROM clout.gold_topic_scores WHERE score_date = DATE'{latest}'"
).first()[0]
print(f"score date: {latest}; warehouse: {warehouse.root}")
print(f"{len(led)} of {len(ontology.topics)} topics have leaders; {persons:,} persons have a topic score")
if led.empty:
    raise RuntimeError(f"no topic has leaders on {latest}: no person has enough evidence on any topic")
wanted = ontology.resolve(TOPIC) or TOPIC
if wanted in set(led["topic"]):
    TOPIC = wanted
else:
    TOPIC = led["topic"].iloc[0]
    print(f"note: {wanted!r} has no leaders on {latest}: showing {TOPIC!r}, the topic with the most leaders, instead")
print(f"topic: {ontology.path(TOPIC)}, {int(led.set_index('topic').loc[TOPIC, 'leaders'])} leaders")


def short(person_id, width=20):
    """A person id short enough for a label: the platform and the start of the account's own id
    (bluesky:did:plc:q7fgf24wgfx7... becomes bluesky:q7fgf24…)."""
    if len(person_id) <= width:
        return person_id
    platform, _, rest = person_id.partition(":")
    own = rest.rsplit(":", 1)[-1] if rest else platform
    return f"{platform}:{own[: max(width - len(platform) - 2, 4)]}…" if rest else person_id[: width - 1] + "…"

# COMMAND ----------

# MAGIC %md
# MAGIC ## The leaders
# MAGIC `gold/topic_leaders`: the topic's best persons by topic score (then Clout score). The topic score
# MAGIC measures the genuine engagement the person's posts on the topic drew and who gave it; the Clout
# MAGIC score is the person's influence on any topic.

# COMMAND ----------

leaders = spark.sql(
    f"""SELECT leader_rank, person_id, round(topic_score, 1) AS topic_score, round(score, 1) AS score, reach,
               genuine_engagers, evidence_posts, evidence_days, platforms, evidence
        FROM clout.gold_topic_leaders WHERE score_date = DATE'{latest}' AND topic = :topic ORDER BY leader_rank""",
    args={"topic": TOPIC},
).localCheckpoint(eager=True)
display(leaders)
board = leaders.select("leader_rank", "person_id", "topic_score", "score").toPandas()  # [topics] leaders_per_topic rows
figure, axis = plt.subplots(figsize=(10, 0.42 * len(board) + 1.5))
rows = np.arange(len(board))[::-1]  # rank 1 on top
axis.barh(rows + 0.2, board["topic_score"], height=0.4, color="#4c72b0", label="topic score")
axis.barh(rows - 0.2, board["score"], height=0.4, color="#dd8452", label="Clout score")
for row, topic_score, score in zip(rows, board["topic_score"], board["score"]):
    axis.annotate(f"{topic_score:.1f}", (topic_score, row + 0.2), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
    axis.annotate(f"{score:.1f}", (score, row - 0.2), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
axis.set_yticks(rows, [f"{rank}. {short(person, 24)}" for rank, person in zip(board["leader_rank"], board["person_id"])], fontsize=8)
axis.set_xlim(0, 108)
axis.set_xlabel("score (1-100)")
axis.set_title(f"Leaders of {ontology.path(TOPIC)} on {latest}: topic score and Clout score")
axis.legend(loc="lower right", fontsize=8)

# COMMAND ----------

# MAGIC %md
# MAGIC ## How much their audiences overlap
# MAGIC A leader's audience on the topic: the distinct genuine persons who engaged their posts on it in
# MAGIC the topic window (`jobs.topics.topical_activity`, as the topics stage and the campaign planner
# MAGIC find it). The heatmap is the Jaccard overlap of the top 8 leaders' audiences: persons in both
# MAGIC over persons in either (1 on the diagonal).

# COMMAND ----------

top8 = leaders.where("leader_rank <= 8").select("person_id", "leader_rank", "genuine_engagers")
_, engaged, _ = topical_activity(spark, profile, warehouse, latest, ontology, persons=top8)
audiences = (engaged.where(F.col("topic") == TOPIC).select("person_id", "engager_person_id").distinct()
             .localCheckpoint(eager=True))
sizes = audiences.groupBy("person_id").agg(F.count("*").alias("audience"))
pairs = (
    audiences.select(F.col("person_id").alias("left"), "engager_person_id")
    .join(audiences.select(F.col("person_id").alias("right"), "engager_person_id"), "engager_person_id")
    .groupBy("left", "right").agg(F.count("*").alias("shared"))
    .join(sizes.select(F.col("person_id").alias("left"), F.col("audience").alias("left_audience")), "left")
    .join(sizes.select(F.col("person_id").alias("right"), F.col("audience").alias("right_audience")), "right")
    .withColumn("jaccard", F.col("shared") / (F.col("left_audience") + F.col("right_audience") - F.col("shared")))
).toPandas()  # at most 8 x 8 rows
order = top8.orderBy("leader_rank").toPandas()
people = list(order["person_id"])
known = {row["person_id"]: row["audience"] for row in sizes.collect()}  # at most 8 rows
for person, engagers in zip(people, order["genuine_engagers"]):
    print(f"audience of {person}: {known.get(person, 0):,} genuine persons on {TOPIC} (genuine_engagers: {engagers:,})")
overlap = np.zeros((len(people), len(people)))
for pair in pairs.itertuples():
    overlap[people.index(pair.left), people.index(pair.right)] = pair.jaccard
others = overlap[~np.eye(len(people), dtype=bool)]
if len(others):
    print(f"Jaccard overlap between the top {len(people)}: mean {others.mean():.3f}, max {others.max():.3f}")
figure, axis = plt.subplots(figsize=(8.5, 7))
image = axis.imshow(overlap, cmap="Blues", vmin=0, vmax=1)
for i in range(len(people)):
    for j in range(len(people)):
        axis.text(j, i, f"{overlap[i, j]:.2f}", ha="center", va="center", fontsize=8,
                  color="white" if overlap[i, j] > 0.6 else "black")
labels = [f"{rank}. {short(person)}" for rank, person in zip(order["leader_rank"], people)]
axis.set_xticks(range(len(people)), labels, rotation=40, ha="right", fontsize=8)
axis.set_yticks(range(len(people)), labels, fontsize=8)
figure.colorbar(image, ax=axis, label="Jaccard overlap of the audiences")
axis.set_title(f"Audience overlap of the top {len(people)} leaders of {TOPIC} on {latest}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## A campaign of three
# MAGIC `jobs.plan_campaign`: three of the topic's best leaders (`[topics] campaign_pool`) picked by
# MAGIC greedy maximum coverage of their audiences, beside the reach of simply taking the top three.

# COMMAND ----------

print(plan_text(campaign(spark, profile, warehouse, ontology, TOPIC, 3, score_date=latest)))

# COMMAND ----------

# MAGIC %md
# MAGIC ## Who influences whom among the top 15
# MAGIC The links of `gold/influence_edges` between two of the topic's top 15 leaders, on any topic: an
# MAGIC arrow from A to B means B genuinely engages A (A's `influences` link to B), wider when more of
# MAGIC B's engagement goes to A (`strength`). Each person keeps only their `[score] influence_links`
# MAGIC strongest links per direction, so weak links are not drawn. Node size: topic score.

# COMMAND ----------

top15 = leaders.where("leader_rank <= 15").select("person_id", "topic_score").toPandas()
circle = top15["person_id"].tolist()
edges = (
    spark.table("clout.gold_influence_edges")
    .where((F.col("score_date") == F.lit(latest)) & (F.col("direction") == "influences"))
    .where(F.col("person_id").isin(circle) & F.col("other_person_id").isin(circle))
    .select("person_id", "other_person_id", "strength", "engagement")
).toPandas()  # at most 15 x [score] influence_links rows
print(f"{len(edges)} influence links among the top {len(circle)} leaders of {TOPIC}")
if len(edges):
    print(edges.sort_values("strength", ascending=False).to_string(index=False))
strongest = edges["strength"].max() if len(edges) else 1.0
angles = [math.pi / 2 - 2 * math.pi * k / max(len(circle), 1) for k in range(len(circle))]  # rank 1 at the top
where = {person: (math.cos(a), math.sin(a)) for person, a in zip(circle, angles)}
area = {person: 12 * topic_score for person, topic_score in zip(circle, top15["topic_score"])}
figure, axis = plt.subplots(figsize=(9, 9))
for edge in edges.itertuples():
    axis.annotate("", xy=where[edge.other_person_id], xytext=where[edge.person_id],
                  arrowprops=dict(arrowstyle="-|>", color="#4c72b0", alpha=0.7, lw=0.8 + 4 * edge.strength / strongest,
                                  connectionstyle="arc3,rad=0.12", mutation_scale=12,
                                  shrinkA=math.sqrt(area[edge.person_id]) / 2 + 2,
                                  shrinkB=math.sqrt(area[edge.other_person_id]) / 2 + 2))
axis.scatter([where[p][0] for p in circle], [where[p][1] for p in circle], s=[area[p] for p in circle],
             color="#dd8452", edgecolor="black", zorder=3)
for rank, (person, angle) in enumerate(zip(circle, angles), start=1):
    x, y = math.cos(angle), math.sin(angle)
    axis.text(1.13 * x, 1.13 * y, f"{rank}. {short(person)}", fontsize=8, va="center",
              ha="left" if x > 0.1 else "right" if x < -0.1 else "center")
axis.set_xlim(-1.7, 1.7)
axis.set_ylim(-1.35, 1.35)
axis.set_aspect("equal")
axis.axis("off")
axis.set_title(f"Influence among the top {len(circle)} leaders of {TOPIC} on {latest}"
               + ("" if len(edges) else ": no influence link between them")
               + f"\n(arrow A to B: B engages A; width: strength, widest {strongest:.3f}; size: topic score)")
