"""``aiprov node …``: the dev chain's clock."""

from __future__ import annotations

import click

from .options import Env, command_options
from .output import console, emit_json, when


@click.group("node")
def node_group() -> None:
    """Dev-network controls (local chain): move time forward."""


@node_group.command("advance")
@click.argument("duration")
@command_options()
def node_advance(env: Env, duration: str) -> int:
    """Move chain time forward by DURATION (31d, 12h, 90m, 45s, 2w) on a dev network.

    Leases and other deadlines then read as they will after that much time.
    """
    from ..durations import format_duration

    result = env.client().advance_time(duration)
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
