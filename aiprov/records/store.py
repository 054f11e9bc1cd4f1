"""Where records-mode state lives: the private salts store and the records index.

Both are in the state directory (``$AIPROV_HOME``), keyed by the dataset root:

``salts/<root>.bin`` — the **salts store**: record ``i``'s 32-byte salt at
    offset ``32 i``; 32 zero bytes mark an erased record.  Files are mode 0600
    in a 0700 folder, written atomically (temporary file, fsync, rename).  Salts
    never go beside the data, on-chain, into a receipt or into any output except
    that one record's proof.
``records/<root>/`` — the **index**, so that ``prove --record N`` on a million
    records reads a few dozen bytes instead of rescanning the file:
    ``meta.json`` (count, format, the file's name, size and sha256, the CSV
    header's sha256), ``spans.bin`` (per record: start offset and length, two
    little-endian uint64), ``commitments.bin`` (32 bytes per record) and
    ``tree.bin`` (the ``2n - 1`` Merkle nodes in OpenZeppelin's heap layout, 32
    bytes each).  No record bytes are stored anywhere in the state directory.

An index whose salts file is gone, or a salts file with zeros, is what erasure
leaves behind: the commitments stay (they are on-chain anyway as leaves) but no
longer link to any data.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import sys
import tempfile
from array import array
from pathlib import Path

from ..fsutil import atomic_write_bytes, atomic_write_text

__all__ = ["ERASED", "RecordsIndex", "SaltsStore", "find_indexes", "open_index", "write_index"]

INDEX_FORMAT = "aiprov-records-index/1"
ERASED = bytes(32)  # the salt slot of an erased record


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _key(root: str) -> str:
    return root.lower().removeprefix("0x")


class SaltsStore:
    """The private salts of every records dataset registered from this state directory."""

    def __init__(self, home: Path) -> None:
        self.dir = Path(home) / "salts"

    def path(self, root: str) -> Path:
        return self.dir / f"{_key(root)}.bin"

    def read(self, root: str) -> bytes | None:
        try:
            return self.path(root).read_bytes()
        except FileNotFoundError:
            return None

    def salt(self, root: str, index: int) -> bytes | None:
        """Record ``index``'s salt (:data:`ERASED` if erased), None without a store for ``root``."""
        try:
            with open(self.path(root), "rb") as f:
                f.seek(32 * index)
                salt = f.read(32)
        except FileNotFoundError:
            return None
        return salt if len(salt) == 32 else None

    def write(self, root: str, salts: bytes) -> None:
        _private_dir(self.dir)
        atomic_write_bytes(self.path(root), salts, mode=0o600)

    def roots(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted("0x" + p.stem for p in self.dir.glob("*.bin"))

    def erase(self, index: int, salt: bytes) -> list[str]:
        """Destroy ``salt`` at record ``index`` in every store file holding it; the roots changed.

        Each file is rewritten atomically; then the replaced file's bytes, still
        open, are overwritten with zeros in place and synced, so the salt does
        not linger in the old file's blocks on an ordinary (non copy-on-write)
        filesystem.
        """
        if salt == ERASED:
            return []
        changed = []
        for root in self.roots():
            path = self.path(root)
            with open(path, "r+b") as old:
                old.seek(32 * index)
                if old.read(32) != salt:
                    continue
                old.seek(0)
                data = bytearray(old.read())
                data[32 * index:32 * index + 32] = ERASED
                atomic_write_bytes(path, data, mode=0o600)
                # The old file is unlinked now but still open: scrub its copy of the salt too.
                os.pwrite(old.fileno(), ERASED, 32 * index)
                os.fsync(old.fileno())
            changed.append(root)
        return changed


class RecordsIndex:
    """The on-disk index of one records dataset (see the module docstring)."""

    def __init__(self, directory: Path, meta: dict) -> None:
        self.dir = directory
        self.meta = meta
        self.root: str = meta["root"]
        self.count: int = meta["count"]
        self._maps: dict[str, mmap.mmap] = {}

    def _map(self, name: str) -> mmap.mmap:
        m = self._maps.get(name)
        if m is None:
            with open(self.dir / name, "rb") as f:
                m = self._maps[name] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return m

    def close(self) -> None:
        for m in self._maps.values():
            m.close()
        self._maps.clear()

    def commitment(self, index: int) -> bytes:
        return self._map("commitments.bin")[32 * index:32 * index + 32]

    def commitments(self) -> bytes:
        return bytes(self._map("commitments.bin"))

    def span(self, index: int) -> tuple[int, int]:
        """(start offset, length) of record ``index`` in the registered file."""
        return struct.unpack_from("<QQ", self._map("spans.bin"), 16 * index)

    def lengths(self) -> array:
        """Every record's length in bytes."""
        raw = _u64_array(self._map("spans.bin"))
        return raw[1::2]

    def node(self, tree_index: int) -> bytes:
        return self._map("tree.bin")[32 * tree_index:32 * tree_index + 32]

    @property
    def size(self) -> int:
        """Nodes in the tree: ``2n - 1``."""
        return 2 * self.count - 1

    def tree_index(self, index: int, leaf: bytes) -> int:
        """Where ``leaf`` (record ``index``'s) sits: the leaves fill the end of the tree in reverse sorted order."""
        lo, hi = self.count - 1, self.size  # leaves at [n-1, 2n-1), descending
        tree = self._map("tree.bin")
        while lo < hi:
            mid = (lo + hi) // 2
            if tree[32 * mid:32 * mid + 32] > leaf:
                lo = mid + 1
            else:
                hi = mid
        if lo >= self.size or tree[32 * lo:32 * lo + 32] != leaf:
            raise LookupError(f"record {index}'s leaf is not in the index of {self.root}")
        return lo

    def proof(self, tree_index: int) -> list[bytes]:
        proof = []
        i = tree_index
        while i > 0:
            proof.append(self.node(i + 1 if i & 1 else i - 1))
            i = (i - 1) >> 1
        return proof


def _u64_array(raw) -> array:
    out = array("Q")
    out.frombytes(raw)
    if sys.byteorder != "little":  # pragma: no cover
        out.byteswap()
    return out


def index_dir(home: Path, root: str) -> Path:
    return Path(home) / "records" / _key(root)


def open_index(home: Path, root: str) -> RecordsIndex | None:
    directory = index_dir(home, root)
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != INDEX_FORMAT or meta.get("root") != root.lower():
        return None
    return RecordsIndex(directory, meta)


def find_indexes(home: Path, *, file_sha256: str | None = None) -> list[RecordsIndex]:
    """Every index in the state directory (optionally: of a file with this sha256), oldest first."""
    base = Path(home) / "records"
    if not base.is_dir():
        return []
    found = []
    for meta_path in base.glob("*/meta.json"):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("format") != INDEX_FORMAT:
            continue
        if file_sha256 is not None and meta.get("file", {}).get("sha256") != file_sha256:
            continue
        found.append((meta_path.stat().st_mtime_ns, RecordsIndex(meta_path.parent, meta)))
    return [index for _, index in sorted(found, key=lambda pair: pair[0])]


def write_index(home: Path, root: str, meta: dict, starts, lengths, commitments, nodes) -> RecordsIndex:
    """Write the index of ``root`` (a new folder renamed into place; an existing one is kept)."""
    directory = index_dir(home, root)
    meta = {"format": INDEX_FORMAT, "root": root.lower(), **meta}
    if directory.is_dir() and (directory / "meta.json").is_file():
        return RecordsIndex(directory, json.loads((directory / "meta.json").read_text(encoding="utf-8")))
    base = _private_dir(directory.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=base))
    try:
        spans = array("Q", [0]) * (2 * len(starts))
        spans[0::2] = starts if isinstance(starts, array) else array("Q", starts)
        spans[1::2] = lengths if isinstance(lengths, array) else array("Q", lengths)
        if sys.byteorder != "little":  # pragma: no cover - stored little-endian everywhere
            spans.byteswap()
        for name, chunks in (("spans.bin", [spans]), ("commitments.bin", commitments), ("tree.bin", nodes)):
            with open(tmp / name, "wb") as f:
                f.writelines(chunks)
                f.flush()
                os.fsync(f.fileno())
        atomic_write_text(tmp / "meta.json", json.dumps(meta, indent=2) + "\n")
        os.chmod(tmp, 0o700)
        try:
            os.rename(tmp, directory)
        except OSError:
            if not (directory / "meta.json").is_file():
                raise
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return RecordsIndex(directory, meta)
