"""Finding the files of a target: paths, ignore rules, symlinks, file types.

A target is a file or a directory.

* **Paths** are relative to the target, joined with ``/`` and normalised to
  Unicode NFC, so a tree written on macOS (NFD names) and the same tree on Linux
  give the same manifest.  A single-file target's path is its file name.  Two
  names that normalise to the same path, or a name that is not valid UTF-8, are
  errors.
* **Symlinks to regular files are followed**: the entry has the link's path and
  the target file's bytes (a Hugging Face cache snapshot, whose files link to
  ``../../blobs/<sha>``, hashes like a plain copy).
* **Symlinks to directories** are skipped unless ``follow_dir_symlinks=True``;
  then a link back to one of its own ancestors is a loop and an error.
* **Errors naming the path**: a broken link, a link loop, a FIFO, socket or
  device (never opened, so never a hang), an unreadable directory.  Ignored
  paths are never looked at, so a socket under ``.git/`` is fine.

Walking only reads directories (plus a ``stat`` through each symlink, to know
what it points to); sizes come from the one ``stat`` per file that the hasher
takes right before hashing (see :mod:`.hashing`).
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import InvalidPath, ManifestError
from .filehash import file_kind
from .ignore import IgnoreRules

__all__ = ["FoundFile", "find_ignored", "walk_target"]


@dataclass(slots=True)
class FoundFile:
    """One file to hash."""

    path: str
    """Manifest path: relative to the target, ``/``-separated, NFC."""
    os_path: str
    """Where to open it (the target as given, joined with the on-disk names)."""


def walk_target(
    target: str,
    rules: IgnoreRules | None,
    *,
    follow_dir_symlinks: bool = False,
    on_files: Callable[[list[FoundFile]], None] | None = None,
) -> list[FoundFile]:
    """The files of ``target``, in the order found; ``on_files(batch)`` gets them as found (per directory).

    ``target`` must exist; a directory target is walked with ``rules`` (``None``:
    nothing ignored), a file target is its one file.  Callers sort by path.
    """
    st = _stat_target(target)
    if stat.S_ISREG(st.st_mode):
        name = os.path.basename(os.path.normpath(target))
        files = [FoundFile(_normalise(name, target), target)]
        if on_files is not None:
            on_files(files)
        return files
    if not stat.S_ISDIR(st.st_mode):
        raise ManifestError(f"not a regular file or directory ({file_kind(st.st_mode)}): {target}")
    return _walk_directory(target, rules, follow_dir_symlinks, (st.st_dev, st.st_ino), on_files)


def _stat_target(target: str) -> os.stat_result:
    try:
        return os.stat(target)
    except FileNotFoundError:
        if os.path.islink(target):
            raise ManifestError(f"broken symlink: {target} -> {_readlink(target)}") from None
        raise InvalidPath(f"no such file or directory: {target}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ManifestError(f"symlink loop: {target}") from None
        raise InvalidPath(f"cannot access {target}: {exc.strerror or exc}") from None


def _walk_directory(
    top: str,
    rules: IgnoreRules | None,
    follow_dir_symlinks: bool,
    top_id: tuple[int, int],
    on_files: Callable[[list[FoundFile]], None] | None,
) -> list[FoundFile]:
    files: list[FoundFile] = []
    append = files.append
    ignores_file = rules.ignores_file if rules is not None else _never
    ignores_dir = rules.ignores_dir if rules is not None else _never
    is_reg, is_dir = stat.S_ISREG, stat.S_ISDIR
    # Directories to visit: (where on disk, manifest prefix, (dev, ino) of it and its ancestors).
    # Ancestors are tracked only when directory links are followed: without them there are no loops.
    stack: list[tuple[str, str, tuple[tuple[int, int], ...]]] = [(top, "", (top_id,))]
    reported = 0  # files already handed to on_files
    while stack:
        if on_files is not None and reported < len(files):
            on_files(files[reported:])
            reported = len(files)
        directory, prefix, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            raise InvalidPath(f"cannot read directory {directory}: {exc.strerror or exc}") from None
        if not all(entry.name.isascii() for entry in entries):
            _check_nfc_twins(entries, prefix)
        for entry in entries:
            name = entry.name
            path = prefix + (name if name.isascii() else _normalise(name, entry.path))
            if entry.is_symlink():
                if ignores_file(path):
                    continue
                st = _follow(entry.path)
                if is_reg(st.st_mode):
                    append(FoundFile(path, entry.path))
                elif is_dir(st.st_mode):
                    if not follow_dir_symlinks or ignores_dir(path):
                        continue
                    link_id = (st.st_dev, st.st_ino)
                    if link_id in ancestors:
                        raise ManifestError(
                            f"symlink loop: {entry.path} -> {_readlink(entry.path)} leads back to a directory above it",
                            hint="remove the link or hash without following directory links",
                        )
                    stack.append((entry.path, path + "/", (*ancestors, link_id)))
                else:
                    raise ManifestError(f"symlink to a {file_kind(st.st_mode)}, not a regular file: {entry.path}")
            elif entry.is_dir(follow_symlinks=False):
                if ignores_dir(path):
                    continue
                if follow_dir_symlinks:
                    st = entry.stat(follow_symlinks=False)
                    child_ancestors = (*ancestors, (st.st_dev, st.st_ino))
                else:
                    child_ancestors = ancestors
                stack.append((entry.path, path + "/", child_ancestors))
            elif ignores_file(path):
                continue
            elif entry.is_file(follow_symlinks=False):
                append(FoundFile(path, entry.path))
            else:
                try:
                    mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as exc:
                    raise InvalidPath(f"cannot access {entry.path}: {exc.strerror or exc}") from None
                raise ManifestError(f"not a regular file ({file_kind(mode)}): {entry.path}")
    if on_files is not None and reported < len(files):
        on_files(files[reported:])
    return files


def _check_nfc_twins(entries: list[os.DirEntry[str]], prefix: str) -> None:
    """Two names in one directory that are the same after NFC would give one path twice."""
    seen: dict[str, str] = {}
    for entry in entries:
        name = _normalise(entry.name, entry.path)
        if name in seen:
            raise ManifestError(
                f"two files have the same NFC path {prefix + name!r}: {seen[name]} and {entry.path}",
                hint="rename one of them",
            )
        seen[name] = entry.path


def _follow(link: str) -> os.stat_result:
    """``stat`` through a symlink, turning failures into errors naming the link."""
    try:
        return os.stat(link)
    except FileNotFoundError:
        raise ManifestError(f"broken symlink: {link} -> {_readlink(link)}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ManifestError(f"symlink loop: {link} -> {_readlink(link)}") from None
        raise InvalidPath(f"cannot access {link}: {exc.strerror or exc}") from None


def _readlink(link: str) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def _normalise(name: str, where: str) -> str:
    """``name`` in NFC; an error naming ``where`` if it is not valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ManifestError(f"file name is not valid UTF-8: {where!r}", hint="rename it") from None
    return unicodedata.normalize("NFC", name)


def _never(path: str) -> bool:
    return False


def find_ignored(target: str, rules: Iterable[str], *, limit: int = 1000) -> list[str]:
    """The top-most paths under directory ``target`` that ``rules`` leave out (directories end in ``/``).

    What rides along unhashed: ``__pycache__/``, ``.git/``, stray receipts, whatever
    ``.aiprovignore`` names. Ignored directories are not entered. At most ``limit``
    paths (sorted); ``[]`` for a file target or no rules.
    """
    rules = tuple(rules)
    if not rules or not os.path.isdir(target):
        return []
    matcher = IgnoreRules(rules)
    found: list[str] = []
    stack = [(target, "")]
    while stack and len(found) < limit:
        directory, prefix = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError:
            continue  # the manifest walk reports unreadable folders
        for entry in entries:
            path = prefix + (entry.name if entry.name.isascii() else unicodedata.normalize("NFC", entry.name))
            if entry.is_dir(follow_symlinks=False):
                if matcher.ignores_dir(path):
                    found.append(path + "/")
                else:
                    stack.append((entry.path, path + "/"))
            elif matcher.ignores_file(path):
                found.append(path)
    return sorted(found)[:limit]
