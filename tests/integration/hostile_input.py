"""Hostile input for the ingest stage, with what must become of every record.

:func:`write_hostile` writes files named ``hostile-*`` into the per-source folders of an
input folder, in every format the adapters read, and ``identities.csv``: the normal rows
(if given), then hostile ones, with a byte-order mark and CRLF line ends.

Every hostile record is listed as an :class:`Expected`: its kind, where it is (file,
position, path inside the file, as the ingest stage numbers them) and its outcome:

* ``accepted``: valid input, however odd (CRLF, a BOM, emoji and right-to-left handles, a key
  given twice, a 10 MB text, ...): the events, accounts or links it must yield are named;
* ``quarantined``: with the exact reason the quarantine must give;
* ``file``: the whole file is one quarantined record (a corrupt gzip stream, a Graph API
  document that cannot be read), with its reason;
* ``no records``: an empty file (a zero-byte ``.gz`` too) holds none.

Accepted hostile records are dated from 2027 on, after the sample's score date, with ids and
handles of their own (``77...``, ``hx...``): they must not change what the normal records
yield. The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

PREFIX = "hostile-"
ACCEPTED, QUARANTINED, FILE, NO_RECORDS = "accepted", "quarantined", "file", "no records"
START = dt.datetime(2027, 3, 1)
RANGE = "outside the times Clout accepts (1970-01-01 to 2099-12-31 UTC): a clock or export error"
NOT_JSON = "line is not valid JSON (truncated or corrupted record)"
TOO_DEEP = ("line nests objects or arrays more than 1,000 levels deep, deeper than the JSON reader goes: "
            "no export does that, the record is corrupted or hostile")
NUL = "line holds a NUL character (byte 0), which JSON allows only escaped as \\u0000: the file is binary or corrupted"
GZIP = ("gzip file cannot be read: its stream is corrupt or cut short (java.io.EOFException: Unexpected end of "
        "input stream); none of its records were ingested: replace it with a complete copy")
LINE_BREAKS = ("{field} holds {n} line breaks: a quote opened in this row is not closed, so the lines after it were "
               "read into it; close the quote and ingest the file again")
COLLIDER, COLLIDER_POST = "7700000000000000001", "7700000000000000002"
# Placeholders replaced after encoding: bytes that are not UTF-8, and a raw NUL byte.
BAD, RAW_NUL, BAD_BYTES = "\u2063BAD\u2063", "\u2063NUL\u2063", b"caf\xe9 \xff\xfe"
EMOJI = ["😀", "🔥", "🦊", "🐼", "🚀", "👩‍💻", "🇫🇮", "❤️"]
RTL = ["مرحبا", "שלום", "سلام", "עברית", "\u202eevil"]
WORDS = "market music sunset river coffee match vote rocket garden train".split()
DAYS, MONTHS = "Mon Tue Wed Thu Fri Sat Sun".split(), "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass(frozen=True)
class Expected:
    """What must become of one hostile record (or of a file that holds none)."""

    kind: str
    source: str
    file: str  # relative to the input folder
    position: int
    record_path: str
    outcome: str
    reason: str | None = None
    event: tuple | None = None  # accepted: (platform, event_type, actor, post_id or None, target or None),
    text_sha256: str | None = None  # ... its text's SHA-256,
    account: tuple | None = None  # ... and/or an account (platform, account_id) with some fields, a link
    account_fields: dict | None = None
    identity: tuple | None = None


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def twitter_time(t: dt.datetime, offset_hours: int = 0) -> str:
    local = t + dt.timedelta(hours=offset_hours)
    return f"{DAYS[local.weekday()]} {MONTHS[local.month - 1]} {local.day:02d} {local:%H:%M:%S} {offset_hours * 100:+05d} {local.year}"


def iso(t: dt.datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}.000Z"


def epoch(t: dt.datetime) -> int:
    return int((t - dt.datetime(1970, 1, 1)).total_seconds())


def quoted(value: str) -> str:
    value = value.replace("\x00", "\\u0000")
    return "'" + (value[:60] + "..." if len(value) > 60 else value) + "'"


def out_of_range(field: str, value: str, when: dt.datetime | str) -> str:
    shown = when if isinstance(when, str) else f"{when:%Y-%m-%d %H:%M:%S}"
    return f"{field} {quoted(value)} is {shown} UTC, {RANGE}"


def layout(name: str) -> str:
    return (f"record does not match the {name} layout: a field holds the wrong kind of value "
            "(for example an object where a string or number belongs)")


def with_bytes(line: str) -> bytes:
    """A line as UTF-8, with the placeholders turned into invalid bytes and raw NULs."""
    return line.encode("utf-8").replace(BAD.encode(), BAD_BYTES).replace(RAW_NUL.encode(), b"\x00")


def read_text(text: str) -> str:
    """The text the ingest stage reads back for a text with placeholders."""
    return text.replace(BAD, BAD_BYTES.decode("utf-8", "replace"))


def deep(levels: int = 10_000) -> str:
    return '{"a":' * levels + "1" + "}" * levels


class Hostile:
    """Builds the hostile records of every source and writes them, numbering as ingest does."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root, self.rng, self.n = root, random.Random(seed), 0
        self.expected: list[Expected] = []

    def next(self) -> int:
        self.n += 1
        return self.n

    def num(self, n: int | None = None) -> str:
        """A numeric id of the hostile range (19 digits starting 77, past every normal id)."""
        return f"77{(n if n is not None else self.next()) + 100:017d}"

    def when(self) -> dt.datetime:
        return START + dt.timedelta(minutes=self.next() * 7, seconds=self.rng.randrange(60))

    def text(self, extra: str = "") -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 8))) + f" no{self.next()}" + extra

    def handle(self, script: list[str]) -> str:
        return "hx" + "".join(self.rng.choice(script) for _ in range(3)) + str(self.next())

    def write(self, source: str, name: str, rows: list[tuple[bytes, Any]], *, crlf: bool = False,
              bom: bool = False, gz: bool = False, first: int = 1, header: bytes | None = None) -> None:
        """Writes rows (a line, and the expectation of its record, or a list of them) numbered from ``first``."""
        relative = f"{source}/{name}" if source != "identities" else name
        end = b"\r\n" if crlf else b"\n"
        body = (header + end if header is not None else b"") + b"".join(line + end for line, _ in rows)
        body = (b"\xef\xbb\xbf" if bom else b"") + body
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(body, mtime=0) if gz else body)
        for offset, (_, exps) in enumerate(rows):
            for exp in exps if isinstance(exps, list) else [exps]:
                exp = {"position": first + offset, "record_path": "", **exp}
                self.expected.append(Expected(source=source, file=relative, **exp))

    def raw_file(self, source: str, name: str, data: bytes, kind: str, outcome: str, reason: str | None = None) -> None:
        path = self.root / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.expected.append(Expected(kind, source, f"{source}/{name}", 0, "", outcome, reason))

    def json_lines(self, source: str, spec: "LineSource", copies: int) -> None:
        """Every line-level kind of one JSON-lines source, then CRLF and BOM files of accepted records."""
        rows: list[tuple[bytes, dict | None]] = []

        def add(line: str, exp: dict) -> None:
            rows.append((with_bytes(line), exp))

        def accepted(kind: str, record: dict, **check: Any) -> None:
            add(json.dumps(record, ensure_ascii=False), {"kind": kind, "outcome": ACCEPTED, **check})

        for _ in range(copies):
            good = spec.good(self)
            text = json.dumps(good.record, ensure_ascii=False)
            cut = self.rng.randrange(len(text) // 2, len(text) - 1)  # past the unique id: no two alike
            add(text[:cut], {"kind": "truncated JSON", "outcome": QUARANTINED, "reason": NOT_JSON})
            for kind, outcome, line, reason in spec.hostile(self):
                add(line, {"kind": kind, "outcome": outcome, "reason": reason})
            for kind, good in (("emoji handle", spec.good(self, handle=self.handle(EMOJI))),
                               ("right-to-left handle", spec.good(self, handle=self.handle(RTL))),
                               ("invalid UTF-8 bytes in a text", spec.good(self, text=self.text(" " + BAD))),
                               ("NUL escaped as \\u0000 in a text", spec.good(self, text=self.text(" x\x00y")))):  # json.dumps escapes it
                accepted(kind, good.record, **good.check)
            first, last = self.text(), spec.good(self)
            add(spec.duplicate_key(json.dumps(last.record, ensure_ascii=False), first),
                {"kind": "duplicate JSON key (the last wins)", "outcome": ACCEPTED, **last.check})
            good = spec.good(self, text=self.text(" " + RAW_NUL))
            add(json.dumps(good.record, ensure_ascii=False), {"kind": "NUL byte", "outcome": QUARANTINED, "reason": NUL})
        for n in range(3 if spec.collides else 0):  # one account and one post id on every platform
            good = spec.good(self, account=COLLIDER, handle="hx_collider", post=COLLIDER_POST if n == 0 else None)
            accepted("ids colliding across platforms", good.record, **good.check)
        good = spec.good(self)
        add(json.dumps(good.record)[:-1] + ', "nested": ' + deep() + "}",
            {"kind": "JSON nested 10,000 levels deep", "outcome": QUARANTINED, "reason": TOO_DEEP})
        rows += spec.extra(self)
        self.write(source, f"{PREFIX}mixed.jsonl", rows)
        for name, crlf, bom, kind in (("crlf", True, False, "CRLF line ends"), ("bom", False, True, "byte-order mark")):
            made = [spec.good(self) for _ in range(copies)]
            lines = [(json.dumps(g.record, ensure_ascii=False).encode(), {"kind": kind, "outcome": ACCEPTED, **g.check}) for g in made]
            self.write(source, f"{PREFIX}{name}.jsonl", lines, crlf=crlf, bom=bom)


Good = NamedTuple("Good", [("record", dict), ("check", dict)])  # a valid record and what it must yield


def make_good(record: dict, event: tuple, text: str, handle: str | None, account: tuple, shown: str | None = None) -> Good:
    """A valid record, with the event it yields and, for a chosen handle, its account."""
    check = {"event": event, "text_sha256": sha(read_text(text))}
    if handle:
        check.update(account=account, account_fields={"handle": shown or handle})
    return Good(record, check)


class LineSource:
    """A JSON-lines format: a valid record and the hostile lines only it has."""

    def good(self, h: Hostile, *, handle=None, text=None, account=None, post=None) -> Good:  # a valid record
        raise NotImplementedError

    def hostile(self, h: Hostile) -> list[tuple[str, str, str, str | None]]:  # kind, outcome, line, reason
        raise NotImplementedError

    def duplicate_key(self, line: str, first_text: str) -> str:
        """The line with its text field given twice, an earlier value first."""
        key = self.text_key
        return line.replace(f'"{key}": ', f'"{key}": {json.dumps(first_text)}, "{key}": ', 1)

    def extra(self, h: Hostile) -> list[tuple[bytes, dict | None]]:
        return []

    def line(self, h: Hostile, **changes: Any) -> str:
        """A valid record's line with some fields changed (None: left out)."""
        record = self.good(h).record
        record.update(changes)
        return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)

    text_key = "text"
    collides = True  # whether its ids can be another platform's


