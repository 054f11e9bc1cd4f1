"""Stat and SHA-256 of one file, and the helper process that does it for lists of files.

This module uses the standard library only, so it also runs as a script in a
bare interpreter (``python -I -S filehash.py``): :mod:`.hashing` starts such
helpers to hash many small files on every core, which threads cannot do (each
small file costs several GIL hand-offs, and threads end up taking turns).

A file is ``stat``-ed once (:func:`stat_file`), then read and hashed
(:func:`sha256_of`) and ``fstat``-ed after reading: a different size, mtime or
inode, or a short or long read, means it changed while being hashed.

Helper protocol (all ASCII except paths):

* stdin: the paths to hash, each terminated by a NUL byte, sent while the
  parent walks; the helper stats them as they come and hashes in between;
* stdout, once stdin has ended, first line: ``S`` then each path's size,
  space-separated (the parent reports the total size to its progress bar);
* then one line per file smaller than the size given as the script's argument
  (every file without one), in order: its SHA-256 as 64 hex digits, flushed
  every few hundred files for progress;
* on the first failure, instead (and possibly before stdin ends):
  ``! <position> <kind> <details>``, position counting the paths received, kind
  ``read`` (details: the OS's reason), ``special`` (details: what it is) or
  ``changed``; then exit status 1.
"""

from __future__ import annotations

import hashlib
import os
import select
import stat
import sys
from collections.abc import Callable

__all__ = ["CHUNK_SIZE", "FileChanged", "NotRegular", "ReadFailed", "sha256_of", "stat_file"]

CHUNK_SIZE = 1 << 20
"""Bytes read per system call."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_FLUSH_FILES = 256  # digests per write once the input has ended...
_FLUSH_BYTES = 8 << 20  # ...or after this many bytes hashed
_POLL_EVERY = 16  # while input goes on: look for new paths after hashing this many files


class ReadFailed(Exception):
    """The file could not be stat-ed, opened or read; ``args[0]`` is the OS's reason."""


class NotRegular(Exception):
    """The path is (no longer) a regular file; ``args[0]`` says what it is."""


class FileChanged(Exception):
    """The file's size, mtime or inode moved while it was being hashed."""


def stat_file(path: str | bytes) -> os.stat_result:
    """``os.stat(path)`` (through symlinks) of a regular file."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ReadFailed(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(file_kind(st.st_mode))
    return st


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return "special file"


def sha256_of(
    path: str | bytes,
    size: int,
    mtime_ns: int,
    ino: int,
    view: memoryview,
    on_bytes: Callable[[int], None] | None = None,
) -> str:
    """Hex SHA-256 of the file at ``path``, whose stat was (size, mtime_ns, ino).

    The file is opened non-blocking (a FIFO swapped in cannot hang us), read into
    ``view`` (a reusable buffer) up to ``size`` bytes, then ``fstat``-ed; raises
    :class:`FileChanged` if it moved.  ``on_bytes(n)`` is called after each chunk.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise ReadFailed(exc.strerror or str(exc)) from None
    try:
        h = hashlib.sha256()
        got = 0
        while got < size:  # any surplus in the last read shows the file grew
            n = _readinto(fd, view)
            if not n:
                break
            h.update(view[:n])
            got += n
            if on_bytes is not None:
                on_bytes(n)
        after = os.fstat(fd)
    except OSError as exc:
        raise ReadFailed(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if got != size or after.st_size != size or after.st_mtime_ns != mtime_ns or after.st_ino != ino:
        raise FileChanged()
    return h.hexdigest()


if hasattr(os, "readv"):

    def _readinto(fd: int, view: memoryview) -> int:
        return os.readv(fd, (view,))

else:  # pragma: no cover - Windows

    def _readinto(fd: int, view: memoryview) -> int:
        data = os.read(fd, len(view))
        view[: len(data)] = data
        return len(data)


def serve(stdin_fd: int, stdout, big: int | None = None) -> int:
    """The helper process (see the module docstring).

    While the parent is still walking, paths are stat-ed as they arrive and
    hashed whenever no new path is waiting; nothing is written until the end of
    input (so the parent, busy writing paths, never has to read), except a
    failure, after which the helper exits.  Files of ``big`` bytes or more are
    stat-ed but not hashed (the parent does them).
    """
    paths: list[bytes] = []
    stats: list[tuple[int, int, int]] = []
    todo: list[int] = []  # positions (into paths) of the files to hash, in order
    lines: list[bytes] = []  # digests of todo[: len(lines)], not yet written
    view = memoryview(bytearray(CHUNK_SIZE))
    tail = b""
    hashed_since_poll = 0
    while True:  # until end of input: read and stat first, hash when no path is waiting
        if len(lines) < len(todo):
            poll = hashed_since_poll >= _POLL_EVERY
            if poll:
                hashed_since_poll = 0
            if not (poll and _readable(stdin_fd)):
                position = todo[len(lines)]
                try:
                    lines.append(_hash_line(paths[position], stats[position], view))
                except _Failure as failure:
                    return _fail(stdout, [], position, failure)
                hashed_since_poll += 1
                continue
        chunk = os.read(stdin_fd, 1 << 16)  # blocks only when there is nothing to hash
        if not chunk:
            break
        *complete, tail = (tail + chunk).split(b"\0")
        for path in complete:
            try:
                st = stat_file(path)
            except (ReadFailed, NotRegular) as exc:
                return _fail(stdout, [], len(paths), _Failure.of(exc))
            if big is None or st.st_size < big:
                todo.append(len(paths))
            paths.append(path)
            stats.append((st.st_size, st.st_mtime_ns, st.st_ino))

    stdout.write(b"S " + b" ".join(b"%d" % st[0] for st in stats) + b"\n")
    pending_bytes = 0
    for position in todo[len(lines) :]:
        try:
            lines.append(_hash_line(paths[position], stats[position], view))
        except _Failure as failure:
            return _fail(stdout, lines, position, failure)
        pending_bytes += stats[position][0]
        if len(lines) >= _FLUSH_FILES or pending_bytes >= _FLUSH_BYTES:
            stdout.write(b"\n".join(lines) + b"\n")
            stdout.flush()
            lines.clear()
            pending_bytes = 0
    if lines:
        stdout.write(b"\n".join(lines) + b"\n")
    stdout.flush()
    return 0


class _Failure(Exception):
    """What to report about a file: ``(kind, details)``."""

    @classmethod
    def of(cls, exc: Exception) -> _Failure:
        if isinstance(exc, ReadFailed):
            return cls(b"read", exc.args[0])
        if isinstance(exc, NotRegular):
            return cls(b"special", exc.args[0])
        return cls(b"changed", "")


def _hash_line(path: bytes, st: tuple[int, int, int], view: memoryview) -> bytes:
    try:
        return sha256_of(path, st[0], st[1], st[2], view).encode()
    except (ReadFailed, FileChanged) as exc:
        raise _Failure.of(exc) from None


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def _fail(stdout, lines: list[bytes], position: int, failure: _Failure) -> int:
    kind, details = failure.args
    lines.append(b"! %d %s %s" % (position, kind, str(details).encode("utf-8", "replace")))
    stdout.write(b"\n".join(lines) + b"\n")
    stdout.flush()
    return 1


if __name__ == "__main__":
    sys.exit(serve(sys.stdin.fileno(), sys.stdout.buffer, int(sys.argv[1]) if len(sys.argv) > 1 else None))
