"""The private salts store: mode 0600, same salts for the same file, kept for unchanged records."""

from __future__ import annotations

import os
import stat

import pytest

from aiprov import Client
from aiprov.records.manifest import RecordErased, build_records
from aiprov.records.store import ERASED, SaltsStore, open_index


def _write(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


RECORDS = [b'{"id":%d,"name":"patient-%d"}' % (i, i) for i in range(12)]


def test_salts_are_private_random_and_reused_for_the_same_file(home, tmp_path):
    path = _write(tmp_path / "p.jsonl", RECORDS)
    client = Client(home=home)
    first = client.hash_records(path)
    second = client.hash_records(path)
    assert first.root == second.root and first.records == 12
    assert (first.reused_salts, second.reused_salts) == (0, 12)
    store = SaltsStore(home)
    assert stat.S_IMODE(os.stat(store.path(first.root)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.dir).st_mode) == 0o700
    salts = store.read(first.root)
    assert len(salts) == 32 * 12 and len({salts[i:i + 32] for i in range(0, len(salts), 32)}) == 12
    # never beside the data; no leftovers of atomic writes
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["p.jsonl"]
    assert not [p for p in home.rglob("*.tmp")]
    # another state directory draws other salts: the root is not a hash of the data alone
    other = Client(home=tmp_path / "other-home").hash_records(path)
    assert other.root != first.root


def test_a_new_version_keeps_the_salts_of_unchanged_index_and_bytes(home, tmp_path):
    v1 = build_records(_write(tmp_path / "v1.jsonl", RECORDS), home)
    changed = list(RECORDS)
    changed[3] = b'{"id":3,"name":"corrected"}'
    changed.append(b'{"id":12,"name":"new"}')
    v2 = build_records(_write(tmp_path / "v2.jsonl", changed), home, parent_root=v1.root)
    assert v2.reused_salts == 11
    store = SaltsStore(home)
    s1, s2 = store.read(v1.root), store.read(v2.root)
    for i in range(13):
        same = i < 12 and i != 3
        assert (s1[32 * i:32 * i + 32] == s2[32 * i:32 * i + 32]) is same, i
    i1, i2 = open_index(home, v1.root), open_index(home, v2.root)
    assert [i1.commitment(i) == i2.commitment(i) for i in range(12)] == [i != 3 for i in range(12)]
    # a record that moved is a new record: fresh salt
    shifted = build_records(_write(tmp_path / "v3.jsonl", RECORDS[1:]), home, parent_root=v1.root)
    assert shifted.reused_salts == 0


def test_erasing_destroys_every_copy_of_the_salt_and_refuses_the_same_file_again(home, tmp_path):
    path = _write(tmp_path / "v1.jsonl", RECORDS)
    v1 = build_records(path, home)
    v2 = build_records(_write(tmp_path / "v2.jsonl", RECORDS + [b'{"id":99}']), home, parent_root=v1.root)
    store = SaltsStore(home)
    salt = store.salt(v1.root, 5)
    assert store.salt(v2.root, 5) == salt
    assert sorted(store.erase(5, salt)) == sorted([v1.root, v2.root])
    for root in (v1.root, v2.root):
        data = store.read(root)
        assert data[160:192] == ERASED and salt not in data
        assert stat.S_IMODE(os.stat(store.path(root)).st_mode) == 0o600
    assert not any(salt in p.read_bytes() for p in home.rglob("*") if p.is_file())
    with pytest.raises(RecordErased, match=r"record\(s\) 5 erased"):
        build_records(path, home)
