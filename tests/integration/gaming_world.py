"""A small world built to game an influence score the ways that discredited Klout.

:func:`write_gaming_world` writes Bluesky Jetstream events (the lines the bluesky adapter
reads: ``identity`` events and ``create`` commits of ``app.bsky.feed.post``,
``app.bsky.feed.repost``, ``app.bsky.feed.like`` and ``app.bsky.graph.follow``) into
``<dir>/bluesky/part-00000.jsonl`` and what it planted into ``<dir>/truth/gaming.json``.
It is pure Python and deterministic: one seeded :class:`random.Random`.

The events cover the 150 days up to and including :data:`SCORE_DATE`:

- A background population behaving like people: irregular times on a daily rhythm,
  varied texts from a small vocabulary with a few hashtags, mentions and links, replies,
  reposts (some through another repost), likes and follows spread over many accounts.
  The *commons* interact among themselves; the *audiences* are background accounts with
  a life of their own (posts, likes and follows of commons) that also engage one
  scenario person. Mirrored audiences come in identical copies, one per person of a
  twin group: same actions at the same instants, each copy engaging its own person.
- Twins: persons of one group share one activity pattern (posts at the same instants,
  the same likes and reposts of commons posts) and mirrored audiences, so that without a
  trick their metrics are equal.

Scenarios (``roles`` in the truth file; ``groups`` lists the planted bots and crowds):

1. ``spammer`` posts the same link-and-hashtag text ten times a day for the last 30 days,
   amplified by 30 automated accounts (reposts and likes only, each at its own fixed
   minute of the hour, all of it to the spammer); ``modest`` posts about once a
   day and is engaged by 15 genuine commons accounts within the score window.
2. ``ring_member_1..20`` repost and like each other's posts over the last 60 days; each
   also has a mirrored genuine audience of 4, whose twin ``ring_twin_k`` has the same
   posts and the same audience but no ring.
3. ``buyer`` buys 5,000 followers 20 days before the score date: new accounts that follow
   it within three hours and each like 1-3 of its recent posts, nothing else;
   ``buyer_twin`` has the same posts and mirrored audience of 15.
4. ``celebrity`` has 3,000 genuine followers and posts daily, but was engaged by 500
   accounts 120-150 days before the score date and by only 3 within the 90-day window;
   ``expert`` posts a few times a week and drew 40 distinct engagers in the last 6 weeks.
5. ``quiet_twin`` is active with a mirrored audience of 12 for 100 days ending the day
   before the score date; ``quiet`` has the same pattern ending 45 days before it and
   ``long_quiet`` 100 days before it. Only the persons' own activity and what they
   received shift: their audiences' own lives stay where they are.

6. Topic scenarios (:mod:`tests.integration.topic_world`): a single post on a topic, steady
   engaged posting, posting often to nobody, and campaign leaders sharing one audience.

About 49,000 events of 8,300 accounts, a third of them from the bought followers.
A Jetstream account has no profile, so each bought follower alone leaves the quality
stage little to judge (no posts for the behaviour model, one follow is no follow burst):
what gives them away is the batch, thousands of accounts that never post and began in
the same hour by following the same account (the follower-cohort signal).
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.sample_world import tid
from tests.integration.topic_world import plant_topic_scenarios

SCORE_DATE = dt.date(2026, 11, 1)
PLATFORM = "bluesky"
DAYS = 150  # days of history, the score date included
DAY = 86_400
# Midnight UTC of the score date, in seconds; day 0 is the score date, day -149 the first.
D0 = int(dt.datetime(SCORE_DATE.year, SCORE_DATE.month, SCORE_DATE.day, tzinfo=dt.timezone.utc).timestamp())

N_COMMONS = 250
N_SPAM_BOTS = 30
N_RING = 20
RING_AUDIENCE = 4
BUYER_AUDIENCE = 15
QUIET_AUDIENCE = 12
N_FAKE_FOLLOWERS = 5_000
FAKE_FOLLOWER_POSTS = 0
CELEBRITY_FOLLOWERS = 3_000
CELEBRITY_PAST_ENGAGERS = 500
CELEBRITY_RECENT_ENGAGERS = 3
EXPERT_ENGAGERS = 40
MODEST_ENGAGERS = 15
BUY_DAY = -20
QUIET_SHIFTS = {"quiet_twin": 0, "quiet": -44, "long_quiet": -99}  # days; the pattern ends on day -1 + shift

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "garden": (("tomatoes", "compost", "seedlings", "basil", "soil", "greenhouse", "weeds", "harvest", "mulch", "roses"),
               ("gardening", "growyourown", "plants")),
    "cycling": (("bike", "climb", "gravel", "chain", "saddle", "headwind", "commute", "puncture", "descent", "tyres"),
                ("cycling", "bikelife", "gravel")),
    "cooking": (("sourdough", "broth", "garlic", "oven", "lentils", "recipe", "spices", "dumplings", "pan", "stew"),
                ("cooking", "recipes", "baking")),
    "books": (("novel", "chapter", "library", "poetry", "author", "paperback", "sequel", "essay", "translation", "shelf"),
              ("books", "amreading", "bookclub")),
    "music": (("album", "chorus", "vinyl", "drummer", "gig", "playlist", "guitar", "bassline", "encore", "synth"),
              ("music", "nowplaying", "vinyl")),
    "code": (("compiler", "bug", "refactor", "tests", "deploy", "rust", "python", "database", "merge", "release"),
             ("programming", "python", "opensource")),
    "birds": (("heron", "swifts", "feeder", "warbler", "binoculars", "migration", "owl", "wren", "marsh", "flock"),
              ("birding", "birds", "nature")),
    "football": (("match", "keeper", "derby", "striker", "penalty", "league", "transfer", "stadium", "offside", "volley"),
                 ("football", "matchday", "soccer")),
}
FILLER = (
    "today", "finally", "really", "think", "maybe", "again", "this", "week", "love", "trying", "new", "my", "the",
    "with", "after", "before", "little", "so", "good", "weird", "still", "first", "time", "morning", "evening",
    "anyone", "else", "honestly", "pretty", "about", "some", "just", "got", "made", "found", "more", "than",
    "expected", "never", "always", "tonight", "weekend", "quick", "slow", "best", "worst", "update", "on", "our",
)
SITES = ("blog.example.org", "news.example.com", "notes.example.net", "photos.example.org")
SPAM_TEXTS = (
    "FREE crypto giveaway, claim yours now",
    "Claim your FREE crypto giveaway now",
    "Last chance: FREE crypto giveaway, claim now",
)
SPAM_LINK = "https://bit.ly/fr33-c01ns"
SPAM_TAGS = ("crypto", "free", "giveaway", "bitcoin", "airdrop", "money", "win")
STOCK_PHRASES = (
    "Good morning everyone", "Have a great day", "So true", "Love this", "Happy weekend", "Hello world",
    "Thanks for the follow", "Nice one", "Good vibes only", "Enjoy your day",
)


# ---------------------------------------------------------------- the event log


@dataclass(eq=False)
class Account:
    """One Bluesky account."""

    did: str
    handle: str

    @property
    def person_id(self) -> str:
        """The person the pipeline makes of an account no identity links: ``platform:did``."""
        return f"{PLATFORM}:{self.did}"


@dataclass(eq=False)
class Post:
    """A post or repost: what a reply, like or repost points at."""

    uri: str
    cid: str
    author: Account
    ts_us: int
    root: "Post | None" = None  # a reply's thread root


@dataclass
class Jetstream:
    """Collects Jetstream lines; identity events are added before each account's first commit."""

    rng: random.Random
    lines: list[tuple[int, int, str]] = field(default_factory=list)
    first_us: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    used_us: set[tuple[str, int]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)

    def account(self, handle: str) -> Account:
        did = "did:plc:" + _base32(self.rng.randbytes(15))
        account = Account(did, f"{handle}.bsky.social")
        self.accounts[did] = account
        return account

    def cid(self) -> str:
        return "bafyrei" + _base32(self.rng.randbytes(33))[:52]

    def _commit(self, actor: Account, ts_us: int, collection: str, record: dict[str, Any]) -> tuple[str, str, int]:
        while (actor.did, ts_us) in self.used_us:  # one account, one record per microsecond
            ts_us += 1
        self.used_us.add((actor.did, ts_us))
        rkey = tid(ts_us, self.rng.getrandbits(10))
        cid = self.cid()
        record = {"$type": collection, "createdAt": _iso(ts_us), **record}
        line = {"did": actor.did, "time_us": ts_us, "kind": "commit",
                "commit": {"rev": rkey, "operation": "create", "collection": collection, "rkey": rkey, "record": record, "cid": cid}}
        self.lines.append((ts_us, len(self.lines), json.dumps(line, ensure_ascii=False, separators=(",", ":"))))
        self.first_us[actor.did] = min(self.first_us.get(actor.did, ts_us), ts_us)
        self.counts[collection] = self.counts.get(collection, 0) + 1
        return f"at://{actor.did}/{collection}/{rkey}", cid, ts_us

    def post(self, actor: Account, ts_us: int, text: str, tags: tuple[str, ...] = (), mentions: tuple[Account, ...] = (),
             link: str | None = None, reply_to: Post | None = None) -> Post:
        """A post; text, mentions, link and hashtags in that order, each with its facet."""
        facets = []
        for mentioned in mentions:
            text = _facet(text, f"@{mentioned.handle}", {"$type": "app.bsky.richtext.facet#mention", "did": mentioned.did}, facets)
        if link:
            text = _facet(text, link, {"$type": "app.bsky.richtext.facet#link", "uri": link}, facets)
        for tag in tags:
            text = _facet(text, f"#{tag}", {"$type": "app.bsky.richtext.facet#tag", "tag": tag}, facets)
        record: dict[str, Any] = {"langs": ["en"], "text": text}
        if facets:
            record["facets"] = facets
        root = None
        if reply_to is not None:
            root = reply_to.root or reply_to
            record["reply"] = {"root": _ref(root), "parent": _ref(reply_to)}
        uri, cid, ts_us = self._commit(actor, ts_us, "app.bsky.feed.post", record)
        return Post(uri, cid, actor, ts_us, root)

    def repost(self, actor: Account, ts_us: int, subject: Post, via: Post | None = None) -> Post:
        record: dict[str, Any] = {"subject": _ref(subject)}
        if via is not None:
            record["via"] = _ref(via)
        uri, cid, ts_us = self._commit(actor, ts_us, "app.bsky.feed.repost", record)
        return Post(uri, cid, actor, ts_us)

    def like(self, actor: Account, ts_us: int, subject: Post) -> None:
        self._commit(actor, ts_us, "app.bsky.feed.like", {"subject": _ref(subject)})

    def follow(self, actor: Account, ts_us: int, subject: Account) -> None:
        self._commit(actor, ts_us, "app.bsky.graph.follow", {"subject": subject.did})

    def write(self, path: Path) -> int:
        """Writes every line in time order (identity events first); returns the commit count."""
        identities = []
        for seq, (did, first) in enumerate(sorted(self.first_us.items(), key=lambda item: (item[1], item[0])), start=1):
            ts_us = first - 1_000_000
            line = {"did": did, "time_us": ts_us, "kind": "identity",
                    "identity": {"did": did, "handle": self.accounts[did].handle, "seq": seq, "time": _iso(ts_us)}}
            identities.append((ts_us, -1, json.dumps(line, separators=(",", ":"))))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            for _, _, line in sorted(identities + self.lines):
                out.write(line + "\n")
        return len(self.lines)


