"""Records in an input folder, counted by the tests themselves from the files (not by the
adapters): what every source's ``records_read`` in the ingest ledger must equal.

A record is a non-blank line of a JSON-lines or edge-list file, a row under the header of
a CSV file, every item (post, comment at any depth, reaction) of a Graph API page export,
and every element of ``data``, ``includes.tweets`` and ``includes.users`` of a Twitter v2
response line. A line that is not JSON is one record (the one quarantined).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any, Iterable


def graph_api_items(export: dict[str, Any]) -> int:
    """Posts, comments (at any depth) and reactions of a Graph API page export."""

    def items(node: dict[str, Any]) -> int:
        comments = node.get("comments", {}).get("data", [])
        return 1 + len(node.get("reactions", {}).get("data", [])) + sum(items(c) for c in comments)

    return sum(items(post) for post in export["data"])


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def _twitter_records(line: str) -> int:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return 1
    if isinstance(value, dict) and any(key in value for key in ("data", "includes")):
        includes = value.get("includes") or {}
        return len(value.get("data") or []) + len(includes.get("tweets") or []) + len(includes.get("users") or [])
    return 1


def records_in_file(source: str, path: Path) -> int:
    """Records of one input file of ``source`` (see the module docstring)."""
    text = _text(path)
    if path.name.endswith((".csv", ".csv.gz")):
        return sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    if source == "facebook":
        try:
            return graph_api_items(json.loads(text))
        except (json.JSONDecodeError, KeyError, TypeError):
            return 1  # a page export that cannot be read is one record
    lines: Iterable[str] = (line for line in text.splitlines() if line.strip())
    if source == "twitter":
        return sum(_twitter_records(line) for line in lines)
    return sum(1 for _ in lines)


def records_in_input(root: Path) -> dict[str, int]:
    """Records per source of an input folder: one sub-folder per source, ``identities.csv``."""
    counted: dict[str, int] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.relative_to(root).parts[0] == "truth":
            continue
        source = "identities" if path.name == "identities.csv" and path.parent == root else path.relative_to(root).parts[0]
        counted[source] = counted.get(source, 0) + records_in_file(source, path)
    return counted
