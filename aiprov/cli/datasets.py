"""``aiprov register dataset``."""

from __future__ import annotations

import click

from .engine import engine_options
from .groups import register_group
from .options import Env, command_options, examples, positive_int
from .output import console, emit_json, err_console, hashing_progress, human_size


@examples(
    "aiprov register dataset ./data --name reviews --license CC-BY-4.0",
    "aiprov register dataset ./data-v2 --parent 3 --json",
    "AIPROV_PRIVATE_KEY=... aiprov register dataset ./data --rpc-url $RPC",
)
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
@click.option("--records", is_flag=True,
              help="Records mode: one salted leaf per record of a .jsonl / .csv file (prove and consent per record).")
@engine_options
@command_options()
def register_dataset(env: Env, path, name, description, license_, source, parent, metadata_uri, receipt, follow_dir_symlinks,
                     records, engine, scheduler) -> int:
    """Hash PATH, anchor its root in DatasetRegistry, write PATH.aiprov.json.

    PATH may be a URL (s3://bucket/prefix; its receipt goes to the state
    directory unless --receipt is given). Registering the same content again
    from the same account sends nothing and
    reports the existing id. With --records --parent ID, records whose consent was
    revoked in an earlier version are refused (exit 1, naming them).

    
      aiprov register dataset ./data --name reviews
      aiprov register dataset patients.jsonl --records --name patients-2026
    """
    with hashing_progress(not env.json) as progress:
        result = env.client().register_dataset(
            path, name=name, description=description, license=license_, source=source,
            parent=parent, metadata_uri=metadata_uri, receipt=receipt,
            follow_dir_symlinks=follow_dir_symlinks, progress=progress, records=records, engine=engine,
            scheduler=scheduler,
        )
    return render_registration(env, result)


def render_registration(env: Env, result) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    verb = "already registered as" if result.already_registered else "registered as"
    out.print(f"[bold green]{verb} {result.kind} {result.id}[/bold green] on {result.network} (chain {result.chain_id})")
    out.print(f"  root     {result.root}")
    if result.records is not None:
        out.print(f"  records  {result.records} ({human_size(result.size)})")
    else:
        out.print(f"  files    {result.files} ({human_size(result.size)})")
    out.print(f"  tx       {result.tx} (block {result.block})")
    if result.status != "active":
        out.print(f"  status   [yellow]{result.status}[/yellow]")
    out.print(f"  receipt  {result.receipt}")
    if result.receipt_in_state_dir:
        err_console().print("note: the target's folder is read-only; the receipt went to the state directory")
    if result.duplicate_of:
        err_console().print(f"note: {result.kind} {result.duplicate_of} already holds this root for this owner "
                            "(registered by another run meanwhile)")
    return 0
