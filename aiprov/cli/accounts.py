"""``aiprov account …`` and ``aiprov deploy``: who signs, and where the contracts are."""

from __future__ import annotations

import os
import sys

import click

from .options import Env, command_options, examples
from .output import console, emit_json


@click.group("account")
def account_group() -> None:
    """Accounts aiprov signs with: dev accounts, keystores, AIPROV_PRIVATE_KEY."""


@examples("aiprov account list", "aiprov account list --network anvil --json")
@account_group.command("list")
@command_options(signs=False)
def account_list(env: Env) -> int:
    """List usable accounts: AIPROV_PRIVATE_KEY, keystores, dev:0…dev:9 on dev networks."""
    accounts = env.client().accounts()
    if env.json:
        emit_json([a.to_json() for a in accounts])
        return 0
    out = console()
    for a in accounts:
        out.print(f"{a.name:<22} {a.address}")
    if not accounts:
        out.print("no accounts: `aiprov account new NAME`, or set AIPROV_PRIVATE_KEY")
    return 0


def _password(confirm: bool) -> str:
    from ..chain.keystore import ENV_PASSWORD

    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    if not sys.stdin.isatty():
        raise click.UsageError(f"no password: set {ENV_PASSWORD} or run in a terminal")
    return click.prompt("keystore password", hide_input=True, confirmation_prompt=confirm, err=True)


@examples("aiprov account new alice", "AIPROV_KEYSTORE_PASSWORD=... aiprov account new ci-bot --json")
@account_group.command("new")
@click.argument("name")
@command_options(chain=False)
def account_new(env: Env, name: str) -> int:
    """Create a new key, encrypted as keystore NAME (password: prompt or AIPROV_KEYSTORE_PASSWORD)."""
    from ..client import Client

    info = Client().new_account(name, _password(confirm=True))
    if env.json:
        emit_json(info.to_json())
        return 0
    console().print(f"created {info.name}: {info.address}  (fund it before sending transactions)")
    return 0


@examples("aiprov account import alice --private-key-file key.hex", "aiprov account import alice --private-key-file -   # from stdin")
@account_group.command("import")
@click.argument("name")
@click.option("--private-key-file", metavar="FILE",
              help="Read the hex private key from FILE ('-' for stdin) instead of a hidden prompt.")
@command_options(chain=False)
def account_import(env: Env, name: str, private_key_file) -> int:
    """Encrypt an existing private key as keystore NAME. The key is never taken from the command line."""
    from ..client import Client

    if private_key_file is not None:
        from ..inputfiles import read_input_text

        # a key file is one line; 4 KiB leaves room for whitespace, never for /dev/zero
        key = read_input_text(private_key_file, what="--private-key-file", limit=4096, allow_stdin=True).strip()
    elif sys.stdin.isatty():
        key = click.prompt("private key (hex)", hide_input=True, err=True)
    else:
        raise click.UsageError("give the key with --private-key-file FILE (or - for stdin), or run in a terminal")
    info = Client().import_account(name, key, _password(confirm=True))
    if env.json:
        emit_json(info.to_json())
        return 0
    console().print(f"imported {info.name}: {info.address}")
    return 0


@examples("aiprov deploy --network anvil", "aiprov deploy --network sepolia --account deployer")
@click.command("deploy")
@command_options()
def deploy_command(env: Env) -> int:
    """Deploy DatasetRegistry, ModelRegistry and AccessLeases on the network and record them.

    Through the standard CREATE2 proxy (0x4e59…956C) where the chain has it, so the
    addresses are the same on every chain; a second deploy finds the code and sends nothing.
    """
    result = env.client().deploy()
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    out.print(f"contracts on {result.network} (chain {result.chain_id}):")
    for c in result.contracts:
        note = "deployed now" if c["deployed_now"] else "already there"
        out.print(f"  {c['name']:<16} {c['address']}  ({note})")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(account_group)
    cli.add_command(deploy_command)
