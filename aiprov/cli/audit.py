"""``aiprov audit`` (the whole trail: md / json / html) and ``aiprov export slsa|cyclonedx``."""

from __future__ import annotations

from pathlib import Path

import click

from .options import Env, command_options, positive_int
from .output import emit_json, hashing_progress


def _write_or_print(env: Env, text: str, output: str | None, summary: dict) -> int:
    """The document on stdout, or atomically in ``output`` (then a one-line note, or JSON with --json)."""
    if output is None:
        click.echo(text, nl=False)
        return 0
    from ..fsutil import atomic_write_text

    target = Path(output)
    if not target.parent.is_dir():
        from ..errors import InvalidPath

        raise InvalidPath(f"-o {output}: folder {target.parent} does not exist")
    atomic_write_text(target, text)
    if env.json:
        emit_json({"path": str(target), **summary})
    else:
        click.echo(f"wrote {target} ({', '.join(f'{k} {v}' for k, v in summary.items())})", err=True)
    return 0


@click.command("audit")
@click.argument("kind", type=click.Choice(["dataset", "model"]))
@click.argument("id_", metavar="ID", callback=positive_int)
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]), default="md", show_default=True,
              help="md and html are rendered from the json document (aiprov-audit/1).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--receipt", type=click.Path(dir_okay=False, exists=True, path_type=str), metavar="FILE",
              help="A receipt holding metadata documents this machine does not have (hash-checked).")
@command_options(signs=False)
def audit_command(env: Env, kind, id_, fmt, output, receipt) -> int:
    """The whole on-chain trail of dataset|model ID: registration, status changes,
    versions, lineage, training-run metadata, leases, every access attempt,
    consent revocations and erasures — each row with its transaction and block.

    \b
    Examples:
      aiprov audit model 7 --format html -o model-7.html
      aiprov audit dataset 3 --format md > dataset-3.md
      aiprov audit dataset 3 --format json | jq .header.sha256

    The json document carries its own sha256 (header.sha256) and ends with the
    exact commands to re-check every claim. Reading needs no key and no state.
    """
    report = env.client().audit(kind, id_, receipt=receipt)
    if env.json and output is None:
        fmt = "json"
    return _write_or_print(env, report.render(fmt), output, {"format": fmt, "sha256": report.sha256})


@click.group("export")
def export_group() -> None:
    """Export a model's provenance in standard formats (in-toto / SLSA, CycloneDX)."""


def _export(fmt: str):
    @export_group.command(fmt, help={
        "slsa": "An in-toto Statement v1 with an SLSA provenance v1 predicate for model ID.",
        "cyclonedx": "A CycloneDX 1.6 ML-BOM for model ID: the model, its files, datasets and base models.",
    }[fmt] + """

    The model's files come from PATH (hashed now) or from its receipt; either
    must match the on-chain root (exit 1 otherwise).

    \b
    Examples:
      aiprov export %(fmt)s model 7 ./release -o release.%(ext)s
      aiprov export %(fmt)s model 7 --receipt release.aiprov.json
    """ % {"fmt": fmt, "ext": "intoto.json" if fmt == "slsa" else "cdx.json"})
    @click.argument("kind", type=click.Choice(["model"]))
    @click.argument("id_", metavar="ID", callback=positive_int)
    @click.argument("path", required=False, type=click.Path(path_type=str))
    @click.option("--receipt", type=click.Path(dir_okay=False, exists=True, path_type=str), metavar="FILE",
                  help="The model's receipt (its manifest and metadata) instead of hashing PATH.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                  help="Write the document to FILE (atomically) instead of stdout.")
    @command_options(signs=False)
    def command(env: Env, kind, id_, path, receipt, output) -> int:
        import json

        with hashing_progress(not env.json) as progress:
            result = env.client().export(fmt, id_, path=path, receipt=receipt, progress=progress)
        text = json.dumps(result.document, indent=2, ensure_ascii=False) + "\n"
        return _write_or_print(env, text, output, {"format": fmt, "model": id_})

    return command


export_slsa = _export("slsa")
export_cyclonedx = _export("cyclonedx")


def register(cli: click.Group) -> None:
    cli.add_command(audit_command)
    cli.add_command(export_group)
