"""One writer per warehouse: a run that writes holds a lock file under the warehouse.

Delta's optimistic concurrency keeps each table consistent on its own, but a pipeline run
is many commits over many tables (ingest's ledger, silver, gold): two runs interleaving
them could each see the other's half-written state. A second run on a warehouse that a
run holds stops at once, naming the holder. A lock left by a run that was killed on this
machine (its process is gone) is taken over; a lock from another machine is not, since
its process cannot be checked from here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from jobs.common.run_log import note

LOCK_FILE = "_locks/writer.lock"


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def _local_root(root: str) -> Path | None:
    parsed = urlparse(root)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path if parsed.scheme else root)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _take(lock: Path, holder: dict) -> bool:
    """Creates the lock file with its holder, or finds it there.

    The holder is written to a file of this process first and then hard-linked to the lock's
    name (which fails if the name exists): the lock never exists without its holder, so a
    run that finds it can always say who holds it.
    """
    draft = lock.with_name(f"{lock.name}.{holder['pid']}.draft")
    draft.write_text(json.dumps(holder))
    try:
        os.link(draft, lock)
    except FileExistsError:
        return False
    finally:
        draft.unlink()
    return True


@contextmanager
def warehouse_lock(root: str, job: str) -> Iterator[None]:
    """Holds the warehouse for one writing run.

    Raises:
        WarehouseBusy: If another live run holds it; the message names that run and the lock file.
    """
    local = _local_root(root)
    if local is None:
        note("lock_skipped", f"{root} is not a local folder: no writer lock (Delta's commit protocol still guards each table)")
        yield
        return
    lock = local / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    me = {"job": job, "pid": os.getpid(), "host": socket.gethostname(), "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    if not _take(lock, me):
        holder = _holder(lock)
        stale = holder.get("host") == me["host"] and isinstance(holder.get("pid"), int) and not _alive(holder["pid"])
        if not (stale and _replace_stale(lock, holder, me)):
            if stale:  # another run took over the dead run's lock first: name that run
                holder = _holder(lock) or holder
            raise WarehouseBusy(
                f"{root} is being written by another run ({holder.get('job', '?')}, pid {holder.get('pid', '?')} on "
                f"{holder.get('host', '?')}, since {holder.get('started', '?')}): wait for it to end and run again, "
                f"or, if that run is gone, delete {lock}"
            )
        note("lock_taken_over", f"took over the lock of a run that is gone (pid {holder['pid']}, since {holder.get('started')})")
    try:
        yield
    finally:
        try:
            if json.loads(lock.read_text()).get("pid") == me["pid"]:
                lock.unlink()
        except (OSError, ValueError):
            pass


def _holder(lock: Path) -> dict:
    """Who holds the lock, as its file says ({} if it cannot be read)."""
    try:
        return json.loads(lock.read_text())
    except (OSError, ValueError):
        return {}


def _replace_stale(lock: Path, holder: dict, me: dict) -> bool:
    """Removes a dead run's lock and takes it, unless another run was quicker."""
    try:
        if json.loads(lock.read_text()) != holder:
            return False
        lock.unlink()
    except (OSError, ValueError):
        return False
    return _take(lock, me)


@contextmanager
def single_writer(root: str, job: str) -> Iterator[None]:
    """:func:`warehouse_lock` for a job's entry point: a busy warehouse ends the job with
    the holder named (exit status 1, no traceback)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(warehouse_lock(root, job))
        except WarehouseBusy as busy:
            raise SystemExit(f"{job}: {busy}") from None
        yield
