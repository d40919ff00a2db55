"""The topic ontology: topics in a hierarchy, each with hashtags and keywords per language.

Plain data (the files live in ``conf/topics/``, read by :func:`jobs.common.config.load_ontology`);
this module checks it and turns it into the two small tables the matching joins against.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession

PATH_SEPARATOR = " > "
TERM_KINDS = ("hashtags", "keywords")


@dataclass(frozen=True)
class Topic:
    """One topic.

    Attributes:
        name: Unique lowercase name (``football``).
        parent: Name of the topic above it, or None for a top-level category.
        terms: ``language -> kind -> terms`` with kind ``hashtags`` or ``keywords``.
    """

    name: str
    parent: str | None
    terms: dict[str, dict[str, tuple[str, ...]]]


@dataclass(frozen=True)
class Ontology:
    """Every topic, checked: unique names, known parents, no cycles, every language present.

    Attributes:
        topics: The topics, in file order.
        languages: Languages every topic must have terms in.
    """

    topics: tuple[Topic, ...]
    languages: tuple[str, ...]

    def __post_init__(self) -> None:
        names = [t.name for t in self.topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"topic names must be unique: {duplicates}")
        known = set(names)
        for topic in self.topics:
            if topic.name != topic.name.strip().lower() or not topic.name or PATH_SEPARATOR.strip() in topic.name:
                raise ValueError(f"topic name {topic.name!r} must be lowercase, non-empty and without '>'")
            if topic.parent is not None and topic.parent not in known:
                raise ValueError(f"topic {topic.name!r} has an unknown parent {topic.parent!r}")
            missing = [lang for lang in self.languages if not any(topic.terms.get(lang, {}).get(k) for k in TERM_KINDS)]
            if missing:
                raise ValueError(f"topic {topic.name!r} has no terms in {missing}")
            self.ancestors(topic.name)  # raises on a cycle

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)

    def _by_name(self) -> dict[str, Topic]:
        return {t.name: t for t in self.topics}

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The topic and every topic above it, nearest first."""
        by_name = self._by_name()
        chain = [name]
        while by_name[chain[-1]].parent is not None:
            parent = by_name[chain[-1]].parent
            if parent in chain:
                raise ValueError(f"topic {name!r} is its own ancestor through {parent!r}")
            chain.append(parent)
        return tuple(chain)

    def path(self, name: str) -> str:
        """``sports > football``."""
        return PATH_SEPARATOR.join(reversed(self.ancestors(name)))

    def resolve(self, text: str) -> str | None:
        """The topic a user means by a name or a path (any case), or None."""
        wanted = " ".join(text.strip().lower().split())
        for topic in self.topics:
            if wanted in (topic.name, self.path(topic.name)):
                return topic.name
        return None

    def closest(self, text: str, limit: int = 5) -> list[str]:
        """Topic names that look like ``text``, best first (for "did you mean")."""
        wanted = text.strip().lower()
        names = list(self.names)
        close = difflib.get_close_matches(wanted, names, n=limit, cutoff=0.5)
        inside = [n for n in names if wanted and (wanted in n or n in wanted) and n not in close]
        return (close + inside)[:limit]

    @property
    def max_words(self) -> int:
        """Words in the longest keyword that is not Han (Han keywords are matched by characters)."""
        lengths = [len(term.split()) for _, lang, kind, term in self.term_rows() if kind == "keyword" and not _is_han(term)]
        return max(lengths, default=1)

    @property
    def max_han_chars(self) -> int:
        """Characters in the longest Han keyword."""
        lengths = [len(term.replace(" ", "")) for _, _, kind, term in self.term_rows() if kind == "keyword" and _is_han(term)]
        return max(lengths, default=1)

    def term_rows(self) -> list[tuple[str, str, str, str]]:
        """``(topic, language, kind, term)`` with kind ``hashtag`` or ``keyword``."""
        return [
            (topic.name, lang, kind.removesuffix("s"), term)
            for topic in self.topics
            for lang, kinds in topic.terms.items()
            for kind, terms in kinds.items()
            for term in terms
        ]

    def terms_frame(self, spark: SparkSession) -> DataFrame:
        """The term rows as a DataFrame (a few thousand rows: broadcast by the matching)."""
        return spark.createDataFrame(self.term_rows(), "topic string, language string, kind string, term string")

    def ancestors_frame(self, spark: SparkSession) -> DataFrame:
        """``topic, ancestor, topic_path``: every topic with itself and each topic above it."""
        rows = [(t.name, a, self.path(a)) for t in self.topics for a in self.ancestors(t.name)]
        return spark.createDataFrame(rows, "topic string, ancestor string, topic_path string")


def _is_han(term: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in term)


def ontology_from(entries: list[dict], languages: tuple[str, ...]) -> Ontology:
    """An ontology from parsed ``[[topic]]`` tables (``name``, ``parent``, ``<lang>.hashtags``,
    ``<lang>.keywords``).

    Raises:
        ValueError: If an entry is malformed or the whole fails :class:`Ontology`'s checks.
    """
    topics = []
    for entry in entries:
        if not isinstance(entry.get("name"), str):
            raise ValueError(f"a topic without a name: {sorted(entry)}")
        unknown = sorted(set(entry) - {"name", "parent", *languages})
        if unknown:
            raise ValueError(f"topic {entry['name']!r} has unknown keys {unknown} (languages: {list(languages)})")
        terms: dict[str, dict[str, tuple[str, ...]]] = {}
        for lang in languages:
            kinds = entry.get(lang, {})
            if set(kinds) - set(TERM_KINDS) or not all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in kinds.values()):
                raise ValueError(f"topic {entry['name']!r}, {lang}: expected lists of strings under {list(TERM_KINDS)}")
            terms[lang] = {kind: tuple(t.strip() for t in kinds.get(kind, []) if t.strip()) for kind in TERM_KINDS}
        topics.append(Topic(entry["name"], entry.get("parent"), terms))
    return Ontology(tuple(topics), languages)
