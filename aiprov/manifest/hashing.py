"""Stat and SHA-256 of many files on every core, with change detection.

``sha256`` of an entry is the plain SHA-256 of the whole file, the digest
``sha256sum`` prints.  Each file is ``stat``-ed once, read through a reusable
1 MiB buffer (memory flat in file size) and ``fstat``-ed after reading; if it
moved in between, that is an error naming it (see :mod:`.filehash`).

Two ways to use the cores, chosen per call:

* **threads**, for fewer than :data:`PROCESS_MIN_FILES` files: ``hashlib``
  releases the GIL while it hashes a chunk and the kernel read releases it too,
  so threads hashing big files keep all cores busy.
* **helper processes**, for thousands of files: a small file costs a handful of
  system calls, each a GIL hand-off, so threads take turns on one core.  Instead
  ``workers`` bare interpreters (``python -I -S filehash.py``, ~15 ms to start)
  each get every ``workers``-th path while the walk is still going, stat and
  hash them, and stream digests back; meanwhile this process computes the
  Merkle leaves of the digests already received.  Files of
  :data:`BIG_FILE` bytes or more are left to threads in this process, so one
  helper never gets stuck with several huge files.  Where helpers cannot run
  (not POSIX, no usable ``sys.executable``), threads do everything.

Progress: ``progress.start(total_files, total_bytes)`` once every file is
stat-ed, then ``progress.advance(nbytes)`` about every MiB or few hundred files.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from ..errors import InvalidPath, ManifestError
from . import filehash
from .filehash import CHUNK_SIZE, FileChanged, NotRegular, ReadFailed, sha256_of, stat_file
from .walk import FoundFile

__all__ = [
    "BIG_FILE",
    "CHUNK_SIZE",
    "PROCESS_MIN_FILES",
    "Hasher",
    "Progress",
    "default_workers",
    "hash_files",
    "sha256_file",
]

PROCESS_MIN_FILES = 1000
"""From this many files on (and with more than one worker), helper processes hash them."""

BIG_FILE = 64 << 20
"""Files this big are hashed by threads even when helpers do the small ones."""

_BATCH_BYTES = 8 << 20  # small files are handed to threads in batches of about this many bytes...
_BATCH_FILES = 512  # ...or this many files, whichever comes first

Stat = tuple[int, int, int]  # (size, mtime_ns, inode)


class Progress(Protocol):
    """What ``build_manifest(progress=...)`` reports to, e.g. a rich progress bar.

    ``advance`` may be called from several threads at once.
    """

    def start(self, total_files: int, total_bytes: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...


def default_workers() -> int:
    """Workers used when none are asked for: one per usable core, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def sha256_file(path: str) -> str:
    """The lowercase hex SHA-256 of the file at ``path`` (what ``sha256sum`` prints)."""
    f = FoundFile(os.path.basename(path), path)
    st = _stat(f)
    return _hash_one(f, st, memoryview(bytearray(CHUNK_SIZE)), None)


def hash_files(
    files: Sequence[FoundFile], *, progress: Progress | None = None, workers: int | None = None
) -> list[tuple[int, str]]:
    """``(size, sha256 hex)`` of each file, in the order given.

    Raises :class:`InvalidPath` for a file that cannot be read, and
    :class:`ManifestError` for one that is not a regular file (any more) or that
    changed while being hashed.
    """
    with Hasher(progress=progress, workers=workers) as hasher:
        hasher.add(files)
        return hasher.finish()


OnHashed = Callable[[Sequence[int], Sequence[int], Sequence[str]], None]
"""``on_hashed(indices, sizes, digests)``: results as they come, for work that can overlap hashing."""


