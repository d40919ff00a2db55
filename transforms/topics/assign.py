"""The topics of each post, from the ontology's hashtags and keywords.

Matching is exact on normalised terms, so it is a join against a small broadcast table
of terms, never a scan of every term over every post:

- a post's hashtags (any language: ``#climat`` is French, ``#气候变化#`` Weibo's) against
  each topic's hashtags, and against its keywords written as one word (``#transferwindow``);
- the words of the post's text (links, mentions and hashtags taken out), as 1- to
  ``max_words``-word sequences, against the keywords of the post's language (of every
  language when the platform does not say);
- Chinese has no spaces between words: every run of Han characters is cut into its
  substrings of up to ``max_han_chars`` characters, which are matched the same way.

A post gets a topic from one of its hashtags, or from ``min_keywords`` distinct keywords
of it (one common word is no evidence of a topic). A post on a topic is also on every
topic above it (``technology > ai`` makes a post about technology too).
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

# Links, @mentions, #hashtags and Weibo's #话题# are not words of the text.
_NOT_WORDS = r"https?://\S+|[@#][\p{L}\p{N}_.\-]+#?"
# Words are letters and digits, with hyphens inside (garde-robe); an apostrophe ends a word,
# so French elisions split off (l'attaquant: l, attaquant) in posts and keywords alike.
_WORD_SEPARATORS = r"[^\p{L}\p{N}\-]+"
_HAN_RUN = r"(\p{IsHan}+)"
_HAS_HAN = r"\p{IsHan}"
# What a post's text is matched on: the content a person wrote.
TOPICAL_EVENT_TYPES = ("post", "quote", "reply")


def words_of(text: Column) -> Column:
    """Lowercased words of a text without its links, mentions and hashtags."""
    cleaned = F.regexp_replace(F.lower(F.coalesce(text, F.lit(""))), _NOT_WORDS, " ")
    return F.filter(F.split(cleaned, _WORD_SEPARATORS), lambda word: word.rlike(r"[\p{L}\p{N}]"))


def word_ngrams(words: Column, max_words: int) -> Column:
    """Every run of 1 to ``max_words`` consecutive words, joined by one space.

    Each length extends the runs of the one before by the next word (``zip_with`` of the
    runs and the words shifted by ``n - 1``), which keeps the per-post work linear.
    """
    size = F.size(words)
    grams, runs = [words], words
    for n in range(2, max_words + 1):
        count = F.greatest(size - F.lit(n - 1), F.lit(0))
        runs = F.zip_with(F.slice(runs, 1, count), F.slice(words, n, count), lambda run, word: F.concat(run, F.lit(" "), word))
        grams.append(runs)
    return F.concat(*grams)


def _runs_of(sequence: Column, length: Column, n: int, run_at: Callable[[Column, int], Column]) -> Column:
    """``run_at(i, n)`` for every start ``i`` of a run of ``n`` in a sequence of ``length``."""
    starts = F.sequence(F.lit(1), length - F.lit(n - 1))
    # A one-argument lambda: Spark would pass the element's index as a second one.
    runs = F.transform(starts, lambda i: run_at(i, n))
    # sequence(1, 0) counts down, so a sequence shorter than n has no runs of n at all.
    return F.when(length >= n, runs).otherwise(F.array().cast("array<string>"))


def han_ngrams(text: Column, max_chars: int) -> Column:
    """Every substring of 1 to ``max_chars`` characters of each run of Han characters."""
    runs = F.regexp_extract_all(F.coalesce(text, F.lit("")), F.lit(_HAN_RUN), 1)

    def grams_of(run: Column) -> Column:
        return F.concat(*[_runs_of(run, F.length(run), n, lambda i, n: run.substr(i, F.lit(n))) for n in range(1, max_chars + 1)])

    return F.flatten(F.transform(runs, grams_of))


def post_language(lang: Column, aliases: dict[str, str]) -> Column:
    """A platform's language tag as the ontology's code: ``en-GB`` is ``en``, ``nb`` is ``no``."""
    base = F.lower(F.split(F.coalesce(lang, F.lit("")), "[-_]").getItem(0))
    mapped = F.coalesce(F.create_map(*[F.lit(x) for pair in aliases.items() for x in pair])[base], base) if aliases else base
    return F.when(F.length(base) > 0, mapped)


def matching_terms(terms: DataFrame) -> tuple[DataFrame, DataFrame]:
    """The ontology's terms normalised the way posts are.

    Args:
        terms: ``topic, language, kind, term`` with ``kind`` ``hashtag`` or ``keyword``.

    Returns:
        ``(hashtags, keywords)``: ``hashtag, topic`` (hashtags and one-word forms of
        keywords, any language) and ``keyword, language, topic`` (Han keywords without
        spaces, others as their words joined by one space).
    """
    is_han = F.col("term").rlike(_HAS_HAN)
    keyword = F.when(is_han, F.regexp_replace(F.lower("term"), r"\s+", "")).otherwise(F.array_join(words_of(F.col("term")), " "))
    keywords = (
        terms.where(F.col("kind") == "keyword")
        .select(keyword.alias("keyword"), "language", "topic")
        .where(F.length("keyword") > 0)
        .distinct()
    )
    one_word = F.regexp_replace(F.lower("term"), r"[\s'’\-]+", "")
    hashtags = (
        terms.select(F.when(F.col("kind") == "hashtag", F.lower("term")).otherwise(one_word).alias("hashtag"), "topic")
        .where(F.length("hashtag") > 0)
        .distinct()
    )
    return hashtags, keywords


def post_topics(
    events: DataFrame,
    terms: DataFrame,
    ancestors: DataFrame,
    min_keywords: int,
    max_words: int,
    max_han_chars: int,
    language_aliases: dict[str, str] | None = None,
) -> DataFrame:
    """The topics of each post, quote and reply among ``events``.

    Args:
        events: ``silver/events`` rows (any event types; only written content is matched).
        terms: The ontology's ``topic, language, kind, term``.
        ancestors: ``topic, ancestor``: every topic with itself and each topic above it.
        min_keywords: Distinct keywords of a topic that give a post the topic without a hashtag.
        max_words: Longest keyword in words.
        max_han_chars: Longest Han keyword in characters.
        language_aliases: Platform language codes that mean an ontology language (``nb``: ``no``).

    Returns:
        ``platform, post_id, actor_account_id, event_date, topic``: one row per post and
        topic, the topics above the matched ones included.
    """
    hashtags, keywords = matching_terms(terms)
    keys = ["platform", "post_id", "actor_account_id", "event_date"]
    posts = events.where(F.col("event_type").isin(*TOPICAL_EVENT_TYPES) & F.col("post_id").isNotNull()).select(
        *keys, "text", F.coalesce("hashtags", F.array().cast("array<string>")).alias("hashtags"),
        post_language(F.col("lang"), language_aliases or {}).alias("language"),
    )
    tag_hits = (
        posts.select(*keys, F.explode(F.array_distinct("hashtags")).alias("hashtag"))
        .join(F.broadcast(hashtags), "hashtag")
        .select(*keys, "topic", F.lit(1).alias("is_tag"))
    )
    # One row per keyword and topic with the languages it is a keyword of, so a post of no
    # stated language counts "data" (Finnish and Norwegian) once.
    keyword_languages = keywords.groupBy("keyword", "topic").agg(F.collect_set("language").alias("keyword_languages"))
    grams = posts.select(
        *keys, "language",
        F.explode(F.array_distinct(F.concat(word_ngrams(words_of(F.col("text")), max_words), han_ngrams(F.col("text"), max_han_chars)))).alias("keyword"),
    )
    word_hits = (
        grams.join(F.broadcast(keyword_languages), "keyword")
        .where(F.col("language").isNull() | F.array_contains("keyword_languages", F.col("language")))
        .select(*keys, "topic", F.lit(0).alias("is_tag"))
    )
    # Grams are distinct per post and keywords per topic: rows count distinct keywords.
    matched = (
        tag_hits.unionByName(word_hits)
        .groupBy(*keys, "topic")
        .agg(F.sum("is_tag").alias("tags"), F.sum(F.lit(1) - F.col("is_tag")).alias("keywords"))
        .where((F.col("tags") > 0) | (F.col("keywords") >= F.lit(min_keywords)))
    )
    return (
        matched.join(F.broadcast(ancestors), "topic")
        .select(*keys, F.col("ancestor").alias("topic"))
        .distinct()
    )
