"""When the access log reaches the disk: ``--log-sync background`` (the default) or ``each``.

Both modes commit an attempt's entry (and nonce) to the log's WAL *before* the
response starts, so a process crash or ``kill -9`` loses nothing: the commit is
in the operating system's page cache. They differ in when that is fsynced:

- ``each``: every commit is fsynced before its response (SQLite
  ``synchronous=FULL``; concurrent requests share one commit in a writer
  thread). Durable against power loss per response; the response waits for the
  disk (this costs the fsync latency on every request).
- ``background`` (like PostgreSQL's ``synchronous_commit=off``): commits are
  written in the event loop without fsync (``synchronous=NORMAL``) and a syncer
  thread fsyncs the WAL every :data:`SYNC_INTERVAL` seconds when it grew. A power
  loss or kernel crash can drop at most the entries of the last interval plus
  one fsync; the log stays consistent (a suffix is missing, never a hole). If
  the disk stalls, nothing is served (503 ``log-unavailable``) once a commit has
  waited :data:`MAX_SYNC_LAG` seconds for its fsync, so the loss is bounded even then.

Nonce replay after a power loss: a request served in the lost interval may be
presented again. Every request expires at most ``MAX_LIFETIME`` (300 s) after the
gateway's clock at the time it was served, so :func:`replay_floor` makes a gateway
that restarts after an unclean stop across a reboot (or where the boot cannot be
told) refuse, for five minutes, every request expiring before its start + 300 s
(401 ``replay-guard``, with ``expires_after`` in the answer; ``aiprov fetch`` re-signs
with a later ``expiresAt``): no request served by the previous run can pass. A
``kill -9`` on the same boot loses nothing, so no guard then.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

MODES = ("background", "each")
SYNC_INTERVAL = 0.02  # seconds between the syncer's looks at the WAL (background mode)
MAX_SYNC_LAG = 1.0  # a commit not fsynced after this long: nothing more is served until it is
CHECKPOINT_COMMITS = 2000  # the syncer copies the WAL into the database file after this many commits


class WalSyncer:
    """fsyncs the WAL of one SQLite file in a thread; the writer calls :meth:`committed` after each commit.

    ``lock`` is the writer's lock: the counters are read and reset under it.
    """

    def __init__(self, db_path: Path, lock: threading.Lock, *, warn) -> None:
        self.db_path = Path(db_path)
        self._lock = lock
        self._sync_lock = threading.Lock()  # one fsync at a time (syncer, anchorer, shutdown)
        self._warn = warn
        self._fd: int | None = None
        self._commits = 0
        self._synced = 0
        self._oldest_unsynced: float | None = None  # monotonic time of the first commit not yet fsynced
        self._since_checkpoint = 0
        self.failed: BaseException | None = None
        self.fsyncs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """One more commit is in the WAL (call with the writer's lock held)."""
        self._commits += 1
        if self._oldest_unsynced is None:
            self._oldest_unsynced = time.monotonic()

    def lagging(self) -> bool:
        """True when the log cannot be trusted to reach the disk soon: stop serving."""
        oldest = self._oldest_unsynced
        return self.failed is not None or (oldest is not None and time.monotonic() - oldest > MAX_SYNC_LAG)

    def sync(self) -> None:
        """fsync every commit made so far (raises, and marks the log failed, on an I/O error)."""
        with self._sync_lock:
            if self.failed is not None:
                raise OSError(f"an earlier fsync of {self.db_path} failed: {self.failed}")
            with self._lock:
                target, started = self._commits, time.monotonic()
            if target == self._synced:
                return
            try:
                if self._fd is None:
                    self._fd = os.open(str(self.db_path) + "-wal", os.O_RDONLY)
                    dir_fd = os.open(self.db_path.parent, os.O_RDONLY)  # the WAL's directory entry, once
                    try:
                        os.fsync(dir_fd)
                    finally:
                        os.close(dir_fd)
                os.fsync(self._fd)
            except OSError as exc:
                self.failed = exc  # the kernel may have dropped the pages: never pretend otherwise
                self._warn(f"the access log {self.db_path} cannot be fsynced ({exc}); nothing more is served")
                raise
            self.fsyncs += 1
            with self._lock:
                self._since_checkpoint += target - self._synced
                self._synced = target
                # commits made during the fsync are at most as old as its start
                self._oldest_unsynced = None if self._commits == target else started

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="aiprov-log-sync", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last fsync (:meth:`sync` still works without it)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        try:
            self.sync()
        except OSError:
            pass  # already reported

    def close(self) -> None:
        self.stop()
        with self._sync_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _loop(self) -> None:
        import sqlite3

        checkpointer = sqlite3.connect(str(self.db_path), isolation_level=None, check_same_thread=False)
        try:
            while not self._stop.wait(SYNC_INTERVAL):
                try:
                    self.sync()
                except OSError:
                    return
                if self._since_checkpoint >= CHECKPOINT_COMMITS:
                    self._since_checkpoint = 0
                    try:  # copy the WAL into the database file without blocking the writer
                        checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    except sqlite3.Error as exc:  # busy or I/O: the WAL just grows; try again later
                        self._warn(f"access log checkpoint failed ({exc})")
        finally:
            checkpointer.close()


def boot_id() -> str | None:
    """This boot of the machine (Linux), or None where it cannot be told."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def replay_floor(previous: dict, now: float) -> float | None:
    """The ``expiresAt`` a request must exceed after this start, or None when nothing can have been lost.

    ``previous``: the last run's ``run_state``, ``run_sync`` and ``run_boot`` (meta of the log).
    """
    from .request import MAX_LIFETIME

    if previous.get("run_state") != "serving" or previous.get("run_sync") != "background":
        return None  # stopped cleanly, never run, or every response waited for its fsync
    boot = boot_id()
    if boot is not None and previous.get("run_boot") == boot:
        return None  # the process died, the machine did not: the page cache kept every commit
    return float(int(now) + MAX_LIFETIME)
