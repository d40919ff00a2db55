"""Topic scenarios planted in the gaming world (:mod:`tests.integration.gaming_world`).

Klout named people experts from one tweet; a brand wants the few voices that reach the
most distinct people. :func:`plant_topic_scenarios` adds, with the world's random source
and engagers from its genuine commons (each engaging one scenario person only):

- ``topic_one_post``: one post on space, engaged by 10 people, among posts on nothing
  in particular that 3 people engage: no space topic;
- ``topic_steady``: 8 space posts on 8 days, each engaged, 12 engagers in all: a topic;
- ``topic_loud``: 60 space posts over 30 days, 3 of them engaged once each on 3 days;
  ``topic_engaged``: 5 space posts on 5 days engaged by 15 people: ranks above loud;
- ``campaign_top_1..3``: finance posts on 6 days each, all engaged by one shared
  audience of 30; ``campaign_niche_1`` and ``campaign_niche_2``: audiences of their own
  of 18 and 15: the top 3 reach 30 people, a plan of 3 can reach 63.
"""

from __future__ import annotations

from typing import Any

SPACE = (("rocket", "launch", "orbit", "telescope", "satellite", "galaxy"), ("space", "astronomy"))
FINANCE = (("inflation", "earnings", "portfolio", "dividend", "interest rates", "central bank"), ("finance", "investing"))
FILLER = ("today", "really", "think", "again", "this", "week", "love", "after", "little", "still", "morning", "quick")
DAY = 86_400


def _text(world: Any, vocabulary: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """A post holding two distinct keywords of the topic and one of its hashtags."""
    words, tags = vocabulary
    first, second = world.rng.sample(words, 2)
    filler = [world.rng.choice(FILLER) for _ in range(world.rng.randint(3, 6))]
    return f"{first.capitalize()} {' '.join(filler)} {second}", (world.rng.choice(tags),)


def _post_on(world: Any, account: Any, day: int, vocabulary: tuple | None) -> Any:
    ts_us = (world.d0 + day * DAY + world.rng.randint(7 * 3600, 14 * 3600)) * 1_000_000
    if vocabulary is None:  # the background's everyday posts (books and gardens: no topic of this world's scenarios)
        text, tags = world.text(("books", "garden"))
        return world.log.post(account, ts_us, text, tags)
    text, tags = _text(world, vocabulary)
    return world.log.post(account, ts_us, text, tags)


def _engage(world: Any, engagers: list, posts: list, per_engager: tuple[int, int]) -> None:
    """Every post gets at least one engager; each engager reacts to a few posts."""
    for index, engager in enumerate(engagers):
        chosen = {posts[index % len(posts)]} if index < len(posts) else set()
        chosen |= set(world.rng.sample(posts, min(len(posts), world.rng.randint(*per_engager))))
        for post in sorted(chosen, key=lambda p: p.ts_us):
            world.react(engager, post, world.rng.choices(("like", "repost", "reply"), (0.6, 0.25, 0.15))[0])


def plant_topic_scenarios(world: Any, free: list) -> tuple[dict[str, Any], dict[str, list]]:
    """Plants the scenarios; returns ``(roles, groups)`` to add to the world's truth.

    Args:
        world: The gaming world being built (its ``d0``: midnight of the score date, in seconds).
        free: Commons accounts that engage no scenario person yet (engagers are popped from it).
    """
    log = world.log
    roles: dict[str, Any] = {}
    groups: dict[str, list] = {}

    def person(name: str) -> Any:
        roles[name] = log.account(name.replace("_", "-"))
        return roles[name]

    def engagers(name: str, count: int) -> list:
        groups[name] = [free.pop() for _ in range(count)]
        return groups[name]

    one = person("topic_one_post")
    _engage(world, engagers("topic_one_post_engagers", 10), [_post_on(world, one, -10, SPACE)], (1, 1))
    _engage(world, engagers("topic_one_post_other_engagers", 3), [_post_on(world, one, -d, None) for d in range(5, 80, 9)], (2, 4))

    steady = person("topic_steady")
    _engage(world, engagers("topic_steady_engagers", 12), [_post_on(world, steady, -d, SPACE) for d in range(4, 80, 10)], (1, 3))

    loud = person("topic_loud")
    loud_posts = [_post_on(world, loud, -d, SPACE) for d in range(1, 31) for _ in range(2)]
    engaged_loud = [loud_posts[0], loud_posts[20], loud_posts[40]]  # three days
    for engager, post in zip(engagers("topic_loud_engagers", 3), engaged_loud):
        world.react(engager, post, "like")

    engaged = person("topic_engaged")
    _engage(world, engagers("topic_engaged_engagers", 15), [_post_on(world, engaged, -d, SPACE) for d in (3, 17, 29, 44, 61)], (1, 2))

    shared = engagers("campaign_shared_audience", 30)
    for k in (1, 2, 3):
        top = person(f"campaign_top_{k}")
        _engage(world, shared, [_post_on(world, top, -d - k, FINANCE) for d in range(5, 65, 10)], (1, 3))
    for k, size in ((1, 18), (2, 15)):
        niche = person(f"campaign_niche_{k}")
        _engage(world, engagers(f"campaign_niche_{k}_audience", size), [_post_on(world, niche, -d - k, FINANCE) for d in range(6, 66, 10)], (1, 3))
    return roles, groups
