"""``aiprov account …``: the accounts aiprov can sign with."""

from __future__ import annotations

import click

from .options import Env, command_options
from .output import console, emit_json


@click.group("account")
def account_group() -> None:
    """List the accounts aiprov can sign with."""


@account_group.command("list")
@command_options()
def account_list(env: Env) -> int:
    """List usable accounts (dev:0…dev:9 on local networks; AIPROV_PRIVATE_KEY if set)."""
    accounts = env.client().accounts()
    if env.json:
        emit_json([a.to_json() for a in accounts])
        return 0
    out = console()
    for a in accounts:
        out.print(f"{a.name:<22} {a.address}")
    if not accounts:
        out.print("no accounts: set AIPROV_PRIVATE_KEY, or use a dev network")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(account_group)
