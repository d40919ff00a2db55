"""Typed configuration loaded from the TOML profiles in ``conf/``.

Code never hardcodes paths or thresholds: every job reads one profile (``--conf``), and
the dataclasses below are the only way settings reach the code.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, Iterable

from transforms.graph.pagerank import PageRankSettings
from transforms.score.score import ScoreSettings
from transforms.topics.ontology import Ontology, ontology_from
from transforms.topics.scores import TopicSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = PROJECT_ROOT / "conf" / "local.toml"


class ConfigError(ValueError):
    """A profile is missing, unreadable or has a setting of the wrong kind."""


@dataclass(frozen=True)
class SparkSettings:
    """How the SparkSession is built.

    Attributes:
        master: Spark master URL; empty means "whatever spark-submit says".
        app_name: Application name shown in the Spark UI and logs.
        shuffle_partitions: ``spark.sql.shuffle.partitions``.
        checkpoint_dir: Checkpoint directory; ``{warehouse}`` is replaced by the warehouse.
        log_level: Log level of the Spark context.
        conf: Any other Spark setting, passed as it is.
    """

    master: str = ""
    app_name: str = "clout"
    shuffle_partitions: int = 200
    checkpoint_dir: str = "{warehouse}/_checkpoints"
    log_level: str = "WARN"
    conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageSettings:
    """Where the JVM packages (Delta, GraphFrames) come from.

    Attributes:
        resolve: Resolve them from Maven Central through ``spark.jars.packages`` and cache
            them; when false they must come from spark-submit (``--packages``/``--jars``).
        cache_dir: Folder that keeps the resolved jars, so a second run needs no network.
        delta: Maven coordinate of Delta; ``{spark_minor}`` is the running Spark minor.
        graphframes: Maven coordinates of the GraphFrames JVM artifacts.
    """

    resolve: bool = True
    cache_dir: str = "~/.cache/clout/jars"
    delta: str = "io.delta:delta-spark_{spark_minor}_2.13:4.4.0"
    graphframes: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestSettings:
    """Settings of the ingest stage.

    Attributes:
        edges_platform: Platform name of accounts in the SNAP ``edges/`` source.
        research_csv_platform: Platform name of accounts in the ``research_csv/`` source.
        file_suffixes: File name endings that are read from a source folder.
    """

    edges_platform: str = "snap"
    research_csv_platform: str = "twitter"
    file_suffixes: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".txt", ".csv", ".gz")


@dataclass(frozen=True)
class Ramp:
    """How a measured value becomes a signal strength in [0, 1].

    Strength is 0 at ``start`` (or below), 1 at ``full`` (or above), linear between; a
    signal fires at strength 0.5. ``min_evidence`` is the least number of observations
    (posts, actions, partners) the value must rest on, below which the strength is 0.

    Attributes:
        start: Value at which the strength leaves 0.
        full: Value at which the strength reaches 1.
        min_evidence: Observations needed before the signal counts at all.
    """

    start: float
    full: float
    min_evidence: int = 1


@dataclass(frozen=True)
class SpamSignals:
    """Explicit signals of spam posting (kind ``spam``).

    Attributes:
        repeated_text: Share of own posts whose text (links, mentions, digits removed)
            repeats another of its posts.
        repeated_link: Share of own posts that carry its most frequent link.
        hashtag_stuffing: Hashtags per own post.
        mention_spam: Mentions per own post; for sources with no posts (edge lists),
            mentions per active day to distinct accounts.
        mention_only_bursts: For accounts with no posts at all: share of actions that are
            mentions, on days with many of them.
    """

    repeated_text: Ramp = Ramp(0.3, 0.7, 5)
    repeated_link: Ramp = Ramp(0.4, 0.8, 5)
    hashtag_stuffing: Ramp = Ramp(3.0, 6.0, 5)
    mention_spam: Ramp = Ramp(2.5, 4.0, 5)
    mention_only_bursts: Ramp = Ramp(6.0, 12.0, 10)


@dataclass(frozen=True)
class AmplifierSignals:
    """Explicit signals of automated amplification (kind ``automated_amplifier``).

    Attributes:
        clockwork: Share of reshares at the account's most common minute of the hour
            (schedulers fire at a fixed minute; people do not).
        reshare_share: Share of own content that is reshares; gates ``clockwork``.
        target_concentration: Share of reshares that go to its single most reshared
            account, for accounts that do nothing but reshare.
    """

    clockwork: Ramp = Ramp(0.3, 0.6, 10)
    reshare_share: float = 0.9
    target_concentration: Ramp = Ramp(0.6, 0.9, 20)


@dataclass(frozen=True)
class RingSignals:
    """Closed engagement rings (kind ``engagement_ring``).

    Two accounts are *ring partners* when they engaged the same posts again and again:
    at least ``min_shared_posts`` posts, and a Jaccard overlap of the posts they engaged
    of at least ``min_overlap``. Partners chain into groups. An account is in a ring when it
    has at least ``min_ring_size - 1`` partners and most of its engagement goes to them, or
    when its group has at least ``min_ring_size`` accounts, most of the group's engagement
    stays inside, and the account gives the group at least ``member_min_share`` of its own.

    Attributes:
        min_shared_posts: Posts two accounts must both have engaged.
        min_overlap: Jaccard overlap of their engaged posts.
        max_engagers_per_post: Posts engaged by more accounts are not evidence of a closed
            group (and would make the pair count quadratic).
        min_ring_size: Smallest ring, in accounts.
        internal_share: Share of the engagement that stays inside: an account's, to its
            own partners; or a whole group's, to posts of its members.
        member_min_share: Least share of its own engagement an account must give its group
            to be flagged with the group when its own partners are too few.
    """

    min_shared_posts: int = 3
    min_overlap: float = 0.5
    max_engagers_per_post: int = 200
    min_ring_size: int = 5
    internal_share: Ramp = Ramp(0.4, 0.8, 5)
    member_min_share: float = 0.25


@dataclass(frozen=True)
class FollowBurstSignals:
    """Follow-and-like bursts of bought followers with no profile to judge by.

    Attributes:
        follows_per_day: Follows on its busiest day, for accounts that never post.
        passive_share: Share of actions that are follows or likes; gates the burst.
        follower_cohort: Accounts that never post and began in the same hour by following
            the same account (a bought batch of followers), for accounts of such a cohort.
    """

    follows_per_day: Ramp = Ramp(15.0, 30.0, 1)
    passive_share: float = 0.9
    follower_cohort: Ramp = Ramp(20.0, 60.0, 1)


@dataclass(frozen=True)
class QualitySettings:
    """Settings of the account-quality stage.

    Attributes:
        model: Folder of the trained model the stage loads (relative to the project).
        lookback_days: Days of activity before the score date that features describe.
        inactive_days: An account with no own activity in this many days before the score
            date is inactive.
        bot_threshold: ``bot_score`` at or above which an account is a bot.
        spam: Spam signals.
        amplifier: Automated amplifier signals.
        ring: Engagement ring detection.
        follow_burst: Follow burst signals.
    """

    model: str = "models/quality/cresci-2015-v1"
    lookback_days: int = 365
    inactive_days: int = 90
    bot_threshold: float = 0.5
    spam: SpamSignals = SpamSignals()
    amplifier: AmplifierSignals = AmplifierSignals()
    ring: RingSignals = RingSignals()
    follow_burst: FollowBurstSignals = FollowBurstSignals()


GRAPH_ENGINES = ("auto", "dataframe", "graphframes")
PAGERANK_PRIORS = ("uniform", "account_signals")


@dataclass(frozen=True)
class GraphSettings:
    """How graph programs (network influence, ring groups) run.

    Attributes:
        engine: ``dataframe`` (the project's Pregel runner, always available),
            ``graphframes`` (GraphFrames' Pregel; needs its jar on the cluster) or ``auto``
            (GraphFrames when its JVM class loads, else the runner).
        pagerank: Weighted PageRank settings (damping, tolerance, iterations).
    """

    engine: str = "auto"
    pagerank: PageRankSettings = PageRankSettings()

    def __post_init__(self) -> None:
        if self.engine not in GRAPH_ENGINES:
            raise ConfigError(f"[graph] engine must be one of {list(GRAPH_ENGINES)}, got {self.engine!r}")


@dataclass(frozen=True)
class MetricsSettings:
    """Settings of the metrics stage (``gold/person_metrics``).

    Attributes:
        window_days: Days of activity up to the score date that count.
        half_life_days: Age in days at which an engagement counts half.
        max_hop: Deepest hop of reshare chains counted.
        pagerank_prior: Teleport prior of network influence: ``uniform``, or
            ``account_signals`` (verified accounts and older accounts weigh more, as
            Tweepcred's mass priors do).
        percentile_steps: Resolution of the percentiles (``100 / steps`` per step).
    """

    window_days: int = 90
    half_life_days: float = 30.0
    max_hop: int = 3
    pagerank_prior: str = "uniform"
    percentile_steps: int = 1000

    def __post_init__(self) -> None:
        if self.pagerank_prior not in PAGERANK_PRIORS:
            raise ConfigError(f"[metrics] pagerank_prior must be one of {list(PAGERANK_PRIORS)}, got {self.pagerank_prior!r}")
        if self.window_days < 1 or self.half_life_days <= 0 or self.max_hop < 1:
            raise ConfigError("[metrics] window_days and max_hop must be at least 1 and half_life_days positive")


@dataclass(frozen=True)
class LoggingSettings:
    """How a run reports what it does.

    Attributes:
        format: ``text`` (lines for people) or ``json`` (one JSON object per line, for a
            log collector).
    """

    format: str = "text"

    def __post_init__(self) -> None:
        if self.format not in ("text", "json"):
            raise ConfigError(f"[logging] format must be 'text' or 'json', got {self.format!r}")


@dataclass(frozen=True)
class PrivacySettings:
    """What the gold tables may reveal about persons.

    Attributes:
        pseudonymise: Write the gold tables with salted-hash person ids, so a BI user sees
            ranks and scores without identities (silver keeps the real ids).
        salt_env: Environment variable holding the salt. The salt is never in a file of
            the repository; the same salt gives the same pseudonyms from run to run.
            ``jobs.forget`` needs it too: its erasure log names a person by a salted hash.
        vacuum_retention_hours: History ``jobs.forget`` keeps when it VACUUMs the tables it
            changed: 0 removes every older file at once, so time travel cannot bring an
            erased person back (it also ends time travel before the erasure).
    """

    pseudonymise: bool = False
    salt_env: str = "CLOUT_PSEUDONYM_SALT"
    vacuum_retention_hours: float = 0.0

    def __post_init__(self) -> None:
        if self.vacuum_retention_hours < 0:
            raise ConfigError(f"[privacy] vacuum_retention_hours must be >= 0, got {self.vacuum_retention_hours}")

    def salt(self) -> str:
        """The salt from the environment.

        Raises:
            ConfigError: If the variable is unset or too short to resist guessing.
        """
        value = os.environ.get(self.salt_env, "")
        if len(value) < 16:
            raise ConfigError(
                f"pseudonymous gold tables ([privacy] pseudonymise) and the erasure log of jobs.forget need a secret salt "
                f"of at least 16 characters in the environment variable {self.salt_env} "
                f"(e.g. export {self.salt_env}=$(openssl rand -hex 32)); "
                f"it is {'unset' if not value else 'too short'}"
            )
        return value


@dataclass(frozen=True)
class CloutConfig:
    """One whole profile.

    Attributes:
        profile: Path of the TOML file it was read from.
        spark: SparkSession settings.
        packages: JVM package settings.
        database: Catalog database that every table is registered in.
        ingest: Ingest stage settings.
        quality: Account-quality stage settings.
        logging: How runs report progress and their summary.
        graph: How graph programs run.
        metrics: Metrics stage settings.
        score: How metrics become the Clout score.
        topics: How posts get topics and persons topic scores, leaders and campaigns.
        privacy: What the gold tables may reveal about persons.
    """

    profile: str
    spark: SparkSettings
    packages: PackageSettings
    database: str
    ingest: IngestSettings
    quality: QualitySettings = QualitySettings()
    logging: LoggingSettings = LoggingSettings()
    graph: GraphSettings = GraphSettings()
    metrics: MetricsSettings = MetricsSettings()
    score: ScoreSettings = ScoreSettings()
    topics: TopicSettings = TopicSettings()
    privacy: PrivacySettings = PrivacySettings()


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table, got {type(value).__name__}")
    return value


def _build(cls: type, values: dict[str, Any], section: str) -> Any:
    known = set(cls.__dataclass_fields__)
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"[{section}] has unknown settings {unknown}; known: {sorted(known)}")
    converted = {}
    for key, value in values.items():
        kind = cls.__dataclass_fields__[key].default
        if is_dataclass(kind) and isinstance(value, dict):
            value = _build(type(kind), value, f"{section}.{key}")
        elif isinstance(kind, Ramp):
            if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, (int, float)) for v in value)):
                raise ConfigError(f"[{section}] {key} must be [start, full, min_evidence], got {value!r}")
            value = Ramp(*value)
        elif isinstance(value, list):
            value = tuple(value)
        converted[key] = value
    try:
        return cls(**converted)
    except ConfigError:
        raise
    except (TypeError, ValueError) as error:  # a settings class's own checks
        raise ConfigError(f"[{section}] {error}") from error


# The sections a profile may have; anything else is a typo.
SECTIONS = ("spark", "packages", "catalog", "logging", "ingest", "quality", "graph", "metrics", "score", "topics", "privacy")


def _override_value(text: str) -> Any:
    """A TOML value (``8``, ``true``, ``[0.3, 0.7, 5]``, ``"x"``), or else the bare text."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Applies ``section.key=value`` settings on top of a parsed profile.

    Paths and sizes that differ per run (a model on shared storage, the partitions of a
    small test cluster) come from the command line this way instead of from a profile
    edited per run. ``spark.conf.<key>`` takes the whole rest as one Spark setting, dots
    included (``spark.conf.spark.executor.memory=2g``).

    Raises:
        ConfigError: If an override is not ``dotted.key=value`` or crosses a plain value.
    """
    merged = copy.deepcopy(raw)
    for override in overrides:
        key, sep, text = override.partition("=")
        parts = key.strip().split(".")
        if not sep or len(parts) < 2 or not all(parts):
            raise ConfigError(f"override {override!r} is not section.key=value")
        if parts[0] not in SECTIONS:
            raise ConfigError(f"override {override!r}: no section [{parts[0]}]; sections: {list(SECTIONS)}")
        if parts[:2] == ["spark", "conf"] and len(parts) > 3:
            parts = ["spark", "conf", ".".join(parts[2:])]
        node = merged
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {override!r}: {part} is a value, not a section")
        node[parts[-1]] = _override_value(text.strip())
    return merged


def load_config(path: str | os.PathLike[str] | None = None, overrides: Iterable[str] = ()) -> CloutConfig:
    """Reads a profile.

    Args:
        path: TOML profile; defaults to ``conf/local.toml`` of the project.
        overrides: ``section.key=value`` settings applied on top (see :func:`apply_overrides`).

    Returns:
        The typed configuration.

    Raises:
        ConfigError: If the file is missing or a setting is unknown or malformed.
    """
    profile = Path(path) if path else DEFAULT_PROFILE
    if not profile.is_absolute() and not profile.is_file() and (PROJECT_ROOT / profile).is_file():
        # A job started from another folder (Databricks runs a script in its own folder)
        # still finds conf/... of the project.
        profile = PROJECT_ROOT / profile
    if not profile.is_file():
        raise ConfigError(f"configuration profile {profile} does not exist (see conf/*.toml)")
    try:
        raw = tomllib.loads(profile.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{profile} is not valid TOML: {error}") from error
    raw = apply_overrides(raw, overrides)
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{profile} has unknown sections {unknown}; known: {list(SECTIONS)}")

    spark_raw = dict(_section(raw, "spark"))
    spark_conf = {str(k): str(v) for k, v in spark_raw.pop("conf", {}).items()}
    packages_raw = dict(_section(raw, "packages"))
    if isinstance(packages_raw.get("graphframes"), str):
        packages_raw["graphframes"] = [packages_raw["graphframes"]]
    catalog = _section(raw, "catalog")
    if set(catalog) - {"database"}:
        raise ConfigError(f"[catalog] has unknown settings {sorted(set(catalog) - {'database'})}; known: ['database']")
    return CloutConfig(
        profile=str(profile),
        spark=_build(SparkSettings, {**spark_raw, "conf": spark_conf}, "spark"),
        packages=_build(PackageSettings, packages_raw, "packages"),
        database=str(catalog.get("database", "clout")),
        ingest=_build(IngestSettings, _section(raw, "ingest"), "ingest"),
        quality=_build(QualitySettings, _section(raw, "quality"), "quality"),
        logging=_build(LoggingSettings, _section(raw, "logging"), "logging"),
        graph=_build(GraphSettings, _section(raw, "graph"), "graph"),
        metrics=_build(MetricsSettings, _section(raw, "metrics"), "metrics"),
        score=_build(ScoreSettings, _section(raw, "score"), "score"),
        topics=_build(TopicSettings, _section(raw, "topics"), "topics"),
        privacy=_build(PrivacySettings, _section(raw, "privacy"), "privacy"),
    )


def load_ontology(settings: TopicSettings) -> Ontology:
    """The topic ontology of a profile: every ``[[topic]]`` of the ``*.toml`` files in the
    ``ontology`` folder (in file-name order), or of one file.

    Raises:
        ConfigError: If the files are missing, not TOML, or fail the ontology's checks.
    """
    location = Path(settings.ontology)
    if not location.is_absolute():
        location = PROJECT_ROOT / location
    files = sorted(location.glob("*.toml")) if location.is_dir() else [location]
    if not files or not files[0].is_file():
        raise ConfigError(f"no topic ontology at {location} (expected *.toml files with [[topic]] tables)")
    entries: list[dict[str, Any]] = []
    for file in files:
        try:
            entries += tomllib.loads(file.read_text(encoding="utf-8")).get("topic", [])
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{file} is not valid TOML: {error}") from error
    try:
        return ontology_from(entries, tuple(settings.languages))
    except ValueError as error:
        raise ConfigError(f"topic ontology {location}: {error}") from error
