"""The manifest: what a target contains, its Merkle root, and its JSON form.

Format ``aiprov-manifest/1``
============================

A manifest lists every regular file of a target (see :mod:`.walk` for which
files and how paths are formed) as an entry ``(path, size, sha256)``:

``path``
    relative to the target, ``/``-separated, Unicode NFC; for a single-file
    target, the file's name.  Never empty, never absolute, no ``.``/``..`` or
    empty components.
``size``
    the file's length in bytes.
``sha256``
    the plain SHA-256 of the file's bytes as 64 lowercase hex digits, no ``0x``
    (what ``sha256sum`` prints).

Entries are sorted by the UTF-8 bytes of their path (equivalently, by code
point), and paths are unique.

The **root** is the OpenZeppelin ``StandardMerkleTree`` root over the entries
with leaf encoding ``["string", "uint256", "bytes32"]`` and values
``[path, size, 0x<sha256>]`` (see :mod:`.leaves` and :mod:`.merkle`), written as
``0x`` + 64 lowercase hex digits.  It equals ``StandardMerkleTree.of(values,
["string","uint256","bytes32"]).root`` of ``@openzeppelin/merkle-tree``, and a
file's proof passes ``MerkleProof.verify(proof, root, leaf)`` on-chain.  The
root does not depend on entry order.

JSON form (``Manifest.to_dict``)::

    {
      "format": "aiprov-manifest/1",
      "kind": "directory",             # or "file" (a single-file target)
      "root": "0x…",
      "symlinks": "files",             # "files": links to files followed, links to
                                       #   directories not; "all": both followed
      "ignore": [".git/", …],          # the ignore rules in force (gitignore syntax)
      "files": 2,                      # number of entries
      "size": 1234,                    # sum of entry sizes
      "entries": [{"path": "a.txt", "size": 1000, "sha256": "…"}, …]
    }

``ignore`` and ``symlinks`` record how the entries were selected, so a verifier
rebuilds the same selection with no flags:
``build_manifest(path, ignore=m.ignore, follow_dir_symlinks=m.symlinks == "all")``.
``Manifest.from_dict`` checks every field and recomputes the root, so a tampered
document is rejected.
"""

from __future__ import annotations

import operator
import os
import re
import stat
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from ..errors import InvalidArgument, InvalidPath, InvalidReceipt, ManifestError
from .hashing import Hasher, Progress
from .ignore import DEFAULT_IGNORES, IgnoreRules, read_ignore_file
from .leaves import FILE_LEAF_ENCODING, file_leaves
from .merkle import MerkleTree
from .remote import is_url
from .walk import walk_target

__all__ = ["ENGINES", "FORMAT", "Entry", "Manifest", "UnknownPath", "build_manifest"]

ENGINES = ("local", "dask")
"""Where files are hashed: this machine's cores, or a Dask cluster (:mod:`.dask_engine`)."""

FORMAT = "aiprov-manifest/1"
"""The ``format`` field of every manifest this module writes and reads."""

Kind = Literal["file", "directory"]
SymlinkPolicy = Literal["files", "all"]

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_attr_path = operator.attrgetter("path")


class UnknownPath(InvalidPath, KeyError):
    """A path asked of a manifest that has no such entry (also a ``KeyError``)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of a manifest: ``path`` (NFC, ``/``), ``size`` in bytes, ``sha256`` hex."""

    path: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


