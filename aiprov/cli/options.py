"""Options every command shares, and the one place errors become exit codes.

``@command_options`` adds ``--network``, ``--rpc-url``, ``--account`` (commands that
sign), ``--confirmations`` (commands that send or wait for blocks), ``--json``,
``--quiet`` and ``-v`` to a command (after the subcommand, also read from
``AIPROV_NETWORK``, ``AIPROV_RPC_URL``, ``AIPROV_ACCOUNT``), passes the command an
:class:`Env`, and maps every failure through :func:`report_error`:
:class:`aiprov.errors.AiprovError` to a one-line message and its exit code, Ctrl-C
to 130, with ``--json`` also the error document ``{"error": {"type", "message",
"hint", "exit_code"}}`` on stdout. Tracebacks only with ``-v`` / ``AIPROV_DEBUG=1``,
and secrets (URL credentials, keys) are scrubbed from all of it. ``@examples`` ends a
command's help with examples.
"""

from __future__ import annotations

import functools
import os
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
    quiet: bool = False

    def client(self):
        from ..client import Client

        return Client(self.network, rpc_url=self.rpc_url, account=self.account, confirmations=self.confirmations,
                      rpc_timeout=self.rpc_timeout)


def _debug(verbose: bool) -> bool:
    return verbose or os.environ.get("AIPROV_DEBUG", "") not in ("", "0")


def command_options(*, chain: bool = True, signs: bool = True, waits: bool | None = None):
    """Decorate a command with the shared options.

    ``chain=False``: no network options at all; ``signs=False``: a read-only command, no
    ``--account``; ``waits`` (default: ``signs``): ``--confirmations``, for commands that
    send transactions or check how deep a registration is buried.
    """
    waits = signs if waits is None else waits

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, network=None, rpc_url=None, account=None, as_json=False, verbose=False,
                    confirmations=None, rpc_timeout=None, quiet=False, **kwargs):
            env = Env(network=network, rpc_url=rpc_url, account=account, json=as_json, verbose=verbose,
                      confirmations=confirmations, rpc_timeout=rpc_timeout, quiet=quiet)
            ctx = click.get_current_context()
            from .output import quiet_output

            try:
                with quiet_output(quiet and not as_json):
                    code = fn(env, *args, **kwargs)
            except click.exceptions.Exit:
                raise
            except (Exception, KeyboardInterrupt, click.exceptions.Abort) as exc:  # noqa: BLE001 - the one place
                code = report_error(exc, verbose=_debug(verbose), as_json=as_json, secrets=(rpc_url,))
            ctx.exit(code or 0)

        opts = [
            click.option("--json", "as_json", is_flag=True, help="Print exactly one JSON document on stdout."),
            click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors; the exit code tells."),
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
            ] if signs else []) + ([
                click.option("--confirmations", type=click.IntRange(1, 1000), metavar="N",
                             help="Blocks a transaction must be buried under [default: 1 on dev networks, 2 else]."),
            ] if waits else []) + opts
        for opt in reversed(opts):
            wrapper = opt(wrapper)
        return wrapper

    return decorate


def examples(*lines: str):
    """End a command's help with an Examples section (put it above ``@….command``)."""

    def decorate(command: click.Command) -> click.Command:
        command.help = with_examples(command.help or "", *lines)
        return command

    return decorate


def with_examples(text: str, *lines: str) -> str:
    """``text`` followed by the examples, kept as written by Click (``\\b``)."""
    return text.rstrip() + "\n\n\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def describe_error(exc: BaseException) -> tuple[str, str, str | None, int]:
    """(type, message, hint, exit code) of any failure, as the CLI reports it."""
    from ..errors import AiprovError

    if isinstance(exc, AiprovError):
        return type(exc).__name__, exc.message, exc.hint, exc.exit_code
    if isinstance(exc, (KeyboardInterrupt, click.exceptions.Abort)):
        return "Interrupted", "interrupted", None, 130
    if isinstance(exc, click.ClickException):
        return "UsageError", exc.format_message(), "see --help for the usage", exc.exit_code
    if isinstance(exc, MemoryError):
        return "EnvironmentFailure", "out of memory", None, 3
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:
        # a disk full, a permission change mid-run ...: the environment, named
        where = f" ({exc.filename})" if exc.filename else ""
        return "EnvironmentFailure", f"{exc.strerror}{where}", None, 3
    return ("InternalError", f"unexpected {type(exc).__name__}: {exc}",
            "this is a bug in aiprov; rerun with -v for the traceback and report it", 3)


def error_document(exc: BaseException, *, secrets=()) -> dict:
    """The ``--json`` form of a failure: ``{"error": {"type", "message", "hint", "exit_code"}}``."""
    from ..redact import redact

    kind, message, hint, code = describe_error(exc)
    return {"error": {"type": kind, "message": redact(message, secrets),
                      "hint": redact(hint, secrets) if hint else None, "exit_code": code}}


def report_error(exc: BaseException, *, verbose: bool, as_json: bool = False, secrets=()) -> int:
    """Report ``exc`` (stderr for people; with ``as_json`` also its document on stdout); its exit code."""
    from ..redact import redact

    if verbose:
        import traceback

        click.echo(redact("".join(traceback.format_exception(exc)), secrets), err=True, nl=False)
    doc = error_document(exc, secrets=secrets)["error"]
    if isinstance(exc, click.ClickException) and not as_json:
        exc.show()
    else:
        click.echo(f"error: {doc['message']}", err=True)
        if doc["hint"] and (doc["type"] != "InternalError" or not verbose):
            click.echo(f"hint: {doc['hint']}", err=True)
    if as_json:
        from .output import emit_json

        emit_json({"error": doc})
    return doc["exit_code"]


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
