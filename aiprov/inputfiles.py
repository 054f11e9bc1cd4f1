"""Reading files a user points us at (configs, metrics, keys, receipts, proofs), bounded.

A path on the command line may name anything: a FIFO that blocks forever,
``/dev/zero`` that never ends, a 5 GB log by mistake. :func:`read_input` reads
only regular files (and ``-`` for stdin where the caller allows it), never more
than ``limit`` bytes, and opens without blocking, so none of those can hang a
command or exhaust memory. Every refusal is :class:`~aiprov.errors.InvalidPath`
(exit 2) naming the path.

    raw = read_input("train.json", what="--training-config", limit=16 * MiB)
    text = read_input_text("aiprov.toml", what="config")
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from .errors import InvalidPath

MiB = 1024 * 1024
#: Default cap for small structured inputs (configs, keys, receipts, proofs).
DEFAULT_LIMIT = 64 * MiB


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _human(n: int) -> str:
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n} bytes"


def read_input(path: str | os.PathLike, *, what: str, limit: int = DEFAULT_LIMIT,
               allow_stdin: bool = False) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); InvalidPath otherwise."""
    name = os.fspath(path)
    if allow_stdin and name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InvalidPath(f"{what}: standard input is larger than {_human(limit)}")
        return data
    try:
        st = os.stat(name)  # stat never blocks, even on a FIFO
    except FileNotFoundError:
        raise InvalidPath(f"{what} {name}: no such file") from None
    except OSError as exc:
        raise InvalidPath(f"{what} {name}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InvalidPath(f"{what} {name} is {_kind(st.st_mode)}; a regular file is needed")
    if st.st_size > limit:
        raise InvalidPath(f"{what} {name} is larger than {_human(limit)}")
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open does not hang
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InvalidPath(f"{what} {name}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise InvalidPath(f"{what} {name} is {_kind(st.st_mode)}; a regular file is needed")
        data = f.read(limit + 1)  # the file may grow after the stat
    if len(data) > limit:
        raise InvalidPath(f"{what} {name} is larger than {_human(limit)}")
    return data


def read_input_text(path: str | os.PathLike, *, what: str, limit: int = DEFAULT_LIMIT,
                    allow_stdin: bool = False) -> str:
    """:func:`read_input` decoded as UTF-8 (InvalidPath naming the path if it is not)."""
    raw = read_input(path, what=what, limit=limit, allow_stdin=allow_stdin)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidPath(f"{what} {Path(path)} is not UTF-8 text (byte {exc.start})") from None