class Manifest:
    """An immutable manifest: entries, how they were selected, and their root.

    ``Manifest(entries, kind=..., ignore=..., symlinks=...)`` checks the entries
    (valid paths, sizes, digests; unique paths; one entry for ``kind="file"``),
    sorts them and computes the root; it raises :class:`ManifestError` otherwise.
    Usually you get one from :func:`build_manifest` or :meth:`from_dict`.
    """

    __slots__ = ("_tree", "entries", "file_count", "format", "ignore", "kind", "root", "symlinks", "total_size")

    format: str
    kind: Kind
    entries: tuple[Entry, ...]
    ignore: tuple[str, ...]
    symlinks: SymlinkPolicy
    root: str
    file_count: int
    total_size: int

    def __init__(
        self,
        entries: Iterable[Entry],
        *,
        kind: Kind = "directory",
        ignore: Iterable[str] = DEFAULT_IGNORES,
        symlinks: SymlinkPolicy = "files",
    ) -> None:
        entries = list(entries)
        if kind not in ("file", "directory"):
            raise ManifestError(f"kind must be 'file' or 'directory', not {kind!r}")
        if symlinks not in ("files", "all"):
            raise ManifestError(f"symlinks must be 'files' or 'all', not {symlinks!r}")
        ignore = tuple(ignore)
        if not all(isinstance(rule, str) for rule in ignore):
            raise ManifestError("ignore rules must be strings")
        if not entries:
            raise ManifestError("a manifest needs at least one file")
        if kind == "file" and (len(entries) != 1 or "/" in entries[0].path):
            raise ManifestError("a single-file manifest has exactly one entry, named by the file's name")
        _check_entries(entries)
        paths = list(map(_attr_path, entries))
        if not all(map(operator.lt, paths, islice(paths, 1, None))):
            entries.sort(key=_attr_path)
            paths.sort()
            for a, b in zip(paths, islice(paths, 1, None)):
                if a == b:
                    raise ManifestError(f"duplicate path in manifest: {a!r}")
        self._set(entries, kind, ignore, symlinks)

    @classmethod
    def _from_walk(
        cls, entries: list[Entry], kind: Kind, ignore: tuple[str, ...], symlinks: SymlinkPolicy, leaves: list[bytes]
    ) -> Manifest:
        """For :func:`build_manifest`: entries valid, unique and sorted by construction, leaves computed."""
        manifest = cls.__new__(cls)
        manifest._set(entries, kind, ignore, symlinks, leaves)
        return manifest

    def _set(
        self,
        entries: list[Entry],
        kind: Kind,
        ignore: tuple[str, ...],
        symlinks: SymlinkPolicy,
        leaves: list[bytes] | None = None,
    ) -> None:
        tree = MerkleTree.from_leaves(file_leaves(entries) if leaves is None else leaves)
        s = object.__setattr__
        s(self, "format", FORMAT)
        s(self, "kind", kind)
        s(self, "entries", tuple(entries))
        s(self, "ignore", ignore)
        s(self, "symlinks", symlinks)
        s(self, "root", "0x" + tree.root.hex())
        s(self, "file_count", len(entries))
        s(self, "total_size", sum(e.size for e in entries))
        s(self, "_tree", tree)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Manifest is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Manifest is immutable (cannot delete {name!r})")

    def __repr__(self) -> str:
        return f"<Manifest {self.kind} root={self.root} files={self.file_count} size={self.total_size}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Manifest):
            return NotImplemented
        return (self.root, self.kind, self.ignore, self.symlinks, self.entries) == (
            other.root,
            other.kind,
            other.ignore,
            other.symlinks,
            other.entries,
        )

    def __hash__(self) -> int:
        return hash(self.root)

    # -- per-file proofs ------------------------------------------------------

    def _index(self, path: str) -> int:
        key = unicodedata.normalize("NFC", path.removeprefix("./"))
        i = bisect_left(self.entries, key, key=_attr_path)
        if i == len(self.entries) or self.entries[i].path != key:
            raise UnknownPath(f"no file {path!r} in this manifest")
        return i

    def entry(self, path: str) -> Entry:
        """The entry at ``path`` (NFC-normalised first); :class:`UnknownPath` if none."""
        return self.entries[self._index(path)]

    def leaf(self, path: str) -> str:
        """The Merkle leaf of ``path`` as ``0x`` hex: ``keccak256(keccak256(abi.encode(path, size, sha256)))``."""
        return "0x" + self._tree.leaf(self._index(path)).hex()

    def proof(self, path: str) -> list[str]:
        """The OpenZeppelin proof of ``path`` (``0x`` hex siblings, leaf level first).

        ``MerkleProof.verify(proof, root, leaf)`` holds on-chain for it.
        """
        return ["0x" + node.hex() for node in self._tree.proof(self._index(path))]

    def multiproof(self, paths: Sequence[str]) -> dict[str, Any]:
        """OpenZeppelin's multiproof of several files: ``{"paths", "proof", "proofFlags"}``.

        ``paths`` come back in the order the proof consumes their leaves (what
        ``getMultiProof`` returns as ``leaves``); ``proof`` holds raw 32-byte nodes.
        """
        mp = self._tree.multiproof([self._index(p) for p in paths])
        return {"paths": [self.entries[i].path for i in mp["indices"]], "proof": mp["proof"],
                "proofFlags": mp["proofFlags"]}

    def merkle_tree(self) -> MerkleTree:
        """The tree with its values, for ``MerkleTree.dump()`` (an OpenZeppelin ``standard-v1`` dump).

        Values are ``[path, size, 0x<sha256>]`` in entry order.
        """
        tree = self._tree
        return MerkleTree(
            list(tree.nodes),
            [tree.leaf(i) for i in range(len(tree))],
            tree_indices=[tree.tree_index(i) for i in range(len(tree))],
            values=[(e.path, e.size, bytes.fromhex(e.sha256)) for e in self.entries],
            leaf_encoding=FILE_LEAF_ENCODING,
        )

    # -- JSON -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON form described in this module's docstring."""
        return {
            "format": self.format,
            "kind": self.kind,
            "root": self.root,
            "symlinks": self.symlinks,
            "ignore": list(self.ignore),
            "files": self.file_count,
            "size": self.total_size,
            "entries": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.entries],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Manifest:
        """Read the JSON form back, checking every field and recomputing the root.

        Raises :class:`InvalidReceipt` naming the first problem: a missing or
        mistyped field, a bad path/size/digest, a duplicate path, a count, size
        or root that does not match the entries.
        """
        if not isinstance(d, Mapping):
            raise InvalidReceipt("manifest must be a JSON object")
        if d.get("format") != FORMAT:
            raise InvalidReceipt(f"unsupported manifest format {d.get('format')!r} (expected {FORMAT!r})")
        kind, symlinks, ignore = d.get("kind"), d.get("symlinks"), d.get("ignore")
        if kind not in ("file", "directory"):
            raise InvalidReceipt(f"manifest 'kind' must be 'file' or 'directory', not {kind!r}")
        if symlinks not in ("files", "all"):
            raise InvalidReceipt(f"manifest 'symlinks' must be 'files' or 'all', not {symlinks!r}")
        if not isinstance(ignore, list) or not all(isinstance(rule, str) for rule in ignore):
            raise InvalidReceipt("manifest 'ignore' must be a list of strings")
        raw_entries = d.get("entries")
        if not isinstance(raw_entries, list) or not raw_entries:
            raise InvalidReceipt("manifest 'entries' must be a non-empty list")
        entries = []
        for item in raw_entries:
            if not isinstance(item, Mapping) or set(item) != {"path", "size", "sha256"}:
                raise InvalidReceipt(f"manifest entry must have exactly path, size, sha256: {item!r}")
            entries.append(Entry(item["path"], item["size"], item["sha256"]))
        try:
            manifest = cls(entries, kind=kind, ignore=ignore, symlinks=symlinks)
        except ManifestError as exc:
            raise InvalidReceipt(f"invalid manifest: {exc}") from None
        for key, actual in (("files", manifest.file_count), ("size", manifest.total_size), ("root", manifest.root)):
            if d.get(key) != actual or type(d.get(key)) is not type(actual):
                raise InvalidReceipt(
                    f"manifest {key!r} is {d.get(key)!r} but its entries give {actual!r}: the manifest was altered"
                )
        return manifest


