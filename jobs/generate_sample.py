"""Generate a realistic synthetic sample of social activity, with its ground truth.

Usage::

    python -m jobs.generate_sample --out DIR --events N --seed S [--days 150] [--end-date 2026-11-01]

Writes about N unified activity events (post, reshare, quote, reply, mention, like,
follow) in eight real export formats under DIR, and what was planted in DIR/truth/:

* ``twitter/``   JSON lines: Twitter API v1.1 tweets, mixed with API v2 responses;
* ``bluesky/``   JSON lines: Jetstream events (commits, identity events, deletes);
* ``mastodon/``  JSON lines: Mastodon Status entities (with reblogs and edits);
* ``reddit/``    JSON lines: Pushshift submissions and comments;
* ``facebook/``  one Graph API JSON document per page per month;
* ``weibo/``     JSON lines: Weibo statuses (Beijing time);
* ``edges/``     SNAP activity text files (``userA userB unix_ts RT|MT|RE``), odd ones gzipped;
* ``research_csv/`` ``users.csv`` and ``tweets.csv.gz`` (Cresci-style dataset);
* ``identities.csv`` and ``truth/`` (accounts with their kind, bots, persons, leaders,
  inactive, quiet, rings, cascades, malformed, duplicates, summary.json).

The simulated period is the `--days` days before `--end-date` (which is excluded).
The world (persons, bots, rings, leaders, cascades) comes from `jobs.sample_world`.
Generation streams day by day and hour by hour: memory does not grow with N (the
population grows with N up to a cap), lines are written as they are produced and each
source is split into files of at most 200,000 lines, and at each month boundary.
JSON is written ASCII-only (non-ASCII characters as ``\\uXXXX`` escapes).

Everything random comes from one `random.Random(seed)`: the same seed gives
byte-identical output (gzip members are written with mtime 0).

Counting conventions (also written to truth/summary.json):

* every record whose actor is known is exactly one event, typed by what it is:
  ``post`` (original post), ``mention`` (original post mentioning at least one
  account), ``reply``, ``quote``, ``reshare``, ``like``, ``follow``; ``mention_links``
  per source counts the (record, mentioned account) pairs besides a reply's target
  and a retweet's original author;
* not events: malformed records, duplicate copies, Bluesky identity events and
  deletes, Mastodon edits, Reddit records whose author is ``[deleted]``, Facebook
  comments without ``from``; tweets embedded in other tweets (``retweeted_status``,
  ``quoted_status``, v2 ``includes``) are not events either;
* the research population is labelled ``twitter`` in the truth files (its ids are
  Twitter-like and distinct from those of the ``twitter/`` source); the SNAP
  population is labelled ``snap``.
"""

from __future__ import annotations

import argparse
import base64
import csv
import gc
import gzip
import heapq
import io
import json
import math
import random
import sys
import time
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from jobs.sample_world import (
    HOME_INSTANCE,
    NEVER,
    TOPICS,
    Account,
    Bot,
    CascadePlan,
    Clock,
    Leader,
    Ring,
    TextComposer,
    Vocabulary,
    WeightedPicker,
    World,
    audience_weight,
    base36,
    build_world,
    byte_offsets,
    sqrt_copies,
    tid,
    TID_PAIRS,
)

EVENT_TYPES: tuple[str, ...] = ("post", "reshare", "quote", "reply", "mention", "like", "follow")
MAX_LINES_PER_FILE = 200_000
P_DUPLICATE = 0.003
P_MALFORMED = 0.005
P_BLANK = 0.0003
P_RARE = P_DUPLICATE + P_MALFORMED + P_BLANK
BAD_TIMESTAMPS: tuple[str, ...] = ("yesterday", "not a date", "N/A", "", "32/13/2026 25:61", "tomorrow")
SECONDS_PER_DAY = 86400

json_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
"""Quote a str as a JSON string literal (C implementation, non-ASCII as \\u escapes).

Every JSON line is pure ASCII, as the Twitter API returns it; this also keeps string
building and UTF-8 encoding on CPython's fast paths."""

_QUOTED: dict[str, str] = {}


def quoted(text: str) -> str:
    """`json_string` with a cache, for the small set of recurring strings (hashtags)."""
    result = _QUOTED.get(text)
    if result is None:
        result = _QUOTED[text] = json_string(text)
    return result

# Share of the requested events per source, and how many events one organic action
# makes on average (a Facebook post carries its comments and reactions).
EVENT_SHARES: dict[str, float] = {
    "twitter": 0.17, "bluesky": 0.24, "mastodon": 0.06, "reddit": 0.08,
    "facebook": 0.12, "weibo": 0.09, "edges": 0.18, "research_csv": 0.06,
}
EVENTS_PER_ACTION: dict[str, float] = {"facebook": 12.0}

DIURNAL: tuple[float, ...] = (
    0.35, 0.22, 0.15, 0.10, 0.08, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 1.00,
    1.05, 1.00, 0.95, 0.95, 1.00, 1.10, 1.20, 1.30, 1.35, 1.25, 0.95, 0.60,
)
"""Relative activity per local hour of the day."""

WEEKLY: dict[str, tuple[float, ...]] = {
    # Monday .. Sunday
    "twitter": (1.05, 1.05, 1.05, 1.05, 1.00, 0.85, 0.85),
    "bluesky": (1.05, 1.05, 1.05, 1.00, 1.00, 0.90, 0.90),
    "mastodon": (1.05, 1.05, 1.05, 1.05, 1.00, 0.85, 0.80),
    "reddit": (0.95, 0.95, 0.95, 0.95, 1.00, 1.15, 1.15),
    "facebook": (0.90, 0.90, 0.90, 0.95, 1.00, 1.20, 1.25),
    "weibo": (0.95, 0.95, 0.95, 0.95, 1.00, 1.15, 1.15),
    "edges": (1.00, 1.00, 1.00, 1.00, 1.00, 0.90, 0.90),
    "research_csv": (1.05, 1.05, 1.05, 1.05, 1.00, 0.85, 0.80),
}


# ---------------------------------------------------------------------------------
# Content model
# ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Post:
    """One piece of content on a platform, kept while others may still engage with it.

    Attributes:
        post_id: Platform id (Bluesky: the at:// URI).
        author: Account that created it.
        ts: Creation time, epoch seconds.
        text: Plain text.
        lang: Language code.
        topic: Topic index.
        kind: post, mention, reply, quote or reshare.
        tags: Hashtag spans (see `Composed`).
        mentions: Mention spans (see `Composed`).
        root: For reshares, the original post.
        parent_id: Post reshared / replied to / quoted.
        parent_author: Author of that post.
        hop: Reshare depth (0 for originals).
        conversation_id: Thread root id (Twitter).
        ref: Platform-specific data (Bluesky cid, Reddit link, ...).
        json: Cached serialization used when the post is embedded elsewhere.
        json2: Cached Twitter v2 serialization.
        in_v2: Whether the tweet is exported inside a v2 response.
        logged: Whether its hop-0 cascade row was written.
        template: What every reshare of this post shares (Twitter: retweet text and tail).
    """

    post_id: str
    author: Account
    ts: int
    text: str
    lang: str
    topic: int
    kind: str
    tags: tuple = ()
    mentions: tuple = ()
    root: "Post | None" = None
    parent_id: str = ""
    parent_author: Account | None = None
    hop: int = 0
    conversation_id: str = ""
    ref: Any = None
    json: str = ""
    json2: str = ""
    in_v2: bool = False
    logged: bool = False
    template: Any = None


class PostPool:
    """Ring buffer of recent posts; popular posts occupy several slots.

    Args:
        size: Number of slots.
    """

    __slots__ = ("slots", "size", "position", "filled")

    def __init__(self, size: int) -> None:
        self.slots: list[Post | None] = [None] * size
        self.size = size
        self.position = 0
        self.filled = 0

    def add(self, post: Post, copies: int) -> None:
        """Insert `post` into `copies` slots, evicting the oldest entries."""
        position = self.position
        end = position + copies
        if end <= self.size:
            self.slots[position:end] = [post] * copies
            self.position = end if end < self.size else 0
        else:
            for _ in range(copies):
                self.slots[self.position] = post
                self.position = (self.position + 1) % self.size
        if self.filled < self.size:
            self.filled = min(self.size, self.filled + copies)

    def pick(self, uniform: float) -> Post | None:
        """Return a random post (None when empty)."""
        if not self.filled:
            return None
        return self.slots[int(uniform * self.filled)]


# ---------------------------------------------------------------------------------
# Output plumbing
# ---------------------------------------------------------------------------------


class RollingWriter:
    """Writes lines to numbered files, starting a new file when asked or when full.

    Lines are buffered and written in batches; files are opened lazily, so no empty
    file is left behind.

    Args:
        directory: Folder of the files.
        pattern: File name pattern with one `{}` for the file index.
        max_lines: Lines per file before a new one is started.
        gzip_mode: '' (plain files), 'odd' (gzip files with an odd index) or 'all';
            gzipped files get a '.gz' suffix.
        on_new_file: Called after each file but the first is opened.
    """

    BATCH = 512

    def __init__(
        self,
        directory: Path,
        pattern: str,
        max_lines: int = MAX_LINES_PER_FILE,
        gzip_mode: str = "",
        on_new_file: Callable[[], None] | None = None,
    ) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.pattern = pattern
        self.max_lines = max_lines
        self.gzip_mode = gzip_mode
        self.on_new_file = on_new_file
        self.index = -1
        self.handle: Any = None
        self.buffer: list[str] = []
        self.lines = 0
        self.name = ""
        self.files = 0

    def _open_next(self) -> None:
        self.close()
        self.index += 1
        self.name = self.pattern.format(self.index)
        compress = self.gzip_mode == "all" or (self.gzip_mode == "odd" and self.index % 2 == 1)
        if compress:
            self.name += ".gz"
        self.handle = open_binary(self.directory / self.name, compress=compress)
        self.lines = 0
        self.files += 1
        if self.index > 0 and self.on_new_file is not None:
            self.on_new_file()

    def write(self, line: str) -> int:
        """Write one line; return its 1-based line number within the current file."""
        if self.handle is None or self.lines >= self.max_lines:
            self._open_next()
        buffer = self.buffer
        buffer.append(line)
        if len(buffer) >= self.BATCH:
            self.flush()
        self.lines += 1
        return self.lines

    def flush(self) -> None:
        """Write the buffered lines to the current file."""
        if self.buffer:
            self.buffer.append("")
            self.handle.write("\n".join(self.buffer).encode("utf-8"))
            self.buffer.clear()

    def roll(self) -> None:
        """Make the next write go to a new file (if the current one has content)."""
        if self.handle is not None and self.lines:
            self.close()

    def close(self) -> None:
        """Flush and close the current file."""
        if self.handle is not None:
            self.flush()
            self.handle.close()
            self.handle = None


def open_binary(path: Path, compress: bool = False, buffer_size: int = 1 << 20) -> Any:
    """Open a file for writing bytes (gzip with mtime 0 when `compress`)."""
    if compress:
        return gzip.GzipFile(filename=str(path), mode="wb", compresslevel=6, mtime=0)
    return open(path, "wb", buffering=buffer_size)


def open_text(path: Path, compress: bool = False) -> Any:
    """Open a UTF-8 text file for writing (gzip with mtime 0 when `compress`)."""
    if compress:
        stream = gzip.GzipFile(filename=str(path), mode="wb", compresslevel=6, mtime=0)
        return io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
    return open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)


