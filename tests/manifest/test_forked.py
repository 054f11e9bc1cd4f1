"""Hashing half of a big list in a forked child gives exactly the serial result."""

from __future__ import annotations

import hashlib
import os

from aiprov.manifest import Entry, Manifest
from aiprov.manifest.forked import split_map
from aiprov.manifest.leaves import _file_leaves, file_leaves


def _digests(items):
    return [hashlib.sha256(x).digest() for x in items]


def test_split_map_equals_the_serial_map():
    items = [os.urandom(20) for _ in range(5001)]
    assert split_map(_digests, items, min_items=10) == _digests(items)
    assert split_map(_digests, items[:3], min_items=10) == _digests(items[:3])


def test_a_failing_child_falls_back_to_serial():
    calls = []

    def flaky(chunk):
        calls.append(os.getpid())
        if os.getpid() != parent and len(chunk) > 0:
            raise RuntimeError("child trouble")
        return _digests(chunk)

    parent = os.getpid()
    items = [bytes([i % 256]) * 3 for i in range(1000)]
    assert split_map(flaky, items, min_items=10) == _digests(items)


def test_file_leaves_forked_equal_serial_and_give_the_same_root():
    entries = [Entry(f"d/{i:06d}.bin", i, hashlib.sha256(str(i).encode()).hexdigest()) for i in range(120_000)]
    assert file_leaves(entries) == _file_leaves(entries)
    assert Manifest(entries[:1000]).root == Manifest(list(reversed(entries[:1000]))).root