class Twitter(LineSource):
    def good(self, h, *, handle=None, text=None, account=None, post=None):
        tweet_id, user = post or h.num(), account or h.num()
        text = text if text is not None else h.text()
        record = {"created_at": twitter_time(h.when()), "id_str": tweet_id, "text": text,
                  "user": {"id_str": user, "screen_name": handle or f"hx_user{h.next()}", "followers_count": 5},
                  "entities": {"hashtags": [], "user_mentions": []}, "lang": "en"}
        return make_good(record, ("twitter", "post", user, tweet_id, None), text, handle, ("twitter", user))

    def hostile(self, h):
        big = "123456789012345678901234567890"
        return [
            ("wrong type: user is a string", QUARANTINED, self.line(h, user="bob"), layout("Twitter v1.1 tweet")),
            ("wrong type: id is an object", QUARANTINED, self.line(h, id_str={"$numberLong": "5"}), "tweet id '{\"$numberLong\":\"5\"}' is not valid"),
            ("timestamp is a word", QUARANTINED, self.line(h, created_at="yesterday"), "created_at 'yesterday' is not a timestamp"),
            ("far-future date", QUARANTINED, self.line(h, created_at="Tue Jan 01 00:00:00 +0000 2999"),
             out_of_range("created_at", "Tue Jan 01 00:00:00 +0000 2999", dt.datetime(2999, 1, 1))),
            ("far-future date (a 5-digit year)", QUARANTINED, self.line(h, created_at="Mon Jan 01 00:00:00 +0000 12026"),
             "created_at 'Mon Jan 01 00:00:00 +0000 12026' is not a timestamp"),
            ("pre-1970 date", QUARANTINED, self.line(h, created_at="Mon Jan 01 00:00:00 +0000 1900"),
             out_of_range("created_at", "Mon Jan 01 00:00:00 +0000 1900", dt.datetime(1900, 1, 1))),
            ("number too large for a long: id", QUARANTINED, self.line(h, id_str=None)[:-1] + f', "id": {big}}}', f"tweet id '{big}' is not valid"),
        ]

    def extra(self, h):
        big_id, user = "9" * 25, h.num()
        tweet = self.good(h, account=user)
        tweet.record["id_str"] = big_id
        tweet.record["user"]["followers_count"] = 10 ** 30
        long_one = self.good(h, text="x" * (10 * 1024 * 1024))
        v2_user, v2_tweet, name = h.num(), h.num(), h.handle(RTL)
        response = {"data": [{"id": v2_tweet, "text": "v2 " + h.text(), "author_id": v2_user, "created_at": iso(h.when())}],
                    "includes": {"users": [{"id": v2_user, "username": name, "name": name}]}}
        line = json.dumps(response, ensure_ascii=False).encode()
        return [
            (json.dumps(tweet.record).encode(), {"kind": "number too large for a long: id kept as text, count unknown",
                                                 "outcome": ACCEPTED, "event": ("twitter", "post", user, big_id, None),
                                                 "account": ("twitter", user), "account_fields": {"followers_count": None}}),
            (json.dumps(long_one.record).encode(), {"kind": "10 MB text field", "outcome": ACCEPTED, **long_one.check}),
            (line, [{"kind": "API v2 response: its tweet", "outcome": ACCEPTED, "record_path": "data[0]",
                     "event": ("twitter", "post", v2_user, v2_tweet, None), "text_sha256": sha(response["data"][0]["text"])},
                    {"kind": "right-to-left handle", "outcome": ACCEPTED, "record_path": "includes.users[0]",
                     "account": ("twitter", v2_user), "account_fields": {"handle": name}}]),
        ]


