"""``aiprov payees …``: who shares an asset's lease sale proceeds, and in what proportion."""

from __future__ import annotations

import click

from .options import Env, command_options, examples
from .output import console, emit_json

SHARE_RULE = (
    "SHARE is a weight: each purchase credits a payee paid x SHARE / (sum of SHAREs), rounded "
    "down, and the first payee also the rounding remainder, so every unit is credited "
    "(1 1 1 = thirds; 7000 3000 = basis points). Each payee withdraws its own balance with "
    "`aiprov lease withdraw`."
)


@click.group("payees", help=f"Split an asset's lease sale proceeds among its contributors. {SHARE_RULE}")
def payees_group() -> None:
    pass


def _print(env: Env, result) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    if not result.payees:
        out.print(f"{result.asset}: all proceeds go to its owner {result.owner}")
    for p in result.payees:
        out.print(f"{p.address}  {p.shares}  ({p.percent:g}%)")
    if result.tx:
        out.print(f"(tx {result.tx})")
    return 0


@payees_group.command("set")
@click.argument("asset")
@click.argument("payees", nargs=-1, required=True, metavar="ADDR=SHARE...")
@command_options()
def payees_set(env: Env, asset, payees) -> int:
    """Credit later sales of ASSET to these payees by weight (asset owner only; at most 16).

    \b
    Examples:
      aiprov payees set dataset:3 0xAlice…=2 0xBob…=1      # 2/3 and 1/3
      aiprov payees set dataset:3 dev:1=7000 dev:2=3000    # 70% / 30%
    """
    return _print(env, env.client().set_payees(asset, list(payees)))


@examples("aiprov payees clear dataset:3")
@payees_group.command("clear")
@click.argument("asset")
@command_options()
def payees_clear(env: Env, asset) -> int:
    """Credit later sales of ASSET to its owner alone again (asset owner only)."""
    return _print(env, env.client().set_payees(asset, []))


@examples("aiprov payees show dataset:3", "aiprov payees show model:7 --json")
@payees_group.command("show")
@click.argument("asset")
@command_options(signs=False)
def payees_show(env: Env, asset) -> int:
    """Show who is credited with ASSET's sales, and their weights."""
    return _print(env, env.client().payees(asset))


def register(cli: click.Group) -> None:
    cli.add_command(payees_group)
