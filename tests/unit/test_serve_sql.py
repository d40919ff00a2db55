"""The SQL endpoint listens beyond loopback only when asked to, with a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jobs.common.config import PROJECT_ROOT
from jobs.serve_sql import is_loopback, parse_args


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.53", True), ("localhost", True), ("::1", True),
     ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("sql.example.com", False)],
)
def test_only_loopback_addresses_count_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_listening_on_every_address_must_be_asked_for_explicitly():
    assert parse_args(["--warehouse", "w"]).host == "127.0.0.1"
    allowed = parse_args(["--warehouse", "w", "--host", "0.0.0.0", "--allow-remote"])
    assert (allowed.host, allowed.allow_remote) == ("0.0.0.0", True)


def test_a_remote_host_without_allow_remote_is_refused_before_spark_starts():
    run = subprocess.run(
        [sys.executable, "-m", "jobs.serve_sql", "--warehouse", "unused", "--host", "0.0.0.0"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2
    assert "--host 0.0.0.0 is not a loopback address and the endpoint has no authentication" in run.stderr
    assert "pass --allow-remote" in run.stderr
