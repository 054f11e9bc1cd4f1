"""Asking before a final action: ``revoke``, ``consent erase``, ``node advance`` on ``local``.

On a terminal the user is asked (default: no); anywhere else (a script, CI, a pipe)
the command needs ``--yes``, so nothing final happens because stdin happened to be
empty. ``--json`` never prompts (its stdout is for the document): it needs ``--yes`` too.

    @yes_option
    @command_options()
    def revoke(env, id_, reason, yes):
        confirm(f"revoke dataset {id_}? This is final.", yes=yes, env=env)
"""

from __future__ import annotations

import sys

import click

from ..errors import UsageError


class NotConfirmed(UsageError):
    """A final action without ``--yes`` off a terminal, or declined at the prompt (exit 2)."""


def yes_option(fn):
    """Add ``-y/--yes``: do it without asking."""
    return click.option("-y", "--yes", is_flag=True, help="Do it without asking (needed off a terminal).")(fn)


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def confirm(question: str, *, yes: bool, env=None, action: str | None = None) -> None:
    """Return if the user agreed (or gave ``--yes``); raise :class:`NotConfirmed` otherwise."""
    if yes:
        return
    what = action or "this final action"
    if (env is not None and getattr(env, "json", False)) or not _interactive():
        raise NotConfirmed(f"{what} needs confirmation: pass --yes", hint=question)
    if not click.confirm(question, default=False, err=True):
        raise NotConfirmed(f"{what}: not confirmed; nothing was done")
