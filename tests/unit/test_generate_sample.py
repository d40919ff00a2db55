"""Tests of the synthetic sample generator (pure Python, no Spark)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from jobs.generate_sample import generate, main

N_EVENTS = 3000
SEED = 7
JSON_LINE_SOURCES = ("twitter", "bluesky", "mastodon", "reddit", "weibo")
TRUTH_FILES = (
    "accounts.csv", "bots.csv", "persons.csv", "leaders.csv", "inactive.csv", "quiet.csv", "rings.csv",
    "cascades.csv", "malformed.csv", "duplicates.csv", "summary.json",
)
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


# ---------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sample, generated through the command line."""
    out = tmp_path_factory.mktemp("sample")
    assert main(["--out", str(out), "--events", str(N_EVENTS), "--seed", str(SEED)]) == 0
    return out


@pytest.fixture(scope="module")
def summary(sample: Path) -> dict[str, Any]:
    return json.loads((sample / "truth" / "summary.json").read_text())


def read_lines(path: Path) -> list[str]:
    """Lines of a (possibly gzipped) text file, without line ends."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8").split("\n")[:-1]


def read_truth(sample: Path, name: str) -> list[dict[str, str]]:
    with open(sample / "truth" / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def malformed_locations(sample: Path) -> set[tuple[str, str, str]]:
    return {(r["source"], r["file"], r["line"]) for r in read_truth(sample, "malformed.csv")}


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def valid_json_records(sample: Path, source: str) -> Iterator[dict[str, Any]]:
    """Parsed non-blank, non-malformed records of a JSON-lines source."""
    bad = malformed_locations(sample)
    for path in sorted((sample / source).glob("*.jsonl")):
        for number, line in enumerate(read_lines(path), start=1):
            if line and (source, path.name, str(number)) not in bad:
                yield json.loads(line)


def resolve_path(document: Any, path: str) -> Any:
    """Follow a JSON path such as `data[3].comments.data[1]`."""
    node = document
    for name, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        node = node[name]
        if index:
            node = node[int(index)]
    return node


def day_of_epoch(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d")


def original_posts(sample: Path) -> Iterator[tuple[str, str, str]]:
    """(platform, account_id, UTC day) of every original post (not a reshare) in the sample."""
    for record in valid_json_records(sample, "twitter"):
        if "data" in record:
            for tweet in record["data"]:
                kinds = {ref["type"] for ref in tweet.get("referenced_tweets", [])}
                if "retweeted" not in kinds:
                    yield "twitter", tweet["author_id"], tweet["created_at"][:10]
        elif "retweeted_status" not in record:
            when = datetime.strptime(record["created_at"], TWITTER_TIME)
            yield "twitter", record["user"]["id_str"], day_of_epoch(when.timestamp())
    for record in valid_json_records(sample, "bluesky"):
        commit = record.get("commit", {})
        if commit.get("operation") == "create" and commit.get("collection") == "app.bsky.feed.post":
            yield "bluesky", record["did"], day_of_epoch(record["time_us"] / 1e6)
    for record in valid_json_records(sample, "mastodon"):
        if record["reblog"] is None and record["edited_at"] is None:
            yield "mastodon", record["account"]["id"], record["created_at"][:10]
    for record in valid_json_records(sample, "reddit"):
        if record["name"].startswith("t3_") and record["author"] != "[deleted]":
            yield "reddit", record["author"], day_of_epoch(float(record["created_utc"]))
    for record in valid_json_records(sample, "weibo"):
        if "retweeted_status" not in record:
            when = datetime.strptime(record["created_at"], TWITTER_TIME)
            yield "weibo", record["user"]["idstr"], day_of_epoch(when.timestamp())
    bad = malformed_locations(sample)
    for path in sorted((sample / "facebook").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for index, post in enumerate(document["data"]):
            if ("facebook", path.name, f"data[{index}]") not in bad:
                yield "facebook", post["from"]["id"], post["created_time"][:10]


# ---------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------


def test_every_source_and_truth_file_is_written(sample: Path) -> None:
    for source in JSON_LINE_SOURCES:
        assert sorted((sample / source).glob("part-*.jsonl")), source
    assert sorted((sample / "facebook").glob("page-*-??????.json"))
    assert sorted((sample / "edges").glob("activity-*.txt"))
    assert sorted((sample / "edges").glob("activity-*.txt.gz"))
    assert (sample / "research_csv" / "users.csv").is_file()
    assert (sample / "research_csv" / "tweets.csv.gz").is_file()
    assert read_lines(sample / "identities.csv")[0] == "person_id,platform,account_id"
    for name in TRUTH_FILES:
        assert (sample / "truth" / name).is_file(), name
    assert read_lines(sample / "research_csv" / "tweets.csv.gz")[0] == "user_id,id,created_at,text"


def test_same_seed_gives_identical_files_and_another_seed_differs(sample: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", N_EVENTS, SEED)
    generate(tmp_path / "other", N_EVENTS, SEED + 1)
    reference = tree_digest(sample)
    assert tree_digest(tmp_path / "again") == reference
    assert tree_digest(tmp_path / "other") != reference


def test_total_events_within_ten_percent(summary: dict[str, Any]) -> None:
    assert abs(summary["events_total"] - N_EVENTS) <= 0.1 * N_EVENTS
    assert summary["events_total"] == sum(summary["events_by_type"].values())
    assert all(summary["events_by_type"][kind] > 0 for kind in summary["events_by_type"])


def test_edges_summary_matches_the_files(sample: Path, summary: dict[str, Any]) -> None:
    bad = malformed_locations(sample)
    counts: dict[str, int] = defaultdict(int)
    for path in sorted((sample / "edges").iterdir()):
        for number, line in enumerate(read_lines(path), start=1):
            if line and ("edges", path.name, str(number)) not in bad:
                counts[line.split()[3]] += 1
    stats = summary["sources"]["edges"]
    valid = sum(counts.values())
    assert valid == stats["records"] - stats["malformed"]
    assert valid - stats["duplicates"] == stats["events_total"]


# ---------------------------------------------------------------------------------
# Defects
# ---------------------------------------------------------------------------------

ID_FIELDS = {"twitter": "id", "mastodon": "id", "reddit": "id", "weibo": "id"}
AUTHOR_FIELDS = {"twitter": "user", "mastodon": "account", "reddit": "author", "weibo": "user"}
TIME_FIELDS = {"twitter": "created_at", "mastodon": "created_at", "reddit": "created_utc", "weibo": "created_at"}


def is_timestamp(source: str, value: Any) -> bool:
    formats = {"twitter": TWITTER_TIME, "weibo": TWITTER_TIME}
    try:
        if source in formats:
            datetime.strptime(value, formats[source])
        elif source == "reddit":
            float(value)
        else:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return False
    return True


def check_json_defect(source: str, line: str, defect: str) -> None:
    if defect == "invalid_json":
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)
        return
    record = json.loads(line)
    if source == "bluesky":
        check_bluesky_defect(record, defect)
    elif defect == "missing_id":
        assert ID_FIELDS[source] not in record
    elif defect == "missing_author":
        assert AUTHOR_FIELDS[source] not in record
    elif defect == "bad_timestamp":
        assert not is_timestamp(source, record[TIME_FIELDS[source]])
    elif defect == "wrong_type":
        assert isinstance(record[ID_FIELDS[source]], dict)
    else:
        pytest.fail(f"unknown defect {defect}")


def check_bluesky_defect(record: dict[str, Any], defect: str) -> None:
    if defect == "missing_id":
        assert "rkey" not in record["commit"]
    elif defect == "missing_author":
        assert "did" not in record
    elif defect == "bad_timestamp":
        assert not isinstance(record["time_us"], int)
        assert not is_timestamp("bluesky", record["commit"]["record"]["createdAt"])
    elif defect == "wrong_type":
        assert isinstance(record["commit"]["rkey"], dict)
    else:
        pytest.fail(f"unknown defect {defect}")


def check_edge_defect(line: str, defect: str) -> None:
    fields = line.split(" ")
    if defect == "wrong_field_count":
        assert len(fields) != 4
    elif defect == "unknown_type":
        assert len(fields) == 4 and fields[3] not in ("RT", "MT", "RE")
    elif defect == "bad_timestamp":
        assert len(fields) == 4 and not fields[2].isdigit()
    else:
        pytest.fail(f"unknown defect {defect}")


def check_csv_defect(file_name: str, line: str, defect: str) -> None:
    row = next(csv.reader(io.StringIO(line)))
    created_at = row[2] if file_name.startswith("tweets") else row[8]
    if defect == "bad_user_id":
        assert not row[0].isdigit()
    elif defect == "bad_timestamp":
        assert row[0].isdigit() and not is_timestamp("twitter", created_at)
    else:
        pytest.fail(f"unknown defect {defect}")


def check_facebook_defect(item: dict[str, Any], defect: str) -> None:
    if defect == "missing_id":
        assert "id" not in item
    elif defect == "bad_timestamp":
        assert not is_timestamp("facebook", item["created_time"])
    elif defect == "wrong_type":
        assert isinstance(item["id"], dict)
    else:
        pytest.fail(f"unknown defect {defect}")


def test_every_listed_malformed_record_is_malformed_as_said(sample: Path, summary: dict[str, Any]) -> None:
    rows = read_truth(sample, "malformed.csv")
    assert len({r["source"] for r in rows}) >= 4
    assert len(rows) == summary["malformed"]
    for row in rows:
        source, file_name, line, defect = row["source"], row["file"], row["line"], row["defect"]
        folder = sample / source
        if source == "facebook":
            item = resolve_path(json.loads((folder / file_name).read_text(encoding="utf-8")), line)
            check_facebook_defect(item, defect)
            continue
        text = read_lines(folder / file_name)[int(line) - 1]
        if source == "edges":
            check_edge_defect(text, defect)
        elif source == "research_csv":
            check_csv_defect(file_name, text, defect)
        else:
            check_json_defect(source, text, defect)


def test_every_other_record_parses(sample: Path) -> None:
    bad = malformed_locations(sample)
    for source in JSON_LINE_SOURCES:
        for path in sorted((sample / source).glob("*.jsonl")):
            for number, line in enumerate(read_lines(path), start=1):
                if line and (source, path.name, str(number)) not in bad:
                    assert isinstance(json.loads(line), dict), (path, number)
    for path in sorted((sample / "facebook").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["paging"]["next"].startswith("https://graph.facebook.com/")
    for path in sorted((sample / "edges").iterdir()):
        for number, line in enumerate(read_lines(path), start=1):
            if line and ("edges", path.name, str(number)) not in bad:
                actor, target, ts, kind = line.split(" ")
                assert actor.isdigit() and target.isdigit() and ts.isdigit() and kind in ("RT", "MT", "RE")


def test_duplicates_repeat_an_earlier_record_of_another_file(sample: Path) -> None:
    rows = read_truth(sample, "duplicates.csv")
    assert rows
    for row in rows:
        if row["source"] in ("facebook", "research_csv"):
            continue
        folder = sample / row["source"]
        copy = read_lines(folder / row["file"])[int(row["line"]) - 1]
        earlier = [p for p in sorted(folder.iterdir()) if p.name < row["file"]]
        assert any(copy in read_lines(p) for p in earlier), row


# ---------------------------------------------------------------------------------
# Planted structure
# ---------------------------------------------------------------------------------


def test_rings_and_deep_cascades_are_planted(sample: Path) -> None:
    rings: dict[str, int] = defaultdict(int)
    for row in read_truth(sample, "rings.csv"):
        rings[row["ring_id"]] += 1
    assert len(rings) >= 3 and max(rings.values()) >= 5
    cascades = read_truth(sample, "cascades.csv")
    assert max(int(r["hop"]) for r in cascades) >= 3
    ids = {(r["platform"], r["post_id"]) for r in cascades}
    for row in cascades:
        if int(row["hop"]) > 0:
            assert (row["platform"], row["parent_post_id"]) in ids


def test_leaders_post_on_at_least_five_distinct_days(sample: Path) -> None:
    leaders = {r["person_id"] for r in read_truth(sample, "leaders.csv")}
    assert len(leaders) >= 12 * 3
    owner = {(r["platform"], r["account_id"]): r["person_id"] for r in read_truth(sample, "persons.csv")}
    days: dict[str, set[str]] = defaultdict(set)
    for platform, account_id, day in original_posts(sample):
        person = owner.get((platform, account_id))
        if person in leaders:
            days[person].add(day)
    assert all(len(days[person]) >= 5 for person in leaders), sorted(len(days[p]) for p in leaders)


def test_quiet_persons_are_silent_and_inactive_accounts_are_old(sample: Path, summary: dict[str, Any]) -> None:
    quiet = {r["person_id"]: r["quiet_since"] for r in read_truth(sample, "quiet.csv")}
    assert quiet
    owner = {(r["platform"], r["account_id"]): r["person_id"] for r in read_truth(sample, "persons.csv")}
    for platform, account_id, day in original_posts(sample):
        person = owner.get((platform, account_id))
        if person in quiet:
            assert day < quiet[person]
    inactive = read_truth(sample, "inactive.csv")
    assert inactive
    assert all(r["last_active_date"] < "2026-08-03" for r in inactive)  # 90 days before 2026-11-01


def test_bots_of_every_kind_are_listed(sample: Path, summary: dict[str, Any]) -> None:
    kinds = {r["kind"] for r in read_truth(sample, "bots.csv")}
    assert kinds == {"fake_follower", "spam", "automated_amplifier", "engagement_ring"}
    persons = {(r["platform"], r["account_id"]) for r in read_truth(sample, "persons.csv")}
    assert {(r["platform"], r["account_id"]) for r in read_truth(sample, "bots.csv")} <= persons


def test_retweets_point_at_the_root_tweet(sample: Path) -> None:
    retweets = [r for r in valid_json_records(sample, "twitter") if "retweeted_status" in r]
    assert retweets
    for tweet in retweets:
        root = tweet["retweeted_status"]
        assert "retweeted_status" not in root
        assert tweet["text"].startswith(f"RT @{root['user']['screen_name']}: ")
        assert root["user"]["id_str"] in {m["id_str"] for m in tweet["entities"]["user_mentions"]}
