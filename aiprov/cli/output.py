"""Rendering: JSON documents, rich tables, the hashing progress bar.

rich is imported only when something is rendered, so ``aiprov --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from typing import Any, Iterator

import click


def emit_json(doc: Any) -> None:
    """Exactly one JSON document on stdout."""
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False, default=str))


_QUIET = False
#: Off a terminal, lines are as long as they need to be: nothing is truncated.
UNBOUNDED_WIDTH = 100_000


@contextlib.contextmanager
def quiet_output(enabled: bool) -> Iterator[None]:
    """``--quiet``: human output on stdout is dropped while the command runs (errors still show)."""
    global _QUIET
    previous, _QUIET = _QUIET, bool(enabled) or _QUIET
    try:
        yield
    finally:
        _QUIET = previous


def _width(stream) -> int | None:
    try:
        return None if stream.isatty() else UNBOUNDED_WIDTH
    except (AttributeError, ValueError):
        return UNBOUNDED_WIDTH


def console():
    """stdout for people: rich on a terminal; off one, full width (no truncation) and no colour."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, quiet=_QUIET, width=_width(sys.stdout))


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))


from ..durations import format_time as when  # noqa: E402  (re-exported for the commands)


def who(address: str) -> str:
    """An address as people read it: ``0xf39F…2266 (dev:0)`` for the well-known dev accounts."""
    from ..chain.devkeys import DEV_ACCOUNT_COUNT, dev_address

    text = str(address)
    for i in range(DEV_ACCOUNT_COUNT):
        if text.lower() == "0x" + dev_address(i).hex():
            return f"{text} (dev:{i})"
    return text


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class _RichHashProgress:
    """Adapter from the manifest's progress protocol to a rich progress bar."""

    def __init__(self, progress) -> None:
        self._progress = progress
        self._task = None

    def start(self, total_files: int, total_bytes: int) -> None:
        self._task = self._progress.add_task(f"hashing {total_files} files", total=total_bytes)

    def advance(self, nbytes: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, nbytes)


@contextlib.contextmanager
def hashing_progress(enabled: bool) -> Iterator[Any]:
    """A progress reporter for hashing on a TTY (stderr), else None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(binary_units=True),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console(),
        transient=True,
    ) as progress:
        yield _RichHashProgress(progress)
