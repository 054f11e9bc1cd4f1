"""A stat cache: rebuild a manifest without re-reading files that did not change.

``status`` (and ``verify --cached``) walk the target as usual, ``stat`` every
file, and re-use the digest recorded for a path when its ``(device, inode,
size, mtime_ns, ctime_ns)`` are all the same as when it was hashed; only the
other files are read. ``ctime`` changes whenever a file's content or metadata
is touched (and cannot be set back by a user), so a rewrite that restores the
mtime is still seen. As git does, a file changed less than 0.1 s (2 s on a
file system with whole-second times) before its digest was taken is read
again next time ("racily clean": it may have changed again within the
clock's granularity).

The cache of a target lives in ``$AIPROV_HOME/statcache/<sha256 of its
absolute path>.json`` (``aiprov-statcache/1``): ``{"target", "files": {path:
[dev, ino, size, mtime_ns, ctime_ns, sha256, hashed_ns]}}``. It only ever saves
work: a missing, stale or corrupt cache means files are read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Iterable

from .hashing import hash_files
from .ignore import DEFAULT_IGNORES, IgnoreRules, read_ignore_file
from .manifest import Entry
from .walk import walk_target

FORMAT = "aiprov-statcache/1"
#: A digest is trusted only for files last changed this long before it was taken (clock granularity:
#: Linux file times move in jiffies; a file system with whole-second times gets two seconds).
RACY_NS = 100_000_000
RACY_COARSE_NS = 2_000_000_000


def _settled(st: os.stat_result, hashed_ns: int) -> bool:
    margin = RACY_COARSE_NS if st.st_mtime_ns % 1_000_000_000 == 0 else RACY_NS
    return max(st.st_mtime_ns, st.st_ctime_ns) + margin < hashed_ns


def cache_path(home: Path, target: str | os.PathLike) -> Path:
    key = hashlib.sha256(os.path.abspath(os.fsdecode(target)).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return Path(home) / "statcache" / f"{key}.json"


def _load(path: Path, target: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("target") != target:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def scan(
    target: str | os.PathLike,
    home: Path | None,
    *,
    ignore: Iterable[str] | None = None,
    follow_dir_symlinks: bool = False,
) -> tuple[list[Entry], int]:
    """The entries of ``target`` (sorted by path) and how many files had to be read.

    ``ignore``: the rules to apply (a receipt's ``manifest.ignore``), else the
    defaults plus ``.aiprovignore``. ``home=None``: no cache, every file is read.
    """
    target = os.fsdecode(target)
    absolute = os.path.abspath(target)
    try:
        is_dir = stat.S_ISDIR(os.stat(target).st_mode)
    except OSError:
        is_dir = False  # walk_target names the problem
    rules = None
    if is_dir:
        rules = IgnoreRules(tuple(DEFAULT_IGNORES + read_ignore_file(target)) if ignore is None else tuple(ignore))
    files = walk_target(target, rules, follow_dir_symlinks=follow_dir_symlinks)
    path = cache_path(home, absolute) if home is not None else None
    known = _load(path, absolute) if path is not None else {}
    entries: list[Entry | None] = [None] * len(files)
    records: dict[str, list] = {}
    misses: list[int] = []
    stats: list[os.stat_result | None] = [None] * len(files)
    for i, f in enumerate(files):
        try:
            st = os.stat(f.os_path)
        except OSError:
            misses.append(i)  # the hasher reports it precisely
            continue
        stats[i] = st
        old = known.get(f.path)
        key = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        if isinstance(old, list) and len(old) == 7 and old[:5] == key and _settled(st, old[6]):
            entries[i] = Entry(f.path, st.st_size, old[5])
            records[f.path] = old
        else:
            misses.append(i)
    if misses:
        hashed_ns = time.time_ns()
        results = hash_files([files[i] for i in misses])
        for i, (size, digest) in zip(misses, results):
            entries[i] = Entry(files[i].path, size, digest)
            st = stats[i]
            if st is not None and st.st_size == size:
                records[files[i].path] = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                          digest, hashed_ns]
    if path is not None and (misses or len(records) != len(known)):
        _save(path, absolute, records)
    done = [e for e in entries if e is not None]
    done.sort(key=lambda e: e.path)
    return done, len(misses)


def _save(path: Path, target: str, records: dict) -> None:
    from ..fsutil import atomic_write_text

    try:
        atomic_write_text(path, json.dumps({"format": FORMAT, "target": target, "files": records},
                                           separators=(",", ":")))
    except OSError:
        pass  # a read-only state directory: no cache, still right


def cached_manifest(
    target: str | os.PathLike,
    home: Path | None,
    *,
    ignore: Iterable[str] | None = None,
    follow_dir_symlinks: bool = False,
):
    """:func:`aiprov.manifest.build_manifest`, re-using the stat cache's digests (``verify --cached``)."""
    from .manifest import Manifest

    target = os.fsdecode(target)
    is_dir = os.path.isdir(target)
    if is_dir and ignore is None:
        ignore = tuple(DEFAULT_IGNORES + read_ignore_file(target))
    entries, _ = scan(target, home, ignore=ignore, follow_dir_symlinks=follow_dir_symlinks)
    if not entries:
        from ..errors import InvalidPath

        raise InvalidPath(f"nothing to hash in {target}: no files", hint="add files, or check .aiprovignore")
    return Manifest(entries, kind="directory" if is_dir else "file", ignore=tuple(ignore or ()) if is_dir else (),
                    symlinks="all" if follow_dir_symlinks else "files")
