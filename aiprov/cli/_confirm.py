"""Stand-in confirmation for final actions until the shared helper lands (SPEC §5)."""

from __future__ import annotations

import sys

import click

from ..errors import UsageError


def confirm_final(what: str, *, yes: bool) -> None:
    """Ask on a TTY; elsewhere require ``--yes`` (exit 2 without it)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"refusing to {what} without confirmation", hint="pass --yes to confirm")
    if not click.confirm(f"{what[0].upper()}{what[1:]}. Continue?", default=False, err=True):
        raise UsageError("not confirmed; nothing was done")