class Hasher:
    """Hashes files handed over as the walk finds them.

    ``add(batch)`` as files are found, then ``finish()`` returns ``(size, sha256)``
    per file, in order of addition.  Once :data:`PROCESS_MIN_FILES` files have been
    added (and ``workers > 1``), helper processes are started and every later path
    is streamed to them at once, so they stat while the walk goes on.  Use it as a
    context manager: leaving it stops any helper still running.
    """

    def __init__(self, *, progress: Progress | None = None, workers: int | None = None) -> None:
        self.files: list[FoundFile] = []
        self._progress = progress
        self._workers = default_workers() if workers is None else max(1, int(workers))
        self._helpers: list[_Helper] = []
        self._may_use_helpers = self._workers > 1 and _helper_command() is not None

    def __enter__(self) -> Hasher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def add(self, batch: Sequence[FoundFile]) -> None:
        """Hand over more files (e.g. one directory's)."""
        first = len(self.files)
        self.files.extend(batch)
        if self._helpers:
            self._send(first)
        elif self._may_use_helpers and len(self.files) >= PROCESS_MIN_FILES:
            self._start_helpers()

    def finish(self, on_hashed: OnHashed | None = None) -> list[tuple[int, str]]:
        """Wait for every digest; ``on_hashed`` sees them as they arrive (in this thread)."""
        if self._helpers:
            result = self._collect(on_hashed)
            if result is not None:
                return result
            # A helper died without saying why: do it all again here.
        files = self.files
        stats = [_stat(f) for f in files]
        if self._progress is not None:
            self._progress.start(len(files), sum(st[0] for st in stats))
        digests = [""] * len(files)
        _hash_in_threads(files, stats, range(len(files)), digests, self._workers, self._progress)
        sizes = [st[0] for st in stats]
        if on_hashed is not None:
            on_hashed(range(len(files)), sizes, digests)
        return list(zip(sizes, digests))

    def close(self) -> None:
        """Stop the helpers (after an error, or once they are done)."""
        for h in self._helpers:
            h.close()
        self._helpers = []

    # -- helpers ---------------------------------------------------------------------

    def _start_helpers(self) -> None:
        command = _helper_command()
        assert command is not None
        try:
            for _ in range(self._workers):
                proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0
                )
                self._helpers.append(_Helper(proc))
        except OSError:
            self.close()
            self._may_use_helpers = False
            return
        self._send(0)

    def _send(self, first: int) -> None:
        """Queue ``files[first:]`` to the helpers: file i goes to helper i % k, so each directory is shared."""
        files, helpers = self.files, self._helpers
        k = len(helpers)
        for w, h in enumerate(helpers):
            start = first + (w - first) % k
            h.outbox.extend([f.os_path + "\0" for f in files[start::k]])
            if len(h.outbox) >= 256:
                h.flush()

    def _collect(self, on_hashed: OnHashed | None) -> list[tuple[int, str]] | None:
        files, helpers, progress = self.files, self._helpers, self._progress
        k = len(helpers)
        for w, h in enumerate(helpers):
            h.share = range(w, len(files), k)
            h.flush()
            h.end_input()
        sizes = [0] * len(files)
        digests = [""] * len(files)
        waiting_for_stats = k
        unreported = 0  # bytes hashed before progress.start could be called
        big: list[int] = []
        with selectors.DefaultSelector() as sel:
            for h in helpers:
                assert h.proc.stdout is not None
                sel.register(h.proc.stdout, selectors.EVENT_READ, h)
            while sel.get_map():
                for key, _ in sel.select():
                    h = key.data
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    lines = (h.rest + chunk).split(b"\n")
                    h.rest = lines.pop()  # after the last newline: an unfinished line, or b""
                    if lines and h.small is None and lines[0].startswith(b"S"):  # the sizes line comes first
                        h.small = []
                        for i, size in zip(h.share, map(int, lines.pop(0)[2:].split())):
                            sizes[i] = size
                            (big if size >= BIG_FILE else h.small).append(i)
                        waiting_for_stats -= 1
                        if not waiting_for_stats and progress is not None:
                            progress.start(len(files), sum(sizes))
                            if unreported:
                                progress.advance(unreported)
                                unreported = 0
                    if lines and lines[-1].startswith(b"!"):
                        _raise_helper_failure(lines.pop(), h, files)
                    if not lines or h.small is None:
                        continue
                    indices = h.small[h.done : h.done + len(lines)]
                    received = b" ".join(lines).decode().split(" ")
                    for i, digest in zip(indices, received):
                        digests[i] = digest
                    h.done += len(lines)
                    if on_hashed is not None:
                        on_hashed(indices, [sizes[i] for i in indices], received)
                    if progress is not None:
                        unreported += sum(sizes[i] for i in indices)
                        if not waiting_for_stats:
                            progress.advance(unreported)
                            unreported = 0
        if any(h.proc.wait() != 0 or h.small is None or h.done != len(h.small) for h in helpers):
            return None
        if big:  # helpers left these to us: stat again here (size must not have moved), then hash
            stats: list[Stat] = [(0, 0, 0)] * len(files)
            for i in big:
                stats[i] = _stat(files[i])
                if stats[i][0] != sizes[i]:
                    raise _changed(files[i])
            _hash_in_threads(files, stats, big, digests, self._workers, progress)
            if on_hashed is not None:
                on_hashed(big, [sizes[i] for i in big], [digests[i] for i in big])
        return list(zip(sizes, digests))


# -- one file -----------------------------------------------------------------------------


def _stat(f: FoundFile) -> Stat:
    try:
        st = stat_file(f.os_path)
    except ReadFailed as exc:
        raise InvalidPath(f"cannot read {f.os_path}: {exc.args[0]}") from None
    except NotRegular as exc:
        raise _not_regular(f, exc.args[0]) from None
    return st.st_size, st.st_mtime_ns, st.st_ino


def _hash_one(f: FoundFile, st: Stat, view: memoryview, meter: _Meter | None) -> str:
    try:
        return sha256_of(f.os_path, st[0], st[1], st[2], view, meter.add if meter is not None else None)
    except ReadFailed as exc:
        raise InvalidPath(f"cannot read {f.os_path}: {exc.args[0]}") from None
    except FileChanged:
        raise _changed(f) from None


def _changed(f: FoundFile) -> ManifestError:
    return ManifestError(
        f"file changed while being hashed: {f.os_path}", hint="hash again once nothing is writing to it"
    )