def _check_entries(entries: Sequence[Entry]) -> None:
    """Validate entry fields, in a few C-level passes (a million entries in well under a second)."""
    if set(map(type, entries)) != {Entry}:
        raise ManifestError("manifest entries must be Entry objects")
    sizes = [e.size for e in entries]
    if set(map(type, sizes)) != {int} or min(sizes) < 0:
        bad = next(e for e in entries if type(e.size) is not int or e.size < 0)
        raise ManifestError(f"invalid size {bad.size!r} for {bad.path!r}")
    shas = [e.sha256 for e in entries]
    if set(map(type, shas)) != {str} or set(map(len, shas)) != {64} or not _all_lower_hex("".join(shas)):
        bad = next(e for e in entries if type(e.sha256) is not str or not _SHA256_HEX.fullmatch(e.sha256))
        raise ManifestError(f"invalid sha256 {bad.sha256!r} for {bad.path!r} (64 lowercase hex digits)")
    paths = [e.path for e in entries]
    if set(map(type, paths)) != {str}:
        raise ManifestError("manifest paths must be strings")
    # NUL never occurs in a valid path, so it can delimit them; then every bad shape is a substring.
    joined = "\0" + "\0".join(paths) + "\0"
    if joined.count("\0") != len(paths) + 1 or _has_bad_part(joined) or not joined.isascii():
        for path in paths:
            if not _valid_path(path):
                raise ManifestError(f"invalid path {path!r} (relative, '/'-separated, NFC, no '.' or '..' parts)")


def _has_bad_part(joined: str) -> bool:
    """An empty path, a leading or trailing "/", an empty part, or a "." or ".." part (parts end at "/" or NUL)."""
    if "\0\0" in joined or "\0/" in joined or "/\0" in joined or "//" in joined:
        return True
    if "/." not in joined and "\0." not in joined:  # the usual case: no part starts with a dot
        return False
    return any(f"{a}{dots}{b}" in joined for dots in (".", "..") for a in "/\0" for b in "/\0")


