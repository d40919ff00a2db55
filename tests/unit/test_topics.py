"""Topics on tiny inline rows: the ontology, post topics, evidence, topic scores, leaders, campaigns."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from jobs.common.config import load_ontology
from jobs.sample_world import _VOCABULARY_SOURCE
from jobs.topics import UnknownTopic, resolve_topic
from transforms.topics.assign import post_topics, word_ngrams, words_of
from transforms.topics.campaign import leader_audiences, plan_campaign
from transforms.topics.leaders import topic_leaders
from transforms.topics.ontology import ontology_from
from transforms.topics.scores import TopicSettings, audience_sizes, topic_scores, topical_engagements, topical_posts

LANGUAGES = ("en", "fr", "fi", "no", "zh")
EVENTS_SCHEMA = "platform string, event_type string, post_id string, actor_account_id string, event_date date, text string, hashtags array<string>, lang string"
DAY = dt.date(2026, 10, 1)


def _terms(hashtags=(), keywords=(), **languages):
    terms = {lang: {"hashtags": [], "keywords": []} for lang in LANGUAGES}
    terms["en"] = {"hashtags": list(hashtags), "keywords": list(keywords)}
    for lang, (tags, words) in languages.items():
        terms[lang] = {"hashtags": list(tags), "keywords": list(words)}
    for lang in LANGUAGES:  # every language needs a term; these never occur in the posts below
        if not terms[lang]["hashtags"] and not terms[lang]["keywords"]:
            terms[lang]["hashtags"] = [f"unused{lang}"]
    return terms


# A small ontology: sports > football, technology > ai.
TINY = ontology_from(
    [
        {"name": "sports", **_terms(["sports"], ["tournament", "world championship"])},
        {"name": "football", "parent": "sports", **_terms(
            ["football", "PremierLeague"], ["striker", "penalty", "transfer window", "clean sheet"],
            fr=(["foot"], ["attaquant", "but"]), fi=(["jalkapallo"], ["maali", "hyökkääjä"]),
            no=(["fotball"], ["spiss", "straffespark"]), zh=(["足球"], ["进球", "点球", "前锋"]),
        )},
        {"name": "technology", **_terms(["tech"], ["gadget", "software"])},
        {"name": "ai", "parent": "technology", **_terms(["AI", "MachineLearning"], ["neural network", "training run", "model"],
                                                        no=(["KI"], ["data", "modell"]), fi=(["tekoäly"], ["data", "malli"]))},
    ],
    LANGUAGES,
)


def topics_of(spark, rows, ontology=TINY, min_keywords=2):
    events = spark.createDataFrame([("twitter", "post", f"t{i}", "a1", DAY, text, tags, lang) for i, (text, tags, lang) in enumerate(rows)], EVENTS_SCHEMA)
    found = post_topics(events, ontology.terms_frame(spark), ontology.ancestors_frame(spark).select("topic", "ancestor"),
                        min_keywords, ontology.max_words, ontology.max_han_chars, {"nb": "no"})
    by_post: dict[str, set[str]] = {f"t{i}": set() for i in range(len(rows))}
    for row in found.collect():
        by_post[row["post_id"]].add(row["topic"])
    return [by_post[f"t{i}"] for i in range(len(rows))]


# -- the ontology ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(config):
    return load_ontology(config.topics)


def test_the_shipped_ontology_has_150_topics_in_a_hierarchy_with_terms_in_five_languages(shipped):
    assert len(shipped.topics) >= 150
    categories = [t for t in shipped.topics if t.parent is None]
    assert len(categories) >= 10 and all(t.parent in {c.name for c in categories} for t in shipped.topics if t.parent)
    for topic in shipped.topics:
        for lang in LANGUAGES:
            assert topic.terms[lang]["hashtags"] and topic.terms[lang]["keywords"], (topic.name, lang)
    assert shipped.path("football") == "sports > football" and shipped.path("ai") == "technology > ai"


def test_the_sample_vocabulary_is_in_the_shipped_ontology_under_its_topic(shipped):
    by_name = {t.name: t for t in shipped.topics}
    for topic, languages in _VOCABULARY_SOURCE.items():
        for lang, text in languages.items():
            hashtags, keywords = (part.split(",") for part in text.split("|"))
            terms = by_name[topic].terms[lang]
            assert {h.lower() for h in hashtags} <= {h.lower() for h in terms["hashtags"]}, (topic, lang)
            assert {k.lower() for k in keywords} <= {k.lower() for k in terms["keywords"]}, (topic, lang)


def test_a_bad_ontology_is_refused_with_its_reason():
    with pytest.raises(ValueError, match="unknown parent 'sport'"):
        ontology_from([{"name": "football", "parent": "sport", **_terms(["football"])}], LANGUAGES)
    with pytest.raises(ValueError, match="must be unique"):
        ontology_from([{"name": "ai", **_terms(["ai"])}, {"name": "ai", **_terms(["ml"])}], LANGUAGES)
    with pytest.raises(ValueError, match=r"no terms in \['zh'\]"):
        ontology_from([{"name": "ai", "en": {"hashtags": ["ai"]}, "fr": {"hashtags": ["ia"]}, "fi": {"hashtags": ["tekoäly"]},
                        "no": {"hashtags": ["ki"]}}], LANGUAGES)
    with pytest.raises(ValueError, match="its own ancestor"):
        ontology_from([{"name": "a", "parent": "b", **_terms(["a"])}, {"name": "b", "parent": "a", **_terms(["b"])}], LANGUAGES)


def test_a_topic_is_found_by_name_or_path_and_an_unknown_one_gets_the_closest_names():
    assert resolve_topic(TINY, "Football") == "football"
    assert resolve_topic(TINY, "sports  >  football") == "football"
    with pytest.raises(UnknownTopic, match="unknown topic 'footbal'; closest: football"):
        resolve_topic(TINY, "footbal")


def test_find_leaders_names_the_closest_topics_before_starting_spark(config, capsys):
    from jobs.find_leaders import main

    with pytest.raises(SystemExit) as ended:
        main(["--warehouse", "/nonexistent", "--topic", "footbal", "--conf", config.profile])
    assert str(ended.value).startswith("jobs.find_leaders: unknown topic 'footbal'; closest: football")


# -- post topics ------------------------------------------------------------------------------


def test_words_and_runs_of_words_leave_out_links_mentions_and_hashtags(spark):
    row = spark.createDataFrame([("Taux d'intérêt: @bob lit https://x.io/a #Bourse now!",)], "text string").select(
        words_of(F.col("text")).alias("words"), word_ngrams(words_of(F.col("text")), 3).alias("grams")
    ).first()
    assert row["words"] == ["taux", "d", "intérêt", "lit", "now"]
    assert row["grams"] == ["taux", "d", "intérêt", "lit", "now", "taux d", "d intérêt", "intérêt lit", "lit now",
                            "taux d intérêt", "d intérêt lit", "intérêt lit now"]


def test_a_hashtag_gives_its_topic_and_the_topics_above_it(spark):
    assert topics_of(spark, [("What a game", ["premierleague"], "en"), ("New phone", ["tech"], "en")]) == [{"football", "sports"}, {"technology"}]


def test_keywords_need_two_distinct_ones_of_the_topic(spark):
    found = topics_of(spark, [
        ("That penalty!", [], "en"),                       # one keyword: no evidence
        ("Penalty, penalty, penalty", [], "en"),           # still one distinct keyword
        ("The striker scored a penalty", [], "en"),        # two
        ("Before the transfer window closes, a clean sheet", [], "en"),  # two multi-word keywords
        ("The striker and the neural network", [], "en"),  # one of each topic: neither
    ])
    assert found == [set(), set(), {"football", "sports"}, {"football", "sports"}, set()]


def test_a_keyword_written_as_a_hashtag_counts_as_one(spark):
    assert topics_of(spark, [("Deadline day", ["transferwindow"], "en")]) == [{"football", "sports"}]


def test_keywords_match_in_the_posts_language_or_in_any_when_the_platform_does_not_say(spark):
    found = topics_of(spark, [
        ("Quel but de l'attaquant", [], "fr"),
        ("Quel but de l'attaquant", [], "en"),   # French keywords are no evidence in an English post
        ("Quel but de l'attaquant", [], None),
        ("Hieno maali, hyökkääjä!", [], "fi"),
        ("Spiss og straffespark", [], "nb"),       # Bokmål is the ontology's Norwegian
        ("data data data", [], None),              # "data" is a keyword in Finnish and Norwegian: one keyword
    ])
    assert found == [{"football", "sports"}, set(), {"football", "sports"}, {"football", "sports"}, {"football", "sports"}, set()]


def test_chinese_keywords_are_found_inside_unspaced_text_and_weibo_topics_are_hashtags(spark):
    found = topics_of(spark, [
        ("今天的进球和点球太精彩了", [], "zh"),
        ("今天的进球太精彩了", [], "zh"),    # one keyword
        ("大家好", ["足球"], "zh"),          # #足球# as the weibo adapter extracts it
    ])
    assert found == [{"football", "sports"}, set(), {"football", "sports"}]


def test_the_shipped_ontology_reads_every_language(spark, shipped):
    found = topics_of(spark, [
        ("The striker scored a penalty in the derby", [], "en"),
        ("Le mercato et le championnat", [], "fr"),
        ("Neuroverkko ja kielimalli", [], "fi"),
        ("Utslipp og hetebølge i sommer", [], "no"),
        ("火箭发射进入轨道", [], "zh"),
    ], ontology=shipped)
    assert [("football" in f, "ai" in f, "climate" in f, "space" in f) for f in found] == [
        (True, False, False, False), (True, False, False, False), (False, True, False, False),
        (False, False, True, False), (False, False, False, True),
    ]


# -- evidence and topic scores ---------------------------------------------------------------

SETTINGS = TopicSettings(min_evidence_posts=3, min_evidence_days=3, min_genuine_engagers=3, topic_full=100.0)
POST_SCHEMA = "person_id string, topic string, platform string, post_id string, event_date date"
ENGAGEMENT_SCHEMA = "platform string, post_key string, engager_person_id string, author_person_id string, decay double"


def scores_of(spark, posts, engagements, mass=(), settings=SETTINGS):
    posts_df = spark.createDataFrame(posts, POST_SCHEMA)
    engagements_df = spark.createDataFrame(engagements, ENGAGEMENT_SCHEMA)
    mass_df = spark.createDataFrame(list(mass) or [("nobody", 1.0)], "person_id string, influence_mass double")
    paths = spark.createDataFrame([("football", "sports > football")], "topic string, topic_path string")
    return topic_scores(posts_df, topical_engagements(posts_df, engagements_df), audience_sizes(engagements_df), mass_df, paths, settings)


def day(n):
    return DAY + dt.timedelta(days=n)


def test_one_engaged_post_gives_no_topic_and_steady_engaged_posting_does(spark):
    single = [("one", "football", "x", "p1", day(0))]
    steady = [("steady", "football", "x", f"s{i}", day(i)) for i in range(4)]
    engagements = [("x", "p1", f"e{k}", "one", 1.0) for k in range(20)]
    engagements += [("x", f"s{i}", f"e{k}", "steady", 1.0) for i in range(4) for k in range(i, i + 2)]
    rows = {r["person_id"]: r.asDict() for r in scores_of(spark, single + steady, engagements).collect()}
    assert set(rows) == {"steady"}
    steady_row = rows["steady"]
    assert (steady_row["evidence_posts"], steady_row["evidence_days"], steady_row["genuine_engagers"], steady_row["topical_posts"]) == (4, 4, 5, 4)
    # 5 engagers of mass 1 (weight 1), all posts engaged, all engagers on the topic: raw 5.
    assert steady_row["topic_score"] == round(1 + 99 * math.log1p(5) / math.log1p(100), 1)
    assert steady_row["evidence"] == "5 genuine people engaged 4 of 4 posts on football, on 4 days"


def test_posting_often_to_nobody_ranks_below_fewer_posts_that_draw_engagement(spark):
    loud = [("loud", "football", "x", f"l{i}", day(i % 30)) for i in range(60)]
    engaged = [("engaged", "football", "x", f"g{i}", day(i)) for i in range(5)]
    engagements = [("x", f"l{i}", f"e{i}", "loud", 1.0) for i in range(3)]  # 3 of 60 posts drew one engager each
    engagements += [("x", f"g{i}", f"f{k}", "engaged", 1.0) for i in range(5) for k in range(i, i + 3)]
    rows = {r["person_id"]: r for r in scores_of(spark, loud + engaged, engagements).collect()}
    assert rows["loud"]["topical_posts"] == 60 and rows["loud"]["engaged_posts_share"] == 0.05
    assert rows["engaged"]["rank_in_topic"] == 1 and rows["loud"]["rank_in_topic"] == 2
    assert rows["loud"]["topic_score"] < rows["engaged"]["topic_score"]


def test_influential_engagers_count_more_and_a_person_followed_for_other_things_leads_less(spark):
    posts = [(p, "football", "x", f"{p}{i}", day(i)) for p in ("a", "b", "c") for i in range(3)]
    engagements = [("x", f"{p}{i}", f"{p}-fan{k}", p, 1.0) for p in ("a", "b", "c") for i in range(3) for k in range(3)]
    # c's fans of other posts: 9 more engagers outside the topic (c's focus is 3 / 12).
    engagements += [("x", "c-other", f"c-other{k}", "c", 1.0) for k in range(9)]
    mass = [(f"b-fan{k}", math.e ** 2) for k in range(3)]  # weight 1 + ln(e^2) = 3
    rows = {r["person_id"]: r for r in scores_of(spark, posts, engagements, mass).collect()}
    assert rows["a"]["weighted_engagers"] == 3.0 and rows["b"]["weighted_engagers"] == 9.0
    assert rows["c"]["focus"] == 0.25 and rows["a"]["focus"] == 1.0
    expected = {p: round(1 + 99 * math.log1p(raw) / math.log1p(100), 1) for p, raw in (("a", 3.0), ("b", 9.0), ("c", 3.0 * 0.25))}
    assert {p: rows[p]["topic_score"] for p in rows} == expected
    assert [rows[p]["rank_in_topic"] for p in ("b", "a", "c")] == [1, 2, 3]


def test_topical_posts_come_from_the_given_authors_only(spark):
    found = spark.createDataFrame([("twitter", "t1", "a1", DAY, "ai"), ("twitter", "t2", "bot", DAY, "ai")],
                                  "platform string, post_id string, actor_account_id string, event_date date, topic string")
    authors = spark.createDataFrame([("twitter", "a1", "p1")], "platform string, actor_account_id string, person_id string")
    expected = spark.createDataFrame([("p1", "ai", "twitter", "t1", DAY)], POST_SCHEMA)
    assert_df_equality(topical_posts(found, authors), expected, ignore_nullable=True)


# -- leaders and campaigns ---------------------------------------------------------------------

TOPIC_SCORES_SCHEMA = ("person_id string, topic string, topic_path string, topic_score double, rank_in_topic long, evidence_posts long, "
                       "evidence_days long, genuine_engagers long, evidence string")


def test_leaders_are_ranked_uniquely_and_filters_apply_before_the_cut(spark):
    rows = [(p, "ai", "technology > ai", s, 0, 3, 3, 10, "e") for p, s in (("p1", 80.0), ("p2", 70.0), ("p3", 70.0), ("p4", 50.0))]
    topic_scores_df = spark.createDataFrame(rows, TOPIC_SCORES_SCHEMA)
    scores = spark.createDataFrame([("p1", 30.0, ["twitter"]), ("p2", 20.0, ["bluesky"]), ("p3", 40.0, ["twitter"]), ("p4", 60.0, ["twitter"])],
                                   "person_id string, score double, platforms array<string>")
    metrics = spark.createDataFrame([("p1", 12), ("p2", 7), ("p3", 9), ("p4", 15)], "person_id string, engagers long")
    top = [(r["leader_rank"], r["person_id"], r["reach"]) for r in topic_leaders(topic_scores_df, scores, metrics, 3).orderBy("leader_rank").collect()]
    assert top == [(1, "p1", 12), (2, "p3", 9), (3, "p2", 7)]  # the tie at 70 goes to the higher Clout score
    on_twitter = [r["person_id"] for r in topic_leaders(topic_scores_df, scores, metrics, 3, min_score=35, platform="twitter").orderBy("leader_rank").collect()]
    assert on_twitter == ["p3", "p4"]


def campaign_of(spark, audiences, budget):
    engaged = spark.createDataFrame([(p, "ai", e) for p, members in audiences.items() for e in members],
                                    "person_id string, topic string, engager_person_id string")
    leaders = spark.createDataFrame([(p, "ai", rank) for rank, p in enumerate(audiences, 1)], "person_id string, topic string, leader_rank int")
    return plan_campaign(leader_audiences(engaged, leaders), leaders, budget)


def test_the_planner_avoids_leaders_who_share_one_audience(spark):
    shared = [f"fan{k}" for k in range(30)]
    plan = campaign_of(spark, {
        "top1": shared, "top2": shared[:28], "top3": shared[2:],
        "niche1": [f"n1-{k}" for k in range(18)] + shared[:2], "niche2": [f"n2-{k}" for k in range(15)],
    }, 3)
    assert plan.method == "greedy coverage"
    assert [(p.person_id, p.audience, p.added_reach, p.total_reach) for p in plan.picks] == [
        ("top1", 30, 30, 30), ("niche1", 20, 18, 48), ("niche2", 15, 15, 63)]
    assert plan.top_k == ("top1", "top2", "top3") and plan.top_k_reach == 30 and plan.reach == 63


def test_the_planner_stops_when_nobody_adds_anyone(spark):
    plan = campaign_of(spark, {"a": ["x", "y"], "b": ["x"], "c": ["y"]}, 3)
    assert [(p.person_id, p.added_reach) for p in plan.picks] == [("a", 2)] and plan.reach == 2 == plan.top_k_reach


def test_leader_precision_is_taken_at_ten_or_at_the_number_labelled_through_the_accounts(spark):
    from transforms.topics.evaluation import labelled_persons, leader_precision

    # ai: 3 labelled, the top 3 hold two of them (one through its unlinked account); space: 12 labelled, 9 in the top 10.
    rows = [("twitter:1", "ai", 90.0, 1), ("p2", "ai", 80.0, 2), ("x", "ai", 70.0, 3), ("p3", "ai", 60.0, 4)]
    rows += [(f"s{i}", "space", 100.0 - i, i + 1) for i in range(12)]
    scores = spark.createDataFrame(rows, "person_id string, topic string, topic_score double, rank_in_topic long")
    accounts = spark.createDataFrame([("twitter", "1", None), ("bluesky", "2", "p2"), ("bluesky", "3", "p3")] + [("x", f"s{i}", f"s{i}") for i in range(12)],
                                     "platform string, account_id string, person_id string")
    labelled_accounts = spark.createDataFrame([("L1", "twitter", "1"), ("L2", "bluesky", "2"), ("L3", "bluesky", "3")]
                                              + [(f"S{i}", "x", f"s{i}") for i in range(12)],
                                              "label_person_id string, platform string, account_id string")
    leaders = spark.createDataFrame([("ai", "L1"), ("ai", "L2"), ("ai", "L3")] + [("space", f"S{i}") for i in range(12) if i != 4],
                                    "topic string, label_person_id string")
    found = {r["topic"]: (r["labelled"], r["k"], r["hits"], r["precision"])
             for r in leader_precision(scores, labelled_persons(accounts, labelled_accounts), leaders).collect()}
    assert found == {"ai": (3, 3, 2, 0.6667), "space": (11, 10, 9, 0.9)}
