"""``aiprov prove``, ``aiprov verify-proof`` and ``aiprov consent …`` (records mode, SPEC §2.1, §6)."""

from __future__ import annotations

import click

from .options import Env, command_options, examples, positive_int
from .output import console, emit_json, err_console, when


def _index(ctx, param, value):
    """Click callback: record indices are whole numbers from 0 (exit 2 otherwise)."""
    from ..errors import InvalidArgument
    from ..units import parse_record_index

    try:
        return tuple(map(parse_record_index, value)) if isinstance(value, tuple) else (
            None if value is None else parse_record_index(value))
    except InvalidArgument as exc:
        raise click.BadParameter(exc.message) from None


@click.command("prove")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--file", "files", multiple=True, metavar="REL", help="A file of the dataset to prove (repeatable).")
@click.option("--record", "records", multiple=True, callback=_index, metavar="N",
              help="A record (0-based index) of a --records dataset to prove (repeatable).")
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=str), help="Receipt to use (default: PATH.aiprov.json).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Write the proof to FILE instead of stdout.")
@command_options(chain=False)
def prove_cmd(env: Env, path, files, records, receipt, output) -> int:
    """Print an aiprov-proof/1 document that files or records of PATH are in its registered root.

    One leaf gives a single proof, several an OpenZeppelin multiproof; OpenZeppelin's
    StandardMerkleTree.verify / verifyMultiProof and MerkleProof in Solidity accept it unchanged.
    A record proof reveals that record and its salt, and nothing about any other record.

    \b
    Examples:
      aiprov prove patients.jsonl --record 17 > proof.json
      aiprov prove ./data --file train.csv --file test.csv
    """
    result = env.client().prove(path, files=files, records=records, receipt=receipt)
    if output:
        import json

        from ..fsutil import atomic_write_text

        atomic_write_text(output, json.dumps(result.document, indent=2, ensure_ascii=False) + "\n")
        if env.json:
            emit_json({"written": output, "kind": result.kind, "dataset_id": result.dataset_id, "root": result.root})
        else:
            click.echo(f"wrote a {result.kind} proof for dataset {result.dataset_id} to {output}", err=True)
        return 0
    emit_json(result.document)  # the proof is the output, with or without --json
    return 0


@click.command("verify-proof")
@click.argument("proof_file", metavar="PROOF.json", type=click.Path(dir_okay=False, path_type=str))
@click.option("--offline", is_flag=True, help="Check the proof itself only; do not ask the chain.")
@command_options(signs=False)
def verify_proof_cmd(env: Env, proof_file, offline) -> int:
    """Check a proof: offline (leaf values lead to the root), then on-chain with one view call.

    On-chain: registered at that id, not revoked, and each record's consent not revoked
    or erased. Needs no state and no key. Exit 0 if all of it holds, 1 if not (the reason
    is printed), 2 if the file is not a proof.

    \b
    Examples:
      aiprov verify-proof proof.json --rpc-url $RPC
      aiprov verify-proof proof.json --offline
    """
    result = env.client().verify_proof(proof_file, offline=offline)
    if env.json:
        emit_json(result.to_json())
        return 0 if result.valid else 1
    out = console()
    if result.valid:
        out.print(f"[bold green]valid[/bold green]: {result.reason}")
    else:
        out.print(f"[bold red]NOT valid[/bold red]: {result.reason}")
    for p in result.problems[0 if result.proof_valid else 1:]:
        err_console().print(f"warning: {p}" if result.proof_valid else f"  {p}", markup=False)
    return 0 if result.valid else 1


@click.group("consent")
def consent_group() -> None:
    """Per-record consent of a --records dataset: revoke, erase, status, list."""


def _render_change(env: Env, result, verb: str) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    if result.unchanged:
        out.print(f"record {result.record} of dataset {result.dataset_id} was already {verb}; nothing sent")
    else:
        out.print(f"record {result.record} of dataset {result.dataset_id} is now [bold]{verb}[/bold] "
                  f"(tx {result.tx}, block {result.block})")
    if result.action == "erased" and result.salts_destroyed:
        out.print(f"  salt destroyed in {result.salts_destroyed} salts file(s) of this state directory")
    elif result.action == "erased":
        out.print("  [yellow]this state directory holds no salt for it: destroy it where the dataset was "
                  "registered (run consent erase there too)[/yellow]")
    return 0


