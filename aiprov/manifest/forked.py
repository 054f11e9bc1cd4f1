"""Use the second core for big hashing loops: fork, do half, send back fixed-size results.

Keccak (``tiny_keccak``) holds the GIL, so threads do not help; a forked child
inherits the inputs for free (copy-on-write) and returns only digests through a
pipe (32 bytes each), which costs ~1% of computing them.  Used for the leaf
hashing of a million files or records (the sort and the tree were measured too:
forking them saved less than the fork costs).
Anywhere fork is unavailable (not Linux, one core), or if the child fails for
any reason, the work is done in this process, with the same result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Below this many items a fork costs more than it saves.
MIN_ITEMS = 100_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def available() -> bool:
    """Whether work can go to a forked child on another core."""
    return sys.platform == "linux" and hasattr(os, "fork") and _cores() >= 2


class Child:
    """A forked child computing ``fn()`` (bytes); :meth:`result` waits for them (None if it failed)."""

    def __init__(self, fn: Callable[[], bytes]) -> None:
        self._fd: int | None = None
        self._pid: int | None = None
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return
        if pid == 0:  # child: compute, write, leave without running any cleanup handler
            code = 1
            try:
                os.close(read_fd)
                view = memoryview(fn())
                while view:
                    view = view[os.write(write_fd, view):]
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self._fd, self._pid = read_fd, pid

    def result(self) -> bytes | None:
        if self._pid is None:
            return None
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
        return b"".join(chunks) if status == 0 else None


def split_map(fn: Callable[[Sequence[T]], list[bytes]], items: Sequence[T], *, width: int = 32,
              min_items: int | None = None) -> list[bytes]:
    """``fn(items)`` (a list of ``width``-byte results, one per item), the second half computed in a child."""
    n = len(items)
    if n < (MIN_ITEMS if min_items is None else min_items) or not available():
        return fn(items)
    half = n // 2
    child = Child(lambda: b"".join(fn(items[half:])))
    first = fn(items[:half])
    data = child.result()
    if data is None or len(data) != width * (n - half):
        return first + fn(items[half:])
    first.extend(data[i:i + width] for i in range(0, len(data), width))
    return first


def split(data: bytes, width: int = 32) -> list[bytes]:
    return [data[i:i + width] for i in range(0, len(data), width)]
