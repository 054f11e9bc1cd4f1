"""The root command class: failures Click finds while parsing get the same treatment as ours.

A missing argument, an unknown option or a bad ``click.IntRange`` value is found by
Click before any command runs. :class:`AiprovGroup` routes those (and Ctrl-C at
any moment) through :func:`aiprov.cli.options.report_error`, so that exit codes are
the documented ones (2 usage, 130 interrupted) and ``--json`` still prints exactly
one document: ``{"error": {...}}``.
"""

from __future__ import annotations

import errno
import sys

import click


def wants_json(argv: list[str]) -> bool:
    """``--json`` given anywhere before a ``--`` separator."""
    head = argv[: argv.index("--")] if "--" in argv else argv
    return "--json" in head


class AiprovGroup(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        from .options import _debug, report_error

        argv = list(sys.argv[1:] if args is None else args)
        verbose = _debug("-v" in argv or "--verbose" in argv)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except (click.ClickException, click.exceptions.Abort, KeyboardInterrupt, EOFError) as exc:
            if isinstance(exc, EOFError):
                exc = KeyboardInterrupt()
            code = report_error(exc, verbose=verbose, as_json=wants_json(argv))
        except BrokenPipeError:  # `aiprov … | head`: the reader left; nothing more to say
            code = 141
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            code = 141
        sys.exit(code)