@consent_group.command("revoke")
@click.argument("dataset_id", metavar="DATASET_ID", callback=positive_int)
@click.option("--record", required=True, callback=_index, metavar="N", help="Index of the record (from 0).")
@click.option("--reason", default="", help="Why (only its keccak256 goes on-chain).")
@command_options()
def consent_revoke(env: Env, dataset_id, record, reason) -> int:
    """Record on-chain that record N's consent is revoked (owner or manager; permanent).

    A later version (register --records --parent) that still holds the record is refused.

    \b
    Examples:
      aiprov consent revoke 3 --record 17 --reason "request 2026-118"
    """
    return _render_change(env, env.client().revoke_consent(dataset_id, record, reason), "consent-revoked")


@consent_group.command("erase")
@click.argument("dataset_id", metavar="DATASET_ID", callback=positive_int)
@click.option("--record", required=True, callback=_index, metavar="N", help="Index of the record (from 0).")
@click.option("--reason", default="", help="Why (only its keccak256 goes on-chain).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed off a terminal).")
@command_options()
def consent_erase(env: Env, dataset_id, record, reason, yes) -> int:
    """Destroy record N's salt here and record the erasure on-chain (final).

    The on-chain commitment stays but links to nothing any more; prove --record N then
    fails. A copy of an earlier proof still reveals the record to whoever holds it.

    \b
    Examples:
      aiprov consent erase 3 --record 17 --yes
    """
    from .confirm import confirm

    confirm(f"Erase record {record} of dataset {dataset_id}? Its salt is destroyed for good; this cannot be undone.",
            yes=yes, env=env, action=f"erasing record {record} of dataset {dataset_id}")
    return _render_change(env, env.client().erase_record(dataset_id, record, reason), "erased")


@examples("aiprov consent status 3 --record 17", "aiprov consent status 3 --record 17 --json")
@consent_group.command("status")
@click.argument("dataset_id", metavar="DATASET_ID", callback=positive_int)
@click.option("--record", required=True, callback=_index, metavar="N", help="Index of the record (from 0).")
@command_options(signs=False)
def consent_status(env: Env, dataset_id, record) -> int:
    """Whether record N's consent is revoked or the record erased (exit 0 either way)."""
    result = env.client().consent_status(dataset_id, record)
    if env.json:
        emit_json(result.to_json())
        return 0
    state = "erased" if result.erased else "consent revoked" if result.consent_revoked else "consent stands"
    console().print(f"record {record} of dataset {dataset_id}: [bold]{state}[/bold]")
    for e in result.events:
        console().print(f"  {when(e['timestamp'])}  block {e['block']}  {e['event']}  by {e['by']}  tx {e['tx']}",
                        markup=False)
    return 0


@examples("aiprov consent list 3", "aiprov consent list 3 --json | jq .erased")
@consent_group.command("list")
@click.argument("dataset_id", metavar="DATASET_ID", callback=positive_int)
@command_options(signs=False)
def consent_list(env: Env, dataset_id) -> int:
    """Every consent revocation and erasure of DATASET_ID, oldest first."""
    result = env.client().consent_list(dataset_id)
    if env.json:
        emit_json(result.to_json())
        return 0
    out = console()
    out.print(f"dataset {dataset_id}: {len(result.revoked)} record(s) consent-revoked, {len(result.erased)} erased")
    if result.events:
        from rich.table import Table

        table = Table("time", "block", "record", "event", "by", "tx")
        for e in result.events:
            table.add_row(when(e["timestamp"]), str(e["block"]), str(e["record"]), e["event"], e["by"], e["tx"])
        out.print(table)
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(prove_cmd)
    cli.add_command(verify_proof_cmd)
    cli.add_command(consent_group)
