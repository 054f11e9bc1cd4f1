"""``aiprov hash``: manifest and Merkle root of a path, no chain needed."""

from __future__ import annotations

import click

from .engine import engine_options
from .options import Env, command_options
from .output import console, emit_json, hashing_progress, human_size

SHOWN_ENTRIES = 50


def manifest_json(manifest) -> dict:
    return {
        "root": manifest.root,
        "format": manifest.format,
        "kind": manifest.kind,
        "files": manifest.file_count,
        "size": manifest.total_size,
        "entries": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in manifest.entries],
    }


@click.command("hash")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--follow-dir-symlinks", is_flag=True, help="Follow symlinks to directories (loops are errors).")
@click.option("--records", is_flag=True,
              help="One salted leaf per record of a .jsonl / .csv file (salts kept in the state directory).")
@engine_options
@command_options(chain=False)
def hash_command(env: Env, path: str, follow_dir_symlinks: bool, records: bool, engine: str,
                 scheduler: str | None) -> int:
    """Print the Merkle root and per-file SHA-256 of PATH (a file, a directory or a URL).

    With --records, PATH is a .jsonl or .csv file and every record (a line; a CSV row,
    the header excluded) is a leaf (index, sha256(salt || record bytes)).

    \b
    Examples:
      aiprov hash ./data
      aiprov hash patients.jsonl --records --json
      aiprov hash s3://bucket/corpus                   # needs aiprov[s3]; AWS_* configuration
      aiprov hash ./data --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ..manifest import build_manifest

    if records:
        result = env.client().hash_records(path)
        if env.json:
            emit_json(result.to_json())
            return 0
        console().print(f"[bold]root[/bold] {result.root}  ({result.records} {result.records_format} records, "
                        f"{human_size(result.size)}; {result.reused_salts} salts reused)")
        return 0

    with hashing_progress(not env.json) as progress:
        manifest = build_manifest(path, follow_dir_symlinks=follow_dir_symlinks, progress=progress, engine=engine,
                                  scheduler=scheduler)
    if env.json:
        emit_json(manifest_json(manifest))
        return 0
    # sha256sum's format (digest, two spaces, path), so `sha256sum -c` can check the list
    lines = [f"{e.sha256}  {e.path}" for e in manifest.entries[:SHOWN_ENTRIES]]
    click.echo("\n".join(lines))
    if manifest.file_count > SHOWN_ENTRIES:
        click.echo(f"… and {manifest.file_count - SHOWN_ENTRIES} more files (--json lists all)")
    console().print(f"[bold]root[/bold] {manifest.root}  ({manifest.file_count} files, {human_size(manifest.total_size)})")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(hash_command)
