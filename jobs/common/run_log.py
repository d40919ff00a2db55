"""What a run tells while it works: progress per stage, and a closing summary.

The same events either way: lines for a person at a terminal (``[logging] format =
"text"``), or one JSON object per line for a log collector (``format = "json"``), each
with ``ts``, ``app``, ``run_id``, ``event`` and its own fields.

Pieces every job shares report on the run log the process made last (:func:`note`): the
SparkSession builder says there where Spark's own log went.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, TextIO

LOG_FORMATS = ("text", "json")

_latest: RunLog | None = None  # the run log this process made last (a process runs one job)


@dataclass
class StageRecord:
    """One stage of a run: how long it took and what it reported."""

    stage: str
    seconds: float = 0.0
    status: str = "running"
    outcome: dict[str, Any] = field(default_factory=dict)


class RunLog:
    """Progress and summary of one run of a job.

    Args:
        app: The job, e.g. ``clout-pipeline``.
        log_format: ``text`` or ``json``.
        stream: Where lines go (standard output by default).
    """

    def __init__(self, app: str, log_format: str = "text", stream: TextIO | None = None) -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f"log format {log_format!r} is not one of {LOG_FORMATS}")
        self.app = app
        self.log_format = log_format
        self.stream = stream or sys.stdout
        self.run_id = uuid.uuid4().hex[:12]
        self.stages: list[StageRecord] = []
        self._started = time.monotonic()
        global _latest
        _latest = self

    def event(self, event: str, text: str | Callable[[], str], **fields: Any) -> None:
        """Logs one event: ``text`` for people (a callable is only called in text mode)."""
        if self.log_format == "json":
            record = {"ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), "app": self.app, "run_id": self.run_id, "event": event, **fields}
            line = json.dumps(record, default=str, ensure_ascii=False)
        else:
            line = "[clout] " + (text() if callable(text) else text)  # later lines of a table stay unprefixed
        print(line, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[StageRecord]:
        """Times a stage; the block fills ``record.outcome`` with what the stage wrote."""
        record = StageRecord(name)
        self.stages.append(record)
        self.event("stage_started", f"stage {name}: started", stage=name)
        started = time.monotonic()
        try:
            yield record
        except BaseException as error:
            record.seconds, record.status = time.monotonic() - started, "failed"
            self.event("stage_failed", f"stage {name}: FAILED after {record.seconds:.1f}s: {error!r}", stage=name, seconds=round(record.seconds, 1), error=repr(error))
            raise
        record.seconds, record.status = time.monotonic() - started, "done"
        self.event("stage_finished", f"stage {name}: done in {record.seconds:.1f}s", stage=name, seconds=round(record.seconds, 1), **record.outcome)

    def text(self, text: Callable[[], str]) -> None:
        """Detail for people only (text mode); JSON readers get it in the stage's event."""
        if self.log_format == "text":
            self.event("detail", text)

    def summary(self) -> None:
        """The closing summary: per stage its status, wall time, rows read and written,
        and the top reasons records were quarantined."""
        total = time.monotonic() - self._started
        keys = ("rows_in", "rows_out", "quarantine_top_reasons")
        stages = [
            {"stage": s.stage, "status": s.status, "seconds": round(s.seconds, 1), **{k: s.outcome[k] for k in keys if k in s.outcome}}
            for s in self.stages
        ]

        def text() -> str:
            lines = [f"run {self.run_id} ({self.app}): {total:.1f}s", f"{'stage':>10} {'status':>7} {'seconds':>8}  rows read -> rows written"]
            for s in stages:
                read = ", ".join(f"{name} {rows:,}" for name, rows in s.get("rows_in", {}).items()) or "-"
                written = ", ".join(f"{table} {rows:,}" for table, rows in s.get("rows_out", {}).items()) or "-"
                lines.append(f"{s['stage']:>10} {s['status']:>7} {s['seconds']:>8.1f}  {read} -> {written}")
                for reason in s.get("quarantine_top_reasons", [])[:5]:
                    lines.append(f"{'':>28}quarantined {reason['records']:,}: {reason['source']}: {reason['reason']}")
            return "\n".join(lines)

        self.event("run_summary", text, seconds=round(total, 1), stages=stages)


def note(event: str, text: str, **fields: Any) -> None:
    """Logs one event of a piece shared by the jobs (e.g. ``spark_log``, where Spark's own
    log went) on the run log this process made last; a job without one gets the text as a
    ``[clout]`` line on standard error, which keeps its standard output its own."""
    if _latest is not None:
        _latest.event(event, text, **fields)
    else:
        print("[clout] " + text, file=sys.stderr, flush=True)
