"""``aiprov status PATH`` (offline: the folder against its receipt) and ``aiprov diff KIND A B``."""

from __future__ import annotations

import click

from .assets import print_changes
from .engine import engine_options
from .options import Env, command_options, positive_int
from .output import console, emit_json, hashing_progress


def _summary(changes) -> str:
    parts = [f"{len(getattr(changes, k))} {k}" for k in ("added", "removed", "modified", "renamed")
             if getattr(changes, k)]
    return ", ".join(parts)


@click.command("status")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=str), help="Receipt to compare with (default: PATH.aiprov.json).")
@engine_options
@command_options(chain=False)
def status_command(env: Env, path, receipt, engine, scheduler) -> int:
    """What changed in PATH since its latest registered version: exit 0 nothing, 1 something.

    Needs no chain and no state: the receipt beside PATH holds the manifest. Files
    whose device, inode, size, mtime and ctime did not change since they were last
    hashed are not read again (stat cache in $AIPROV_HOME/statcache).

    \b
    Examples:
      aiprov status ./data
      aiprov status ./data --json | jq .changes.modified
      aiprov status s3://bucket/corpus          # every object is read (no stat cache)
    """
    from ..client import Client

    with hashing_progress(not env.json) as progress:
        result = Client().status(path, receipt=receipt, engine=engine, scheduler=scheduler, progress=progress)
    code = 0 if result.status == "clean" else 1
    if env.json:
        emit_json(result.to_json())
        return code
    out = console()
    if code == 0:
        out.print(f"[green]clean[/green]: {path} is {result.kind} {result.id} as registered "
                  f"({result.files} files; receipt {result.receipt})")
        out.print(f"next: [bold]aiprov verify {result.kind} {path}[/bold] checks it against the chain")
        return 0
    out.print(f"[yellow]changed[/yellow] since {result.kind} {result.id}: {_summary(result.changes)}")
    print_changes(out, result.changes)
    flag = "--parent" if result.kind == "dataset" else "--dataset ID… --base-model"
    out.print(f"next: register this as a new version: [bold]aiprov register {result.kind} {path} {flag} {result.id}[/bold]")
    return 1


@click.command("diff")
@click.argument("kind", type=click.Choice(["dataset", "model"]))
@click.argument("first", metavar="ID", callback=positive_int)
@click.argument("second", metavar="ID", callback=positive_int)
@click.option("--receipt", "receipts", multiple=True, type=click.Path(dir_okay=False, path_type=str),
              help="A receipt holding the versions' manifests (repeatable; default: this machine's store).")
@command_options(signs=False)
def diff_command(env: Env, kind, first, second, receipts) -> int:
    """Compare two registered versions file by file (from the first ID to the second).

    The roots come from the chain; each manifest (from --receipt, or this
    machine's store) is used only if it hashes to its version's on-chain root.

    \b
    Examples:
      aiprov diff dataset 1 2
      aiprov diff model 3 4 --receipt release.aiprov.json --json
    """
    result = env.client().diff(kind, first, second, receipts=receipts)
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    if result.status == "same":
        out.print(f"{kind} {first} and {kind} {second} have the same files (root {result.root})")
    else:
        out.print(f"{kind} {first} → {kind} {second}: {_summary(result.changes)}")
        print_changes(out, result.changes)
    out.print(f"next: [bold]aiprov history {kind} {second}[/bold] shows every version and event")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(status_command)
    cli.add_command(diff_command)
