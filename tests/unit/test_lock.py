"""One writer per warehouse: the lock file, its refusal message and stale locks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from jobs.common.config import PROJECT_ROOT
from jobs.common import lock as lock_module
from jobs.common.lock import LOCK_FILE, WarehouseBusy, warehouse_lock


def test_a_second_writer_is_refused_with_the_holder_named_and_the_lock_is_released_after(tmp_path):
    with warehouse_lock(str(tmp_path), "jobs.pipeline"):
        with pytest.raises(WarehouseBusy, match=rf"being written by another run \(jobs.pipeline, pid {os.getpid()} on "):
            with warehouse_lock(str(tmp_path), "jobs.score"):
                pass
    assert not (tmp_path / LOCK_FILE).exists()
    with warehouse_lock(str(tmp_path), "jobs.score"):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["job"] == "jobs.score"


def test_the_lock_of_a_killed_run_on_this_machine_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK_FILE).parent.mkdir(parents=True)
    (tmp_path / LOCK_FILE).write_text(json.dumps({"job": "jobs.pipeline", "pid": dead.pid, "host": socket.gethostname(), "started": "x"}))
    with warehouse_lock(str(tmp_path), "jobs.pipeline"):
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_a_lock_from_another_machine_is_not_taken_over(tmp_path):
    (tmp_path / LOCK_FILE).parent.mkdir(parents=True)
    (tmp_path / LOCK_FILE).write_text(json.dumps({"job": "jobs.pipeline", "pid": 1, "host": "elsewhere", "started": "x"}))
    with pytest.raises(WarehouseBusy, match="pid 1 on elsewhere"):
        with warehouse_lock(str(tmp_path), "jobs.pipeline"):
            pass


def test_a_pipeline_started_while_another_run_holds_the_warehouse_stops_with_a_clear_message(tmp_path):
    with warehouse_lock(str(tmp_path), "jobs.pipeline"):
        run = subprocess.run(
            [sys.executable, "-m", "jobs.pipeline", "--warehouse", str(tmp_path), "--date", "2026-11-01", "--stages", "score"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        )
    assert run.returncode == 1
    assert "is being written by another run (jobs.pipeline, pid" in run.stderr
    assert "Traceback" not in run.stderr


def test_when_another_run_takes_over_a_dead_runs_lock_first_the_message_names_that_run(tmp_path, monkeypatch):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / LOCK_FILE
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"job": "jobs.pipeline", "pid": dead.pid, "host": socket.gethostname(), "started": "x"}))
    quicker = {"job": "jobs.ingest", "pid": os.getppid(), "host": socket.gethostname(), "started": "y"}

    def taken_first(path, holder, me):  # the other run replaced the dead lock between our read and our take
        path.write_text(json.dumps(quicker))
        return False

    monkeypatch.setattr(lock_module, "_replace_stale", taken_first)
    with pytest.raises(WarehouseBusy, match=rf"\(jobs.ingest, pid {os.getppid()} on"):
        with warehouse_lock(str(tmp_path), "jobs.pipeline"):
            pass
