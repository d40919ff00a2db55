"""Runs report progress per stage and a closing summary, as text or JSON lines."""

import io
import json

import pytest

from jobs.common.config import PROJECT_ROOT, ConfigError, load_config
from jobs.common.run_log import RunLog
from jobs.summary import quality_outcome, quality_text


def _json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_log_has_one_object_per_event_with_the_stage_outcome_and_a_summary():
    stream = io.StringIO()
    log = RunLog("clout-test", "json", stream)
    with log.stage("quality") as stage:
        stage.outcome = quality_outcome({"genuine": 7, "spam": 2, "inactive": 1})
    log.summary()

    events = _json_lines(stream)
    assert [e["event"] for e in events] == ["stage_started", "stage_finished", "run_summary"]
    assert {e["run_id"] for e in events} == {log.run_id}
    assert all(e["app"] == "clout-test" and e["ts"].endswith("+00:00") for e in events)
    finished = events[1]
    assert finished["stage"] == "quality"
    assert finished["rows_in"] == {"accounts": 10}
    assert finished["rows_out"] == {"silver/account_quality": 10}
    assert finished["kinds"] == {"genuine": 7, "spam": 2, "inactive": 1}
    (summary_stage,) = events[2]["stages"]
    assert summary_stage["stage"] == "quality" and summary_stage["status"] == "done"
    assert summary_stage["rows_in"] == {"accounts": 10}
    assert summary_stage["rows_out"] == {"silver/account_quality": 10}


def test_text_mode_details_stay_out_of_the_json_log():
    stream = io.StringIO()
    log = RunLog("clout-test", "json", stream)
    log.text(lambda: 1 / 0)  # never rendered
    assert stream.getvalue() == ""


def test_a_failing_stage_is_logged_as_failed_and_the_error_still_raised():
    stream = io.StringIO()
    log = RunLog("clout-test", "json", stream)
    with pytest.raises(RuntimeError, match="disk full"):
        with log.stage("ingest"):
            raise RuntimeError("disk full")
    log.summary()
    events = _json_lines(stream)
    assert [e["event"] for e in events] == ["stage_started", "stage_failed", "run_summary"]
    assert "disk full" in events[1]["error"]
    assert events[2]["stages"][0]["status"] == "failed"


def test_text_log_is_for_people():
    stream = io.StringIO()
    log = RunLog("clout-test", "text", stream)
    with log.stage("quality") as stage:
        stage.outcome = quality_outcome({"genuine": 3, "spam": 1})
        log.text(lambda: quality_text(stage.outcome))
    log.summary()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[clout] stage quality: started"
    assert lines[1] == "[clout] account quality: 4 accounts"
    assert lines[2] == "                  spam:        1 (25.0%)"
    assert lines[4].startswith("[clout] stage quality: done in ")
    assert lines[-1].split()[:2] == ["quality", "done"]
    assert lines[-1].endswith("accounts 4 -> silver/account_quality 4")


def test_log_format_is_checked_where_it_is_read():
    with pytest.raises(ConfigError, match="format must be 'text' or 'json'"):
        load_config(PROJECT_ROOT / "conf" / "test.toml", ["logging.format=xml"])
    with pytest.raises(ValueError, match="not one of"):
        RunLog("clout-test", "xml")


def test_ingest_text_lists_sources_reasons_and_table_sizes():
    from jobs.summary import ingest_text

    outcome = {
        "sources": [{"source": "reddit", "files": 2, "records_read": 1200, "accepted": 1100, "quarantined": 80, "duplicates": 20, "events": 1150}],
        "quarantine_top_reasons": [{"source": "reddit", "reason": "author is '…': the account was deleted", "records": 80}],
        "table_rows": {"silver/events": 1150},
    }
    assert ingest_text(outcome).splitlines()[1:] == [
        "       reddit      2      1,200      1,100          80         20      1,150",
        "top quarantine reasons of this run:",
        "       80  reddit: author is '…': the account was deleted",
        "             silver/events: 1,150 rows",
    ]
