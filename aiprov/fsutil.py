"""Filesystem helpers: atomic writes, private files, the state directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def state_home() -> Path:
    """``$AIPROV_HOME``, else ``~/.aiprov``."""
    env = os.environ.get("AIPROV_HOME")
    return Path(env).expanduser() if env else Path.home() / ".aiprov"


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_bytes(path: Path, data: bytes | bytearray | memoryview, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never half of one.

    The data goes to a temporary file in the same directory (``mkstemp``: mode
    0600), is fsync'ed, then renamed over ``path``. ``mode`` (e.g. 0o600) is
    applied before the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
