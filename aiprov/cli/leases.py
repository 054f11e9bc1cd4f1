"""``aiprov lease …``: time-bounded access to datasets and models, sold or granted, and logged."""

from __future__ import annotations

import click

from ..durations import relative
from .options import Env, command_options, examples
from .output import console, emit_json, when, who

ASSET_HELP = "ASSET is dataset:ID or model:ID (a bare number means a dataset)."


@click.group("lease", help=f"Grant, sell, check and log time-bounded access. {ASSET_HELP}")
def lease_group() -> None:
    pass


def _days_option(fn):
    return click.option("--days", required=True, metavar="N", help="Length in days (1 to 3650).")(fn)


def _print_tx(env: Env, result) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0
    from ..units import format_wei

    out = console()
    if result.action == "revoked":
        out.print(f"lease of {who(result.grantee)} on {result.asset} [bold]revoked[/bold] (tx {result.tx})")
    else:
        if result.paid and result.token:
            paid = f", paid {result.paid} smallest units of {result.token}"
        else:
            paid = f", paid {format_wei(result.paid)}" if result.paid else ""
        out.print(f"lease of {who(result.grantee)} on {result.asset} [bold]{result.action}[/bold]: "
                  f"access until {when(result.expires_at)}{paid} (tx {result.tx})")
    return 0


@examples("aiprov lease grant 3 0xAbC0000000000000000000000000000000000001 --days 30",
          "aiprov lease grant model:7 dev:2 --days 7 --account dev:1")
@lease_group.command("grant")
@click.argument("asset")
@click.argument("address")
@_days_option
@command_options()
def lease_grant(env: Env, asset, address, days) -> int:
    """Give ADDRESS access to ASSET for N days (asset owner or manager)."""
    return _print_tx(env, env.client().grant_lease(asset, address, days))


@examples("aiprov lease extend 3 dev:2 --days 30")
@lease_group.command("extend")
@click.argument("asset")
@click.argument("address")
@_days_option
@command_options()
def lease_extend(env: Env, asset, address, days) -> int:
    """Add N days to ADDRESS's lease on ASSET (from its end, or from now if it ended)."""
    return _print_tx(env, env.client().extend_lease(asset, address, days))


@examples("aiprov lease revoke 3 dev:2")
@lease_group.command("revoke")
@click.argument("asset")
@click.argument("address")
@command_options()
def lease_revoke(env: Env, asset, address) -> int:
    """End ADDRESS's access to ASSET now (a paid lease only once its paid time is over)."""
    return _print_tx(env, env.client().revoke_lease(asset, address))


@examples("aiprov lease check 3 dev:2", "aiprov lease check model:7 0xAbC0000000000000000000000000000000000001 --json")
@lease_group.command("check")
@click.argument("asset")
@click.argument("address")
@command_options(signs=False)
def lease_check(env: Env, asset, address) -> int:
    """Exit 0 if ADDRESS may use ASSET now, 1 if not."""
    result = env.client().check_lease(asset, address)
    code = 0 if result.active else 1
    if env.json:
        emit_json(result.to_json())
        return code
    out = console()
    if result.active and not result.via_lease:
        out.print(f"[green]active[/green]: {who(result.account)} owns or manages {result.asset}")
    elif result.active:
        out.print(f"[green]active[/green]: until {when(result.expires_at)} ({relative(result.expires_at, result.now)})")
    elif result.revoked:
        out.print(f"[red]not active[/red]: the lease of {who(result.account)} on {result.asset} was revoked")
    elif result.expires_at:
        out.print(f"[red]not active[/red]: expired {when(result.expires_at)} ({relative(result.expires_at, result.now)})")
    else:
        out.print(f"[red]not active[/red]: {who(result.account)} has no lease on {result.asset}")
    return code


@examples("aiprov lease list dataset:3", "aiprov lease list model:7 --json")
@lease_group.command("list")
@click.argument("asset")
@command_options(signs=False)
def lease_list(env: Env, asset) -> int:
    """List every lease on ASSET: grantee, paid or granted, expiry (local time and relative)."""
    leases = env.client().list_leases(asset)
    if env.json:
        emit_json([lease.to_json() for lease in leases])
        return 0
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for col in ("grantee", "type", "expires", "when", "state"):
        table.add_column(col, no_wrap=True)
    for lease in leases:
        state = "revoked" if lease.revoked else ("active" if lease.active else "expired")
        color = {"active": "green", "expired": "yellow", "revoked": "red"}[state]
        table.add_row(who(lease.grantee), "paid" if lease.paid else "granted", when(lease.expires_at),
                      relative(lease.expires_at, lease.now), f"[{color}]{state}[/{color}]")
    out = console()
    out.print(table if leases else f"no leases on {asset}")
    return 0


@lease_group.command("price")
@click.argument("asset")
@click.option("--per-day", metavar="AMOUNT",
              help="Price per day: 0.01ether, 10gwei or wei; with --token, 2.5TUSD (whole tokens) or "
                   "smallest units. 0 = not for sale. Without it: show the current price.")
@click.option("--token", metavar="ERC20_ADDRESS", help="Price in this ERC-20 token instead of ETH.")
@command_options()
def lease_price(env: Env, asset, per_day, token) -> int:
    """Sell access to ASSET at a price per day, in ETH or one ERC-20 token (asset owner only),
    or show its price.

    \b
    Examples:
      aiprov lease price dataset:3 --per-day 0.01ether
      aiprov lease price dataset:3 --per-day 2.5USDC --token 0xA0b8…eB48
      aiprov lease price dataset:3            # show it
    """
    if per_day is None:
        if token:
            from ..errors import InvalidArgument

            raise InvalidArgument("--token needs --per-day (to set a price in that token)")
        result = env.client().lease_price(asset)
    else:
        result = env.client().set_lease_price(asset, per_day, token)
    if env.json:
        emit_json(result.to_json())
        return 0
    token_note = f" ({result.token}, {result.decimals} decimals)" if result.token else ""
    if result.price_per_day == 0:
        text = f"{result.asset}: not for sale"
    else:
        text = f"{result.asset}: {result.price_per_day_text} per day{token_note}"
    console().print(text + (f" (tx {result.tx})" if result.tx else ""))
    return 0


@lease_group.command("buy")
@click.argument("asset")
@_days_option
@command_options()
def lease_buy(env: Env, asset, days) -> int:
    """Buy N days of access to ASSET for --account, paying exactly price x N.

    In ETH the exact value is sent. In an ERC-20 token, --account first approves AccessLeases
    for exactly that amount (one more transaction), then buys; the token must deliver exactly
    what is sent (fee-on-transfer tokens are refused).

    \b
    Examples:
      aiprov lease buy dataset:3 --days 30 --account researcher
    """
    return _print_tx(env, env.client().buy_lease(asset, days))


@examples("aiprov lease use 3 --account dev:2")
@lease_group.command("use")
@click.argument("asset")
@command_options()
def lease_use(env: Env, asset) -> int:
    """Record an access attempt on ASSET by --account: exit 0 granted, 1 denied (logged either way)."""
    result = env.client().use(asset)
    code = 0 if result.granted else 1
    if env.json:
        emit_json(result.to_json())
        return code
    verdict = "[green]granted[/green]" if result.granted else "[red]denied[/red]"
    console().print(f"access to {result.asset} by {who(result.account)}: {verdict} (logged, tx {result.tx})")
    return code


@lease_group.command("log")
@click.argument("asset")
@click.option("--prove", "prove_entry", type=int, metavar="ENTRY",
              help="Print the inclusion proof of gateway log entry ENTRY, checked against its on-chain batch.")
@click.option("--gateway-log", type=click.Path(dir_okay=False), metavar="FILE",
              help="The `aiprov serve` access log to read [default: this machine's log of ASSET].")
@command_options(signs=False)
def lease_log(env: Env, asset, prove_entry, gateway_log) -> int:
    """Every access attempt on ASSET: recordAccess calls and `aiprov serve` requests.

    Gateway entries (#SEQ) show the file, the reason and the on-chain batch that
    anchors them. --prove ENTRY prints that entry's inclusion proof
    (aiprov-access-proof/1, checkable with OpenZeppelin's StandardMerkleTree.verify):
    exit 0 when it leads to a batch root anchored on-chain, 1 when not.

    \b
    Examples:
      aiprov lease log dataset:3
      aiprov lease log dataset:3 --prove 17 --json
    """
    client = env.client()
    if prove_entry is not None:
        proof = client.prove_gateway_entry(asset, prove_entry, log=gateway_log)
        if env.json:
            emit_json(proof)
        else:
            b = proof["batch"]
            console().print(f"entry {prove_entry} of {proof['asset']}: {' '.join(map(str, proof['value']))}\n"
                            f"leaf  {proof['leaf']}\nroot  {proof['root']} = batch {b['batch_id']} "
                            f"(entries {b['first']}-{b['last']}, tx {b['tx']}, block {b['block']})\n"
                            f"proof {' '.join(proof['proof']) or '(a one-entry batch)'}\n"
                            "[green]valid[/green] and anchored on-chain")
        return 0
    entries = client.access_log(asset)
    gateway = client.gateway_log(asset, log=gateway_log)
    if env.json:
        emit_json([{"source": "recordAccess", **e.to_json()} for e in entries] + [g.to_json() for g in gateway])
        return 0
    out = console()
    if not entries and not gateway:
        out.print(f"no access attempts recorded on {asset}")
        return 0
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for col in ("time", "account", "decision", "source", "detail"):
        table.add_column(col, no_wrap=True)
    rows = [(e.time, 0, e) for e in entries] + [(g.time, 1, g) for g in gateway]
    for _, source, e in sorted(rows, key=lambda r: (r[0], r[1])):
        verdict = "[green]granted[/green]" if e.granted else "[red]denied[/red]"
        if source == 0:
            table.add_row(when(e.time), who(e.account), verdict, "recordAccess", f"block {e.block}, tx {e.tx}")
        else:
            batch = f"batch {e.batch_id}" if e.anchored else "not anchored yet"
            table.add_row(when(e.time), who(e.account), verdict, f"gateway #{e.seq} {e.path or '(index)'} {e.reason}",
                          f"{e.bytes} B, {batch}")
    out.print(table)
    return 0


@lease_group.command("withdraw")
@click.option("--token", metavar="ERC20_ADDRESS", help="Withdraw this token's balance instead of ETH's.")
@command_options()
def lease_withdraw(env: Env, token) -> int:
    """Withdraw --account's share of lease sales (as owner or payee), in ETH or one token.

    \b
    Examples:
      aiprov lease withdraw --account alice
      aiprov lease withdraw --token 0xA0b8…eB48 --account alice
    """
    result = env.client().withdraw(token)
    if env.json:
        emit_json(result.to_json())
        return 0
    if result.tx is None:
        console().print(f"nothing to withdraw for {who(result.account)} in {result.symbol}")
    else:
        console().print(f"withdrew {result.amount_text} to {who(result.account)} (tx {result.tx})")
    return 0




@click.group("manager", help=f"Appoint the accounts that may grant leases on an asset. {ASSET_HELP}")
def manager_group() -> None:
    pass


def _manager_command(name: str, allowed: bool, doc: str) -> None:
    @examples(f"aiprov manager {name} 3 dev:1", f"aiprov manager {name} model:7 0xAbC0000000000000000000000000000000000001")
    @manager_group.command(name, help=doc)
    @click.argument("asset")
    @click.argument("address")
    @command_options()
    def cmd(env: Env, asset, address) -> int:
        result = env.client().set_manager(asset, address, allowed)
        if env.json:
            emit_json(result.to_json())
            return 0
        state = "a manager" if allowed else "not a manager"
        sent = f" (tx {result.tx})" if result.tx else " (already so; nothing sent)"
        console().print(f"{who(result.manager)} is {state} of {result.asset}{sent}")
        return 0


_manager_command("add", True, "Let ADDRESS grant, extend and revoke leases on ASSET (owner only).")
_manager_command("remove", False, "Take that power back from ADDRESS (owner only).")


def register(cli: click.Group) -> None:
    cli.add_command(lease_group)
    cli.add_command(manager_group)
