"""Commands that work the same for datasets and models: verify, show, history, revoke, deprecate."""

from __future__ import annotations

import json

import click

from ..units import KINDS
from .engine import engine_options
from .groups import deprecate_group, history_group, revoke_group, show_group, verify_group
from .options import Env, command_options, positive_int, with_examples
from .output import console, emit_json, err_console, hashing_progress, human_size, when, who


def print_changes(out, changes) -> None:
    for e in changes.added:
        out.print(f"  [green]added[/green]     {e.path}  ({e.size} B, sha256 {e.sha256})")
    for e in changes.removed:
        out.print(f"  [red]removed[/red]   {e.path}  (expected {e.size} B, sha256 {e.sha256})")
    for old, new in changes.modified:
        out.print(f"  [yellow]modified[/yellow]  {old.path}")
        out.print(f"            expected sha256 {old.sha256} ({old.size} B)")
        out.print(f"            actual   sha256 {new.sha256} ({new.size} B)")
    for old, new in changes.renamed:
        out.print(f"  [cyan]renamed[/cyan]   {old.path} → {new.path}  (same {new.size} B, sha256 {new.sha256})")


def _print_consent(out, result) -> None:
    for c in result.consent or ():
        if c["consent_revoked_after"] or c["erased_after"]:
            out.print(f"  [yellow]dataset {c['dataset_id']}: {c['consent_revoked_after']} record(s) consent-revoked, "
                      f"{c['erased_after']} erased since model {result.id} was registered[/yellow]")


def render_verify(env: Env, result) -> int:
    if env.json:
        emit_json(result.to_json())
        return 0 if result.verified else 1
    out = console()
    for p in result.problems:
        err_console().print(f"warning: {p}", markup=False)
    if result.verified:
        out.print(f"[bold green]verified[/bold green]: {result.reason}")
        out.print(f"  root  {result.root}  ({result.files} file{'' if result.files == 1 else 's'}, {human_size(result.size)})")
        if result.owner:
            out.print(f"  owner {result.owner}")
        if result.status == "deprecated":
            out.print(f"  [yellow]note: {result.kind} {result.id} is deprecated[/yellow]")
        _print_consent(out, result)
        out.print(f"next: [bold]aiprov history {result.kind} {result.id}[/bold] shows its versions and events")
        return 0
    out.print(f"[bold red]NOT verified[/bold red]: {result.reason}")
    out.print(f"  computed root {result.root}")
    if result.expected_root:
        out.print(f"  on-chain root {result.expected_root}")
    if result.owner:
        out.print(f"  owner         {result.owner}")
    if result.changes is not None and result.expected_root != result.root:
        print_changes(out, result.changes)
    if result.expected_root and result.expected_root != result.root and result.id:
        out.print(f"next: if the change is intended, register it as a new version: "
                  f"[bold]aiprov register {result.kind} PATH "
                  f"{'--parent' if result.kind == 'dataset' else '--dataset ID… --base-model'} {result.id}[/bold]",
                  markup=True)
    return 1


def render_info(out, info) -> None:
    status = info.status if not info.status_reason else f"{info.status} ({info.status_reason})"
    rows = [("id", str(info.id)), ("root", info.root), ("owner", who(info.owner)), ("status", status)]
    if info.kind == "dataset":
        rows.append(("parent", str(info.parent_id) if info.parent_id else "-"))
    else:
        rows.append(("datasets", ", ".join(f"{d['id']} ({d['root']})" for d in info.datasets) or "-"))
        rows.append(("base models", ", ".join(map(str, info.base_models)) or "-"))
    rows += [
        ("registered", f"{when(info.registered_at)} by {who(info.registered_by)}"),
        ("tx", f"{info.tx} (block {info.block})"),
        ("metadata", info.metadata_hash + (f"  {info.metadata_uri}" if info.metadata_uri else "")),
        ("chain", f"{info.network} ({info.chain_id}), registry {info.contract}"),
    ]
    for k, v in rows:
        out.print(f"  {k:<12} {v}")
    if info.metadata:
        shown = {k: v for k, v in info.metadata.items() if k not in ("schema", "kind", "manifest")}
        out.print("  [bold]metadata document[/bold] (hash checked)")
        for line in json.dumps(shown, indent=2, ensure_ascii=False).splitlines():
            out.print(f"    {line}", markup=False)