def _not_regular(f: FoundFile, kind: str) -> ManifestError:
    return ManifestError(f"not a regular file ({kind}): {f.os_path}")


# -- threads --------------------------------------------------------------------------


def _hash_in_threads(
    files: Sequence[FoundFile],
    stats: Sequence[Stat],
    indices: Sequence[int],
    digests: list[str],
    workers: int,
    progress: Progress | None,
) -> None:
    """Fill ``digests[i]`` for ``i`` in ``indices``, biggest files first, with ``workers`` threads."""
    batches = _batches(stats, indices)
    jobs = iter(batches)  # shared: next() on a list iterator is atomic under the GIL
    stop = threading.Event()
    errors: list[BaseException] = []
    args = (jobs, files, stats, digests, progress, stop, errors)
    threads = [
        threading.Thread(target=_thread_work, args=args, daemon=True) for _ in range(min(workers, len(batches)) - 1)
    ]
    for t in threads:
        t.start()
    _thread_work(*args)  # the calling thread works too
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _batches(stats: Sequence[Stat], indices: Sequence[int]) -> list[list[int]]:
    """``indices`` grouped into work items: big files alone and first, small ones in batches."""
    return batches_by_bytes(indices, lambda i: stats[i][0], _BATCH_BYTES, _BATCH_FILES)


def batches_by_bytes(indices: Iterable[int], size_of: Callable[[int], int], target: int,
                     max_files: int) -> list[list[int]]:
    """``indices`` grouped biggest file first into batches of about ``target`` bytes, at most
    ``max_files`` each; a file of ``target`` bytes or more is a batch of its own (it comes
    before every smaller one). For the threads here and for the Dask engine's tasks."""
    out: list[list[int]] = []
    current: list[int] = []
    current_bytes = 0
    for i in sorted(indices, key=size_of, reverse=True):
        current.append(i)
        current_bytes += size_of(i)
        if current_bytes >= target or len(current) >= max_files:
            out.append(current)
            current, current_bytes = [], 0
    if current:
        out.append(current)
    return out


def _thread_work(
    jobs: Iterator[list[int]],
    files: Sequence[FoundFile],
    stats: Sequence[Stat],
    digests: list[str],
    progress: Progress | None,
    stop: threading.Event,
    errors: list[BaseException],
) -> None:
    """One thread: hash batches until none are left or another thread failed."""
    view = memoryview(bytearray(CHUNK_SIZE))
    meter = _Meter(progress) if progress is not None else None
    try:
        for batch in jobs:
            if stop.is_set():
                return
            for i in batch:
                digests[i] = _hash_one(files[i], stats[i], view, meter)
            if meter is not None:
                meter.flush()
    except BaseException as exc:  # the calling thread re-raises the first one
        errors.append(exc)
        stop.set()


class _Meter:
    """Batches progress updates: one ``advance`` per MiB, not per small file."""

    __slots__ = ("_advance", "_pending")

    def __init__(self, progress: Progress) -> None:
        self._advance = progress.advance
        self._pending = 0

    def add(self, n: int) -> None:
        self._pending += n
        if self._pending >= CHUNK_SIZE:
            self._advance(self._pending)
            self._pending = 0

    def flush(self) -> None:
        if self._pending:
            self._advance(self._pending)
        self._pending = 0


# -- helper processes ----------------------------------------------------------------------


def _helper_command() -> list[str] | None:
    """How to start a helper, or ``None`` where helpers cannot run (threads then do it all)."""
    if os.name != "posix" or not sys.executable or getattr(sys, "frozen", False):
        return None
    script = filehash.__file__
    if not script or not os.path.isfile(script):
        return None
    return [sys.executable, "-I", "-S", script, str(BIG_FILE)]


class _Helper:
    """One helper process and what it has told us so far."""

    __slots__ = ("done", "outbox", "proc", "rest", "share", "small")

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.outbox: list[str] = []  # paths (NUL-terminated) not yet written to it
        self.share: Sequence[int] = ()  # indices of the files sent to it, in order
        self.small: list[int] | None = None  # the ones it hashes (not BIG_FILE), known from its stat line
        self.done = 0  # digests received
        self.rest = b""  # an unfinished output line

    def flush(self) -> None:
        """Write the queued paths (it reads as we walk, so this does not block for long)."""
        if self.outbox and self.proc.stdin is not None:
            data = memoryview(os.fsencode("".join(self.outbox)))
            self.outbox.clear()
            try:
                while data:
                    data = data[self.proc.stdin.write(data) :]
            except OSError:  # it stopped on a bad file: its last line says which
                self.end_input()

    def end_input(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):  # it may have exited already
                self.proc.stdin.close()
            self.proc.stdin = None

    def close(self) -> None:
        self.end_input()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _raise_helper_failure(line: bytes, h: _Helper, files: Sequence[FoundFile]) -> None:
    _, position, kind, details = line.decode("utf-8", "replace").split(" ", 3)
    f = files[h.share[int(position)]]
    if kind == "changed":
        raise _changed(f)
    if kind == "special":
        raise _not_regular(f, details)
    raise InvalidPath(f"cannot read {f.os_path}: {details}")