class TruthWriter:
    """Streams the truth files that grow with the run (cascades, malformed, duplicates).

    Args:
        directory: The truth folder.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._cascades = RollingWriter(directory, "cascades.csv", max_lines=1 << 62)
        self._malformed = RollingWriter(directory, "malformed.csv", max_lines=1 << 62)
        self._duplicates = RollingWriter(directory, "duplicates.csv", max_lines=1 << 62)
        self._cascades.write("platform,root_post_id,post_id,parent_post_id,actor_account_id,hop")
        self._malformed.write("source,file,line,defect")
        self._duplicates.write("source,file,line")
        self.cascade_rows = 0
        self.cascade_roots = 0
        self.max_hop = 0

    def reshare(self, platform: str, post: "Post") -> None:
        """Record a reshare (and its root, the first time the root is reshared)."""
        root = post.root
        if not root.logged:
            root.logged = True
            self.cascade_roots += 1
            self._cascades.write(f"{platform},{root.post_id},{root.post_id},,{root.author.account_id},0")
        self._cascades.write(f"{platform},{root.post_id},{post.post_id},{post.parent_id},"
                             f"{post.author.account_id},{post.hop}")
        self.cascade_rows += 1
        if post.hop > self.max_hop:
            self.max_hop = post.hop

    def malformed(self, source: str, file_name: str, line: int | str, defect: str) -> None:
        """Record a malformed record (`line` is a JSON path for Facebook)."""
        self._malformed.write(f"{source},{file_name},{line},{defect}")

    def duplicate(self, source: str, file_name: str, line: int | str) -> None:
        """Record an exact duplicate copy of an earlier record."""
        self._duplicates.write(f"{source},{file_name},{line}")

    def table(self, name: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
        """Write a whole CSV table `name`.csv into the truth folder."""
        write_csv(self.directory / f"{name}.csv", header, rows)

    def close(self) -> None:
        """Close the streamed files."""
        for writer in (self._cascades, self._malformed, self._duplicates):
            writer.close()


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write a CSV file with a header row."""
    with open_text(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# ---------------------------------------------------------------------------------
# Shared state
# ---------------------------------------------------------------------------------


_HEX_TO_BASE32 = str.maketrans("0189", "qrst")


class IdFactory:
    """Generates unique, time-ordered ids in each platform's style.

    Args:
        rng: The shared random generator.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sequence = 0
        self.reddit_submission = int("1g00000", 36)
        self.reddit_comment = int("lq00000", 36)
        self.facebook_post = 122_100_000_000_000_000
        self.facebook_comment = 1_000_000_000_000_000
        self._cid_banks = [
            [format(rng.getrandbits(4 * width), f"0{width}x").translate(_HEX_TO_BASE32) for _ in range(1024)]
            for width in (17, 17, 18)
        ]

    def tweet(self, ts: int) -> str:
        """Twitter snowflake id for time `ts` (also used by the research CSV)."""
        self.sequence = seq = self.sequence + 1
        millis = ts * 1000 + seq % 1000
        return str(((millis - 1288834974657) << 22) | (seq & 0x3FFFFF))

    def mastodon(self, ts: int) -> str:
        """Mastodon snowflake-style status id."""
        self.sequence = seq = self.sequence + 1
        return str(((ts * 1000 + seq % 1000) << 16) | (seq & 0xFFFF))

    def weibo(self, ts: int) -> int:
        """16-digit Weibo status id."""
        self.sequence = seq = self.sequence + 1
        return 5_000_000_000_000_000 + (ts - 1_700_000_000) * 100_000 + seq % 100_000

    def submission(self) -> str:
        """Reddit submission id (base 36)."""
        self.reddit_submission += 1 + int(self.rng.random() * 40)
        return base36(self.reddit_submission)

    def comment(self) -> str:
        """Reddit comment id (base 36)."""
        self.reddit_comment += 1 + int(self.rng.random() * 60)
        return base36(self.reddit_comment)

    def facebook_post_id(self) -> str:
        """Facebook post id (the part after 'pageid_')."""
        self.facebook_post += 1 + int(self.rng.random() * 900)
        return str(self.facebook_post)

    def facebook_comment_id(self) -> str:
        """Facebook comment id (the part after 'postid_')."""
        self.facebook_comment += 1 + int(self.rng.random() * 900)
        return str(self.facebook_comment)

    def cid(self) -> str:
        """An IPFS CIDv1 (dag-cbor, sha256) as Bluesky shows them: 'bafyrei' + 52 base32 chars.

        Assembled from three banks of random fragments (2^30 combinations), which is
        much cheaper than drawing 260 random bits per record.
        """
        bits = self.rng.getrandbits(30)
        banks = self._cid_banks
        return "bafyrei" + banks[0][bits & 1023] + banks[1][bits >> 10 & 1023] + banks[2][bits >> 20]


@dataclass(slots=True, eq=False)
class Context:
    """State shared by all channels.

    Attributes:
        rng: The only random generator.
        clock: Timestamp formatter.
        composer: Text composer.
        truth: Truth writer.
        ids: Id factory.
        start_ts: Epoch second of day 0.
        end_ts: Epoch second where the simulated period ends (exclusive).
        now: Time of the action being generated.
        total: Events generated so far (all sources).
    """

    rng: random.Random
    clock: Clock
    composer: TextComposer
    truth: TruthWriter
    ids: IdFactory
    start_ts: int
    end_ts: int
    now: int = 0
    total: int = 0

    def can_act(self, account: Account, ts: int) -> bool:
        """Whether `account` may still act at `ts` (not silent, before the end)."""
        return ts < self.end_ts and ts < self.start_ts + account.silent_from * SECONDS_PER_DAY


# ---------------------------------------------------------------------------------
# Channels: one per source folder
# ---------------------------------------------------------------------------------


class Channel:
    """Base class of a source: writes its records, counts events, injects defects.

    Subclasses implement `organic` (one spontaneous action of an account) and
    `malformed_record` (a fabricated record with a defect), and usually `post`,
    `reshare`, `reply`, `engage`.

    Args:
        ctx: Shared state.
        out_dir: Output root (the channel writes into `out_dir / source`).
        accounts: The accounts of the channel's platform.
        pool_size: Slots of the recent-post pool.
    """

    source = ""
    platform = ""
    file_pattern = "part-{:05d}.jsonl"

    def __init__(self, ctx: Context, out_dir: Path, accounts: list[Account], pool_size: int) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.rnd = ctx.rng.random
        self.clock = ctx.clock
        self.composer = ctx.composer
        self.ids = ctx.ids
        self.accounts = accounts
        self.events = dict.fromkeys(EVENT_TYPES, 0)
        self.records = self.malformed = self.duplicates = self.blank_lines = 0
        self.mention_links = 0
        self.extra: dict[str, int] = {}
        self.pending_duplicates: list[str] = []
        self.pool = PostPool(pool_size)
        self.reshare_pool = PostPool(max(16, pool_size // 2))
        self.directory = out_dir / self.source
        self.writer = self._make_writer()
        self.audience = WeightedPicker(accounts, [audience_weight(a) for a in accounts])
        self.engagers = WeightedPicker([], [])
        self.refresh_engagers(0)

    # -- writing -------------------------------------------------------------------

    def _make_writer(self) -> RollingWriter:
        return RollingWriter(self.directory, self.file_pattern, on_new_file=self._flush_duplicates)

    def emit(self, line: str) -> None:
        """Write one valid record, sometimes followed by a defect or queued as a duplicate."""
        writer = self.writer
        if writer.handle is None or writer.lines >= writer.max_lines:
            writer.write(line)
        else:
            writer.buffer.append(line)
            writer.lines += 1
            if len(writer.buffer) >= RollingWriter.BATCH:
                writer.flush()
        self.records += 1
        roll = self.rnd()
        if roll < P_RARE:
            self._rare(line, roll)

    def _rare(self, line: str, roll: float) -> None:
        if roll < P_DUPLICATE:
            self.pending_duplicates.append(line)
        elif roll < P_DUPLICATE + P_MALFORMED:
            record, defect = self.malformed_record(self.ctx.now)
            number = self.writer.write(record)
            self.records += 1
            self.malformed += 1
            self.ctx.truth.malformed(self.source, self.writer.name, number, defect)
        else:
            self.writer.write("")
            self.blank_lines += 1

    def _flush_duplicates(self) -> None:
        """Repeat queued records at the top of a new file, as overlapping exports do."""
        pending, self.pending_duplicates = self.pending_duplicates, []
        for line in pending:
            number = self.writer.write(line)
            self.records += 1
            self.duplicates += 1
            self.ctx.truth.duplicate(self.source, self.writer.name, number)

    def roll(self) -> None:
        """Start a new file at the next record (month boundary)."""
        self.writer.roll()

    def close(self) -> None:
        """Flush and close everything (queued duplicates that never found a file are dropped)."""
        self.writer.close()

    # -- bookkeeping -----------------------------------------------------------------

    def count(self, kind: str, actor: Account, ts: int) -> None:
        """Count one event of `kind` by `actor` at `ts`."""
        self.events[kind] += 1
        self.ctx.total += 1
        if ts > actor.last_ts:
            actor.last_ts = ts

    def bump(self, counter: str, amount: int = 1) -> None:
        """Increase a source-specific counter reported in summary.json."""
        self.extra[counter] = self.extra.get(counter, 0) + amount

    def refresh_engagers(self, day: int) -> None:
        """Rebuild the picker of genuine accounts still active on `day`."""
        active = [a for a in self.accounts if a.kind == "genuine" and a.silent_from > day]
        self.engagers = WeightedPicker(active, [math.sqrt(a.activity) for a in active])

    def remember(self, post: Post, boost: int = 0) -> None:
        """Make `post` available for later engagement (popular authors get more slots)."""
        author = post.author
        copies = self.copies(author)
        if post.kind == "reshare":
            self.reshare_pool.add(post, (copies + boost) // 2 + 1)
        else:
            self.pool.add(post, copies + boost)
            if author.is_patron:
                author.last_post = post

    @staticmethod
    def copies(author: Account) -> int:
        """Pool slots for a post of `author` (cached per account)."""
        copies = author.cache.get("copies")
        if copies is None:
            copies = author.cache["copies"] = sqrt_copies(author.followers)
        return copies

    def pick_target(self, actor: Account, continue_cascade: bool = False) -> Post | None:
        """Pick a recent post `actor` could engage with (None if there is none)."""
        rnd = self.rnd
        if continue_cascade and self.reshare_pool.filled and rnd() < 0.3:
            post = self.reshare_pool.pick(rnd())
        else:
            post = self.pool.pick(rnd())
        if post is None or post.author is actor:
            post = self.pool.pick(rnd())
            if post is None or post.author is actor:
                return None
        return post

    def mention_targets(self, actor: Account) -> list[Account]:
        """One or two accounts to mention (popular accounts are mentioned more)."""
        rnd = self.rnd
        targets = []
        for _ in range(1 if rnd() < 0.8 else 2):
            target = self.audience.pick(rnd())
            if target is not actor and target not in targets:
                targets.append(target)
        return targets

    def topic_of(self, actor: Account) -> int:
        """A topic `actor` talks about."""
        topics = actor.topics
        return topics[int(self.rnd() * len(topics))]

    def hashtags(self, lang: str, topic: int) -> list[str]:
        """0 to 3 hashtags, most posts having at least one."""
        roll = self.rnd()
        if roll < 0.22:
            return []
        if roll < 0.67:
            options = self.composer.vocabulary.hashtags[lang if roll < 0.58 else "en"][topic]
            return [options[int(self.rnd() * len(options))]]
        return self.composer.pick_hashtags(lang, topic, 2 if roll < 0.9 else 3)

    def body(self, lang: str, topic: int, long: bool = False) -> str:
        """A sentence about `topic` (longer when `long`)."""
        n_words = 22 + int(self.rnd() * 12) if long else 5 + int(self.rnd() * 10)
        return self.composer.body(lang, topic, n_words)

    def log_reshare(self, post: Post) -> None:
        """Record a reshare in truth/cascades.csv."""
        self.ctx.truth.reshare(self.platform, post)

    # -- interface for subclasses ----------------------------------------------------

    def organic(self, actor: Account, ts: int) -> None:
        """Perform one spontaneous action of `actor` at `ts`."""
        raise NotImplementedError

    def malformed_record(self, ts: int) -> tuple[str, str]:
        """Return (record text, defect name) of a fabricated defective record."""
        raise NotImplementedError

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post | None:
        """Publish an original post (returns None where the source has no posts)."""
        return None

    def reshare(self, actor: Account, ts: int, parent: Post) -> Post | None:
        """Reshare `parent` (returns None where the source has no reshares)."""
        return None

    def reply(self, actor: Account, ts: int, parent: Post) -> Post | None:
        """Reply to `parent` (returns None where the source has no replies)."""
        return None

    def like(self, actor: Account, ts: int, target: Post) -> bool:
        """Like `target` (returns False where the source has no likes)."""
        return False

    def engage(self, actor: Account, ts: int, target: Post) -> None:
        """Genuine engagement with `target` (reshare or reply by default)."""
        if self.rnd() < 0.6:
            self.reshare(actor, ts, target)
        else:
            self.reply(actor, ts, target)

    def summary(self) -> dict[str, Any]:
        """Counters for summary.json."""
        return {
            "files": self.writer.files,
            "records": self.records,
            "malformed": self.malformed,
            "duplicates": self.duplicates,
            "blank_lines": self.blank_lines,
            "events_total": sum(self.events.values()),
            "events": dict(self.events),
            "mention_links": self.mention_links,
            **dict(sorted(self.extra.items())),
        }


def corrupt_json(rng: random.Random, line: str, defect: str, mutate: Callable[[dict, str], None]) -> str:
    """Apply `defect` to a valid JSON record line.

    Args:
        rng: Random generator.
        line: A valid JSON object serialized on one line.
        defect: invalid_json or a defect `mutate` understands.
        mutate: Changes the parsed object in place to exhibit `defect`.

    Returns:
        The defective line.
    """
    if defect == "invalid_json":
        if rng.random() < 0.75:
            return line[: rng.randint(max(2, len(line) // 5), len(line) - 2)]
        return line + line[: rng.randint(1, len(line) // 2)]
    record = json.loads(line)
    mutate(record, defect)
    return json.dumps(record)


JSON_DEFECTS = ("invalid_json", "missing_id", "missing_author", "bad_timestamp", "wrong_type")


def mutate_fields(record: dict, defect: str, ids: tuple[str, ...], authors: tuple[str, ...],
                  times: tuple[str, ...], bad_time: str) -> None:
    """Make a flat JSON record exhibit `defect` on the given fields."""
    if defect == "missing_id":
        for key in ids:
            record.pop(key, None)
    elif defect == "missing_author":
        for key in authors:
            record.pop(key, None)
    elif defect == "bad_timestamp":
        for key in times:
            record[key] = bad_time
    elif defect == "wrong_type":
        for key in ids:
            record[key] = {"$numberLong": str(record[key])}


# ---------------------------------------------------------------------------------
# Twitter
# ---------------------------------------------------------------------------------

TWEET_SOURCES = tuple(json_string(source) for source in (
    '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
    '<a href="http://twitter.com/download/iphone" rel="nofollow">Twitter for iPhone</a>',
    '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
))
_V1_TRUNCATE_AT = 117
_NOT_A_REPLY_V1 = ('"in_reply_to_status_id": null, "in_reply_to_status_id_str": null, "in_reply_to_user_id": null, '
                   '"in_reply_to_user_id_str": null, "in_reply_to_screen_name": null')
_EMPTY_ENTITIES_V1 = '{"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}'


class TwitterChannel(Channel):
    """Twitter: v1.1 tweet objects, and v2 responses holding up to 20 tweets."""

    source = platform = "twitter"
    P_V2 = 0.2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.v2_batch: list[Post] = []
        self.v2_target = 1 + int(self.rnd() * 20)

    # -- actions -----------------------------------------------------------------------

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        if roll < 0.30:
            self.post(actor, ts, long=self.rnd() < 0.1)
        elif roll < 0.38:
            self.post(actor, ts, mentions=self.mention_targets(actor))
        else:
            target = self.pick_target(actor, continue_cascade=0.55 <= roll < 0.95)
            if target is None:
                self.post(actor, ts)
            elif roll < 0.55:
                self.reply(actor, ts, target)
            elif roll < 0.95:
                self.reshare(actor, ts, target)
            else:
                self.quote(actor, ts, target)

    def make_post(self, actor: Account, ts: int, topic: int | None = None, mentions: list[Account] | None = None,
                  body: str | None = None, tags: list[str] | None = None, long: bool = False) -> Post:
        """Build (without publishing) an original tweet."""
        topic = self.topic_of(actor) if topic is None else topic
        lang = actor.lang
        body = self.body(lang, topic, long) if body is None else body
        tags = self.hashtags(lang, topic) if tags is None else tags
        trail = [(m, "@" + m.handle) for m in mentions] if mentions else ()
        url = f"https://t.co/{self.rng.getrandbits(50):x}" if self.rnd() < 0.08 else ""
        text, tag_spans, mention_spans = self.composer.compose(body, trail=trail, tags=tags, url=url)
        post_id = self.ids.tweet(ts)
        return Post(post_id, actor, ts, text, lang, topic, "mention" if trail else "post",
                    tag_spans, mention_spans, conversation_id=post_id, in_v2=self.rnd() < self.P_V2)

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0, long: bool = False) -> Post:
        post = self.make_post(actor, ts, topic, mentions, body, tags, long)
        self.publish(post, boost)
        return post

    def reply(self, actor: Account, ts: int, parent: Post) -> Post | None:
        if parent.kind == "reshare":
            parent = parent.root
        if parent.author is actor:
            return None
        lang, topic = actor.lang, parent.topic
        lead = [(parent.author, "@" + parent.author.handle)]
        text, tag_spans, mention_spans = self.composer.compose(
            self.body(lang, topic), lead=lead, tags=self.hashtags(lang, topic)[:1])
        post = Post(self.ids.tweet(ts), actor, ts, text, lang, topic, "reply", tag_spans,
                    mention_spans, parent_id=parent.post_id, parent_author=parent.author,
                    conversation_id=parent.conversation_id, in_v2=self.rnd() < self.P_V2)
        if post.in_v2:
            post.ref = self.v2_tweet(parent)
        self.publish(post)
        return post

    def quote(self, actor: Account, ts: int, quoted: Post) -> Post | None:
        """Quote-tweet `quoted` with a comment."""
        if quoted.kind == "reshare":
            quoted = quoted.root
        if quoted.author is actor:
            return None
        lang, topic = actor.lang, quoted.topic
        link = f"https://t.co/{self.rng.getrandbits(50):x}"
        text, tag_spans, mention_spans = self.composer.compose(
            self.body(lang, topic), tags=self.hashtags(lang, topic)[:1], url=link)
        post_id = self.ids.tweet(ts)
        post = Post(post_id, actor, ts, text, lang, topic, "quote", tag_spans, mention_spans,
                    parent_id=quoted.post_id, parent_author=quoted.author, conversation_id=post_id,
                    in_v2=self.rnd() < self.P_V2)
        expanded = f"https://twitter.com/{quoted.author.handle}/status/{quoted.post_id}"
        embedded = self.v2_tweet(quoted) if post.in_v2 else self.v1(quoted, embed=True)
        post.ref = (link, expanded, embedded)
        self.publish(post)
        return post

    def reshare(self, actor: Account, ts: int, parent: Post) -> Post | None:
        root = parent.root or parent
        if root.author is actor or parent.author is actor:
            return None
        text, tags, mentions, _, _ = self.retweet_template(root)
        post = Post(self.ids.tweet(ts), actor, ts, text, root.lang, root.topic, "reshare", tags, mentions,
                    root, parent.post_id, parent.author, parent.hop + 1, in_v2=self.rnd() < self.P_V2)
        post.conversation_id = post.post_id
        self.publish(post)
        self.log_reshare(post)
        return post

    def retweet_template(self, root: Post) -> tuple[str, tuple, tuple, str, str]:
        """What all retweets of `root` share: text, entity spans, quoted text, JSON tail."""
        if root.template is not None:
            return root.template
        handle = root.author.handle
        prefix = f"RT @{handle}: "
        shift = len(prefix)
        text = prefix + root.text
        limit = len(text)
        if limit > 140:
            text, limit = text[:139] + "…", 139
        tags = tuple((t, cs + shift, ce + shift) for t, cs, ce in root.tags if ce + shift <= limit)
        mentions = ((root.author, 3, 4 + len(handle)),) + tuple(
            (a, cs + shift, ce + shift) for a, cs, ce in root.mentions if ce + shift <= limit)
        spans = Post("", root.author, 0, text, "", 0, "reshare", tags, mentions)
        tail = (f'"geo": null, "coordinates": null, "place": null, "retweeted_status": {self.v1(root)}, '
                f'"is_quote_status": false, "retweet_count": 0, "favorite_count": 0, '
                f'"entities": {self.entities_v1(spans, limit, [])}, "favorited": false, "retweeted": false, '
                f'"filter_level": "low", "lang": "{root.lang}"}}')
        root.template = (text, tags, mentions, json_string(text), tail)
        return root.template

    def publish(self, post: Post, boost: int = 0) -> None:
        """Write `post` (as v1.1 or inside a v2 response), count it and remember it."""
        if post.in_v2:
            self.v2_batch.append(post)
            if len(self.v2_batch) >= self.v2_target:
                self.flush_v2()
        elif post.kind == "reshare":
            self.emit(self.v1_retweet(post))
        else:
            self.emit(self.v1(post))
        self.count(post.kind, post.author, post.ts)
        if post.mentions:
            self.mention_links += len(post.mentions) - (post.kind in ("reply", "reshare"))
        self.remember(post, boost)

    # -- v1.1 serialization -------------------------------------------------------------

    def user_v1(self, account: Account) -> str:
        """The v1.1 user object (cached per account)."""
        cached = account.cache.get("tw1")
        if cached is None:
            image = ("https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
                     if account.default_profile_image else
                     f"https://pbs.twimg.com/profile_images/{account.numeric_id % 10 ** 12}/avatar_normal.jpg")
            cached = account.cache["tw1"] = (
                f'{{"id": {account.numeric_id}, "id_str": "{account.account_id}", '
                f'"name": {json_string(account.display_name)}, "screen_name": "{account.handle}", '
                f'"location": {json_string(account.location)}, "description": {json_string(account.description)}, '
                f'"url": null, "protected": false, "verified": {js_bool(account.verified)}, '
                f'"followers_count": {account.followers}, "friends_count": {account.following}, '
                f'"listed_count": {account.listed}, "favourites_count": {account.favourites}, '
                f'"statuses_count": {account.statuses}, "created_at": "{self.clock.twitter(account.created_ts)}", '
                f'"lang": null, "default_profile": {js_bool(account.default_profile)}, '
                f'"default_profile_image": {js_bool(account.default_profile_image)}, '
                f'"profile_image_url_https": "{image}"}}'
            )
        return cached

    @staticmethod
    def mention_v1(account: Account, start: int, end: int) -> str:
        """One v1.1 user_mentions entry."""
        head = account.cache.get("tw1m")
        if head is None:
            head = account.cache["tw1m"] = (
                f'{{"screen_name": "{account.handle}", "name": {json_string(account.display_name)}, '
                f'"id": {account.numeric_id}, "id_str": "{account.account_id}", "indices": ['
            )
        return f"{head}{start}, {end}]}}"

    def entities_v1(self, post: Post, limit: int, urls: list[tuple[str, str, int, int]]) -> str:
        """The v1.1 entities object for spans ending before `limit`."""
        tags, mentions = post.tags, post.mentions
        if not tags and not mentions and not urls:
            return _EMPTY_ENTITIES_V1
        hashtags = ", ".join([
            f'{{"text": {quoted(t)}, "indices": [{cs}, {ce}]}}' for t, cs, ce in tags if ce <= limit]) if tags else ""
        mentions = ", ".join([self.mention_v1(a, cs, ce) for a, cs, ce in mentions if ce <= limit]) if mentions else ""
        links = ", ".join([
            f'{{"url": "{u}", "expanded_url": "{x}", "display_url": "{x[8:34]}", "indices": [{s}, {e}]}}'
            for u, x, s, e in urls]) if urls else ""
        return f'{{"hashtags": [{hashtags}], "symbols": [], "user_mentions": [{mentions}], "urls": [{links}]}}'

    def v1(self, post: Post, embed: bool = False) -> str:
        """Serialize an original tweet (post, mention, reply or quote) in v1.1 format.

        Args:
            post: The tweet.
            embed: Leave out `quoted_status` (Twitter nests quotes only one level).
        """
        if post.json and not embed:
            return post.json
        text = post.text
        urls: list[tuple[str, str, int, int]] = []
        quote_part = ""
        if post.kind == "quote":
            link, expanded, embedded = post.ref
            start = len(text) - len(link)
            urls.append((link, expanded, start, len(text)))
            quote_part = f', "quoted_status_id": {post.parent_id}, "quoted_status_id_str": "{post.parent_id}"'
            if not embed:
                quote_part += f', "quoted_status": {embedded}'
        if len(text) > 140:
            cut = text.rfind(" ", 0, _V1_TRUNCATE_AT) or _V1_TRUNCATE_AT
            shown = text[:cut] + "… https://t.co/" + post.post_id[-10:]
            extended = (f', "extended_tweet": {{"full_text": {json_string(text)}, "display_text_range": [0, {len(text)}], '
                        f'"entities": {self.entities_v1(post, len(text), urls)}}}')
            text_part = f'"text": {json_string(shown)}, "truncated": true'
            entities = self.entities_v1(post, cut, [])
        else:
            extended = ""
            text_part = f'"text": {json_string(text)}, "truncated": false'
            entities = self.entities_v1(post, len(text), urls)
        line = (
            f'{{"created_at": "{self.clock.twitter(post.ts)}", "id": {post.post_id}, "id_str": "{post.post_id}", '
            f'{text_part}, "source": {TWEET_SOURCES[post.ts % 3]}, {self.reply_fields_v1(post)}, '
            f'"user": {self.user_v1(post.author)}, "geo": null, "coordinates": null, "place": null, '
            f'"is_quote_status": {"true" if quote_part else "false"}{quote_part}, "retweet_count": 0, '
            f'"favorite_count": 0, "entities": {entities}{extended}, "favorited": false, "retweeted": false, '
            f'"filter_level": "low", "lang": "{post.lang}"}}'
        )
        if not embed:
            post.json = line
        return line

    @staticmethod
    def reply_fields_v1(post: Post) -> str:
        """The in_reply_to_* fields."""
        if post.kind != "reply":
            return _NOT_A_REPLY_V1
        author = post.parent_author
        return (f'"in_reply_to_status_id": {post.parent_id}, "in_reply_to_status_id_str": "{post.parent_id}", '
                f'"in_reply_to_user_id": {author.numeric_id}, "in_reply_to_user_id_str": "{author.account_id}", '
                f'"in_reply_to_screen_name": "{author.handle}"')

    def v1_retweet(self, post: Post) -> str:
        """Serialize a retweet: `retweeted_status` is always the root tweet."""
        quoted_text, tail = post.root.template[3:]
        return (
            f'{{"created_at": "{self.clock.twitter(post.ts)}", "id": {post.post_id}, "id_str": "{post.post_id}", '
            f'"text": {quoted_text}, "truncated": false, "source": {TWEET_SOURCES[post.ts % 3]}, '
            f'{_NOT_A_REPLY_V1}, "user": {self.user_v1(post.author)}, {tail}'
        )

    # -- v2 serialization ----------------------------------------------------------------

    def user_v2(self, account: Account) -> str:
        """The v2 user object (cached per account)."""
        cached = account.cache.get("tw2")
        if cached is None:
            cached = account.cache["tw2"] = (
                f'{{"id": "{account.account_id}", "name": {json_string(account.display_name)}, '
                f'"username": "{account.handle}", "created_at": "{self.clock.iso_ms(account.created_ts)}", '
                f'"verified": {js_bool(account.verified)}, "protected": false, '
                f'"description": {json_string(account.description)}, "location": {json_string(account.location)}, '
                f'"public_metrics": {{"followers_count": {account.followers}, "following_count": {account.following}, '
                f'"tweet_count": {account.statuses}, "listed_count": {account.listed}}}}}'
            )
        return cached

    def v2_tweet(self, post: Post) -> str:
        """Serialize a tweet in v2 format (cached for originals)."""
        if post.json2:
            return post.json2
        parts = [
            f'{{"id": "{post.post_id}", "text": {json_string(post.text)}, "author_id": "{post.author.account_id}", '
            f'"created_at": "{self.clock.iso_ms(post.ts, int(post.post_id) >> 22 & 511)}", '
            f'"conversation_id": "{post.conversation_id}", "lang": "{post.lang}", '
            f'"edit_history_tweet_ids": ["{post.post_id}"]'
        ]
        if post.kind == "reply":
            parts.append(f', "in_reply_to_user_id": "{post.parent_author.account_id}", '
                         f'"referenced_tweets": [{{"type": "replied_to", "id": "{post.parent_id}"}}]')
        elif post.kind == "quote":
            parts.append(f', "referenced_tweets": [{{"type": "quoted", "id": "{post.parent_id}"}}]')
        elif post.kind == "reshare":
            parts.append(f', "referenced_tweets": [{{"type": "retweeted", "id": "{post.root.post_id}"}}]')
        if post.tags or post.mentions:
            parts.append(', "entities": {')
            if post.tags:
                parts.append('"hashtags": [' + ", ".join(
                    f'{{"start": {cs}, "end": {ce}, "tag": {quoted(t)}}}' for t, cs, ce in post.tags) + "]")
            if post.mentions:
                parts.append((", " if post.tags else "") + '"mentions": [' + ", ".join(
                    f'{{"start": {cs}, "end": {ce}, "username": "{a.handle}", "id": "{a.account_id}"}}'
                    for a, cs, ce in post.mentions) + "]")
            parts.append("}")
        parts.append("}")
        text = "".join(parts)
        if post.kind != "reshare":
            post.json2 = text
        return text

    def flush_v2(self) -> None:
        """Write the pending v2 tweets as one API response line (newest first)."""
        batch, self.v2_batch = self.v2_batch[::-1], []
        self.v2_target = 1 + int(self.rnd() * 20)
        if not batch:
            return
        users: dict[str, str] = {}
        included: dict[str, str] = {}
        for post in batch:
            for account in (post.author, post.parent_author, *(m[0] for m in post.mentions)):
                if account is not None and account.account_id not in users:
                    users[account.account_id] = self.user_v2(account)
            if post.kind == "reshare":
                included.setdefault(post.root.post_id, self.v2_tweet(post.root))
            elif post.kind == "quote":
                included.setdefault(post.parent_id, post.ref[2])
            elif post.kind == "reply":
                included.setdefault(post.parent_id, post.ref)
        includes = '"users": [' + ", ".join(users.values()) + "]"
        if included:
            includes += ', "tweets": [' + ", ".join(included.values()) + "]"
        ids = [int(p.post_id) for p in batch]
        self.emit(
            f'{{"data": [{", ".join(self.v2_tweet(p) for p in batch)}], "includes": {{{includes}}}, '
            f'"meta": {{"result_count": {len(batch)}, "newest_id": "{max(ids)}", "oldest_id": "{min(ids)}"}}}}'
        )
        self.bump("v2_responses")
        self.bump("v2_tweets", len(batch))

    def close(self) -> None:
        self.flush_v2()
        super().close()

    # -- defects -------------------------------------------------------------------------

    def malformed_record(self, ts: int) -> tuple[str, str]:
        actor = self.audience.pick(self.rnd())
        post = self.make_post(actor, ts)
        defect = self.rng.choice(JSON_DEFECTS)
        bad_time = self.rng.choice(BAD_TIMESTAMPS)
        line = corrupt_json(self.rng, self.v1(post, embed=True), defect, lambda r, d: mutate_fields(
            r, d, ("id", "id_str"), ("user",), ("created_at",), bad_time))
        return line, defect


def js_bool(value: bool) -> str:
    """JSON literal of a bool."""
    return "true" if value else "false"


# ---------------------------------------------------------------------------------
# Bluesky
# ---------------------------------------------------------------------------------


class BlueskyChannel(Channel):
    """Bluesky Jetstream events: commits (posts, reposts, likes, follows), identity events, deletes."""

    source = platform = "bluesky"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.identity_seq = 0
        self.recent_creates: deque[tuple[Account, str, str]] = deque(maxlen=400)

    # -- actions ---------------------------------------------------------------------------

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        if roll < 0.004:
            self.delete_something(ts)
        if roll < 0.10:
            self.post(actor, ts)
        elif roll < 0.13:
            self.post(actor, ts, mentions=self.mention_targets(actor))
        elif roll < 0.85:
            target = self.pick_target(actor, continue_cascade=0.21 <= roll < 0.33)
            if target is None:
                self.post(actor, ts)
            elif roll < 0.21:
                self.reply(actor, ts, target)
            elif roll < 0.33:
                self.reshare(actor, ts, target)
            elif roll < 0.35:
                self.quote(actor, ts, target)
            else:
                self.like(actor, ts, target)
        else:
            target = self.audience.pick(self.rnd())
            if target is not actor:
                self.follow(actor, ts, target)

    def commit(self, actor: Account, ts: int, collection: str, record: str,
               fabricate: bool = False) -> tuple[str, str, str]:
        """Build a create commit line; return (rkey, cid, line).

        The account's identity event is emitted first if it has not appeared yet
        (not for `fabricate`d records, which only feed defects).
        """
        if not actor.seen and not fabricate:
            self.identity(actor, ts)
        time_us = ts * 1_000_000 + int(self.rnd() * 1_000_000)
        rkey = tid(time_us, time_us)
        cid = self.ids.cid()
        line = (f'{{"did": "{actor.account_id}", "time_us": {time_us}, "kind": "commit", "commit": '
                f'{{"rev": "{rkey[:11]}{TID_PAIRS[(time_us >> 7) & 1023]}", "operation": "create", "collection": "{collection}", '
                f'"rkey": "{rkey}", "record": {record}, "cid": "{cid}"}}}}')
        return rkey, cid, line

    def identity(self, actor: Account, ts: int) -> None:
        """Emit the account's identity event (its handle) before its first commit."""
        actor.seen = True
        self.identity_seq += 1
        time_us = ts * 1_000_000
        self.emit(f'{{"did": "{actor.account_id}", "time_us": {time_us}, "kind": "identity", "identity": '
                  f'{{"did": "{actor.account_id}", "handle": "{actor.handle}", "seq": {self.identity_seq}, '
                  f'"time": "{self.clock.iso_ms(ts)}"}}}}')
        self.bump("identity_events")

    def delete_something(self, ts: int) -> None:
        """Delete a recently created record (a valid commit with operation 'delete')."""
        if not self.recent_creates:
            return
        index = int(self.rnd() * len(self.recent_creates))
        actor, collection, rkey = self.recent_creates[index]
        del self.recent_creates[index]
        if not self.ctx.can_act(actor, ts):
            return
        time_us = ts * 1_000_000 + int(self.rnd() * 1_000_000)
        self.emit(f'{{"did": "{actor.account_id}", "time_us": {time_us}, "kind": "commit", "commit": '
                  f'{{"rev": "{tid(time_us, 11)}", "operation": "delete", "collection": "{collection}", '
                  f'"rkey": "{rkey}"}}}}')
        self.bump("deletes")

    @staticmethod
    def strong_ref(post: Post) -> str:
        """`{"uri": .., "cid": ..}` of a post or repost."""
        return f'{{"uri": "{post.post_id}", "cid": "{post.ref[0]}"}}'

    @staticmethod
    def facets(post: Post) -> str:
        """Mention and hashtag facets, with UTF-8 byte offsets."""
        text = post.text
        facets = []
        for account, start, end in post.mentions:
            start, end = byte_offsets(text, start, end)
            facets.append(f'{{"index": {{"byteStart": {start}, "byteEnd": {end}}}, "features": '
                          f'[{{"$type": "app.bsky.richtext.facet#mention", "did": "{account.account_id}"}}]}}')
        for tag, start, end in post.tags:
            start, end = byte_offsets(text, start, end)
            facets.append(f'{{"index": {{"byteStart": {start}, "byteEnd": {end}}}, "features": '
                          f'[{{"$type": "app.bsky.richtext.facet#tag", "tag": {quoted(tag)}}}]}}')
        return ", ".join(facets)

    def post_record(self, post: Post, reply_root: Post | None = None, reply_parent: Post | None = None,
                    embedded: Post | None = None) -> str:
        """The app.bsky.feed.post record of `post`."""
        parts = [f'{{"$type": "app.bsky.feed.post", "createdAt": "{self.clock.iso_ms(post.ts, post.ts % 997)}", '
                 f'"langs": ["{post.lang}"], "text": {json_string(post.text)}']
        if post.mentions or post.tags:
            parts.append(', "facets": [' + self.facets(post) + "]")
        if reply_parent is not None:
            parts.append(f', "reply": {{"root": {self.strong_ref(reply_root)}, "parent": {self.strong_ref(reply_parent)}}}')
        if embedded is not None:
            parts.append(f', "embed": {{"$type": "app.bsky.embed.record", "record": {self.strong_ref(embedded)}}}')
        parts.append("}")
        return "".join(parts)

    def make_post(self, actor: Account, ts: int, topic: int | None = None, mentions: list[Account] | None = None,
                  body: str | None = None, tags: list[str] | None = None, kind: str = "post") -> Post:
        """Build (without publishing) a post."""
        topic = self.topic_of(actor) if topic is None else topic
        lang = actor.lang
        body = self.body(lang, topic) if body is None else body
        tags = self.hashtags(lang, topic) if tags is None else tags
        trail = [(m, "@" + m.handle) for m in mentions or ()]
        text, tag_spans, mention_spans = self.composer.compose(body, trail=trail, tags=tags)
        if kind == "post" and trail:
            kind = "mention"
        return Post("", actor, ts, text, lang, topic, kind, tag_spans, mention_spans)

    def publish_post(self, post: Post, reply_root: Post | None = None, reply_parent: Post | None = None,
                     embedded: Post | None = None, boost: int = 0) -> Post:
        """Write a post commit, count it and remember it."""
        record = self.post_record(post, reply_root, reply_parent, embedded)
        rkey, cid, line = self.commit(post.author, post.ts, "app.bsky.feed.post", record)
        post.post_id = f"at://{post.author.account_id}/app.bsky.feed.post/{rkey}"
        post.ref = (cid, reply_root)
        self.emit(line)
        self.count(post.kind, post.author, post.ts)
        self.mention_links += len(post.mentions)
        self.remember(post, boost)
        if self.rnd() < 0.05:
            self.recent_creates.append((post.author, "app.bsky.feed.post", rkey))
        return post

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post:
        return self.publish_post(self.make_post(actor, ts, topic, mentions, body, tags), boost=boost)

    def reply(self, actor: Account, ts: int, parent: Post) -> Post | None:
        if parent.kind == "reshare":
            parent = parent.root
        if parent.author is actor:
            return None
        post = self.make_post(actor, ts, parent.topic, tags=self.hashtags(actor.lang, parent.topic)[:1], kind="reply")
        post.parent_id, post.parent_author = parent.post_id, parent.author
        return self.publish_post(post, reply_root=parent.ref[1] or parent, reply_parent=parent)

    def quote(self, actor: Account, ts: int, quoted: Post) -> Post | None:
        """Quote-post `quoted` (an app.bsky.embed.record embed)."""
        if quoted.kind == "reshare":
            quoted = quoted.root
        if quoted.author is actor:
            return None
        post = self.make_post(actor, ts, quoted.topic, tags=self.hashtags(actor.lang, quoted.topic)[:1], kind="quote")
        post.parent_id, post.parent_author = quoted.post_id, quoted.author
        return self.publish_post(post, embedded=quoted)

    def reshare(self, actor: Account, ts: int, parent: Post) -> Post | None:
        root = parent.root or parent
        if root.author is actor or parent.author is actor:
            return None
        via = f', "via": {self.strong_ref(parent)}' if parent is not root else ""
        record = (f'{{"$type": "app.bsky.feed.repost", "createdAt": "{self.clock.iso_ms(ts, ts % 991)}", '
                  f'"subject": {self.strong_ref(root)}{via}}}')
        rkey, cid, line = self.commit(actor, ts, "app.bsky.feed.repost", record)
        post = Post(f"at://{actor.account_id}/app.bsky.feed.repost/{rkey}", actor, ts, "", root.lang, root.topic,
                    "reshare", root=root, parent_id=parent.post_id, parent_author=parent.author, hop=parent.hop + 1,
                    ref=(cid, None))
        self.emit(line)
        self.count("reshare", actor, ts)
        self.remember(post)
        self.log_reshare(post)
        return post

    def like(self, actor: Account, ts: int, target: Post) -> bool:
        target = target.root or target
        if target.author is actor:
            return False
        record = (f'{{"$type": "app.bsky.feed.like", "createdAt": "{self.clock.iso_ms(ts, ts % 983)}", '
                  f'"subject": {self.strong_ref(target)}}}')
        rkey, _, line = self.commit(actor, ts, "app.bsky.feed.like", record)
        self.emit(line)
        self.count("like", actor, ts)
        if self.rnd() < 0.01:
            self.recent_creates.append((actor, "app.bsky.feed.like", rkey))
        return True

    def follow(self, actor: Account, ts: int, target: Account) -> None:
        """Follow `target`."""
        record = (f'{{"$type": "app.bsky.graph.follow", "createdAt": "{self.clock.iso_ms(ts, ts % 977)}", '
                  f'"subject": "{target.account_id}"}}')
        _, _, line = self.commit(actor, ts, "app.bsky.graph.follow", record)
        self.emit(line)
        self.count("follow", actor, ts)

    def engage(self, actor: Account, ts: int, target: Post) -> None:
        roll = self.rnd()
        if roll < 0.5:
            self.like(actor, ts, target)
        elif roll < 0.8:
            self.reshare(actor, ts, target)
        else:
            self.reply(actor, ts, target)

    # -- defects -----------------------------------------------------------------------------

    def malformed_record(self, ts: int) -> tuple[str, str]:
        actor = self.audience.pick(self.rnd())
        post = self.make_post(actor, ts)
        _, _, line = self.commit(actor, ts, "app.bsky.feed.post", self.post_record(post), fabricate=True)
        defect = self.rng.choice(JSON_DEFECTS)
        bad_time = self.rng.choice(BAD_TIMESTAMPS)

        def mutate(record: dict, defect: str) -> None:
            if defect == "missing_id":
                del record["commit"]["rkey"]
            elif defect == "missing_author":
                del record["did"]
            elif defect == "bad_timestamp":
                record["time_us"] = bad_time
                record["commit"]["record"]["createdAt"] = bad_time
            elif defect == "wrong_type":
                record["commit"]["rkey"] = {"value": record["commit"]["rkey"]}

        return corrupt_json(self.rng, line, defect, mutate), defect


# ---------------------------------------------------------------------------------
# Mastodon
# ---------------------------------------------------------------------------------


def html_escape(text: str) -> str:
    """Escape text for Mastodon HTML content."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


class MastodonChannel(Channel):
    """Mastodon Status entities as seen from one server (mastodon.social)."""

    source = platform = "mastodon"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recent_originals: deque[Post] = deque(maxlen=300)

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        if roll < 0.004:
            self.edit_something(ts)
        if roll < 0.35:
            self.post(actor, ts)
        elif roll < 0.45:
            self.post(actor, ts, mentions=self.mention_targets(actor))
        else:
            target = self.pick_target(actor, continue_cascade=roll >= 0.70)
            if target is None:
                self.post(actor, ts)
            elif roll < 0.70:
                self.reply(actor, ts, target)
            else:
                self.reshare(actor, ts, target)

    # -- serialization ---------------------------------------------------------------------

    @staticmethod
    def acct(account: Account) -> str:
        """'alice' for local accounts, 'alice@server' for remote ones."""
        return account.handle if account.instance == HOME_INSTANCE else f"{account.handle}@{account.instance}"

    def account_json(self, account: Account, ts: int) -> str:
        """The Account entity (cached, except last_status_at)."""
        head = account.cache.get("ma")
        if head is None:
            head = account.cache["ma"] = (
                f'{{"id": "{account.account_id}", "username": "{account.handle}", "acct": "{self.acct(account)}", '
                f'"display_name": {json_string(account.display_name)}, "locked": false, '
                f'"bot": {js_bool(account.kind == "automated_amplifier" or (account.kind == "spam" and account.numeric_id % 3 == 0))}, '
                f'"discoverable": true, "group": false, "created_at": "{self.clock.date(account.created_ts)}T00:00:00.000Z", '
                f'"note": {json_string("<p>" + html_escape(account.description) + "</p>" if account.description else "")}, '
                f'"url": "https://{account.instance}/@{account.handle}", '
                f'"followers_count": {account.followers}, "following_count": {account.following}, '
                f'"statuses_count": {account.statuses}, "last_status_at": "'
            )
        return head + self.clock.date(ts) + '"}'

    def content_html(self, post: Post, text: str | None = None) -> str:
        """The HTML `content` with hashtag links and h-card mentions."""
        text = post.text if text is None else text
        out = ["<p>"]
        position = 0
        spans = [(cs, ce, a, None) for a, cs, ce in post.mentions] + [(cs, ce, None, t) for t, cs, ce in post.tags]
        for start, end, account, tag in spans:
            out.append(html_escape(text[position:start]))
            if account is not None:
                out.append(f'<span class="h-card" translate="no"><a href="https://{account.instance}/@{account.handle}" '
                           f'class="u-url mention">@<span>{account.handle}</span></a></span>')
            else:
                out.append(f'<a href="https://{HOME_INSTANCE}/tags/{tag.lower()}" class="mention hashtag" '
                           f'rel="tag">#<span>{tag}</span></a>')
            position = end
        out.append(html_escape(text[position:]))
        out.append("</p>")
        return "".join(out)

    def status_json(self, post: Post, edited_ts: int = -1, text: str | None = None) -> str:
        """Serialize an original status (post, mention or reply)."""
        author = post.author
        if post.kind == "reply":
            reply = f'"in_reply_to_id": "{post.parent_id}", "in_reply_to_account_id": "{post.parent_author.account_id}"'
        else:
            reply = '"in_reply_to_id": null, "in_reply_to_account_id": null'
        mentions = ", ".join(
            f'{{"id": "{a.account_id}", "username": "{a.handle}", "url": "https://{a.instance}/@{a.handle}", '
            f'"acct": "{self.acct(a)}"}}' for a, _, _ in post.mentions)
        tags = ", ".join(
            f'{{"name": {quoted(t.lower())}, "url": {quoted(f"https://{HOME_INSTANCE}/tags/{t.lower()}")}}}'
            for t, _, _ in post.tags)
        edited = f'"{self.clock.iso_ms(edited_ts)}"' if edited_ts >= 0 else "null"
        return (
            f'{{"id": "{post.post_id}", "created_at": "{self.clock.iso_ms(post.ts)}", {reply}, "sensitive": false, '
            f'"spoiler_text": "", "visibility": "{"unlisted" if post.ts % 17 == 0 else "public"}", '
            f'"language": "{post.lang}", "uri": "https://{author.instance}/users/{author.handle}/statuses/{post.post_id}", '
            f'"url": "https://{author.instance}/@{author.handle}/{post.post_id}", "replies_count": 0, '
            f'"reblogs_count": 0, "favourites_count": 0, "edited_at": {edited}, '
            f'"content": {json_string(self.content_html(post, text))}, "reblog": null, '
            f'"account": {self.account_json(author, post.ts)}, "media_attachments": [], '
            f'"mentions": [{mentions}], "tags": [{tags}], "emojis": []}}'
        )

    def reblog_json(self, post: Post) -> str:
        """Serialize a reblog: empty content, `reblog` is the original status."""
        author = post.author
        uri = f"https://{author.instance}/users/{author.handle}/statuses/{post.post_id}/activity"
        return (
            f'{{"id": "{post.post_id}", "created_at": "{self.clock.iso_ms(post.ts)}", "in_reply_to_id": null, '
            f'"in_reply_to_account_id": null, "sensitive": false, "spoiler_text": "", "visibility": "public", '
            f'"language": null, "uri": "{uri}", "url": "https://{author.instance}/@{author.handle}/{post.post_id}", '
            f'"replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": null, "content": "", '
            f'"reblog": {post.root.json}, "account": {self.account_json(author, post.ts)}, '
            f'"media_attachments": [], "mentions": [], "tags": [], "emojis": []}}'
        )

    # -- actions ------------------------------------------------------------------------------

    def make_post(self, actor: Account, ts: int, topic: int | None = None, mentions: list[Account] | None = None,
                  body: str | None = None, tags: list[str] | None = None, parent: Post | None = None) -> Post:
        """Build (without publishing) a status."""
        topic = (parent.topic if parent else self.topic_of(actor)) if topic is None else topic
        lang = actor.lang
        body = self.body(lang, topic) if body is None else body
        tags = self.hashtags(lang, topic) if tags is None else tags
        trail = [(m, "@" + self.acct(m)) for m in mentions or ()]
        lead = [(parent.author, "@" + self.acct(parent.author))] if parent else []
        text, tag_spans, mention_spans = self.composer.compose(body, lead=lead, trail=trail, tags=tags)
        kind = "reply" if parent else "mention" if trail else "post"
        post = Post(self.ids.mastodon(ts), actor, ts, text, lang, topic, kind, tag_spans, mention_spans)
        if parent:
            post.parent_id, post.parent_author = parent.post_id, parent.author
        return post

    def publish(self, post: Post, boost: int = 0) -> Post:
        """Write an original status, count it and remember it."""
        post.json = self.status_json(post)
        self.emit(post.json)
        self.count(post.kind, post.author, post.ts)
        if post.mentions:
            self.mention_links += len(post.mentions) - (post.kind == "reply")
        self.remember(post, boost)
        self.recent_originals.append(post)
        return post

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post:
        return self.publish(self.make_post(actor, ts, topic, mentions, body, tags), boost)

    def reply(self, actor: Account, ts: int, parent: Post) -> Post | None:
        if parent.kind == "reshare":
            parent = parent.root
        if parent.author is actor:
            return None
        return self.publish(self.make_post(actor, ts, tags=self.hashtags(actor.lang, parent.topic)[:1], parent=parent))

    def reshare(self, actor: Account, ts: int, parent: Post) -> Post | None:
        root = parent.root or parent
        if root.author is actor or parent.author is actor:
            return None
        post = Post(self.ids.mastodon(ts), actor, ts, "", root.lang, root.topic, "reshare", root=root,
                    parent_id=parent.post_id, parent_author=parent.author, hop=parent.hop + 1)
        self.emit(self.reblog_json(post))
        self.count("reshare", actor, ts)
        self.remember(post)
        self.log_reshare(post)
        return post

    def edit_something(self, ts: int) -> None:
        """Re-emit a recent status with a newer `edited_at` and changed content (not a duplicate)."""
        if not self.recent_originals:
            return
        post = self.recent_originals[int(self.rnd() * len(self.recent_originals))]
        if post.ts >= ts or not self.ctx.can_act(post.author, ts):
            return
        addition = {"en": "(edit: typo)", "fr": "(modifié)", "fi": "(muokattu)", "no": "(redigert)", "zh": "（已编辑）"}
        self.emit(self.status_json(post, edited_ts=ts, text=post.text + " " + addition[post.lang]))
        self.bump("edits")

    # -- defects ---------------------------------------------------------------------------------

    def malformed_record(self, ts: int) -> tuple[str, str]:
        post = self.make_post(self.audience.pick(self.rnd()), ts)
        defect = self.rng.choice(JSON_DEFECTS)
        bad_time = self.rng.choice(BAD_TIMESTAMPS)

        def mutate(record: dict, defect: str) -> None:
            if defect == "wrong_type":
                record["id"] = {"value": record["id"]}
            else:
                mutate_fields(record, defect, ("id",), ("account",), ("created_at",), bad_time)

        return corrupt_json(self.rng, self.status_json(post), defect, mutate), defect


# ---------------------------------------------------------------------------------
# Reddit
# ---------------------------------------------------------------------------------

SUBREDDITS: tuple[tuple[str, ...], ...] = (
    ("soccer", "PremierLeague"), ("MachineLearning", "artificial", "LocalLLaMA"), ("climate", "climatechange"),
    ("Cooking", "recipes"), ("Music", "WeAreTheMusicMakers"), ("personalfinance", "investing", "stocks"),
    ("gaming", "Games", "pcgaming"), ("travel", "solotravel"), ("Health", "Fitness"),
    ("politics", "worldnews"), ("space", "nasa"), ("femalefashionadvice", "malefashionadvice"),
)
LANGUAGE_SUBREDDITS: dict[str, tuple[str, ...]] = {"fr": ("france", "Quebec"), "fi": ("Suomi",), "no": ("norge",),
                                                  "zh": ("China_irl",), "en": ()}


class RedditChannel(Channel):
    """Reddit Pushshift dump: submissions and comments mixed."""

    source = platform = "reddit"
    P_DELETED = 0.02

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted({s for group in SUBREDDITS for s in group} | {s for g in LANGUAGE_SUBREDDITS.values() for s in g})
        self.subreddit_ids = {name: "t5_" + base36(36 ** 4 + index * 7919) for index, name in enumerate(names)}

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        if roll < 0.24:
            self.post(actor, ts)
        elif roll < 0.28:
            self.post(actor, ts, mentions=self.mention_targets(actor))
        else:
            target = self.pick_target(actor, continue_cascade=True)
            if target is None:
                self.post(actor, ts)
            else:
                self.reply(actor, ts, target)

    def created_utc(self, ts: int) -> str:
        """created_utc as dumps have it: usually an int, sometimes a string or a float."""
        roll = self.rnd()
        if roll < 0.05:
            return f'"{ts}"'
        if roll < 0.10:
            return f"{ts}.0"
        return str(ts)

    def subreddit(self, actor: Account, topic: int) -> str:
        """Topic subreddit, or the language subreddit for some non-English posts."""
        local = LANGUAGE_SUBREDDITS[actor.lang]
        if local and self.rnd() < 0.5:
            return local[int(self.rnd() * len(local))]
        options = SUBREDDITS[topic]
        return options[int(self.rnd() * len(options))]

    def author_fields(self, actor: Account) -> tuple[str, bool]:
        """The author fields, and whether the author shows as [deleted]."""
        if self.rnd() < self.P_DELETED:
            return '"author": "[deleted]"', True
        return f'"author": "{actor.handle}", "author_fullname": "{actor.alt_id}"', False

    def submission_json(self, post: Post, author: str, deleted: bool) -> str:
        """Serialize a submission."""
        subreddit, slug, selftext = post.ref
        title = post.text
        selftext = "[deleted]" if deleted else selftext
        permalink = f"/r/{subreddit}/comments/{post.post_id}/{slug}/"
        return (
            f'{{"id": "{post.post_id}", "name": "t3_{post.post_id}", {author}, "created_utc": {self.created_utc(post.ts)}, '
            f'"subreddit": "{subreddit}", "subreddit_id": "{self.subreddit_ids[subreddit]}", '
            f'"title": {json_string(title)}, "selftext": {json_string(selftext)}, "is_self": true, '
            f'"url": "https://www.reddit.com{permalink}", "permalink": "{permalink}", '
            f'"num_comments": {int(self.rnd() * 4)}, "score": {max(0, int(self.rng.paretovariate(1.4)) - 1)}, '
            f'"upvote_ratio": {0.5 + int(self.rnd() * 50) / 100:.2f}, "over_18": false, "edited": false, '
            f'"retrieved_on": {post.ts + 3600 + int(self.rnd() * 86400)}}}'
        )

    def comment_json(self, post: Post, author: str, deleted: bool) -> str:
        """Serialize a comment."""
        subreddit, link_id, slug = post.ref
        edited = str(post.ts + 60 + int(self.rnd() * 7200)) if self.rnd() < 0.03 else "false"
        body = "[deleted]" if deleted else post.text
        return (
            f'{{"id": "{post.post_id}", "name": "t1_{post.post_id}", {author}, "created_utc": {self.created_utc(post.ts)}, '
            f'"subreddit": "{subreddit}", "subreddit_id": "{self.subreddit_ids[subreddit]}", '
            f'"body": {json_string(body)}, "parent_id": "{post.parent_id}", "link_id": "t3_{link_id}", '
            f'"permalink": "/r/{subreddit}/comments/{link_id}/{slug}/{post.post_id}/", '
            f'"score": {max(-3, int(self.rng.paretovariate(1.6)) - 1)}, "controversiality": 0, "edited": {edited}, '
            f'"retrieved_on": {post.ts + 3600 + int(self.rnd() * 86400)}}}'
        )

    def make_submission(self, actor: Account, ts: int, topic: int | None = None,
                        mentions: list[Account] | None = None, body: str | None = None) -> Post:
        """Build (without publishing) a submission."""
        topic = self.topic_of(actor) if topic is None else topic
        lang = actor.lang
        title = self.composer.body(lang, topic, 5 + int(self.rnd() * 8))
        trail = [(m, "u/" + m.handle) for m in mentions or ()]
        text = body if body is not None else self.body(lang, topic, long=self.rnd() < 0.5) if self.rnd() < 0.7 else ""
        selftext, _, mention_spans = self.composer.compose(text, trail=trail)
        selftext = selftext.strip()
        post_id = self.ids.submission()
        slug = "_".join("".join(c for c in word if c.isalnum()) for word in title.lower().split()[:6])[:50].strip("_")
        post = Post(post_id, actor, ts, title, lang, topic, "post", mentions=mention_spans)
        post.ref = (self.subreddit(actor, topic), slug, selftext)
        post.conversation_id = post_id
        return post

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post:
        post = self.make_submission(actor, ts, topic, mentions, body)
        author, deleted = self.author_fields(actor)
        self.emit(self.submission_json(post, author, deleted))
        self.finish(post, deleted, boost)
        return post

    def reply(self, actor: Account, ts: int, parent: Post, body: str | None = None) -> Post | None:
        if parent.author is actor:
            return None
        link_id = parent.conversation_id
        subreddit, slug = parent.ref[0], (parent.ref[1] if parent.kind != "reply" else parent.ref[2])
        text = self.body(actor.lang, parent.topic, long=self.rnd() < 0.3) if body is None else body
        prefix = "t1_" if parent.kind == "reply" else "t3_"
        post = Post(self.ids.comment(), actor, ts, text, actor.lang, parent.topic, "reply",
                    parent_id=prefix + parent.post_id, parent_author=parent.author, conversation_id=link_id)
        post.ref = (subreddit, link_id, slug)
        author, deleted = self.author_fields(actor)
        self.emit(self.comment_json(post, author, deleted))
        self.finish(post, deleted, 0)
        return post

    def finish(self, post: Post, deleted: bool, boost: int) -> None:
        """Count the record (unless its author is [deleted]) and remember it."""
        if deleted:
            self.bump("deleted_authors")
        else:
            self.count(post.kind, post.author, post.ts)
        if post.kind == "reply":
            self.reshare_pool.add(post, self.copies(post.author) + boost)
        else:
            self.pool.add(post, self.copies(post.author) + boost)

    def engage(self, actor: Account, ts: int, target: Post) -> None:
        self.reply(actor, ts, target)

    def malformed_record(self, ts: int) -> tuple[str, str]:
        actor = self.audience.pick(self.rnd())
        post = self.make_submission(actor, ts)
        line = self.submission_json(post, f'"author": "{actor.handle}", "author_fullname": "{actor.alt_id}"', False)
        defect = self.rng.choice(JSON_DEFECTS)
        bad_time = self.rng.choice(BAD_TIMESTAMPS)

        def mutate(record: dict, defect: str) -> None:
            if defect == "wrong_type":
                record["id"] = {"$oid": record["id"]}
            else:
                mutate_fields(record, defect, ("id", "name"), ("author", "author_fullname"), ("created_utc",), bad_time)

        return corrupt_json(self.rng, line, defect, mutate), defect


# ---------------------------------------------------------------------------------
# Facebook
# ---------------------------------------------------------------------------------

REACTIONS = ("LIKE",) * 14 + ("LOVE",) * 3 + ("HAHA", "WOW", "SAD", "ANGRY")


@dataclass(slots=True)
class PageDocument:
    """An open `page-<pageid>-<yyyymm>.json` file.

    Attributes:
        name: File name.
        handle: Open text file.
        items: Number of entries written to its `data` array.
        last_id: Id of the last post written (for the paging cursor).
    """

    name: str
    handle: Any
    items: int = 0
    first_id: str = ""
    last_id: str = ""


def cursor(text: str) -> str:
    """A Graph API style paging cursor."""
    return base64.b64encode(text.encode("ascii")).decode("ascii").rstrip("=")


class FacebookChannel(Channel):
    """Facebook Graph API page exports: one JSON document per page per month.

    Each post carries its comments (with replies) and reactions. Malformed items sit
    inside otherwise valid documents and are located by JSON path.
    """

    source = platform = "facebook"
    FACEBOOK_DEFECTS = ("missing_id", "bad_timestamp", "wrong_type")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents: dict[str, PageDocument] = {}
        self.month = ""
        self.files = 0
        self.pending_page_duplicates: dict[str, list[str]] = {}
        self.pending_malformed_posts: list[tuple[str, str]] = []

    def _make_writer(self) -> RollingWriter:
        self.directory.mkdir(parents=True, exist_ok=True)
        return RollingWriter(self.directory, "unused-{:05d}")

    # -- documents --------------------------------------------------------------------------

    def document(self, page: Account, ts: int) -> PageDocument:
        """The open document of `page` for the month of `ts` (opening it if needed)."""
        doc = self.documents.get(page.account_id)
        month = self.clock.date(ts)[:7].replace("-", "")
        name = f"page-{page.account_id}-{month}.json"
        if doc is not None and doc.name == name:
            return doc
        if doc is not None:
            self.close_document(page.account_id)
        doc = PageDocument(name, open_binary(self.directory / name, buffer_size=1 << 15))  # many are open at once
        doc.handle.write(b'{"data": [\n')
        self.documents[page.account_id] = doc
        self.files += 1
        for post_json in self.pending_page_duplicates.pop(page.account_id, []):
            self.write_item(doc, post_json)
            self.duplicates += 1
            self.records += 1
            self.ctx.truth.duplicate(self.source, name, f"data[{doc.items - 1}]")
        return doc

    @staticmethod
    def write_item(doc: PageDocument, item: str) -> int:
        """Append an entry to the document's `data`; return its index."""
        doc.handle.write(((",\n" if doc.items else "") + item).encode("utf-8"))
        doc.items += 1
        return doc.items - 1

    def close_document(self, page_id: str) -> None:
        """Write the paging envelope and close a page document."""
        doc = self.documents.pop(page_id)
        after = cursor(doc.last_id or page_id)
        doc.handle.write(
            f'\n], "paging": {{"cursors": {{"before": "{cursor(doc.first_id or page_id)}", "after": "{after}"}}, '
            f'"next": "https://graph.facebook.com/v19.0/{page_id}/posts?limit=25&after={after}"}}}}\n'.encode("utf-8"))
        doc.handle.close()

    def roll(self) -> None:
        for page_id in list(self.documents):
            self.close_document(page_id)

    def close(self) -> None:
        self.roll()
        self.writer.close()

    # -- actions ------------------------------------------------------------------------------

    def organic(self, actor: Account, ts: int) -> None:
        self.post(actor, ts)

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post:
        topic = self.topic_of(actor) if topic is None else topic
        lang = actor.lang
        if mentions is None and self.rnd() < 0.15:
            mentions = self.mention_targets(actor)
        trail = [(m, m.display_name) for m in mentions or ()]
        body = self.body(lang, topic, long=self.rnd() < 0.3) if body is None else body
        tags = self.hashtags(lang, topic) if tags is None else tags
        text, tag_spans, mention_spans = self.composer.compose(body, trail=trail, tags=tags)
        post_number = self.ids.facebook_post_id()
        post = Post(f"{actor.account_id}_{post_number}", actor, ts, text, lang, topic,
                    "mention" if trail else "post", tag_spans, mention_spans)
        doc = self.document(actor, ts)
        self.count(post.kind, actor, ts)
        self.mention_links += len(post.mentions)
        comments, n_records = self.comments(post, post_number, boost)
        reactions = self.reactions(post, boost)
        n_records += 1 + reactions[1]
        index = doc.items
        comments = self.inject_defects(comments, n_records, doc, index, post_number, ts)
        post_json = self.post_json(post, comments, reactions[0])
        self.write_item(doc, post_json)
        doc.last_id = post.post_id
        doc.first_id = doc.first_id or post.post_id
        self.records += n_records
        self.remember(post, boost)
        if self.rnd() < P_DUPLICATE * 1.5:
            self.pending_page_duplicates.setdefault(actor.account_id, []).append(post_json)
        for item, defect in self.pending_malformed_posts:
            position = self.write_item(doc, item)
            self.ctx.truth.malformed(self.source, doc.name, f"data[{position}]", defect)
        self.pending_malformed_posts = []
        return post

    def post_json(self, post: Post, comments: list[str], reactions: str) -> str:
        """Serialize a page post with its comments and reactions."""
        page = post.author
        tags = ""
        if post.mentions:
            tags = ', "message_tags": [' + ", ".join(
                f'{{"id": "{a.account_id}", "name": {json_string(a.display_name)}, '
                f'"type": "{"page" if a.is_page else "user"}", "offset": {cs}, "length": {ce - cs}}}'
                for a, cs, ce in post.mentions) + "]"
        comment_block = ""
        if comments:
            comment_block = (f', "comments": {{"data": [{", ".join(comments)}], "paging": {{"cursors": '
                             f'{{"before": "{cursor(post.post_id + "b")}", "after": "{cursor(post.post_id + "a")}"}}}}}}')
        return (
            f'{{"id": "{post.post_id}", "created_time": "{self.clock.facebook(post.ts)}", '
            f'"message": {json_string(post.text)}, "from": {{"id": "{page.account_id}", '
            f'"name": {json_string(page.display_name)}}}{tags}, "shares": {{"count": {int(self.rng.paretovariate(1.3)) - 1}}}'
            f'{comment_block}{reactions}}}'
        )

    def engagement_scale(self, page: Account, boost: int) -> float:
        """Mean engagement per post grows with the page's audience."""
        return math.log10(page.followers + 10) * (1 + boost)

    def comments(self, post: Post, post_number: str, boost: int) -> tuple[list[str], int]:
        """Comments (with replies) on `post`; returns the JSON items and the record count."""
        scale = self.engagement_scale(post.author, boost)
        n_comments = min(60, int(self.rng.expovariate(1 / (0.8 * scale))))
        items: list[str] = []
        n_records = 0
        times = sorted(post.ts + 30 + int(self.rng.expovariate(1 / 5400)) for _ in range(n_comments))
        for ts in times:
            commenter = self.engagers.pick(self.rnd())
            if commenter is None or not self.ctx.can_act(commenter, ts):
                continue
            replies = []
            reply_ts = ts
            for _ in range(int(self.rng.expovariate(1.6)) if self.rnd() < 0.3 else 0):
                reply_ts += 30 + int(self.rng.expovariate(1 / 3600))
                replier = post.author if self.rnd() < 0.3 else self.engagers.pick(self.rnd())
                if replier is not None and self.ctx.can_act(replier, reply_ts):
                    replies.append(self.comment_json(replier, reply_ts, post, post_number, ""))
            items.append(self.comment_json(commenter, ts, post, post_number, ", ".join(replies)))
            n_records += 1 + len(replies)
        return items, n_records

    def comment_json(self, actor: Account, ts: int, post: Post, post_number: str, replies: str) -> str:
        """One comment (or reply); some lack `from`, as without page permissions."""
        text = self.body(actor.lang, post.topic)
        if self.rnd() < 0.04:
            author = ""
            self.bump("comments_without_from")
        else:
            author = f', "from": {{"id": "{actor.account_id}", "name": {json_string(actor.display_name)}}}'
            self.count("reply", actor, ts)
        nested = f', "comments": {{"data": [{replies}]}}' if replies else ""
        return (f'{{"id": "{post_number}_{self.ids.facebook_comment_id()}", "created_time": "{self.clock.facebook(ts)}", '
                f'"message": {json_string(text)}{author}{nested}}}')

    def reactions(self, post: Post, boost: int) -> tuple[str, int]:
        """The reactions block of `post` and the number of reactions."""
        scale = self.engagement_scale(post.author, boost)
        n_reactions = min(400, int(self.rng.expovariate(1 / (2.5 * scale))))
        seen: set[str] = set()
        items = []
        for _ in range(n_reactions):
            actor = self.engagers.pick(self.rnd())
            if actor is None or actor is post.author or actor.account_id in seen:
                continue
            seen.add(actor.account_id)
            items.append(f'{{"id": "{actor.account_id}", "name": {json_string(actor.display_name)}, '
                         f'"type": "{REACTIONS[int(self.rnd() * len(REACTIONS))]}"}}')
            self.count("like", actor, post.ts)
        if not items:
            return "", 0
        return (f', "reactions": {{"data": [{", ".join(items)}], "paging": {{"cursors": '
                f'{{"before": "{cursor(post.post_id + "r")}", "after": "{cursor(post.post_id + "s")}"}}}}}}', len(items))

    def inject_defects(self, comments: list[str], n_records: int, doc: PageDocument, index: int,
                       post_number: str, ts: int) -> list[str]:
        """Insert defective comments into `comments`, or queue defective posts to follow this one.

        Args:
            comments: Valid comment items of the post at `data[index]`.
            n_records: Valid records in the post (each has a small chance of a defect).
            doc: The page document.
            index: Position of the post in the document's `data`.
            post_number: Post id without the page prefix.
            ts: Time of the post.

        Returns:
            The comment items, defective ones included.
        """
        n_defects = sum(1 for _ in range(n_records) if self.rnd() < P_MALFORMED)
        if not n_defects:
            return comments
        items: list[tuple[str, str]] = [(comment, "") for comment in comments]
        for _ in range(n_defects):
            defect = self.rng.choice(self.FACEBOOK_DEFECTS)
            self.malformed += 1
            self.records += 1
            if items and self.rnd() < 0.6:
                item_id = f"{post_number}_{self.ids.facebook_comment_id()}"
                items.insert(int(self.rnd() * (len(items) + 1)), (self.defective_item(defect, item_id, ts), defect))
            else:
                item_id = f"{doc.name.split('-')[1]}_{self.ids.facebook_post_id()}"
                self.pending_malformed_posts.append((self.defective_item(defect, item_id, ts), defect))
        for position, (_, defect) in enumerate(items):
            if defect:
                self.ctx.truth.malformed(self.source, doc.name, f"data[{index}].comments.data[{position}]", defect)
        return [item for item, _ in items]

    def defective_item(self, defect: str, item_id: str, ts: int) -> str:
        """A post or comment object exhibiting `defect`."""
        actor = self.engagers.pick(self.rnd()) or self.accounts[0]
        item: dict[str, Any] = {
            "id": item_id, "created_time": self.clock.facebook(ts),
            "message": self.body(actor.lang, actor.topics[0]),
            "from": {"id": actor.account_id, "name": actor.display_name},
        }
        if defect == "missing_id":
            del item["id"]
        elif defect == "bad_timestamp":
            item["created_time"] = self.rng.choice(BAD_TIMESTAMPS)
        else:
            item["id"] = {"value": item_id}
        return json.dumps(item)

    def malformed_record(self, ts: int) -> tuple[str, str]:
        raise NotImplementedError("Facebook defects are placed inside documents")

    def summary(self) -> dict[str, Any]:
        result = super().summary()
        result["files"] = self.files
        return result


# ---------------------------------------------------------------------------------
# Weibo
# ---------------------------------------------------------------------------------

WEIBO_SOURCES = tuple(json_string(source) for source in (
    '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
    '<a href="https://app.weibo.com/t/feed/5yiHuw" rel="nofollow">iPhone客户端</a>',
    '<a href="https://app.weibo.com/t/feed/3G5oUM" rel="nofollow">Android客户端</a>',
))
REPOST_REASONS = ("转发微博", "说得好", "支持！", "哈哈哈", "值得一看", "同意", "mark", "太真实了", "转发", "学习了")
MAX_REPOST_CHAIN = 6


class WeiboChannel(Channel):
    """Weibo statuses; reposts point at the root and chain reasons with `//@name:`."""

    source = platform = "weibo"

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        if roll < 0.38:
            self.post(actor, ts)
        elif roll < 0.48:
            self.post(actor, ts, mentions=self.mention_targets(actor))
        else:
            target = self.pick_target(actor, continue_cascade=True)
            if target is None:
                self.post(actor, ts)
            else:
                self.reshare(actor, ts, target)

    def user_json(self, account: Account) -> str:
        """The Weibo user object (cached)."""
        cached = account.cache.get("wb")
        if cached is None:
            cached = account.cache["wb"] = (
                f'{{"id": {account.numeric_id}, "idstr": "{account.account_id}", '
                f'"screen_name": {json_string(account.handle)}, "name": {json_string(account.display_name)}, '
                f'"province": "{11 + account.numeric_id % 60}", "city": "{1 + account.numeric_id % 20}", '
                f'"location": {json_string(account.location)}, "description": {json_string(account.description)}, '
                f'"url": "", "profile_image_url": "https://tvax1.sinaimg.cn/crop.0.0.512.512.50/{account.numeric_id:x}.jpg", '
                f'"gender": "{"mf"[account.numeric_id % 2]}", "followers_count": {account.followers}, '
                f'"friends_count": {account.following}, "statuses_count": {account.statuses}, '
                f'"favourites_count": {account.favourites}, "created_at": "{self.clock.weibo(account.created_ts)}", '
                f'"verified": {js_bool(account.verified)}, "lang": "zh-cn"}}'
            )
        return cached

    def status_json(self, post: Post) -> str:
        """Serialize a status (a repost embeds the root status)."""
        retweeted = f', "retweeted_status": {post.root.json}' if post.root is not None else ""
        return (
            f'{{"created_at": "{self.clock.weibo(post.ts)}", "id": {post.post_id}, "idstr": "{post.post_id}", '
            f'"mid": "{post.post_id}", "text": {json_string(post.text)}, "source": {WEIBO_SOURCES[post.ts % 3]}, '
            f'"favorited": false, "truncated": false, "in_reply_to_status_id": "", "in_reply_to_user_id": "", '
            f'"in_reply_to_screen_name": "", "pic_urls": [], "geo": null, "user": {self.user_json(post.author)}'
            f'{retweeted}, "reposts_count": {int(self.rng.paretovariate(2)) - 1}, '
            f'"comments_count": {int(self.rng.paretovariate(2)) - 1}, "attitudes_count": {int(self.rng.paretovariate(1.5)) - 1}}}'
        )

    def make_post(self, actor: Account, ts: int, topic: int | None = None, mentions: list[Account] | None = None,
                  body: str | None = None, tags: list[str] | None = None) -> Post:
        """Build (without publishing) an original status."""
        topic = self.topic_of(actor) if topic is None else topic
        lang = actor.lang
        body = self.body(lang, topic) if body is None else body
        tags = (self.composer.pick_hashtags(lang, topic, 1) if self.rnd() < 0.7 else []) if tags is None else tags
        trail = [(m, "@" + m.handle) for m in mentions or ()]
        text, tag_spans, mention_spans = self.composer.compose(body, trail=trail, tags=tags, weibo_style=True)
        return Post(str(self.ids.weibo(ts)), actor, ts, text, lang, topic, "mention" if trail else "post",
                    tag_spans, mention_spans)

    def post(self, actor: Account, ts: int, topic: int | None = None, *, mentions: list[Account] | None = None,
             body: str | None = None, tags: list[str] | None = None, boost: int = 0) -> Post:
        post = self.make_post(actor, ts, topic, mentions, body, tags)
        post.json = self.status_json(post)
        self.emit(post.json)
        self.count(post.kind, actor, ts)
        self.mention_links += len(post.mentions)
        self.remember(post, boost)
        return post

    def reshare(self, actor: Account, ts: int, parent: Post) -> Post | None:
        root = parent.root or parent
        if root.author is actor or parent.author is actor:
            return None
        reason = REPOST_REASONS[int(self.rnd() * len(REPOST_REASONS))]
        if parent is not root:
            chain = parent.text.split("//@")[: MAX_REPOST_CHAIN - 1]
            reason = f"{reason}//@{parent.author.handle}:" + "//@".join(chain)
        post = Post(str(self.ids.weibo(ts)), actor, ts, reason, root.lang, root.topic, "reshare", root=root,
                    parent_id=parent.post_id, parent_author=parent.author, hop=parent.hop + 1)
        self.emit(self.status_json(post))
        self.count("reshare", actor, ts)
        self.remember(post)
        self.log_reshare(post)
        return post

    def engage(self, actor: Account, ts: int, target: Post) -> None:
        self.reshare(actor, ts, target)

    def malformed_record(self, ts: int) -> tuple[str, str]:
        post = self.make_post(self.audience.pick(self.rnd()), ts)
        defect = self.rng.choice(JSON_DEFECTS)
        bad_time = self.rng.choice(BAD_TIMESTAMPS)

        def mutate(record: dict, defect: str) -> None:
            mutate_fields(record, defect, ("id", "idstr", "mid"), ("user",), ("created_at",), bad_time)

        return corrupt_json(self.rng, self.status_json(post), defect, mutate), defect


# ---------------------------------------------------------------------------------
# SNAP edges
# ---------------------------------------------------------------------------------

EDGE_EVENT = {"RT": "reshare", "MT": "mention", "RE": "reply"}


class EdgesChannel(Channel):
    """SNAP activity lines `userA userB unix_ts RT|MT|RE` between anonymised integer ids."""

    source = "edges"
    platform = "snap"
    file_pattern = "activity-{:05d}.txt"

    def _make_writer(self) -> RollingWriter:
        return RollingWriter(self.directory, self.file_pattern, gzip_mode="odd", on_new_file=self._flush_duplicates)

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        target = self.audience.pick(self.rnd())
        if target is actor:
            return
        self.edge(actor, target, ts, "RT" if roll < 0.55 else "MT" if roll < 0.85 else "RE")

    def edge(self, actor: Account, target: Account, ts: int, code: str) -> None:
        """Write one interaction line."""
        self.emit(f"{actor.account_id} {target.account_id} {ts} {code}")
        self.count(EDGE_EVENT[code], actor, ts)

    def malformed_record(self, ts: int) -> tuple[str, str]:
        first, second = self.audience.pick(self.rnd()), self.audience.pick(self.rnd())
        defect = self.rng.choice(("wrong_field_count", "unknown_type", "bad_timestamp"))
        if defect == "wrong_field_count":
            line = f"{first.account_id} {second.account_id} {ts}" if self.rnd() < 0.7 else \
                f"{first.account_id} {second.account_id} {ts} RT {ts}"
        elif defect == "unknown_type":
            line = f"{first.account_id} {second.account_id} {ts} XX"
        else:
            not_a_time = self.rng.choice(("yesterday", "n/a", "2026-10-01T12:00:00Z"))
            line = f"{first.account_id} {second.account_id} {not_a_time} RT"
        return line, defect


# ---------------------------------------------------------------------------------
# Research CSV
# ---------------------------------------------------------------------------------

RESEARCH_USER_COLUMNS = (
    "id", "name", "screen_name", "statuses_count", "followers_count", "friends_count", "favourites_count",
    "listed_count", "created_at", "url", "lang", "time_zone", "location", "default_profile",
    "default_profile_image", "geo_enabled", "verified", "description", "updated", "dataset",
)


class LineCatcher:
    """File-like object keeping the last string written (to format CSV rows)."""

    __slots__ = ("line",)

    def __init__(self) -> None:
        self.line = ""

    def write(self, text: str) -> None:
        """Keep `text`."""
        self.line = text


class ResearchChannel(Channel):
    """Cresci-style research dataset: users.csv and one gzipped tweets.csv.gz."""

    source = "research_csv"
    platform = "research"

    def _make_writer(self) -> RollingWriter:
        writer = RollingWriter(self.directory, "tweets.csv", max_lines=1 << 62, gzip_mode="all")
        self.line_catcher = LineCatcher()
        self.csv = csv.writer(self.line_catcher, lineterminator="")
        self.delayed_duplicates: deque[tuple[int, str]] = deque()
        writer.write("user_id,id,created_at,text")
        return writer

    def csv_line(self, row: tuple[str, ...]) -> str:
        """Format one CSV row (quoted where needed) without its line end."""
        self.csv.writerow(row)
        return self.line_catcher.line

    def write_users(self, end_ts: int) -> None:
        """Write users.csv: every research account, plus a few defective rows."""
        with open_text(self.directory / "users.csv") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(RESEARCH_USER_COLUMNS)
            line = 1
            for account in self.accounts:
                writer.writerow(self.user_row(account, end_ts))
                line += 1
                if self.rnd() < P_MALFORMED:
                    row, defect = self.defective_user_row(self.user_row(account, end_ts))
                    writer.writerow(row)
                    line += 1
                    self.ctx.truth.malformed(self.source, "users.csv", line, defect)
                    self.malformed += 1
        self.records += line - 1
        self.bump("users_csv_rows", line - 1)

    def user_row(self, account: Account, end_ts: int) -> list[str]:
        """One users.csv row."""
        flag = lambda value: "1" if value else ""  # noqa: E731
        updated = end_ts - 86400 * (1 + account.numeric_id % 40) - account.numeric_id % 86400
        return [
            account.account_id, account.display_name, account.handle, str(account.statuses), str(account.followers),
            str(account.following), str(account.favourites), str(account.listed), self.clock.twitter(account.created_ts),
            "" if account.numeric_id % 3 else f"http://t.co/{account.numeric_id % 99991:x}", account.lang,
            account.tz_name, account.location, flag(account.default_profile), flag(account.default_profile_image),
            flag(account.numeric_id % 5 == 0 and account.kind == "genuine"), flag(account.verified),
            account.description, self.clock.sql(updated), "fake" if account.kind == "fake_follower" else "genuine",
        ]

    def defective_user_row(self, row: list[str]) -> tuple[list[str], str]:
        """A defective row for a new user derived from `row`."""
        if self.rnd() < 0.5:
            row[0] = self.rng.choice(("n/a", "user_" + row[2], row[0] + "x"))
            return row, "bad_user_id"
        row[0] = str(10 ** 10 + int(self.rnd() * 10 ** 9))
        row[8] = self.rng.choice(BAD_TIMESTAMPS)
        return row, "bad_timestamp"

    def organic(self, actor: Account, ts: int) -> None:
        roll = self.rnd()
        topic = self.topic_of(actor)
        body = self.body(actor.lang, topic)
        if roll < 0.55:
            text, kind = self.composer.compose(body, tags=self.hashtags(actor.lang, topic))[0], "post"
        else:
            target = self.audience.pick(self.rnd())
            if target is actor:
                return
            if roll < 0.8:
                text, kind = f"RT @{target.handle}: {body}", "reshare"
            else:
                text, kind = self.composer.compose(body, trail=[(target, "@" + target.handle)])[0], "mention"
        self.emit_row((actor.account_id, self.ids.tweet(ts), self.clock.twitter(ts), text))
        self.count(kind, actor, ts)
        self.mention_links += kind == "mention"

    def emit_row(self, row: tuple[str, ...]) -> None:
        """Write a tweets.csv row; queue some to be repeated later in the file."""
        line = self.csv_line(row)
        writer = self.writer
        writer.write(line)
        self.records += 1
        roll = self.rnd()
        if roll < P_DUPLICATE:
            self.delayed_duplicates.append((writer.lines + 50 + int(self.rnd() * 5000), line))
        elif roll < P_DUPLICATE + P_MALFORMED:
            self.write_malformed_row(row)
        while self.delayed_duplicates and self.delayed_duplicates[0][0] <= writer.lines:
            self.write_duplicate(self.delayed_duplicates.popleft()[1])

    def write_duplicate(self, line: str) -> None:
        """Repeat an earlier row (exact copy), as concatenated crawls do."""
        number = self.writer.write(line)
        self.records += 1
        self.duplicates += 1
        self.ctx.truth.duplicate(self.source, self.writer.name, number)

    def write_malformed_row(self, row: tuple[str, ...]) -> None:
        """Write a row with a non-numeric user_id or an unparseable created_at."""
        user_id, _, created_at, text = row
        if self.rnd() < 0.5:
            bad = (self.rng.choice(("n/a", "@" + self.audience.pick(self.rnd()).handle, user_id + "abc")),
                   self.ids.tweet(self.ctx.now), created_at, text)
            defect = "bad_user_id"
        else:
            bad = (user_id, self.ids.tweet(self.ctx.now), self.rng.choice(BAD_TIMESTAMPS), text)
            defect = "bad_timestamp"
        number = self.writer.write(self.csv_line(bad))
        self.records += 1
        self.malformed += 1
        self.ctx.truth.malformed(self.source, self.writer.name, number, defect)

    def close(self) -> None:
        while self.delayed_duplicates:
            self.write_duplicate(self.delayed_duplicates.popleft()[1])
        self.writer.close()

    def roll(self) -> None:
        """The research dataset is a single file."""

    def malformed_record(self, ts: int) -> tuple[str, str]:
        raise NotImplementedError("research rows get their defects in emit_row")


# ---------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------


class Scheduler:
    """Future actions (planted behaviour), executed in time order.

    Args:
        ctx: Shared state (its `now` is set before each action).
        start_ts: Epoch second of day 0 (hour indexes count from it).
    """

    def __init__(self, ctx: Context, start_ts: int) -> None:
        self.ctx = ctx
        self.start_ts = start_ts
        self.heap: list[tuple[int, int, Callable[..., None], tuple]] = []
        self.sequence = 0
        self.due: dict[int, float] = {}

    def at(self, ts: int, weight: float, action: Callable[..., None], *args: Any) -> None:
        """Run `action(ts, *args)` at `ts`; `weight` is the number of events it should make."""
        if ts >= self.ctx.end_ts:
            return
        ts = max(ts, self.ctx.now)
        self.sequence += 1
        heapq.heappush(self.heap, (ts, self.sequence, action, args))
        hour = (ts - self.start_ts) // 3600
        self.due[hour] = self.due.get(hour, 0.0) + weight

    def run_until(self, ts: int) -> None:
        """Run every action due at or before `ts`."""
        heap, ctx = self.heap, self.ctx
        while heap and heap[0][0] <= ts:
            when, _, action, args = heapq.heappop(heap)
            ctx.now = when
            action(when, *args)


@dataclass(slots=True, eq=False)
class OrganicGroup:
    """Accounts of one source in one time zone, picked for spontaneous actions.

    Attributes:
        channel: Source the accounts act on.
        tz: UTC offset in hours.
        members: The accounts.
        picker: Activity-weighted picker over members still active.
        initial_share: Share of the channel's activity the group had on day 0.
        initial_total: Activity of the group on day 0.
    """

    channel: Channel
    tz: int
    members: list[Account]
    picker: WeightedPicker
    initial_share: float = 0.0
    initial_total: float = 0.0


@dataclass(slots=True, eq=False)
class CascadeState:
    """Progress of a planted cascade.

    Attributes:
        depth: Hops the spine must reach.
        size: Reshares scheduled so far.
        cap: Maximum number of reshares besides the spine.
        actors: Accounts that already took part.
    """

    depth: int
    size: int
    cap: int
    actors: set[str] = field(default_factory=set)


CHANNEL_CLASSES: dict[str, type[Channel]] = {
    "twitter": TwitterChannel, "bluesky": BlueskyChannel, "mastodon": MastodonChannel, "reddit": RedditChannel,
    "facebook": FacebookChannel, "weibo": WeiboChannel, "edges": EdgesChannel, "research_csv": ResearchChannel,
}
SOURCE_PLATFORM: dict[str, str] = {
    "twitter": "twitter", "bluesky": "bluesky", "mastodon": "mastodon", "reddit": "reddit",
    "facebook": "facebook", "weibo": "weibo", "edges": "snap", "research_csv": "research",
}


def truth_platform(account: Account) -> str:
    """Platform name used in the truth files: research_csv accounts are Twitter accounts."""
    return "twitter" if account.platform == "research" else account.platform


def is_organic_actor(source: str, account: Account) -> bool:
    """Whether `account` acts spontaneously on `source` (bots follow their own plans)."""
    if source == "research_csv":
        return True
    if source == "edges":
        return account.kind == "snap"
    if source == "facebook":
        return account.kind == "genuine" and account.is_page
    return account.kind == "genuine"


class SampleGenerator:
    """Generates the whole sample into `out_dir`.

    Args:
        out_dir: Output folder (created if missing).
        n_events: Approximate number of events to generate.
        seed: Seed of the only random generator.
        days: Number of days simulated.
        end_date: First day after the simulated period (UTC).
    """

    def __init__(self, out_dir: Path, n_events: int, seed: int, days: int = 150,
                 end_date: date = date(2026, 11, 1)) -> None:
        self.out_dir = out_dir
        self.n_events = n_events
        self.seed = seed
        self.days = days
        self.end_ts = int(datetime(end_date.year, end_date.month, end_date.day, tzinfo=timezone.utc).timestamp())
        self.start_ts = self.end_ts - days * SECONDS_PER_DAY
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.world: World = build_world(self.rng, n_events, days, self.start_ts)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.ctx = Context(
            rng=self.rng, clock=Clock(), composer=TextComposer(self.rng, Vocabulary.default()),
            truth=TruthWriter(out_dir / "truth"), ids=IdFactory(self.rng),
            start_ts=self.start_ts, end_ts=self.end_ts, now=self.start_ts,
        )
        self.scheduler = Scheduler(self.ctx, self.start_ts)
        self.channels = {source: self._make_channel(source, cls) for source, cls in CHANNEL_CLASSES.items()}
        self.by_platform = {SOURCE_PLATFORM[source]: channel for source, channel in self.channels.items()}
        self.groups = self._make_groups()
        self.action_share = {s: EVENT_SHARES[s] / EVENTS_PER_ACTION.get(s, 1.0) for s in self.channels}
        self.events_per_action = 1.0 / sum(self.action_share.values())
        self.start_weekday = datetime.fromtimestamp(self.start_ts, tz=timezone.utc).weekday()
        self.targets = self._hour_targets()
        self.silence_days: dict[int, set[str]] = {}
        for platform, accounts in self.world.accounts.items():
            for account in accounts:
                if account.silent_from < days:
                    self.silence_days.setdefault(account.silent_from, set()).add(platform)
        self.hour_pickers: dict[tuple[int, int], WeightedPicker] = {}
        self._index_plans()

    # -- setup -------------------------------------------------------------------------

    def _make_channel(self, source: str, cls: type[Channel]) -> Channel:
        accounts = self.world.accounts[SOURCE_PLATFORM[source]]
        pool_size = max(50, min(3000, int(self.n_events * EVENT_SHARES[source] / self.days * 0.5)))
        return cls(self.ctx, self.out_dir, accounts, pool_size)

    def _make_groups(self) -> list[OrganicGroup]:
        groups = []
        for source, channel in self.channels.items():
            by_tz: dict[int, list[Account]] = {}
            for account in channel.accounts:
                if is_organic_actor(source, account):
                    by_tz.setdefault(account.tz, []).append(account)
            total = sum(a.activity for members in by_tz.values() for a in members) or 1.0
            for tz in sorted(by_tz):
                members = by_tz[tz]
                group = OrganicGroup(channel, tz, members, WeightedPicker(members, [a.activity for a in members]))
                group.initial_share = group.picker.total / total
                group.initial_total = group.picker.total or 1.0
                groups.append(group)
        return groups

    def _refresh_groups(self, day: int, platforms: set[str]) -> None:
        """Drop accounts that fall silent on `day` from the pickers of `platforms`."""
        for group in self.groups:
            if group.channel.platform in platforms:
                active = [a for a in group.members if a.silent_from > day]
                group.picker = WeightedPicker(active, [a.activity for a in active])
        for channel in self.channels.values():
            if channel.platform in platforms:
                channel.refresh_engagers(day)
        self.hour_pickers.clear()

    def _local_weekday(self, day: int, hour: int, tz: int) -> int:
        return (self.start_weekday + day + (hour + tz) // 24) % 7

    def _hour_targets(self) -> list[int]:
        """Cumulative event targets at the end of each hour (daily, weekly and news-cycle rhythm)."""
        weights = []
        for day in range(self.days):
            day_factor = self.rng.lognormvariate(0, 0.12) * (1 + 0.15 * day / self.days)
            for hour in range(24):
                weight = sum(
                    EVENT_SHARES[g.channel.source] * g.initial_share * DIURNAL[(hour + g.tz) % 24]
                    * WEEKLY[g.channel.source][self._local_weekday(day, hour, g.tz)]
                    for g in self.groups)
                weights.append(weight * day_factor)
        total = sum(weights)
        targets, running = [], 0.0
        for weight in weights:
            running += weight
            targets.append(round(self.n_events * running / total))
        return targets

    def _index_plans(self) -> None:
        """Index planted behaviour by day."""
        self.leaders_by_day: dict[int, list[tuple[Leader, int]]] = {}
        for leader in self.world.leaders:
            for day, count in leader.posts_by_day.items():
                self.leaders_by_day.setdefault(day, []).append((leader, count))
        self.bursts_by_day: dict[int, list[tuple[Bot, int]]] = {}
        self.amplifiers: list[Bot] = []
        for bot in self.world.bots:
            if bot.kind == "automated_amplifier":
                self.amplifiers.append(bot)
            elif bot.kind in ("spam", "fake_follower") and bot.account.platform != "research":
                for day, count in bot.active_days.items():
                    self.bursts_by_day.setdefault(day, []).append((bot, count))
        self.rings_by_day: dict[int, list[Ring]] = {}
        for ring in self.world.rings:
            for day, count in ring.rounds.items():
                self.rings_by_day.setdefault(day, []).extend([ring] * count)

    # -- main loop -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Generate everything; return the summary written to truth/summary.json."""
        thresholds = gc.get_threshold()
        gc.freeze()  # the world is long-lived: keep the cyclic collector off it
        gc.set_threshold(100_000, 50, 100)
        try:
            return self._run()
        finally:
            gc.set_threshold(*thresholds)
            gc.unfreeze()

    def _run(self) -> dict[str, Any]:
        research = self.channels["research_csv"]
        assert isinstance(research, ResearchChannel)
        research.write_users(self.end_ts)
        month = ""
        for day in range(self.days):
            day_start = self.start_ts + day * SECONDS_PER_DAY
            self.ctx.now = day_start
            current_month = self.ctx.clock.date(day_start)[:7]
            if month and current_month != month:
                for channel in self.channels.values():
                    channel.roll()
            month = current_month
            if day in self.silence_days:
                self._refresh_groups(day, self.silence_days[day])
            self._plan_day(day, day_start)
            for hour in range(24):
                self._run_hour(day, hour)
        self.scheduler.run_until(self.end_ts - 1)
        for channel in self.channels.values():
            channel.close()
        return self._write_truth()

    def _run_hour(self, day: int, hour: int) -> None:
        index = day * 24 + hour
        hour_start = self.start_ts + index * 3600
        due = self.scheduler.due.pop(index, 0.0)
        missing = self.targets[index] - self.ctx.total - due
        if missing > 0:
            n_actions = int(missing / self.events_per_action + self.rnd())
            picker = self._hour_picker(day, hour)
            if n_actions and picker:
                self._organic_actions(picker, hour_start, n_actions)
        self.scheduler.run_until(hour_start + 3599)
        self.scheduler.due.pop(index, None)

    def _hour_picker(self, day: int, hour: int) -> WeightedPicker:
        """Groups weighted by activity, local hour of day and local weekday (cached)."""
        key = ((self.start_weekday + day) % 7, hour)
        picker = self.hour_pickers.get(key)
        if picker is None:
            picker = self.hour_pickers[key] = self._make_hour_picker(day, hour)
        return picker

    def _make_hour_picker(self, day: int, hour: int) -> WeightedPicker:
        weights = []
        for group in self.groups:
            source = group.channel.source
            weights.append(
                self.action_share[source] * group.initial_share * group.picker.total / group.initial_total
                * DIURNAL[(hour + group.tz) % 24] * WEEKLY[source][self._local_weekday(day, hour, group.tz)])
        return WeightedPicker(self.groups, weights)

    def _organic_actions(self, picker: WeightedPicker, hour_start: int, n_actions: int) -> None:
        """Spread `n_actions` spontaneous actions evenly over the hour."""
        rnd, ctx, scheduler = self.rnd, self.ctx, self.scheduler
        heap = scheduler.heap
        step = 3600.0 / n_actions
        groups, cumulative, total, last = picker.items, picker.cumulative, picker.total, picker.last
        for i in range(n_actions):
            ts = hour_start + int((i + rnd()) * step)
            if heap and heap[0][0] <= ts:
                scheduler.run_until(ts)
            ctx.now = ts
            group = groups[min(last, bisect_right(cumulative, rnd() * total))]
            actors = group.picker
            index = bisect_right(actors.cumulative, rnd() * actors.total)
            group.channel.organic(actors.items[index if index <= actors.last else actors.last], ts)

    # -- planted behaviour -------------------------------------------------------------------

    def _daytime_second(self, tz: int) -> int:
        """A second of the UTC day that is between 08:00 and 22:00 local time."""
        local_hour = 8 + int(self.rnd() * 14)
        return (local_hour - tz) % 24 * 3600 + int(self.rnd() * 3600)

    def _plan_day(self, day: int, day_start: int) -> None:
        at = self.scheduler.at
        for leader, count in self.leaders_by_day.get(day, ()):
            weight = EVENTS_PER_ACTION.get("facebook", 1.0) if leader.account.platform == "facebook" else 1.0
            for _ in range(count):
                at(day_start + self._daytime_second(leader.account.tz), weight, self._leader_post, leader)
        for bot, count in self.bursts_by_day.get(day, ()):
            ts = day_start + self._daytime_second(bot.account.tz)
            spread = 50_000 / count if bot.kind == "spam" else 30.0
            for _ in range(count):
                at(ts, 1.0, self._bot_action, bot)
                ts += 1 + int(self.rnd() * spread)
        for bot in self.amplifiers:
            if day % bot.period == bot.phase:
                for second in bot.schedule:
                    at(day_start + second, 1.0, self._amplify, bot)
        for ring in self.rings_by_day.get(day, ()):
            at(day_start + self._daytime_second(ring.members[0].tz), 1.0, self._ring_round, ring)
        for plan in self.world.cascades.get(day, ()):
            at(day_start + plan.second, 1.0, self._cascade_root, plan)

    def _leader_post(self, ts: int, leader: Leader) -> None:
        account = leader.account
        if not self.ctx.can_act(account, ts):
            return
        channel = self.by_platform[account.platform]
        post = channel.post(account, ts, leader.topic, boost=1 if channel.source == "facebook" else 3)
        if post is None or channel.source == "facebook":
            return
        for _ in range(1 + int(self.rng.expovariate(0.8))):
            delay = 60 + int(self.rng.expovariate(1 / 5400))
            self.scheduler.at(ts + delay, 1.0, self._genuine_engagement, channel, post)

    def _genuine_engagement(self, ts: int, channel: Channel, post: Post) -> None:
        actor = channel.engagers.pick(self.rnd())
        if actor is None or actor is post.author or not self.ctx.can_act(actor, ts):
            return
        channel.engage(actor, ts, post)

    def _bot_action(self, ts: int, bot: Bot) -> None:
        if bot.kind == "spam":
            self._spam(ts, bot)
        else:
            self._fake_follower_action(ts, bot)

    def _spam(self, ts: int, bot: Bot) -> None:
        account = bot.account
        channel = self.by_platform[account.platform]
        if isinstance(channel, EdgesChannel):
            for offset in range(self.rng.randint(3, 8)):
                target = channel.audience.pick(self.rnd())
                if target is not account:
                    channel.edge(account, target, ts + offset, "MT")
            return
        if isinstance(channel, RedditChannel):
            target = channel.pick_target(account)
            if target is not None:
                channel.reply(account, ts, target, body=bot.spam_text)
                return
        mentions = []
        for _ in range(self.rng.randint(1, 3)):
            target = channel.audience.pick(self.rnd())
            if target is not account and target not in mentions:
                mentions.append(target)
        channel.post(account, ts, account.topics[0], mentions=mentions, body=bot.spam_text, tags=list(bot.spam_tags))

    def _fake_follower_action(self, ts: int, bot: Bot) -> None:
        account = bot.account
        channel = self.by_platform[account.platform]
        if isinstance(channel, BlueskyChannel) and self.rnd() < 0.75:
            target = channel.audience.pick(self.rnd())
            if target is not account:
                channel.follow(account, ts, target)
            return
        post = channel.pool.pick(self.rnd())
        if post is None:
            return
        if isinstance(channel, BlueskyChannel):
            channel.like(account, ts, post)
        else:
            channel.reshare(account, ts, post)

    def _amplify(self, ts: int, bot: Bot) -> None:
        account = bot.account
        channel = self.by_platform[account.platform]
        patron = bot.patrons[int(self.rnd() * len(bot.patrons))] if bot.patrons else None
        if isinstance(channel, EdgesChannel):
            if patron is not None:
                channel.edge(account, patron, ts, "RT")
            return
        target = patron.last_post if patron is not None else None
        if target is None:
            target = channel.pool.pick(self.rnd())
        if target is not None:
            channel.reshare(account, ts, target)

    def _ring_round(self, ts: int, ring: Ring) -> None:
        channel = self.by_platform[ring.platform]
        poster = ring.members[int(self.rnd() * len(ring.members))]
        post = None if isinstance(channel, EdgesChannel) else channel.post(poster, ts, ring.topic)
        weight = 2.0 if isinstance(channel, BlueskyChannel) else 1.0
        for member in ring.members:
            if member is not poster:
                delay = 20 + int(self.rnd() * 900)
                self.scheduler.at(ts + delay, weight, self._ring_react, channel, member, poster, post)

    def _ring_react(self, ts: int, channel: Channel, member: Account, poster: Account, post: Post | None) -> None:
        if isinstance(channel, EdgesChannel):
            channel.edge(member, poster, ts, "RT")
            return
        channel.reshare(member, ts, post)
        channel.like(member, ts + 1 + int(self.rnd() * 30), post)

    def _cascade_root(self, ts: int, plan: CascadePlan) -> None:
        channel = self.by_platform[plan.platform]
        author = channel.engagers.pick(self.rnd())
        if author is None or not self.ctx.can_act(author, ts):
            return
        root = channel.post(author, ts, plan.topic, boost=2)
        state = CascadeState(plan.depth, 0, self.rng.randint(10, 40), {author.account_id})
        self._spawn_reshares(channel, root, state, spine=True)

    def _spawn_reshares(self, channel: Channel, parent: Post, state: CascadeState, spine: bool) -> None:
        """Schedule the reshares of `parent`; the spine goes on until the planned depth."""
        n_extra = 0
        keep_going = 0.6 if parent.hop == 0 else 0.33
        while n_extra < 4 and self.rnd() < keep_going:
            n_extra += 1
        children = ([True] if spine and parent.hop < state.depth else []) + [False] * n_extra
        for on_spine in children:
            if not on_spine and state.size >= state.cap:
                break
            state.size += 1
            delay = 60 + int(self.rng.expovariate(1 / 2400))
            self.scheduler.at(parent.ts + delay, 1.0, self._cascade_hop, channel, parent, state, on_spine)

    def _cascade_hop(self, ts: int, channel: Channel, parent: Post, state: CascadeState, spine: bool) -> None:
        root = parent.root or parent
        for _ in range(8):
            actor = channel.engagers.pick(self.rnd())
            if (actor is not None and actor.account_id not in state.actors and actor is not parent.author
                    and actor is not root.author and self.ctx.can_act(actor, ts)):
                break
        else:
            return
        state.actors.add(actor.account_id)
        post = channel.reshare(actor, ts, parent)
        if post is not None:
            self._spawn_reshares(channel, post, state, spine)

    # -- truth ---------------------------------------------------------------------------------

    def _write_truth(self) -> dict[str, Any]:
        world, truth = self.world, self.ctx.truth
        truth.close()
        truth.table("bots", ("platform", "account_id", "kind"),
                    ((truth_platform(b.account), b.account.account_id, b.kind) for b in world.bots))
        truth.table("accounts", ("platform", "account_id", "kind"),
                    ((truth_platform(a), a.account_id, a.kind if a.is_bot else "genuine")
                     for accounts in world.accounts.values() for a in accounts))
        truth.table("persons", ("person_id", "platform", "account_id"),
                    ((p.person_id, truth_platform(a), a.account_id) for p in world.persons for a in p.accounts))
        truth.table("leaders", ("topic", "person_id"), ((TOPICS[l.topic], l.person.person_id) for l in world.leaders))
        inactive = self._inactive_rows()
        truth.table("inactive", ("platform", "account_id", "last_active_date"), inactive)
        quiet = self._quiet_rows()
        truth.table("quiet", ("person_id", "quiet_since"), quiet)
        truth.table("rings", ("ring_id", "platform", "account_id"),
                    ((r.ring_id, truth_platform(a), a.account_id) for r in world.rings for a in r.members))
        listed = [p for p in world.persons if p.listed_in_identities]
        write_csv(self.out_dir / "identities.csv", ("person_id", "platform", "account_id"),
                  ((p.person_id, truth_platform(a), a.account_id) for p in listed for a in p.accounts))
        summary = self._summary(len(inactive), len(quiet), len(listed))
        with open_text(truth.directory / "summary.json") as handle:
            json.dump(summary, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        return summary

    def _inactive_rows(self) -> list[tuple[str, str, str]]:
        """Accounts whose last activity is at least 90 days before the end date."""
        limit = self.end_ts - 90 * SECONDS_PER_DAY
        return [(truth_platform(a), a.account_id, self.ctx.clock.date(a.last_ts))
                for accounts in self.world.accounts.values() for a in accounts if 0 <= a.last_ts < limit]

    def _quiet_rows(self) -> list[tuple[str, str]]:
        """Planted persons who were active and then silent for the last 30-60 days."""
        rows = []
        for person in self.world.persons:
            if person.quiet_from == NEVER:
                continue
            quiet_start = self.start_ts + person.quiet_from * SECONDS_PER_DAY
            last = max(a.last_ts for a in person.accounts)
            if 0 <= last < quiet_start:
                rows.append((person.person_id, self.ctx.clock.date(quiet_start)))
        return rows

    def _summary(self, n_inactive: int, n_quiet: int, n_listed: int) -> dict[str, Any]:
        sources = {source: channel.summary() for source, channel in self.channels.items()}
        by_type = {kind: sum(s["events"][kind] for s in sources.values()) for kind in EVENT_TYPES}
        bots: dict[str, int] = {}
        for bot in self.world.bots:
            bots[bot.kind] = bots.get(bot.kind, 0) + 1
        truth = self.ctx.truth
        return {
            "seed": self.seed,
            "n_events_requested": self.n_events,
            "events_total": sum(by_type.values()),
            "events_by_type": by_type,
            "days": self.days,
            "start_date": self.ctx.clock.date(self.start_ts),
            "end_date": self.ctx.clock.date(self.end_ts),
            "end_date_exclusive": True,
            "sources": sources,
            "persons": sum(1 for p in self.world.persons if p.kind == "genuine"),
            "accounts": {platform: len(accounts) for platform, accounts in self.world.accounts.items()},
            "bots": dict(sorted(bots.items())),
            "leaders": len(self.world.leaders),
            "rings": len(self.world.rings),
            "cascades": {"roots": truth.cascade_roots, "reshares": truth.cascade_rows, "max_hop": truth.max_hop},
            "inactive_accounts": n_inactive,
            "quiet_persons": n_quiet,
            "identities_listed_persons": n_listed,
            "edits": sources["mastodon"].get("edits", 0),
            "deleted_authors": sources["reddit"].get("deleted_authors", 0),
            "comments_without_from": sources["facebook"].get("comments_without_from", 0),
            "malformed": sum(s["malformed"] for s in sources.values()),
            "duplicates": sum(s["duplicates"] for s in sources.values()),
        }


# ---------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--events", required=True, type=int, help="approximate number of events")
    parser.add_argument("--seed", required=True, type=int, help="random seed")
    parser.add_argument("--days", type=int, default=150, help="number of days (default 150)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 1),
                        help="first day after the sample, YYYY-MM-DD (default 2026-11-01)")
    args = parser.parse_args(argv)
    if args.events < 1 or args.days < 1:
        parser.error("--events and --days must be positive")
    return args


def generate(out_dir: Path, n_events: int, seed: int, days: int = 150,
             end_date: date = date(2026, 11, 1)) -> dict[str, Any]:
    """Generate a sample into `out_dir` and return its summary (see module docs)."""
    return SampleGenerator(out_dir, n_events, seed, days, end_date).run()


def format_report(summary: dict[str, Any], seconds: float) -> str:
    """Human-readable summary printed at the end of a run."""
    lines = [f"{'source':<14}{'records':>10}{'events':>10}{'malformed':>11}{'duplicates':>12}"]
    for source, stats in summary["sources"].items():
        lines.append(f"{source:<14}{stats['records']:>10}{stats['events_total']:>10}"
                     f"{stats['malformed']:>11}{stats['duplicates']:>12}")
    lines.append("bots: " + ", ".join(f"{kind}={count}" for kind, count in summary["bots"].items()))
    total = summary["events_total"]
    lines.append(f"events: {total} (requested {summary['n_events_requested']}) in {seconds:.1f}s "
                 f"= {total / max(seconds, 1e-9):,.0f} events/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m jobs.generate_sample`."""
    args = parse_args(argv)
    started = time.perf_counter()
    summary = generate(args.out, args.events, args.seed, args.days, args.end_date)
    print(format_report(summary, time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