def _commands(kind: str) -> None:
    noun = kind

    def verify_cmd(env: Env, path, id_, receipt, cached=False, strict_consent=False, engine="local",
                   scheduler=None) -> int:
        with hashing_progress(not env.json) as progress:
            result = env.client().verify(kind, path, id=id_, receipt=receipt, progress=progress, cached=cached,
                                         strict_consent=strict_consent, engine=engine, scheduler=scheduler)
        return render_verify(env, result)

    verify_cmd = command_options(signs=False, waits=True)(verify_cmd)
    verify_cmd = engine_options(verify_cmd)
    verify_cmd = click.option(
        "--cached", is_flag=True,
        help="Do not re-read files unchanged since last hashed (device, inode, size, mtime, ctime).")(verify_cmd)
    if kind == "model":
        verify_cmd = click.option(
            "--strict-consent", is_flag=True,
            help="Also exit 1 when records of a dataset it was trained on had their consent revoked "
                 "(or were erased) after the model was registered.")(verify_cmd)
    verify_cmd = click.option("--receipt", type=click.Path(dir_okay=False, path_type=str),
                              help="Receipt to use (default: PATH.aiprov.json).")(verify_cmd)
    verify_cmd = click.option("--id", "id_", type=str, callback=positive_int, metavar="ID",
                              help=f"{noun.capitalize()} id to compare with.")(verify_cmd)
    verify_cmd = click.argument("path", type=click.Path(path_type=str))(verify_cmd)
    verify_cmd = verify_group.command(kind)(verify_cmd)

    verify_cmd.help = with_examples(
        f"Exit 0 only if PATH is byte-for-byte the registered {noun} and not revoked"
        + (" (nor anything in its lineage)" if kind == "model" else "")
        + ".\n\nExit 1, listing added / removed / modified files, when it is not."
        + f" PATH may be a URL (e.g. s3://bucket/{noun}s/x; receipt from the state directory or --receipt).",
        f"aiprov verify {kind} ./{'data' if kind == 'dataset' else 'model'}",
        f"aiprov verify {kind} ./{'data' if kind == 'dataset' else 'model'} --id {3 if kind == 'dataset' else 7} --rpc-url $RPC --json",
    )

    @show_group.command(kind)
    @click.argument("id_", metavar="ID", callback=positive_int)
    @command_options(signs=False)
    def show_cmd(env: Env, id_) -> int:
        info = env.client().show(kind, id_)
        if env.json:
            emit_json(info.to_json())
            return 0
        out = console()
        out.print(f"[bold]{kind} {info.id}[/bold]")
        render_info(out, info)
        return 0

    show_cmd.help = with_examples(
        f"Show what the chain holds for {noun} ID (and its metadata document).",
        f"aiprov show {kind} {3 if kind == 'dataset' else 7}",
        f"aiprov show {kind} {3 if kind == 'dataset' else 7} --json",
    )

    @history_group.command(kind)
    @click.argument("id_", metavar="ID", callback=positive_int)
    @command_options(signs=False)
    def history_cmd(env: Env, id_) -> int:
        result = env.client().history(kind, id_)
        if env.json:
            emit_json(result.to_json())
            return 0
        out = console()
        out.print(f"[bold]versions of {kind} {result.id}[/bold] (oldest first)")
        for v in result.versions:
            mark = "→" if v.id == result.id else " "
            out.print(f" {mark} {v.id:>4}  {v.status:<10} {when(v.registered_at)}  {v.root}")
        out.print(f"[bold]events of {kind} {result.id}[/bold]")
        for e in result.events:
            detail = ", ".join(f"{k}={v}" for k, v in e.args.items() if k != "id")
            out.print(f"  {when(e.timestamp)}  block {e.block:<6} {e.event}  {detail}", markup=False)
        return 0

    history_cmd.help = with_examples(
        f"Show the versions of {noun} ID ("
        + ("parents and successors" if kind == "dataset" else "base models and derived models")
        + ") and every on-chain event about it.",
        f"aiprov history {kind} {3 if kind == 'dataset' else 7}",
        f"aiprov history {kind} {3 if kind == 'dataset' else 7} --json",
    )

    for group, status, required in ((revoke_group, "revoked", True), (deprecate_group, "deprecated", False)):
        _status_command(group, kind, status, required)


def _status_command(group, kind: str, status: str, reason_required: bool) -> None:
    reason_opts = {"required": True} if reason_required else {"default": ""}
    final = status == "revoked"

    @group.command(kind)
    @click.argument("id_", metavar="ID", callback=positive_int)
    @click.option("--reason", metavar="TEXT", help="Why (recorded on-chain).", **reason_opts)
    @click.option("-y", "--yes", is_flag=True, hidden=not final,
                  help="Do it without asking (needed off a terminal).")
    @command_options()
    def cmd(env: Env, id_, reason, yes) -> int:
        if final:
            from ..errors import InvalidArgument
            from .confirm import confirm

            if not reason.strip():
                raise InvalidArgument("--reason must say why (it is recorded on-chain for good)")
            confirm(f"Revoke {kind} {id_}? Verification fails from then on; this cannot be undone.",
                    yes=yes, env=env, action=f"revoking {kind} {id_}")
        result = env.client().set_status(kind, id_, status, reason)
        if env.json:
            emit_json(result.to_json())
            return 0
        if result.unchanged:
            console().print(f"{kind} {result.id} is already [bold]{result.status}[/bold]; nothing sent")
        else:
            console().print(f"{kind} {result.id} is now [bold]{result.status}[/bold] (tx {result.tx}, block {result.block})")
        return 0

    n = 3 if kind == "dataset" else 7
    cmd.help = (
        with_examples(f"Revoke {kind} ID (owner only; final): verify fails from then on.\n\n"
                      "Asks first on a terminal; elsewhere pass --yes.",
                      f"aiprov revoke {kind} {n} --reason 'PII found in train.csv' --yes")
        if status == "revoked"
        else with_examples(f"Mark {kind} ID deprecated (owner only); it still verifies, with a note.",
                           f'aiprov deprecate {kind} {n} --reason "superseded by {kind} {n + 1}"')
    )


for _kind in KINDS:
    _commands(_kind)