def _base32(data: bytes) -> str:
    """Lowercase RFC 4648 base32 without padding, as DIDs and CIDs spell it."""
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")


def _iso(ts_us: int) -> str:
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ts_us)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _ref(post: Post) -> dict[str, str]:
    return {"uri": post.uri, "cid": post.cid}


def _facet(text: str, token: str, feature: dict[str, str], facets: list) -> str:
    """Appends ``token`` to ``text`` and its facet, with UTF-8 byte offsets."""
    text = f"{text} {token}"
    end = len(text.encode("utf-8"))
    facets.append({"index": {"byteStart": end - len(token.encode("utf-8")), "byteEnd": end}, "features": [feature]})
    return text


# ---------------------------------------------------------------- human-like behaviour

# Share of a person's activity per hour of their local day: quiet nights, busy evenings.
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3, 3, 3, 4, 4, 3, 3, 3, 4, 5, 6, 6, 5, 4, 2)


@dataclass(eq=False)
class Person:
    """Habits of a background account."""

    account: Account
    topics: tuple[str, str]
    tz: int
    popularity: float
    followed: set[str] = field(default_factory=set)  # DIDs


class World:
    """The generator's state: the log, the random source, the commons and their posts."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.d0 = D0
        self.log = Jetstream(self.rng)
        self.commons: list[Person] = []
        self.commons_posts: list[Post] = []  # time order
        self.commons_post_us: list[int] = []
        self.reposts_of: dict[str, list[Post]] = {}

    # -- times and texts

    def human_time(self, day: int, tz: int) -> int:
        """A human-looking instant on ``day`` (UTC offset ``tz`` hours), in µs with milliseconds."""
        hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
        seconds = D0 + day * DAY + ((hour - tz) % 24) * 3600 + self.rng.randrange(3600)
        return seconds * 1_000_000 + self.rng.randrange(1000) * 1000

    def later(self, ts_us: int, low_s: int, high_s: int) -> int:
        return ts_us + self.rng.randint(low_s, high_s) * 1_000_000 + self.rng.randrange(1000) * 1000

    def text(self, topics: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
        """A varied sentence on one of ``topics`` and 0-3 of its hashtags."""
        topic = self.rng.choice(topics)
        words, tags = TOPICS[topic]
        n = self.rng.randint(6, 13)
        chosen = [self.rng.choice(words) if self.rng.random() < 0.35 else self.rng.choice(FILLER) for _ in range(n)]
        chosen[self.rng.randrange(n)] = self.rng.choice(words)
        sentence = " ".join(chosen)
        sentence = sentence[0].upper() + sentence[1:] + self.rng.choice((".", "!", "?", "", "...", " :)"))
        n_tags = self.rng.choices((0, 1, 2, 3), (0.3, 0.4, 0.2, 0.1))[0]
        return sentence, tuple(self.rng.sample(tags, n_tags))

    def link(self) -> str:
        slug = "-".join(self.rng.choice(FILLER) for _ in range(3))
        return f"https://{self.rng.choice(SITES)}/{slug}-{self.rng.randrange(10_000)}"

    def human_post(self, actor: Account, ts_us: int, topics: tuple[str, ...], reply_to: Post | None = None,
                   mention_pool: list[Account] | None = None) -> Post:
        text, tags = self.text(topics)
        if reply_to is not None:
            tags = tags[:1]
        mentions = ()
        if mention_pool and self.rng.random() < 0.12:
            mentions = (self.rng.choice(mention_pool),)
        link = self.link() if self.rng.random() < 0.1 else None
        return self.log.post(actor, ts_us, text, tags, mentions, link, reply_to)

    def commons_post_near(self, ts_us: int, rng: random.Random | None = None, days: int = 4) -> Post | None:
        """A commons post of the few days before ``ts_us``."""
        rng = rng or self.rng
        high = bisect.bisect_left(self.commons_post_us, ts_us)
        low = bisect.bisect_left(self.commons_post_us, ts_us - days * DAY * 1_000_000)
        return self.commons_posts[rng.randrange(low, high)] if high > low else None

    def days_of(self, count: int, first: int, last: int) -> list[int]:
        """``count`` active days in [first, last]: mostly scattered, partly in bursts."""
        days = []
        busy = [self.rng.randint(first, last) for _ in range(max(1, count // 8))]
        for _ in range(count):
            if self.rng.random() < 0.3:
                days.append(min(last, max(first, self.rng.choice(busy) + self.rng.randint(-1, 1))))
            else:
                days.append(self.rng.randint(first, last))
        return sorted(days)

    # -- the commons

    def build_commons(self) -> None:
        """Commons accounts and their activity among themselves, in time order."""
        names = sorted(TOPICS)
        for i in range(N_COMMONS):
            account = self.log.account(f"{self.rng.choice(FILLER)}{self.rng.choice(names)}{i}")
            self.commons.append(Person(account, tuple(self.rng.sample(names, 2)), self.rng.choice((-8, -7, -5, -4, 0, 1, 2, 3)),
                                       self.rng.paretovariate(1.4)))
        schedule: list[tuple[int, int]] = []
        for index, person in enumerate(self.commons):
            rate = min(2.5, self.rng.lognormvariate(math.log(0.17), 0.8))  # actions per day
            count = max(8, int(rate * DAYS))
            joined = -DAYS + 1 + self.rng.randrange(20)
            days = self.days_of(count, joined, 0)
            days += [self.rng.randint(-40, 0) for _ in range(3)]  # everyone stays active
            schedule += [(self.human_time(day, person.tz), index) for day in days]
        schedule.sort()
        recent: list[Post] = []
        weights: list[float] = []
        for ts_us, index in schedule:
            person = self.commons[index]
            actor = person.account
            horizon = ts_us - 7 * DAY * 1_000_000
            while recent and recent[0].ts_us < horizon:
                recent.pop(0)
                weights.pop(0)
            roll = self.rng.random()
            target = None
            if 0.30 <= roll < 0.90 and recent:
                for _ in range(4):
                    candidate = self.rng.choices(recent, weights)[0]
                    if candidate.author is not actor:
                        target = candidate
                        break
            if roll >= 0.90:
                others = [p for p in self.commons if p is not person and p.account.did not in person.followed]
                followee = self.rng.choices(others, [p.popularity for p in others])[0]
                person.followed.add(followee.account.did)
                self.log.follow(actor, ts_us, followee.account)
            elif target is None:
                mention_pool = [p.account for p in self.rng.sample(self.commons, 3) if p is not person]
                self._remember(self.human_post(actor, ts_us, person.topics, mention_pool=mention_pool), person, recent, weights)
            elif roll < 0.42:
                self._remember(self.human_post(actor, ts_us, person.topics, reply_to=target), person, recent, weights)
            elif roll < 0.55:
                seen = [r for r in self.reposts_of.get(target.uri, []) if r.author is not actor]
                via = self.rng.choice(seen) if seen and self.rng.random() < 0.3 else None
                self.reposts_of.setdefault(target.uri, []).append(self.log.repost(actor, ts_us, target, via))
            else:
                self.log.like(actor, ts_us, target)

    def _remember(self, post: Post, person: Person, recent: list[Post], weights: list[float]) -> None:
        recent.append(post)
        weights.append(person.popularity)
        self.commons_posts.append(post)
        self.commons_post_us.append(post.ts_us)

    # -- scenario persons

    def persona_plan(self, first_day: int, last_day: int, posts_per_day: float, topics: tuple[str, ...],
                     likes_per_day: float = 0.4) -> dict[str, Any]:
        """One activity pattern: post instants and texts, and likes, reposts and replies of commons posts.

        Instants are seconds from midnight of ``first_day``, so one plan can be replayed
        shifted; posts fall between 06:00 and 15:00 UTC so that reactions to them within
        six hours stay on the same day.
        """
        span = last_day - first_day + 1
        days = self.days_of(max(3, round(posts_per_day * span)), first_day, last_day)
        days[-1] = last_day  # the pattern ends on its last day
        posts = []
        for day in days:
            offset = (day - first_day) * DAY + self.rng.randint(6 * 3600, 15 * 3600)
            text, tags = self.text(topics)
            posts.append((offset, text, tags or (TOPICS[topics[0]][1][0],), self.link() if self.rng.random() < 0.1 else None))
        posts.sort()
        likes = []
        for day in self.days_of(max(4, round(likes_per_day * span)), first_day, last_day):
            kind = self.rng.choices(("like", "repost", "reply"), (0.7, 0.2, 0.1))[0]
            likes.append(((day - first_day) * DAY + self.rng.randint(7 * 3600, 14 * 3600), kind, self.rng.random(), self.text(topics)))
        return {"first_day": first_day, "posts": posts, "likes": likes, "topics": topics}

    def play_persona(self, actor: Account, plan: dict[str, Any], shift_days: int = 0) -> list[Post]:
        """Replays a plan for one account, ``shift_days`` later (negative: earlier)."""
        start = (D0 + (plan["first_day"] + shift_days) * DAY) * 1_000_000
        posts = [self.log.post(actor, start + offset * 1_000_000, text, tags, (), link) for offset, text, tags, link in plan["posts"]]
        mention_pool = [p.account for p in self.commons[:40]]
        for offset, kind, uniform, (text, tags) in plan["likes"]:
            ts_us = start + offset * 1_000_000
            target = self.commons_post_near(ts_us, random.Random(int(uniform * 1e9)))
            if target is None:
                continue
            if kind == "like":
                self.log.like(actor, ts_us, target)
            elif kind == "repost":
                self.log.repost(actor, ts_us, target)
            else:
                mention = (mention_pool[int(uniform * 1e6) % len(mention_pool)],) if uniform < 0.3 else ()
                self.log.post(actor, ts_us, text, tags[:1], mention, None, target)
        return posts

    def audience_plan(self, n_posts: int, engagement: float) -> dict[str, Any]:
        """A background account's life beside the person it follows: its own posts, likes and
        follows of commons, and how it reacts to the person's posts."""
        topics = tuple(self.rng.sample(sorted(TOPICS), 2))
        tz = self.rng.choice((-8, -5, 0, 1, 2))
        own = []
        for day in self.days_of(n_posts, -DAYS + 1 + self.rng.randrange(10), 0):
            text, tags = self.text(topics)
            own.append(("post", self.human_time(day, tz), text, tags or (TOPICS[topics[0]][1][0],)))
        for day in self.days_of(self.rng.randint(6, 12), -DAYS + 10, 0):
            own.append(("like", self.human_time(day, tz), None, None))
        for day in sorted(self.rng.sample(range(-DAYS + 5, -10), 3)):
            own.append(("follow", self.human_time(day, tz), None, None))
        own.append(("post", self.human_time(self.rng.randint(-20, 0), tz), *self.text(topics)))
        picks = []
        for entry in own:  # the commons post or account each like/follow goes to, once for every copy
            if entry[0] == "like":
                picks.append(self.commons_post_near(entry[1]))
            elif entry[0] == "follow":
                picks.append(self.rng.choice(self.commons).account)
            else:
                picks.append(None)
        return {"own": own, "picks": picks, "engagement": engagement, "topics": topics, "seed": self.rng.getrandbits(32)}

    def play_audience(self, actor: Account, plan: dict[str, Any], person: Account, person_posts: list[Post],
                      follow_day: int) -> None:
        for (kind, ts_us, text, tags), pick in zip(plan["own"], plan["picks"]):
            if kind == "post":
                self.log.post(actor, ts_us, text, tags or ())
            elif kind == "like" and pick is not None:
                self.log.like(actor, ts_us, pick)
            elif kind == "follow":
                self.log.follow(actor, ts_us, pick)
        self.log.follow(actor, (D0 + follow_day * DAY + 7 * 3600) * 1_000_000, person)
        # The same draws for every copy: copies react to the same posts (by position) alike.
        rng = random.Random(plan["seed"])
        for post in person_posts:
            if rng.random() >= plan["engagement"]:
                continue
            kind = rng.choices(("like", "repost", "reply"), (0.6, 0.25, 0.15))[0]
            ts_us = post.ts_us + rng.randint(300, 6 * 3600) * 1_000_000 + rng.randrange(1000) * 1000
            if kind == "like":
                self.log.like(actor, ts_us, post)
            elif kind == "repost":
                self.log.repost(actor, ts_us, post)
            else:
                words = [rng.choice(FILLER) for _ in range(rng.randint(4, 9))] + [rng.choice(TOPICS[rng.choice(plan["topics"])][0])]
                self.log.post(actor, ts_us, " ".join(words).capitalize() + rng.choice((".", "!", "")), (), (), None, post)

    def react(self, actor: Account, post: Post, kind: str) -> None:
        """A background account reacting to a scenario post within six hours."""
        ts_us = self.later(post.ts_us, 300, 6 * 3600)
        if kind == "like":
            self.log.like(actor, ts_us, post)
        elif kind == "repost":
            self.log.repost(actor, ts_us, post)
        else:
            self.human_post(actor, ts_us, ("books", "music"), reply_to=post)


