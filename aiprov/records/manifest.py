"""A records-mode manifest: one Merkle leaf per record, salted (SPEC §2.1).

Leaf ``i`` has encoding ``["uint256","bytes32"]`` and value ``(i, commitment_i)``
with ``commitment_i = sha256(salt_i ‖ record bytes_i)``.  The root is the
OpenZeppelin ``StandardMerkleTree`` root of those leaves.

Salts come from the salts store (:mod:`.store`), so the same root comes out
again for the same file: an unchanged file reuses its salts (so registering it
again is idempotent), and a new version (``--parent``) reuses the salt of every
record whose index and bytes are unchanged (so its proofs stay valid), and
draws fresh random salts for the rest.
"""

from __future__ import annotations

import hashlib
import os
import struct
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CheckFailed
from ..manifest.forked import split_map
from ..manifest.keccak import keccak256
from ..manifest.leaves import RECORD_LEAF_ENCODING
from ..manifest.merkle import MerkleTree
from .parse import RecordsFile, read_records
from .store import ERASED, RecordsIndex, SaltsStore, find_indexes, open_index, write_index

__all__ = ["FORMAT", "ConsentRevoked", "Forbidden", "RecordErased", "Recheck", "RecordsManifest", "build_records",
           "commitment", "recheck_records"]

FORMAT = "aiprov-records/1"
_RECORD_ENCODING = struct.Struct(">24xQ32s")


class RecordErased(CheckFailed):
    """A record was erased: its salt is destroyed, so nothing links to it any more."""


class ConsentRevoked(CheckFailed):
    """A new version still holds a record whose consent was revoked in an earlier version."""


@dataclass(frozen=True)
class Forbidden:
    """A record of an earlier version that no new version may hold (its consent was revoked)."""

    dataset_id: int
    root: str
    index: int


def commitment(salt: bytes, record: bytes) -> bytes:
    """``sha256(salt ‖ record bytes)``."""
    return hashlib.sha256(salt + record).digest()


@dataclass
class RecordsManifest:
    """What ``register --records`` anchors, and what its receipt keeps (no salts, no record bytes)."""

    root: str
    file: RecordsFile
    index: RecordsIndex
    count: int = 0  # records (the file's record bytes are dropped once committed)
    reused_salts: int = 0  # records whose salt came from an earlier registration
    format: str = FORMAT
    kind: str = "records"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def record_count(self) -> int:
        return self.count

    @property
    def file_count(self) -> int:
        return 1

    @property
    def total_size(self) -> int:
        return self.file.size

    def to_dict(self) -> dict[str, Any]:
        """The receipt's ``manifest``: how to recognise the file, never its records or salts."""
        return {
            "format": FORMAT,
            "kind": "records",
            "root": self.root,
            "records_format": self.file.format,
            "leafEncoding": list(RECORD_LEAF_ENCODING),
            "file": self.file.path.name,
            "records": self.count,
            "size": self.file.size,
            "header_sha256": self.file.header_sha256,
        }


def _split(salts: bytes) -> list[bytes]:
    return [salts[i:i + 32] for i in range(0, len(salts), 32)]


def _same_file(rf: RecordsFile, home: Path) -> tuple[bytes, RecordsIndex] | None:
    """The salts and index of an earlier registration of exactly this file, if any."""
    store = SaltsStore(home)
    n = rf.count
    for index in reversed(find_indexes(home, file_sha256=rf.sha256)):
        old = store.read(index.root)
        if old is None or len(old) != 32 * n or index.count != n:
            continue
        erased = [i for i in range(n) if old[32 * i:32 * i + 32] == ERASED]
        if erased:
            shown = ", ".join(map(str, erased[:10])) + (" …" if len(erased) > 10 else "")
            raise RecordErased(
                f"{rf.path} still holds record(s) {shown} erased from the dataset with root {index.root}",
                hint="remove the erased records from the file before registering it again",
            )
        return old, index
    return None