def _all_lower_hex(text: str) -> bool:
    try:
        return not text.encode("ascii").translate(None, b"0123456789abcdef")
    except UnicodeEncodeError:
        return False


def _valid_path(path: object) -> bool:
    if type(path) is not str or not path or "\0" in path:
        return False
    if not path.isascii():
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            return False
        if not unicodedata.is_normalized("NFC", path):
            return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def build_manifest(
    path: str | os.PathLike[str],
    *,
    follow_dir_symlinks: bool = False,
    ignore: Iterable[str] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Manifest:
    """Walk and hash ``path`` (a file, a directory or a URL) into a :class:`Manifest`.

    ``ignore=None`` applies :data:`DEFAULT_IGNORES` plus the target's top-level
    ``.aiprovignore``; a list (e.g. ``manifest.ignore`` from a receipt) applies
    exactly those rules.  Ignore rules do not apply to a single-file target.
    ``progress`` gets ``start(total_files, total_bytes)`` then ``advance(nbytes)``
    calls, possibly from worker threads.  ``workers`` is how many cores to use:
    threads, or helper processes from a thousand files on (default: one per
    core, at most 8; see :mod:`.hashing`).

    ``path`` may be a URL (``s3://bucket/prefix``, any installed fsspec
    filesystem): see :mod:`.remote`; the manifest is the one the same files
    would give on local disk.  ``engine="dask"`` hashes on a Dask cluster
    (``scheduler`` its address; ``None`` starts a ``LocalCluster`` of
    ``workers`` processes): see :mod:`.dask_engine`; the root is the same.

    Raises :class:`InvalidPath` for a missing or unreadable path or an empty
    target, and :class:`ManifestError` for a broken link, a link loop, a special
    file, a file that changed while being hashed, or two names with the same NFC
    form.
    """
    if isinstance(ignore, (str, bytes)):
        raise ManifestError("ignore must be a list of rules, not one string")
    if engine not in ENGINES:
        raise InvalidArgument(f"unknown engine {engine!r} (one of: {', '.join(ENGINES)})")
    if is_url(path):
        from .remote import build_remote_manifest

        return build_remote_manifest(path, ignore=ignore, progress=progress, workers=workers, engine=engine,
                                     scheduler=scheduler)
    target = os.fsdecode(path)
    try:
        st = os.stat(target)
    except OSError:
        st = None  # walk_target reports it precisely
    if st is not None and stat.S_ISDIR(st.st_mode):
        kind: Kind = "directory"
        rules_list = tuple(DEFAULT_IGNORES + read_ignore_file(target)) if ignore is None else tuple(ignore)
        rules: IgnoreRules | None = IgnoreRules(rules_list)
    else:
        kind = "file"
        rules_list, rules = (), None
    symlinks: SymlinkPolicy = "all" if follow_dir_symlinks else "files"
    if engine == "dask":
        from .dask_engine import hash_local_files

        files = walk_target(target, rules, follow_dir_symlinks=follow_dir_symlinks)
        if not files:
            raise nothing_to_hash(target, rules_list)
        results = hash_local_files(files, scheduler=scheduler, progress=progress, workers=workers)
        entries_ = [Entry(f.path, size, digest) for f, (size, digest) in zip(files, results)]
        return Manifest(entries_, kind=kind, ignore=rules_list, symlinks=symlinks)
    with Hasher(progress=progress, workers=workers) as hasher:
        files = walk_target(target, rules, follow_dir_symlinks=follow_dir_symlinks, on_files=hasher.add)
        if not files:
            raise nothing_to_hash(target, rules_list)
        entries: list[Entry] = [None] * len(files)  # type: ignore[list-item]
        leaves: list[bytes] = [b""] * len(files)

        def on_hashed(indices: Sequence[int], sizes: Sequence[int], digests: Sequence[str]) -> None:
            # Runs while helper processes are still hashing other files.
            new = [Entry(files[i].path, size, digest) for i, size, digest in zip(indices, sizes, digests)]
            for i, entry, leaf in zip(indices, new, file_leaves(new)):
                entries[i] = entry
                leaves[i] = leaf

        hasher.finish(on_hashed)
    order = sorted(range(len(files)), key=lambda i: files[i].path)  # str order = UTF-8 byte order
    return Manifest._from_walk([entries[i] for i in order], kind, rules_list, symlinks, [leaves[i] for i in order])


def nothing_to_hash(target: str, rules_list: Sequence[str]) -> InvalidPath:
    """The error for a target with no file (left) to hash."""
    return InvalidPath(
        f"nothing to hash in {target}: no files" + (" left after the ignore rules" if rules_list else ""),
        hint="add files, or check .aiprovignore",
    )