# ---------------------------------------------------------------- scenarios


def _twins(world: World, names: list[str], plan: dict[str, Any], audience: int, audience_posts: int,
           engagement: tuple[float, float], shifts: dict[str, int] | None = None) -> tuple[dict[str, Account], dict[str, list[Account]], dict[str, list[Post]]]:
    """Persons sharing one pattern, each with its copy of one mirrored audience."""
    accounts = {name: world.log.account(name.replace("_", "-")) for name in names}
    posts = {name: world.play_persona(accounts[name], plan, (shifts or {}).get(name, 0)) for name in names}
    audiences: dict[str, list[Account]] = {name: [] for name in names}
    for _ in range(audience):
        member = world.audience_plan(audience_posts, world.rng.uniform(*engagement))
        follow_day = plan["first_day"] + world.rng.randrange(10)
        for name in names:
            actor = world.log.account(f"{world.rng.choice(FILLER)}{world.rng.choice(sorted(TOPICS))}{world.rng.randrange(10_000)}")
            audiences[name].append(actor)
            world.play_audience(actor, member, accounts[name], posts[name], follow_day + (shifts or {}).get(name, 0))
    return accounts, audiences, posts


def write_gaming_world(out_dir: Path | str, seed: int = 2026, *, fake_follower_posts: int = FAKE_FOLLOWER_POSTS) -> dict[str, Any]:
    """Writes the world into ``out_dir`` and returns its truth (also in ``truth/gaming.json``).

    Args:
        out_dir: Input folder for ``jobs.ingest``: gets ``bluesky/part-00000.jsonl``.
        seed: Seed of the one random source.
        fake_follower_posts: Stock-phrase posts of each bought follower.

    Returns:
        ``score_date``; ``roles``: name -> person_id (``platform:did``, as ingest names an
        account no identity links); ``groups``: name -> person_ids (``spam_bots``,
        ``fake_followers``, ``ring_members``, ``ring_twins``, ``commons``, ``audiences``,
        ``lurkers``, the engagers of each scenario); ``events`` (commits, each one event)
        and ``accounts``.
    """
    out = Path(out_dir)
    world = World(seed)
    rng = world.rng
    log = world.log
    world.build_commons()
    commons = [p.account for p in world.commons]
    roles: dict[str, Account] = {}
    groups: dict[str, list[Account]] = {"commons": commons, "audiences": []}
    free = commons[:]  # commons not yet engaging a scenario person
    rng.shuffle(free)

    # 1. The spammer and its amplifiers; modest.
    spammer = roles["spammer"] = log.account("crypto-deals-4u")
    spam_posts = []
    for day in range(-29, 1):
        for _ in range(10):
            ts_us = (D0 + day * DAY + rng.randrange(DAY)) * 1_000_000
            spam_posts.append(log.post(spammer, ts_us, rng.choice(SPAM_TEXTS), SPAM_TAGS, (), SPAM_LINK))
    spam_posts.sort(key=lambda p: p.ts_us)
    groups["spam_bots"] = []
    for i in range(N_SPAM_BOTS):
        bot = log.account(f"promo-boost-{i:02d}")
        groups["spam_bots"].append(bot)
        minute = rng.randrange(60)
        for kind, count in (("repost", rng.randint(25, 35)), ("like", rng.randint(15, 25))):
            for post in rng.sample(spam_posts, count):
                at = post.ts_us // 1_000_000
                at = at - at % 3600 + minute * 60 + rng.randrange(60)
                at += 3600 if at * 1_000_000 <= post.ts_us else 0
                if at >= D0 + DAY:  # the log ends with the score date
                    continue
                (log.repost if kind == "repost" else log.like)(bot, at * 1_000_000 + rng.randrange(1000) * 1000, post)

    modest = roles["modest"] = log.account("modest-writer")
    modest_posts = world.play_persona(modest, world.persona_plan(-DAYS + 1, 0, 1.0, ("garden", "books")))
    groups["modest_engagers"] = [free.pop() for _ in range(MODEST_ENGAGERS)]
    recent_modest = [p for p in modest_posts if p.ts_us >= (D0 - 60 * DAY) * 1_000_000]
    for engager in groups["modest_engagers"]:
        for post in rng.sample(recent_modest, rng.randint(1, 4)):
            world.react(engager, post, rng.choices(("like", "repost", "reply"), (0.6, 0.25, 0.15))[0])

    # 2. The ring and the twins of its members.
    groups["ring_members"], groups["ring_twins"] = [], []
    ring_posts: dict[Account, list[Post]] = {}
    for k in range(1, N_RING + 1):
        plan = world.persona_plan(-DAYS + 1, 0, 0.22, tuple(rng.sample(sorted(TOPICS), 2)), likes_per_day=0.15)
        names = [f"ring_member_{k}", f"ring_twin_{k}"]
        accounts, audiences, posts = _twins(world, names, plan, RING_AUDIENCE, 10, (0.2, 0.4))
        roles.update(accounts)
        groups["ring_members"].append(accounts[names[0]])
        groups["ring_twins"].append(accounts[names[1]])
        groups["audiences"] += [a for members in audiences.values() for a in members]
        ring_posts[accounts[names[0]]] = posts[names[0]]
    ring_start = (D0 - 59 * DAY) * 1_000_000
    for member in groups["ring_members"]:
        for author, posts in ring_posts.items():
            if author is member:
                continue
            for post in posts:
                if post.ts_us < ring_start:
                    continue
                if rng.random() < 0.9:
                    log.like(member, world.later(post.ts_us, 60, 3 * 3600), post)
                if rng.random() < 0.35:
                    log.repost(member, world.later(post.ts_us, 60, 3 * 3600), post)

    # 3. The buyer, its bought followers, and its twin.
    plan = world.persona_plan(-DAYS + 1, 0, 0.8, ("cycling", "cooking"))
    accounts, audiences, posts = _twins(world, ["buyer", "buyer_twin"], plan, BUYER_AUDIENCE, 12, (0.15, 0.35))
    roles.update(accounts)
    groups["audiences"] += [a for members in audiences.values() for a in members]
    groups["buyer_audience"], groups["buyer_twin_audience"] = audiences["buyer"], audiences["buyer_twin"]
    buyer = accounts["buyer"]
    bought = [p for p in posts["buyer"] if (D0 + (BUY_DAY - 12) * DAY) * 1_000_000 <= p.ts_us < (D0 + BUY_DAY * DAY) * 1_000_000]
    burst = (D0 + BUY_DAY * DAY + 9 * 3600) * 1_000_000
    groups["fake_followers"] = []
    for i in range(N_FAKE_FOLLOWERS):
        fake = log.account(f"user{i:04d}{rng.randrange(1000):03d}")
        groups["fake_followers"].append(fake)
        followed = burst + rng.randrange(3 * 3600 * 1_000_000)
        log.follow(fake, followed, buyer)
        for post in rng.sample(bought, rng.randint(1, 3)):
            log.like(fake, followed + rng.randint(5, 600) * 1_000_000, post)
        for _ in range(fake_follower_posts):
            day = rng.randint(BUY_DAY, 0)
            log.post(fake, (D0 + day * DAY + rng.randrange(DAY)) * 1_000_000, rng.choice(STOCK_PHRASES))

    # 4. The celebrity and the expert.
    celebrity = roles["celebrity"] = log.account("famous-face")
    celebrity_posts = world.play_persona(celebrity, world.persona_plan(-DAYS + 1, 0, 1.0, ("music", "football")))
    groups["lurkers"] = []
    followers = commons + [log.account(f"{rng.choice(FILLER)}-{i}") for i in range(CELEBRITY_FOLLOWERS - len(commons))]
    groups["lurkers"] = followers[len(commons):]
    for follower in followers:
        day = -DAYS + 1 + int(rng.betavariate(1.2, 3.0) * DAYS)
        log.follow(follower, world.human_time(min(day, 0), 0), celebrity)
    early = [p for p in celebrity_posts if p.ts_us < (D0 - 120 * DAY) * 1_000_000]
    past = groups["lurkers"][: CELEBRITY_PAST_ENGAGERS - 150] + rng.sample(commons, 150)
    groups["celebrity_past_engagers"] = past
    for engager in past:
        for post in rng.sample(early, rng.randint(1, 2)):
            world.react(engager, post, rng.choices(("like", "repost", "reply"), (0.75, 0.17, 0.08))[0])
    recent_celebrity = [p for p in celebrity_posts if p.ts_us >= (D0 - 80 * DAY) * 1_000_000]
    groups["celebrity_recent_engagers"] = [free.pop() for _ in range(CELEBRITY_RECENT_ENGAGERS)]
    for engager in groups["celebrity_recent_engagers"]:
        for post in rng.sample(recent_celebrity, rng.randint(2, 4)):
            world.react(engager, post, rng.choice(("like", "reply")))

    expert = roles["expert"] = log.account("soil-scientist")
    expert_posts = world.play_persona(expert, world.persona_plan(-DAYS + 1, 0, 0.45, ("garden", "birds")))
    recent_expert = [p for p in expert_posts if p.ts_us >= (D0 - 42 * DAY) * 1_000_000]
    groups["expert_engagers"] = [free.pop() for _ in range(EXPERT_ENGAGERS)]
    for engager in groups["expert_engagers"]:
        for post in rng.sample(recent_expert, min(len(recent_expert), rng.randint(1, 3))):
            world.react(engager, post, rng.choices(("like", "repost", "reply"), (0.5, 0.3, 0.2))[0])

    # 5. Quiet, its twin that was active until yesterday, and the one long gone.
    plan = world.persona_plan(-100, -1, 0.9, ("birds", "code"))
    accounts, audiences, _ = _twins(world, list(QUIET_SHIFTS), plan, QUIET_AUDIENCE, 12, (0.2, 0.4), QUIET_SHIFTS)
    roles.update(accounts)
    groups["audiences"] += [a for members in audiences.values() for a in members]
    for name, members in audiences.items():
        groups[f"{name}_audience"] = members

    # 6. Topics: one post is no topic, posting to nobody is no lead, a shared audience is no campaign.
    topic_roles, topic_groups = plant_topic_scenarios(world, free)
    roles.update(topic_roles)
    groups.update(topic_groups)

    events = log.write(out / PLATFORM / "part-00000.jsonl")
    truth = {
        "score_date": SCORE_DATE.isoformat(),
        "roles": {name: account.person_id for name, account in sorted(roles.items())},
        "groups": {name: [a.person_id for a in members] for name, members in sorted(groups.items()) if members},
        "events": events,
        "events_by_collection": dict(sorted(log.counts.items())),
        "accounts": len(log.first_us),
    }
    (out / "truth").mkdir(parents=True, exist_ok=True)
    (out / "truth" / "gaming.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth
