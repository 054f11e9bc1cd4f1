"""``aiprov node …``: a managed Anvil node, and the dev chain's clock."""

from __future__ import annotations

import click

from .options import Env, command_options, examples
from .output import console, emit_json, when


@click.group("node")
def node_group() -> None:
    """Run a local Anvil node in the background; move dev-chain time."""


def _render_status(env: Env, status) -> int:
    if env.json:
        emit_json(status.to_json() if hasattr(status, "to_json") else status.__dict__)
        return 0
    out = console()
    if status.running:
        out.print(f"anvil [green]running[/green] (pid {status.pid}) at {status.url}, chain {status.chain_id}, "
                  f"block {status.block}; state {status.state_file}")
    else:
        out.print(f"anvil [yellow]not running[/yellow]; state {status.state_file}")
    return 0


@examples("aiprov node start", "aiprov node start --port 8546 --json")
@node_group.command("start")
@click.option("--port", type=click.IntRange(1, 65535), default=8545, show_default=True)
@click.option("--chain-id", type=click.IntRange(1, 2**63), default=31337, show_default=True)
@command_options(chain=False)
def node_start(env: Env, port: int, chain_id: int) -> int:
    """Start Anvil in the background with persisted state (use it with --network anvil).

    Gives up (exit 3) when it does not answer within AIPROV_NODE_START_TIMEOUT seconds (30).
    """
    from ..chain.anvil_node import AnvilNode
    from ..fsutil import state_home

    from ..chain.networks import seconds_setting

    timeout = seconds_setting("AIPROV_NODE_START_TIMEOUT", None, 30.0)
    return _render_status(env, AnvilNode(state_home()).start(port=port, chain_id=chain_id, timeout=timeout))


@examples("aiprov node stop")
@node_group.command("stop")
@command_options(chain=False)
def node_stop(env: Env) -> int:
    """Stop the background Anvil (its state is written first)."""
    from ..chain.anvil_node import AnvilNode
    from ..fsutil import state_home

    node = AnvilNode(state_home())
    node.stop()
    return _render_status(env, node.status())


@examples("aiprov node status", "aiprov node status --json")
@node_group.command("status")
@command_options(chain=False)
def node_status(env: Env) -> int:
    """Whether the background Anvil runs: pid, port, chain id, block."""
    from ..chain.anvil_node import AnvilNode
    from ..fsutil import state_home

    return _render_status(env, AnvilNode(state_home()).status())


@examples("aiprov node advance 31d --network anvil", "aiprov node advance 12h --yes   # on local")
@node_group.command("advance")
@click.argument("duration")
@click.option("-y", "--yes", is_flag=True, help="On `local`, do it without asking (needed off a terminal).")
@command_options(signs=False)
def node_advance(env: Env, duration: str, yes: bool) -> int:
    """Move chain time forward by DURATION (31d, 12h, 90m, 45s, 2w) on a dev network.

    Leases and other deadlines then read as they will after that much time. On
    `local` it asks first (or needs --yes): `local` may hold real records, and its
    clock can never be moved back.
    """
    from ..durations import format_duration, parse_duration

    client = env.client()
    seconds = parse_duration(duration)
    if client.network == "local":
        from .confirm import confirm

        confirm(f"Move the local chain's clock forward by {format_duration(seconds)}? It can never be moved back.",
                yes=yes, env=env, action="moving the local chain's clock")
    result = client.advance_time(seconds)
    if env.json:
        emit_json(result.to_json())
        return 0
    console().print(
        f"{result.network}: chain time moved forward {format_duration(result.advanced)} "
        f"to {when(result.timestamp)} (block {result.block})"
    )
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(node_group)