def _salts_for(rf: RecordsFile, home: Path, parent_root: str | None) -> tuple[bytes, int]:
    """Salts for a file not registered before: those of unchanged (index, bytes) of ``parent_root``, fresh else."""
    n = rf.count
    fresh = bytearray(os.urandom(32 * n))
    reused = 0
    if parent_root is not None:
        parent = open_index(home, parent_root)
        old = SaltsStore(home).read(parent_root)
        if parent is not None and old is not None:
            m = min(n, parent.count, len(old) // 32)
            prior = parent.commitments()
            sha = hashlib.sha256
            records = rf.records
            for i in range(m):
                salt = old[32 * i:32 * i + 32]
                if salt != ERASED and sha(salt + records[i]).digest() == prior[32 * i:32 * i + 32]:
                    fresh[32 * i:32 * i + 32] = salt
                    reused += 1
            parent.close()
    return bytes(fresh), reused


def _refuse_revoked(rf: RecordsFile, home: Path, forbidden: list[Forbidden]) -> None:
    """:class:`ConsentRevoked` naming every record of ``rf`` that is one of ``forbidden``, at any index.

    Record ``r`` of an earlier version is recognised by its salt and commitment
    (kept in this state directory): a record of the new file with the same
    length whose ``sha256(salt ‖ bytes)`` is ``r``'s commitment is ``r``.
    """
    store = SaltsStore(home)
    by_length: dict[int, list[int]] | None = None
    hits: list[str] = []
    for f in forbidden:
        salt = store.salt(f.root, f.index)
        index = open_index(home, f.root)
        if salt is None or index is None:
            raise ConsentRevoked(
                f"record {f.index} of dataset {f.dataset_id} had its consent revoked, and its salt is not in "
                f"{home}, so this version cannot be checked for it",
                hint="register the new version from the state directory that registered the earlier one",
            )
        if salt == ERASED:
            continue  # nothing links to an erased record any more (README: what erasure guarantees)
        target, (_, length) = index.commitment(f.index), index.span(f.index)
        index.close()
        if by_length is None:
            by_length = {}
            for j, n in enumerate(map(len, rf.records)):
                by_length.setdefault(n, []).append(j)
        for j in by_length.get(length, ()):
            if hashlib.sha256(salt + rf.records[j]).digest() == target:
                hits.append(f"record {j} (record {f.index} of dataset {f.dataset_id})")
    if hits:
        shown = ", ".join(hits[:10]) + (f" and {len(hits) - 10} more" if len(hits) > 10 else "")
        raise ConsentRevoked(
            f"{rf.path.name} still holds {len(hits)} record(s) whose consent was revoked: {shown}",
            hint="remove those records from the file, then register the new version",
        )


def build_records(
    path: str | os.PathLike,
    home: Path,
    *,
    parent_root: str | None = None,
    forbidden: list[Forbidden] = (),
) -> RecordsManifest:
    """Read, salt, commit and index the records of ``path``; persist salts and index first.

    ``forbidden`` are records of earlier versions whose consent was revoked:
    if the file still holds any of them, :class:`ConsentRevoked` (exit 1) names
    them and nothing is written.  The salts and the index are written before
    anything is sent, so a crash after the transaction loses nothing (the next
    run finds the same root).
    """
    rf = read_records(path)
    if forbidden:
        _refuse_revoked(rf, Path(home), list(forbidden))
    n = rf.count
    same = _same_file(rf, Path(home))
    if same is not None:
        # exactly this file, salted and indexed before: the same root (its index was built from these
        # bytes and these salts), so nothing is recomputed
        _, index = same
        rf.records, rf.starts = [], []
        return RecordsManifest(root=index.root, file=rf, index=index, count=n, reused_salts=n)
    salts, reused = _salts_for(rf, Path(home), parent_root)
    sha = hashlib.sha256
    records = rf.records
    k = keccak256
    encode = _RECORD_ENCODING.pack  # abi.encode(uint256 index, bytes32 commitment), index < 2**64

    def commit(indices: range) -> list[bytes]:  # commitment ‖ leaf, 64 bytes per record
        out = []
        for i in indices:
            c = sha(salts[32 * i:32 * i + 32] + records[i]).digest()
            out.append(c + k(k(encode(i, c))))
        return out

    both = split_map(commit, range(n), width=64)
    lengths = array("Q", map(len, records))
    rf.records = []  # the bytes are not needed any more; a million records are ~200 MB
    del records
    commitments = [x[:32] for x in both]
    leaves = [x[32:] for x in both]
    del both
    tree = MerkleTree.from_leaves(leaves)
    del leaves
    root = "0x" + tree.root.hex()
    SaltsStore(home).write(root, salts)
    meta = {
        "count": n,
        "records_format": rf.format,
        "file": {"name": rf.path.name, "size": rf.size, "sha256": rf.sha256},
        "header_sha256": rf.header_sha256,
    }
    index = write_index(Path(home), root, meta, rf.starts, lengths, commitments, tree.nodes)
    rf.starts = []
    return RecordsManifest(root=root, file=rf, index=index, count=n, reused_salts=reused)


@dataclass
class Recheck:
    """A records file compared with the commitments registered for it (with its own salts)."""

    count: int
    size: int
    modified: list[int]
    added: int  # records beyond the registered count
    removed: int  # registered records missing at the end
    erased: list[int]  # registered records whose salt is destroyed (cannot be checked)

    @property
    def same(self) -> bool:
        return not (self.modified or self.added or self.removed)


def recheck_records(path: str | os.PathLike, home: Path, root: str) -> Recheck:
    """Compare ``path`` record by record with the registration of ``root`` (its salts and index).

    Writes nothing: a changed file gets no salts.  :class:`~aiprov.errors.EnvironmentFailure`
    without this state directory's salts and index for ``root``.
    """
    from ..errors import EnvironmentFailure

    index = open_index(home, root)
    salts = SaltsStore(home).read(root)
    if index is None or salts is None:
        raise EnvironmentFailure(f"the salts and index of records dataset root {root} are not in {home}",
                                 hint="verify on the machine (state directory) that registered it")
    rf = read_records(path)
    prior = index.commitments()
    m = min(rf.count, index.count)
    sha = hashlib.sha256
    modified, erased = [], []
    for i in range(m):
        salt = salts[32 * i:32 * i + 32]
        if salt == ERASED:
            erased.append(i)
        elif sha(salt + rf.records[i]).digest() != prior[32 * i:32 * i + 32]:
            modified.append(i)
    index.close()
    return Recheck(count=rf.count, size=rf.size, modified=modified, added=max(0, rf.count - index.count),
                   removed=max(0, index.count - rf.count), erased=erased)
