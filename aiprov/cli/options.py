"""Options every command shares, and the wrapper that turns errors into exit codes.

``@command_options`` adds ``--network``, ``--rpc-url``, ``--account``, ``--json``
and ``-v`` to a command (after the subcommand, also read from ``AIPROV_NETWORK``,
``AIPROV_RPC_URL``, ``AIPROV_ACCOUNT``), passes the command an :class:`Env`,
and maps :class:`aiprov.errors.AiprovError` to a one-line message and its exit
code (tracebacks only with ``-v`` / ``AIPROV_DEBUG=1``).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass

import click


@dataclass
class Env:
    """What a command needs besides its own arguments."""

    network: str | None
    rpc_url: str | None
    account: str | None
    json: bool
    verbose: bool
    confirmations: int | None = None
    rpc_timeout: float | None = None

    def client(self):
        from ..client import Client

        return Client(self.network, rpc_url=self.rpc_url, account=self.account, confirmations=self.confirmations,
                      rpc_timeout=self.rpc_timeout)


def _debug(verbose: bool) -> bool:
    return verbose or os.environ.get("AIPROV_DEBUG", "") not in ("", "0")


def command_options(*, chain: bool = True, signs: bool = True):
    """Decorate a command with the shared options.

    ``chain=False``: no network options; ``signs=False``: a read-only command,
    no ``--account`` / ``--confirmations``.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, network=None, rpc_url=None, account=None, as_json=False, verbose=False,
                    confirmations=None, rpc_timeout=None, **kwargs):
            env = Env(network=network, rpc_url=rpc_url, account=account, json=as_json, verbose=verbose,
                      confirmations=confirmations, rpc_timeout=rpc_timeout)
            ctx = click.get_current_context()
            try:
                code = fn(env, *args, **kwargs)
            except click.exceptions.Exit:
                raise
            except click.ClickException:
                raise
            except Exception as exc:  # noqa: BLE001 - this is the one place errors become exit codes
                code = report_error(exc, verbose=_debug(verbose))
            ctx.exit(code or 0)

        opts = [
            click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON document on stdout."),
            click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and debug details."),
        ]
        if chain:
            opts = [
                click.option("--network", envvar="AIPROV_NETWORK", metavar="NAME",
                             help="Network to use [env AIPROV_NETWORK; default: local]."),
                click.option("--rpc-url", envvar="AIPROV_RPC_URL", metavar="URL",
                             help="JSON-RPC endpoint [env AIPROV_RPC_URL]."),
                click.option("--rpc-timeout", type=click.FloatRange(0, 86400, min_open=True), metavar="SECONDS",
                             envvar="AIPROV_RPC_TIMEOUT",
                             help="Give up on a silent or slow node after this long per request, retries "
                                  "included [env AIPROV_RPC_TIMEOUT; default 20]."),
            ] + ([
                click.option("--account", envvar="AIPROV_ACCOUNT", metavar="ACCOUNT",
                             help="Signing account: dev:N, a keystore name, or an address [env AIPROV_ACCOUNT]."),
                click.option("--confirmations", type=click.IntRange(1, 1000), metavar="N",
                             help="Blocks a transaction must be buried under [default: 1 on dev networks, 2 else]."),
            ] if signs else []) + opts
        for opt in reversed(opts):
            wrapper = opt(wrapper)
        return wrapper

    return decorate


def report_error(exc: BaseException, *, verbose: bool) -> int:
    """Print ``exc`` for a human on stderr and return its exit code."""
    from ..errors import AiprovError

    if verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, AiprovError):
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130
    click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
    if not verbose:
        click.echo("hint: this is a bug in aiprov; rerun with -v for the traceback and report it", err=True)
    return 3


def positive_int(ctx, param, value):
    """Click callback: ids are positive integers (exit 2 otherwise)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(positive_int(ctx, param, v) for v in value)
    from ..errors import InvalidArgument
    from ..units import parse_id

    try:
        return parse_id(value, what="the id")
    except InvalidArgument as exc:
        raise click.BadParameter(exc.message) from None
