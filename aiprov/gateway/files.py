"""Which bytes may be served: exactly the manifest's entries, still with their registered digest.

A request names a manifest path; anything else (``../``, ``%2e%2e``, absolute
paths, files added later) is simply not an entry. An entry's real location is
pinned when the gateway starts (a symlink to a file, as in a Hugging Face
cache, is fine); if it later resolves elsewhere — a file swapped for a link to
``/etc/passwd`` — it is refused. Before serving, the file's stat (device,
inode, size, mtime_ns, ctime_ns) is compared with the one seen when its digest
was last checked; only on a change is the file hashed again. A digest that no
longer matches means 409 and a warning for the operator.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Refusal(Exception):
    status: int
    reason: str
    message: str


def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class FileGuard:
    def __init__(self, root: Path, manifest, *, warn=None) -> None:
        self.root = Path(root)
        self.manifest = manifest
        single = manifest.kind == "file"
        self._entries = {e.path: e for e in manifest.entries}
        self._real: dict[str, str] = {}
        self._full: dict[str, str] = {}
        self._good: dict[str, tuple] = {}
        self._bad: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._warn = warn or (lambda msg: print(f"aiprov serve: warning: {msg}", file=sys.stderr, flush=True))
        for path in self._entries:
            full = self._full[path] = str(self.root if single else self.root / path)
            real = os.path.realpath(full)
            self._real[path] = real
            self._good[path] = _stat_key(os.stat(real))  # hashed just before, by the manifest build

    def entry(self, path: str):
        return self._entries.get(path)

    def check(self, path: str, *, rehash: bool = True) -> tuple[str, int, os.stat_result] | None:
        """(real file path, size, its stat) of an entry that is safe to serve; else :class:`Refusal`.

        With ``rehash=False`` it returns None instead of hashing a changed file
        (the app then calls again in a worker thread).
        """
        entry = self._entries.get(path)
        if entry is None:
            raise Refusal(404, "not-in-manifest", f"{path!r} is not a file of this asset")
        real, full = self._real[path], self._full[path]
        try:
            st = os.stat(full)
        except OSError:
            raise Refusal(409, "file-missing", f"{path!r} is missing on the server") from None
        key = _stat_key(st)
        if key == self._good.get(path):  # the very file (device, inode) last checked, unchanged
            return real, entry.size, st
        if os.path.realpath(full) != real:
            self._warn(f"{path} now resolves outside its registered location; refusing to serve it")
            raise Refusal(403, "symlink-escape", f"{path!r} no longer points at its registered file")
        if key == self._bad.get(path):
            raise Refusal(409, "digest-mismatch", f"{path!r} on the server no longer matches its registered digest")
        if not rehash:
            return None
        from ..errors import AiprovError
        from ..manifest.hashing import sha256_file

        with self._lock:
            try:
                digest = sha256_file(real)
            except (OSError, AiprovError):  # unreadable, or changing while read
                digest = "unreadable or changing"
            if digest == entry.sha256 and st.st_size == entry.size:
                self._good[path] = key
                return real, entry.size, st
            self._bad[path] = key
        self._warn(f"{path} changed on disk: sha256 {digest}, registered {entry.sha256}; refusing to serve it")
        raise Refusal(409, "digest-mismatch", f"{path!r} on the server no longer matches its registered digest")
