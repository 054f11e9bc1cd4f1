"""Dataset commands: register, verify, show, history, revoke, deprecate."""

from __future__ import annotations

import click

from .groups import (
    ALL_GROUPS,
    deprecate_group,
    history_group,
    register_group,
    revoke_group,
    show_group,
    verify_group,
)
from .options import Env, command_options, positive_int
from .output import console, emit_json, err_console, hashing_progress, human_size, when


@register_group.command("dataset")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--name", help="Human name of the dataset (hashed into the metadata).")
@click.option("--description", help="One-line description.")
@click.option("--license", "license_", metavar="SPDX", help="License, e.g. CC-BY-4.0.")
@click.option("--source", help="Where the data came from (URL, bucket, paper).")
@click.option("--parent", type=str, callback=positive_int, metavar="ID", help="Id of the previous version.")
@click.option("--metadata-uri", default="", metavar="URI", help="Where the metadata document is published.")
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=str), help="Write the receipt here.")
@click.option("--follow-dir-symlinks", is_flag=True, help="Follow symlinks to directories.")
@command_options()
def register_dataset(env: Env, path, name, description, license_, source, parent, metadata_uri, receipt, follow_dir_symlinks) -> int:
    """Hash PATH, anchor its root in DatasetRegistry, write PATH.aiprov.json.

    Registering the same content again from the same account sends nothing and
    reports the existing id.
    """
    with hashing_progress(not env.json) as progress:
        result = env.client().register_dataset(
            path, name=name, description=description, license=license_, source=source,
            parent=parent, metadata_uri=metadata_uri, receipt=receipt,
            follow_dir_symlinks=follow_dir_symlinks, progress=progress,
        )
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    verb = "already registered as" if result.already_registered else "registered as"
    out.print(f"[bold green]{verb} dataset {result.id}[/bold green] on {result.network} (chain {result.chain_id})")
    out.print(f"  root     {result.root}")
    out.print(f"  files    {result.files} ({human_size(result.size)})")
    out.print(f"  tx       {result.tx} (block {result.block})")
    if result.status != "active":
        out.print(f"  status   [yellow]{result.status}[/yellow]")
    out.print(f"  receipt  {result.receipt}")
    if result.receipt_in_state_dir:
        err_console().print("note: the target's folder is read-only; the receipt went to the state directory")
    return 0


def _print_changes(out, changes) -> None:
    for e in changes.added:
        out.print(f"  [green]added[/green]     {e.path}  ({e.size} B, sha256 {e.sha256})")
    for e in changes.removed:
        out.print(f"  [red]removed[/red]   {e.path}  (expected {e.size} B, sha256 {e.sha256})")
    for old, new in changes.modified:
        out.print(f"  [yellow]modified[/yellow]  {old.path}")
        out.print(f"            expected sha256 {old.sha256} ({old.size} B)")
        out.print(f"            actual   sha256 {new.sha256} ({new.size} B)")


def render_verify(env: Env, result) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0 if result.verified else 1
    out = console()
    for p in result.problems:
        err_console().print(f"warning: {p}")
    if result.verified:
        out.print(f"[bold green]verified[/bold green]: {result.reason}")
        out.print(f"  root {result.root}  ({result.files} files, {human_size(result.size)})")
        if result.status == "deprecated":
            out.print(f"  [yellow]note: {result.kind} {result.id} is deprecated[/yellow]")
        return 0
    out.print(f"[bold red]NOT verified[/bold red]: {result.reason}")
    out.print(f"  computed root {result.root}")
    if result.expected_root:
        out.print(f"  on-chain root {result.expected_root}")
    if result.changes is not None and result.expected_root != result.root:
        _print_changes(out, result.changes)
    return 1


@verify_group.command("dataset")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--id", "id_", type=str, callback=positive_int, metavar="ID", help="Dataset id to compare with.")
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=str), help="Receipt to use (default: PATH.aiprov.json).")
@command_options()
def verify_dataset(env: Env, path, id_, receipt) -> int:
    """Exit 0 only if PATH is byte-for-byte the registered dataset and not revoked.

    Exit 1 (and the added / removed / modified files) when it is not.
    """
    with hashing_progress(not env.json) as progress:
        result = env.client().verify_dataset(path, id=id_, receipt=receipt, progress=progress)
    return render_verify(env, result)


def render_dataset(out, info) -> None:
    status = info.status if not info.status_reason else f"{info.status} ({info.status_reason})"
    rows = [
        ("id", str(info.id)),
        ("root", info.root),
        ("owner", info.owner),
        ("status", status),
        ("parent", str(info.parent_id) if info.parent_id else "-"),
        ("registered", f"{when(info.registered_at)} by {info.registered_by}"),
        ("tx", f"{info.tx} (block {info.block})"),
        ("metadata", info.metadata_hash + (f"  {info.metadata_uri}" if info.metadata_uri else "")),
        ("chain", f"{info.network} ({info.chain_id}), registry {info.contract}"),
    ]
    for k, v in rows:
        out.print(f"  {k:<11} {v}")


@show_group.command("dataset")
@click.argument("id_", metavar="ID", callback=positive_int)
@command_options()
def show_dataset(env: Env, id_) -> int:
    """Show what the chain holds for dataset ID."""
    info = env.client().show_dataset(id_)
    if env.json:
        emit_json(info.to_json())
        return 0
    out = console()
    out.print(f"[bold]dataset {info.id}[/bold]")
    render_dataset(out, info)
    return 0


@history_group.command("dataset")
@click.argument("id_", metavar="ID", callback=positive_int)
@command_options()
def history_dataset(env: Env, id_) -> int:
    """Show the versions of dataset ID (parents and successors) and its events."""
    result = env.client().dataset_history(id_)
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    out.print(f"[bold]versions of dataset {result.id}[/bold] (oldest first)")
    for v in result.versions:
        mark = "→" if v.id == result.id else " "
        out.print(f" {mark} {v.id:>4}  {v.status:<10} {when(v.registered_at)}  {v.root}")
    out.print(f"[bold]events of dataset {result.id}[/bold]")
    for e in result.events:
        detail = ", ".join(f"{k}={v}" for k, v in e.args.items() if k != "id")
        out.print(f"  {when(e.timestamp)}  block {e.block:<6} {e.event}  {detail}")
    return 0


def _status_command(group, status: str, reason_required: bool):
    reason_opts = {"required": True} if reason_required else {"default": ""}

    @group.command("dataset")
    @click.argument("id_", metavar="ID", callback=positive_int)
    @click.option("--reason", help="Why (recorded on-chain).", **reason_opts)
    @command_options()
    def cmd(env: Env, id_, reason) -> int:
        result = env.client().set_dataset_status(id_, status, reason)
        if env.json:
            emit_json(result.to_json())
            return 0
        if result.unchanged:
            console().print(f"dataset {result.id} is already [bold]{result.status}[/bold]; nothing sent")
        else:
            console().print(f"dataset {result.id} is now [bold]{result.status}[/bold] (tx {result.tx}, block {result.block})")
        return 0

    cmd.__doc__ = (
        "Revoke dataset ID (owner only; final): verify fails from then on."
        if status == "revoked"
        else "Mark dataset ID deprecated (owner only); it still verifies, with a note."
    )
    cmd.help = cmd.__doc__
    return cmd


revoke_dataset = _status_command(revoke_group, "revoked", True)
deprecate_dataset = _status_command(deprecate_group, "deprecated", False)


def register(cli: click.Group) -> None:
    for group in ALL_GROUPS:
        cli.add_command(group)
