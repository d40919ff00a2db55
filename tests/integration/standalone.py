"""A real Spark standalone cluster on loopback, started from the scripts pyspark ships.

One master and N workers (each with its own work dir), as separate JVMs launched with
``bin/spark-class``; :func:`standalone_cluster` stops them whatever happens.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

LOOPBACK = "127.0.0.1"


def spark_home() -> Path:
    """The pyspark installation, which carries ``bin/spark-class`` and ``bin/spark-submit``."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def cluster_env(python: str | Path | None = None) -> dict[str, str]:
    """Environment of the daemons and of spark-submit: loopback only, ``python`` (this
    Python by default) for driver and workers, and no ``PYTHONPATH`` leaking the checkout."""
    inherited = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return {
        **inherited,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": LOOPBACK,
        "PYSPARK_PYTHON": str(python or sys.executable),
        "PYSPARK_DRIVER_PYTHON": str(python or sys.executable),
    }


def interpreter_without_project(directory: Path) -> Path:
    """A Python with this environment's third-party packages (pyspark, numpy, pyarrow ...)
    and nothing of the project: a virtual environment whose one ``.pth`` line adds this
    environment's site-packages as a plain path. Python runs the ``.pth`` files of site
    directories only, so the editable install's finder in there never runs, and ``jobs``
    and ``transforms`` can come only from what a job ships (``--py-files``)."""
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = Path(subprocess.run([str(python), "-c", ask], check=True, capture_output=True, text=True).stdout.strip())
    (site_packages / "clout-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _wait_for(check, what: str, timeout: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log}:\n{log.read_text(errors='replace')[-2000:]}" for log in logs if log.exists())
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s\n{tails}")


@dataclass(frozen=True)
class Cluster:
    """A running standalone cluster: where to submit, and the master's status page."""

    master_url: str
    ui_port: int

    def status(self) -> dict[str, Any]:
        """The master's JSON status: workers, running and completed applications."""
        with urllib.request.urlopen(f"http://{LOOPBACK}:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)


def _alive_workers(cluster: Cluster) -> int:
    try:
        return int(cluster.status().get("aliveworkers", 0))
    except OSError:
        return 0


@contextmanager
def standalone_cluster(
    work_dir: Path, workers: int = 2, cores: int = 1, memory: str = "1536m", timeout: float = 120, python: Path | None = None
) -> Iterator[Cluster]:
    """Runs a master and ``workers`` workers (their Python: ``python``) until the block ends, however it ends."""
    spark_class = str(spark_home() / "bin" / "spark-class")
    env = cluster_env(python)
    port, ui_port = free_port(), free_port()
    url = f"spark://{LOOPBACK}:{port}"
    cluster = Cluster(url, ui_port)
    work_dir.mkdir(parents=True, exist_ok=True)
    logs: list[Path] = []
    with ExitStack() as stack:
        daemons: list[subprocess.Popen] = []

        def launch(name: str, args: list[str]) -> None:
            log = work_dir / f"{name}.log"
            logs.append(log)
            handle = stack.enter_context(open(log, "wb"))
            daemons.append(subprocess.Popen([spark_class, *args], env=env, stdout=handle, stderr=subprocess.STDOUT))

        def stop_all() -> None:
            for daemon in reversed(daemons):
                daemon.terminate()
            for daemon in daemons:
                try:
                    daemon.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()

        stack.callback(stop_all)
        launch("master", ["org.apache.spark.deploy.master.Master", "--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui_port)])
        for index in range(workers):
            worker_dir = work_dir / f"worker-{index}"
            worker_dir.mkdir(parents=True, exist_ok=True)
            launch(
                f"worker-{index}",
                [
                    "org.apache.spark.deploy.worker.Worker", url,
                    "--host", LOOPBACK, "--cores", str(cores), "--memory", memory,
                    "--work-dir", str(worker_dir), "--webui-port", str(free_port()),
                ],
            )
        _wait_for(lambda: _alive_workers(cluster) == workers, f"standalone cluster with {workers} workers", timeout, logs)
        yield cluster