class Bluesky(LineSource):
    collides = False  # accounts are DIDs
    def good(self, h, *, handle=None, text=None, account=None, post=None):
        did, rkey, when = f"did:plc:hx{h.next():020d}", f"hx{h.next()}", h.when()
        text = text if text is not None else h.text()
        record = {"did": did, "time_us": epoch(when) * 1_000_000, "kind": "commit",
                  "commit": {"rev": f"r{rkey}", "operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                             "record": {"$type": "app.bsky.feed.post", "createdAt": iso(when), "text": text, "langs": ["en"]}}}
        check = {"event": ("bluesky", "post", did, f"at://{did}/app.bsky.feed.post/{rkey}", None), "text_sha256": sha(read_text(text))}
        if handle:  # a handle is an identity event's
            record = {"did": did, "time_us": epoch(when) * 1_000_000, "kind": "identity",
                      "identity": {"did": did, "handle": handle + ".bsky.social", "seq": h.next(), "time": iso(when)}}
            check = {"account": ("bluesky", did), "account_fields": {"handle": handle + ".bsky.social"}}
        return Good(record, check)

    def hostile(self, h):
        def line(created: Any = None, time_us: Any = None, **changes: Any) -> str:
            record = {**self.good(h).record, **changes}
            if created is not None:
                record["commit"]["record"].update(createdAt=created)
                record["time_us"] = time_us
            return json.dumps(record, ensure_ascii=False)

        def both_bad(value: str) -> str:
            return (f"createdAt '{value}' is outside the times Clout accepts (1970-01-01 to 2099-12-31 UTC) and "
                    "time_us gives no time inside them: a clock or export error")

        commit = self.good(h).record
        commit["commit"]["rkey"] = {"v": "1"}
        return [
            ("wrong type: commit is a string", QUARANTINED, line(commit="oops"), layout("Jetstream event")),
            ("wrong type: rkey is an object", QUARANTINED, json.dumps(commit), "rkey '{\"v\":\"1\"}' is an object or a list, not an id"),
            ("timestamp is a word", QUARANTINED, line("soon", "later"), "createdAt 'soon' is not a timestamp"),
            ("far-future date", QUARANTINED, line("2999-01-01T00:00:00Z", 32503680000000000), both_bad("2999-01-01T00:00:00Z")),
            ("pre-1970 date", QUARANTINED, line("1969-07-20T20:17:40Z", -1_000_000), both_bad("1969-07-20T20:17:40Z")),
        ]

    def extra(self, h):
        word = self.good(h)
        word.record["commit"]["record"]["createdAt"] = "soon"
        big = self.good(h)
        big.record["time_us"] = 10 ** 30
        return [
            (json.dumps(word.record).encode(), {"kind": "timestamp is a word (the relay's time_us is used)", "outcome": ACCEPTED, **word.check}),
            (json.dumps(big.record).encode(), {"kind": "number too large for a long: time_us (createdAt is used)", "outcome": ACCEPTED, **big.check}),
        ]


class Mastodon(LineSource):
    text_key = "content"

    def good(self, h, *, handle=None, text=None, account=None, post=None):
        sid, acc = post or h.num(), account or h.num()
        text = text if text is not None else h.text()
        acct = (handle or f"hx_user{h.next()}") + "@example.social"
        record = {"id": sid, "created_at": iso(h.when()), "content": f"<p>{text}</p>", "language": "en",
                  "account": {"id": acc, "username": acct.split("@")[0], "acct": acct, "followers_count": 3},
                  "mentions": [], "tags": [], "reblog": None}
        return make_good(record, ("mastodon", "post", acc, sid, None), text, handle, ("mastodon", acc), acct)

    def duplicate_key(self, line, first_text):
        return line.replace('"content": ', f'"content": {json.dumps("<p>" + first_text + "</p>")}, "content": ', 1)

    def hostile(self, h):
        return [
            ("wrong type: id is an object", QUARANTINED, self.line(h, id={"v": "1"}), "status id '{\"v\":\"1\"}' is an object or a list, not an id"),
            ("wrong type: account is a list", QUARANTINED, self.line(h, account=["x"]), layout("Mastodon Status")),
            ("timestamp is a word", QUARANTINED, self.line(h, created_at="now"), "created_at 'now' is not a timestamp"),
            ("far-future date", QUARANTINED, self.line(h, created_at="+12026-01-01T00:00:00Z"),
             out_of_range("created_at", "+12026-01-01T00:00:00Z", "+12026-01-01 00:00:00")),
            ("pre-1970 date", QUARANTINED, self.line(h, created_at="1969-12-31T23:59:59.000Z"),
             out_of_range("created_at", "1969-12-31T23:59:59.000Z", dt.datetime(1969, 12, 31, 23, 59, 59))),
        ]

    def extra(self, h):
        big = self.good(h, post="123456789012345678901234567890")
        big.record["account"]["followers_count"] = 10 ** 30
        return [(json.dumps(big.record).encode(), {"kind": "number too large for a long: id kept as text, count unknown",
                                                   "outcome": ACCEPTED, **big.check,
                                                   "account": ("mastodon", big.record["account"]["id"]), "account_fields": {"followers_count": None}})]


class Reddit(LineSource):
    text_key = "title"

    def good(self, h, *, handle=None, text=None, account=None, post=None):
        rid, author = post or f"hx{h.next()}", account or handle or f"hx_user{h.next()}"
        text = text if text is not None else h.text()
        record = {"id": rid, "author": author, "created_utc": epoch(h.when()), "subreddit": "hx", "title": text, "selftext": ""}
        return make_good(record, ("reddit", "post", author, f"t3_{rid}", None), text, handle, ("reddit", author), author)

    def hostile(self, h):
        big = "123456789012345678901234567890"
        return [
            ("wrong type: id is an object", QUARANTINED, self.line(h, id={"$oid": "1"}), "id '{\"$oid\":\"1\"}' is an object or a list, not an id"),
            ("timestamp is a word", QUARANTINED, self.line(h, created_utc="last week"), "created_utc 'last week' is not a timestamp"),
            ("far-future date", QUARANTINED, self.line(h, created_utc=99999999999),
             out_of_range("created_utc", "99999999999", dt.datetime(5138, 11, 16, 9, 46, 39))),
            ("pre-1970 date", QUARANTINED, self.line(h, created_utc=-86400), "created_utc '-86400' is not a timestamp"),
            ("number too large for a long: time", QUARANTINED, self.line(h)[:-1] + f', "created_utc": {big}}}', f"created_utc '{big}' is not a timestamp"),
        ]


class Weibo(LineSource):
    def good(self, h, *, handle=None, text=None, account=None, post=None):
        sid, user = post or h.num(), account or h.num()
        text = text if text is not None else h.text()
        record = {"created_at": twitter_time(h.when(), 8), "idstr": sid, "text": text,
                  "user": {"idstr": user, "screen_name": handle or f"hx_user{h.next()}", "followers_count": 7}}
        return make_good(record, ("weibo", "post", user, sid, None), text, handle, ("weibo", user))

    def hostile(self, h):
        return [
            ("wrong type: user is a list", QUARANTINED, self.line(h, user=[1]), layout("Weibo status")),
            ("timestamp is a word", QUARANTINED, self.line(h, created_at="tomorrow"), "created_at 'tomorrow' is not a timestamp"),
            ("far-future date", QUARANTINED, self.line(h, created_at="Tue Jan 01 00:00:00 +0800 2999"),
             out_of_range("created_at", "Tue Jan 01 00:00:00 +0800 2999", dt.datetime(2998, 12, 31, 16))),
            ("pre-1970 date", QUARANTINED, self.line(h, created_at="Thu Jan 01 07:59:59 +0800 1970"),
             out_of_range("created_at", "Thu Jan 01 07:59:59 +0800 1970", dt.datetime(1969, 12, 31, 23, 59, 59))),
        ]

    def extra(self, h):
        big = self.good(h)
        big.record["user"]["followers_count"] = 10 ** 30
        return [(json.dumps(big.record).encode(), {"kind": "number too large for a long: count unknown", "outcome": ACCEPTED,
                                                   **big.check, "account": ("weibo", big.record["user"]["idstr"]),
                                                   "account_fields": {"followers_count": None}})]


LINE_SOURCES = {"twitter": Twitter(), "bluesky": Bluesky(), "mastodon": Mastodon(), "reddit": Reddit(), "weibo": Weibo()}


def csv_row(*values: str) -> bytes:
    return with_bytes(",".join('"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n') else v for v in values))


def q(kind: str, reason: str) -> dict:
    return {"kind": kind, "outcome": QUARANTINED, "reason": reason}


def edges(h: Hostile, copies: int) -> None:
    rows, big = [], "1" * 30
    for _ in range(copies):
        a, b, t = h.num(), h.num(), epoch(h.when())
        rows += [(f"{a} {b} {t} RT".encode(), {"kind": "plain edge", "outcome": ACCEPTED, "event": ("snap", "reshare", a, None, b)}),
                 (f"alice {b} {t + 1} RT".encode(), q("wrong type: userA is a word", "userA 'alice' is not an integer id")),
                 (f"{a} {b} noon MT".encode(), q("timestamp is a word", "unix_ts 'noon' is not a unix timestamp")),
                 (f"{a} {b} 999999999999 MT".encode(), q("far-future date", out_of_range("unix_ts", "999999999999", "+33658-09-27 01:46:39"))),
                 (f"{a} {b} -86400 MT".encode(), q("pre-1970 date", "unix_ts '-86400' is not a unix timestamp")),
                 (f"{big} {b} {t + 2} RE".encode(), q("number too large for a long: id", f"userA '{big}' is not an integer id")),
                 (f"{a} {b} {'9' * 20} RE".encode(), q("number too large for a long: time", f"unix_ts '{'9' * 20}' is not a unix timestamp")),
                 (f"{a}\xff {b} {t + 3} RT".encode("latin-1"), q("invalid UTF-8 bytes in an id", f"userA '{a}\ufffd' is not an integer id")),
                 (f"{a} {b} {t + 4} RT\x00".encode(), q("NUL byte", "type 'RT\\u0000' is not RT, MT or RE")),
                 (f"{a} {b}".encode(), q("truncated line", "line has 2 fields; expected 4: userA userB unix_ts type"))]
    collider = epoch(h.when())
    rows.append((f"{COLLIDER} {h.num(1)} {collider} MT".encode(), {"kind": "ids colliding across platforms", "outcome": ACCEPTED,
                 "event": ("snap", "mention", COLLIDER, None, h.num(1)), "account": ("snap", COLLIDER), "account_fields": {"person_id": f"snap:{COLLIDER}"}}))
    h.write("edges", f"{PREFIX}mixed.txt", rows)

    def plain(kind: str) -> list[tuple[bytes, dict]]:
        pairs = [(h.num(), h.num()) for _ in range(copies)]
        return [(f"{a} {b} {epoch(h.when())} MT".encode(), {"kind": kind, "outcome": ACCEPTED, "event": ("snap", "mention", a, None, b)})
                for a, b in pairs]

    h.write("edges", f"{PREFIX}crlf.txt", plain("CRLF line ends"), crlf=True)
    h.write("edges", f"{PREFIX}bom.txt.gz", plain("byte-order mark (gzipped)"), bom=True, gz=True)
    h.raw_file("edges", f"{PREFIX}empty.txt", b"", "empty file", NO_RECORDS)
    h.raw_file("edges", f"{PREFIX}zero.txt.gz", b"", "zero-byte .gz", NO_RECORDS)
    stream = gzip.compress(b"".join(line + b"\n" for line, _ in plain("unused") * 20), mtime=0)
    h.raw_file("edges", f"{PREFIX}corrupt.txt.gz", stream[: len(stream) // 2], "corrupt gzip stream", FILE, GZIP)


def research_csv(h: Hostile, copies: int) -> None:
    header, rows = b"user_id,id,created_at,text", []

    def tweet(kind: str, text: str | None = None, **fields: str) -> None:
        values = {"user_id": h.num(), "id": h.num(), "created_at": twitter_time(h.when()), "text": text or h.text(), **fields}
        exp = {"kind": kind, "outcome": ACCEPTED, "event": ("twitter", "post", values["user_id"], values["id"], None),
               "text_sha256": sha(read_text(values["text"]))}
        rows.append((csv_row(*values.values()), exp))

    def bad(kind: str, reason: str, **fields: str) -> None:
        tweet(kind, **fields)
        rows[-1] = (rows[-1][0], q(kind, reason))

    for _ in range(copies):
        tweet("plain row")
        tweet("CSV with embedded newlines", text=h.text() + "\nsecond line, with a comma\nthird")
        tweet("CSV with escaped quotes", text='she said "hi", ' + h.text())
        tweet("invalid UTF-8 bytes in a text", text=h.text(" " + BAD))
        tweet("NUL byte in a CSV text (kept: CSV allows it)", text=h.text(" a\x00b"))
        bad("wrong type: id is a word", "tweet id 'abc' is not valid", id="abc")
        bad("timestamp is a word", "created_at 'someday' is not a timestamp", created_at="someday")
        for kind, year in (("far-future date", 2999), ("pre-1970 date", 1900)):
            value = twitter_time(dt.datetime(year, 1, 1))
            bad(kind, out_of_range("created_at", value, dt.datetime(year, 1, 1)), created_at=value)
        bad("number too large for a long: id", f"tweet id '{'1' * 30}' is not valid", id="1" * 30)
    tweet("10 MB text field", text="y" * (10 * 1024 * 1024))
    rows.append((f'{h.num()},{h.num()},"{twitter_time(h.when())},quote never closed'.encode(),
                 q("CSV with an unbalanced quote", LINE_BREAKS.format(field="created_at", n=2))))
    rows.append((f"{h.num()},{h.num()},{twitter_time(h.when())},read into the row above".encode(), []))
    h.write("research_csv", f"{PREFIX}tweets.csv", rows, header=header, first=2)

    users = []
    for n in range(copies):
        uid, name = h.num(), h.handle(EMOJI if n % 2 else RTL)
        fields = {"handle": name, "followers_count": None if n % 3 == 0 else 10}
        users.append((csv_row(uid, name, name, "1" * 30 if n % 3 == 0 else "10", twitter_time(dt.datetime(2020, 1, 1)),
                              f"{START:%Y-%m-%d} 10:00:{n:02d}", f"line one\nline two {n}"),
                      {"kind": "emoji or right-to-left handle, CRLF, BOM, a newline in a field, a count past a long",
                       "outcome": ACCEPTED, "account": ("twitter", uid), "account_fields": {**fields, "description": f"line one\nline two {n}"}}))
        users.append((csv_row("abc" + str(n), "hx_bad"), q("wrong type: id is a word", f"account id 'abc{n}' is not valid")))
        users.append((csv_row(h.num(), "hx_when", "", "", "whenever"), q("timestamp is a word", "created_at 'whenever' is not a timestamp")))
    h.write("research_csv", f"{PREFIX}users.csv", users, crlf=True, bom=True, first=2,
            header=b"id,screen_name,name,followers_count,created_at,updated,description")
    h.raw_file("research_csv", f"{PREFIX}empty.csv", b"", "empty file", NO_RECORDS)
    h.raw_file("research_csv", f"{PREFIX}tweets-zero.csv.gz", b"", "zero-byte .gz", NO_RECORDS)
    body = header + b"\n" + b"".join(csv_row(h.num(), h.num(), twitter_time(h.when()), h.text()) + b"\n" for _ in range(2000))
    stream = gzip.compress(body, mtime=0)
    h.raw_file("research_csv", f"{PREFIX}tweets-corrupt.csv.gz", stream[: len(stream) // 2], "corrupt gzip stream", FILE, GZIP)


def facebook(h: Hostile, copies: int) -> None:
    fb_time = lambda t: f"{t:%Y-%m-%dT%H:%M:%S}+0000"  # noqa: E731
    exps: list[dict] = []

    def item(path: str, kind: str, reason: str | None = None, *, type_: str = "reply", **over: Any) -> dict:
        author, text = over.pop("author", None) or h.num(), over.pop("message", None) or h.text()
        record = {"id": h.num(), "created_time": fb_time(h.when()), "message": text, "from": {"id": author, "name": over.pop("name", "hx")}, **over}
        exp = {"kind": kind, "record_path": path, "outcome": QUARANTINED if reason else ACCEPTED, "reason": reason}
        if not reason:
            exp.update(event=("facebook", type_, author, record["id"], None), text_sha256=sha(read_text(text)))
        exps.append(exp)
        return record

    posts = []
    for i in range(copies):
        c = f"data[{i}].comments.data"
        post = item(f"data[{i}]", "emoji display name", type_="post", name=h.handle(EMOJI))
        exps[-1].update(account=("facebook", post["from"]["id"]), account_fields={"display_name": post["from"]["name"]})
        post["comments"] = {"data": [
            item(f"{c}[0]", "right-to-left display name", name=h.handle(RTL)),
            item(f"{c}[1]", "wrong type: id is an object", "comment id '{\"v\":\"1\"}' is an object or a list, not an id", id={"v": "1"}),
            item(f"{c}[2]", "timestamp is a word", "created_time 'noon' is not a timestamp", created_time="noon"),
            *[item(f"{c}[{n}]", kind, out_of_range("created_time", fb_time(t), t), created_time=fb_time(t))
              for n, kind, t in ((3, "far-future date", dt.datetime(2999, 1, 1)), (4, "pre-1970 date", dt.datetime(1969, 12, 31, 23, 59, 59)))],
            item(f"{c}[5]", "invalid UTF-8 bytes in a text", message=h.text(" " + BAD)),
            item(f"{c}[6]", "NUL escaped as \\u0000 in a text", message=h.text(" x\x00y")),
        ]}
        likers = [h.num() for _ in range(2)]
        post["reactions"] = {"data": [{"id": liker, "name": "hx", "type": "LIKE"} for liker in likers]}
        exps += [{"kind": "plain reaction", "record_path": f"data[{i}].reactions.data[{n}]", "outcome": ACCEPTED,
                  "event": ("facebook", "like", liker, None, post["from"]["id"])} for n, liker in enumerate(likers)]
        posts.append(post)
    posts.append(item(f"data[{copies}]", "ids colliding across platforms", type_="post", author=COLLIDER, id=COLLIDER_POST))
    last = item(f"data[{copies + 1}]", "duplicate JSON key (the last wins)", type_="post")
    document = json.dumps({"data": [*posts, last]}, ensure_ascii=False)
    document = document.replace('"message": ' + json.dumps(last["message"]), '"message": "earlier", "message": ' + json.dumps(last["message"]))
    h.write("facebook", f"{PREFIX}page.json", [(with_bytes(document), [{**e, "position": 0} for e in exps])])
    for name, kind, crlf, bom in (("crlf", "CRLF line ends", True, False), ("bom", "byte-order mark", False, True)):
        exps = []
        page = json.dumps({"data": [item("data[0]", kind, type_="post")]}, indent=2, ensure_ascii=False).encode()
        h.write("facebook", f"{PREFIX}{name}.json", [(page.replace(b"\n", b"\r\n") if crlf else page, {**exps[0], "position": 0})], bom=bom)
    for name, data, kind, reason in (
        ("truncated", json.dumps({"data": posts[:1]}, ensure_ascii=False)[:500].encode(), "truncated JSON", NOT_JSON),
        ("deep", ('{"data": [], "nested": ' + deep() + "}").encode(), "JSON nested 10,000 levels deep", TOO_DEEP),
        ("nul", b'{"data": [{"id": "1\x00"}]}', "NUL byte", NUL),
        ("wrong-type", b'{"data": {"id": "1"}}', "wrong type: data is an object", layout("Graph API response")),
    ):
        h.raw_file("facebook", f"{PREFIX}{name}.json", data, kind, FILE, reason)
    h.raw_file("facebook", f"{PREFIX}empty.json", b"", "empty file", NO_RECORDS)


def identities(h: Hostile, normal: bytes | None) -> None:
    lines = (normal or b"person_id,platform,account_id\n").decode("utf-8").splitlines()
    weibo = h.num()
    rows: list[tuple[bytes, Any]] = [(csv_row("hx-collider", p, COLLIDER), {
        "kind": "ids colliding across platforms: one person", "outcome": ACCEPTED, "identity": ("hx-collider", p, COLLIDER),
        "account": (p, COLLIDER), "account_fields": {"person_id": "hx-collider"}}) for p in ("twitter", "mastodon")]
    rows += [
        (csv_row("hx-🦊-שלום", "reddit", "hx_person"), {"kind": "emoji and right-to-left person id", "outcome": ACCEPTED,
                                                       "identity": ("hx-🦊-שלום", "reddit", "hx_person")}),
        (csv_row("", "twitter", h.num()), q("missing field", "person_id is missing")),
        (csv_row("hx-p", "", h.num()), q("missing field", "platform is missing")),
        (csv_row("hx-a", "weibo", weibo), q("one account, two persons", f"account weibo:{weibo} is listed for several persons (hx-a, hx-b)")),
        (csv_row("hx-b", "weibo", weibo), q("one account, two persons", f"account weibo:{weibo} is listed for several persons (hx-a, hx-b)")),
        (f'hx-q,snap,"{h.num()}'.encode(), q("CSV with an unbalanced quote", LINE_BREAKS.format(field="account_id", n=2))),
        (f"hx-r,snap,{h.num()}".encode(), []),
    ]
    normal_rows = [(line.encode("utf-8"), []) for line in lines[1:]]
    h.write("identities", "identities.csv", normal_rows + rows, crlf=True, bom=True, first=2, header=lines[0].encode())


def write_hostile(root: Path, seed: int = 11, normal_identities: bytes | None = None, copies: int = 12) -> list[Expected]:
    """Writes the hostile files under ``root`` (an input folder) and returns what must become of them.

    Args:
        root: The input folder; normal files may be there already (none is named ``hostile-*``).
        seed: The same seed writes the same bytes.
        normal_identities: The normal ``identities.csv``, whose rows are kept first in the one
            ``identities.csv`` the ingest stage reads (written with a BOM and CRLF line ends).
        copies: Records per kind and format (about 100 hostile records each).
    """
    h = Hostile(root, seed)
    for source, spec in LINE_SOURCES.items():
        h.json_lines(source, spec, copies)
    h.raw_file("twitter", f"{PREFIX}empty.jsonl", b"", "empty file", NO_RECORDS)
    edges(h, copies)
    research_csv(h, copies)
    facebook(h, copies)
    identities(h, normal_identities)
    return h.expected
