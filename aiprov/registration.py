"""Registering datasets and models: anchor a root, write the receipt (and, for now, verify, show, history, status).

Each function takes a :class:`aiprov.session.Session` and the asset ``kind``
(``"dataset"`` or ``"model"``); what differs per kind (the contract call, the
extra checks) is passed in by :mod:`aiprov.client`.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Callable

from .errors import ContractRefused, InvalidReceipt, NotRegistered
from .results import AssetInfo, HistoryEvent, HistoryResult, RegisterResult, StatusResult, VerifyResult

# ---------------------------------------------------------------- metadata store


def metadata_store(home: Path) -> Path:
    return Path(home) / "metadata"


def save_metadata(home: Path, doc: dict, doc_hash: str) -> None:
    """Keep the metadata document, content-addressed by its on-chain hash."""
    from .fsutil import atomic_write_text
    from .metadata import canonical_json

    path = metadata_store(home) / f"{doc_hash}.json"
    if not path.exists():
        atomic_write_text(path, canonical_json(doc).decode("utf-8") + "\n")


def load_metadata(home: Path, doc_hash: str) -> dict | None:
    """The metadata document whose keccak256 is ``doc_hash``, if this machine has it."""
    from .metadata import metadata_hash

    path = metadata_store(home) / f"{doc_hash}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if metadata_hash(doc) == doc_hash else None


# ---------------------------------------------------------------- register


def register(
    session,
    kind: str,
    path,
    manifest,
    doc: dict,
    *,
    metadata_uri: str,
    receipt,
    send: Callable[[bytes, bytes], tuple[int, object]],
    receipt_extra: Callable[[object], dict],
) -> RegisterResult:
    """Anchor ``manifest.root`` unless this account already did; then write the receipt.

    ``send(root, metadata_hash)`` makes the kind-specific contract call and
    returns (id, tx receipt); ``receipt_extra(registration)`` adds kind-specific
    receipt fields from the registration event.
    """
    from .metadata import metadata_hash

    registry = session.registry(kind)
    signer = session.signer
    doc_hash = metadata_hash(doc)
    root = bytes.fromhex(manifest.root[2:])
    mine = [r for r in registry.registrations(root=root, owner=signer.address)
            if registry.get(r.id).owner == signer.address]
    if mine:
        reg = mine[0]
        record = registry.get(reg.id)
        same_doc = reg.metadata_hash == doc_hash
        if same_doc:
            save_metadata(session.home, doc, doc_hash)
        return _finish(session, kind, path, receipt, manifest, registry, reg,
                       record.status, doc if same_doc else load_metadata(session.home, reg.metadata_hash),
                       receipt_extra(reg), already=True, gas_used=None)
    save_metadata(session.home, doc, doc_hash)
    new_id, tx = send(root, bytes.fromhex(doc_hash[2:]))  # the id from our own receipt's event
    reg = registry.registration(new_id)
    # A run elsewhere (another state folder, another machine) may have registered the same
    # root for the same owner between our check and our transaction: say so.
    earlier = [r.id for r in registry.registrations(root=root, owner=signer.address) if r.id < new_id]
    result = _finish(session, kind, path, receipt, manifest, registry, reg, "active", doc,
                     receipt_extra(reg), already=False, gas_used=tx.gas_used)
    return replace(result, duplicate_of=min(earlier)) if earlier else result


def _finish(session, kind, path, receipt_arg, manifest, registry, reg, status, doc, extra, *, already, gas_used):
    from .manifest.walk import find_ignored
    from .manifest_store import save_manifest
    from .receipts import default_receipt_path, find_receipt, new_receipt, read_receipt, write_receipt

    backend = session.backend
    version = {
        "id": reg.id,
        "root": manifest.root,
        "network": backend.network,
        "chain_id": backend.chain_id,
        "contract": registry.checksum_address,
        "tx": reg.tx,
        "block": reg.block,
        "owner": reg.owner,
        **extra,
        "metadata_hash": reg.metadata_hash,
        "metadata_uri": reg.metadata_uri,
        "metadata": doc,
        "manifest": manifest.to_dict(),
        "ignored": find_ignored(os.fspath(path), getattr(manifest, "ignore", ())),  # what rode along unhashed (records files: none)
    }
    save_manifest(session.home, manifest)
    target = target_of(path)
    existing = Path(receipt_arg) if receipt_arg else find_receipt(target, session.home)
    old = None
    if existing is not None and existing.is_file():
        try:
            old = read_receipt(existing)
        except InvalidReceipt:
            old = None
    if already and old is not None and old["kind"] == kind and old["versions"][-1] == version:
        written = existing
        fallback = not receipt_arg and written != default_receipt_path(target, session.home)
    else:
        receipt_doc = new_receipt(kind, version, old)
        written, fallback = write_receipt(receipt_doc, target, Path(receipt_arg) if receipt_arg else None, session.home)
    return RegisterResult(
        kind=kind, id=reg.id, root=manifest.root, tx=reg.tx, block=reg.block,
        chain_id=backend.chain_id, network=backend.network, contract=registry.checksum_address,
        owner=reg.owner, already_registered=already, status=status, files=manifest.file_count,
        size=manifest.total_size, receipt=written, receipt_in_state_dir=fallback, gas_used=gas_used,
        records=getattr(manifest, "record_count", None),
    )


# ---------------------------------------------------------------- verify


def target_of(path) -> Path | str:
    """A local target as a Path; a URL (``s3://…``) stays a string (a Path would fold its ``//``)."""
    from .manifest.remote import is_url

    return path if is_url(path) else Path(path)


def load_expected(kind: str, path: Path | str, receipt, home: Path, wanted_id: int | None = None):
    """(receipt path, the version to compare with, its manifest) for ``path`` — all None without a receipt.

    The version is the one registered as ``wanted_id`` when the receipt has it,
    else the latest. The version dict has the receipt's ``kind`` too.
    """
    from .manifest import Manifest
    from .receipts import find_receipt, pick_version, read_receipt

    receipt_path = Path(receipt) if receipt else find_receipt(path, home)
    if receipt_path is None:
        return None, None, None
    rec = read_receipt(receipt_path)
    if rec["kind"] != kind:
        raise InvalidReceipt(f"{receipt_path} is a {rec['kind']} receipt, not a {kind} receipt")
    version = (pick_version(rec, wanted_id) if wanted_id is not None else None) or pick_version(rec)
    try:
        manifest = Manifest.from_dict(version["manifest"])
    except InvalidReceipt as exc:
        raise InvalidReceipt(f"receipt {receipt_path}: {exc.message}") from None
    return receipt_path, {**version, "kind": kind}, manifest


def receipt_hints(kind: str, rec: dict | None) -> dict | None:
    """Session hints from a receipt version: the registry it names, on its chain."""
    from .contracts.discovery import parse_hex_address

    if rec is None or parse_hex_address(rec.get("contract") or "") is None:
        return None
    name = "DatasetRegistry" if kind == "dataset" else "ModelRegistry"
    return {"chain_id": rec.get("chain_id"), name: parse_hex_address(rec["contract"])}


def ignored_problems(target: Path, actual, rec: dict | None) -> list[str]:
    """What the ignore rules left out now that was not there at registration (a ``.pyc`` is code)."""
    from .manifest.walk import find_ignored

    now = find_ignored(os.fspath(target), actual.ignore)
    then = set(rec.get("ignored") or []) if rec and isinstance(rec.get("ignored"), list) else None
    new = [p for p in now if then is None or p not in then]
    if not new:
        return []
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    when = "not there at registration" if then is not None else "not checked (the receipt predates this record)"
    return [f"ignored, not verified and {when}: {shown}"]


def verify(
    session,
    kind: str,
    actual,
    *,
    wanted_id: int | None,
    receipt_path,
    rec: dict | None,
    expected,
    problems: list[str],
    extra_check: Callable[[object], list[str]] | None = None,
) -> VerifyResult:
    """Compare a freshly built manifest (``actual``) with the chain.

    ``extra_check(record)`` returns reasons the registration must not be trusted
    beyond its own status (for models: a dataset it was trained on is revoked).
    """
    from .manifest import Changes, diff_manifests

    backend = session.backend
    registry = session.registry(kind)
    problems.extend(w for w in session.warnings if w not in problems)
    if wanted_id is None and rec is not None:
        if rec["chain_id"] == backend.chain_id:
            wanted_id = int(rec["id"])
        else:
            problems.append(
                f"receipt {receipt_path} is for chain {rec['chain_id']}, not {backend.chain_id}; "
                "looking the root up instead"
            )
    common = dict(
        kind=kind, root=actual.root, chain_id=backend.chain_id, network=backend.network,
        receipt=receipt_path, files=actual.file_count, size=actual.total_size, problems=problems,
    )
    no_changes = Changes()
    if wanted_id is None:
        records = [registry.get(r.id) for r in registry.registrations(root=bytes.fromhex(actual.root[2:]))]
        candidates = [r for r in records if r.status != "revoked"]
        for record in candidates:
            blockers = extra_check(record) if extra_check else []
            if not blockers:
                return VerifyResult(
                    verified=True, expected_root=record.root, id=record.id, status=record.status,
                    reason=f"root is registered as {kind} {record.id} ({record.status}) by {record.owner}",
                    changes=no_changes, owner=record.owner, **common,
                )
        if records:
            first = (candidates or records)[0]
            why = (extra_check(first) if candidates and extra_check else []) or [f"{kind} {first.id} with this root was revoked"]
            return VerifyResult(
                verified=False, expected_root=first.root, id=first.id, status=first.status,
                reason="; ".join(why), changes=None, owner=first.owner, **common,
            )
        return VerifyResult(
            verified=False, expected_root=None, id=None, status="not-registered",
            reason=f"this content is not registered on {backend.network} "
            "(no receipt found; pass --id or --receipt to compare)",
            changes=None, **common,
        )
    try:
        record = registry.get(wanted_id)
    except NotRegistered as exc:
        return VerifyResult(verified=False, expected_root=None, id=wanted_id, status="not-registered",
                            reason=str(exc), changes=None, **common)
    same = record.root == actual.root
    changes = None
    if same:
        changes = no_changes
    elif expected is not None and expected.root == record.root:
        changes = diff_manifests(expected, actual)
    elif expected is not None:
        problems.append(
            f"the receipt's manifest (root {expected.root}) is not {kind} {wanted_id}'s; "
            "cannot list the changed files"
        )
    blockers = extra_check(record) if (extra_check and same) else []
    if same and backend.confirmations > 1:
        hint = rec.get("block") if rec is not None and rec.get("id") == wanted_id else None
        depth = backend.block_number() - registry.registration(wanted_id, block=hint).block + 1
        if depth < backend.confirmations:
            blockers.append(f"{kind} {wanted_id}'s registration has {depth} of {backend.confirmations} "
                            "confirmations; wait a few blocks and verify again")
    if not same:
        reason = f"content differs from {kind} {wanted_id}"
        if changes is not None:
            reason += f": {changes.count} file(s) changed"
    elif record.status == "revoked":
        reason = f"{kind} {wanted_id} was revoked by its owner"
        if session.registry(kind).status_reason(wanted_id):
            reason += f" ({session.registry(kind).status_reason(wanted_id)})"
    elif blockers:
        reason = "; ".join(blockers)
    else:
        reason = f"content matches {kind} {wanted_id} ({record.status})"
    return VerifyResult(
        verified=same and record.status != "revoked" and not blockers, expected_root=record.root,
        id=wanted_id, status=record.status, reason=reason, changes=changes, owner=record.owner, **common,
    )


# ---------------------------------------------------------------- show / history / status


def info(session, kind: str, asset_id: int) -> AssetInfo:
    registry = session.registry(kind)
    record = registry.get(asset_id)
    reg = registry.registration(asset_id)
    backend = session.backend
    return AssetInfo(
        kind=kind, id=asset_id, root=record.root, owner=record.owner, status=record.status,
        status_reason=registry.status_reason(asset_id) if record.status != "active" else None,
        registered_at=record.registered_at, registered_by=reg.owner, metadata_hash=reg.metadata_hash,
        metadata_uri=reg.metadata_uri, metadata=load_metadata(session.home, reg.metadata_hash),
        tx=reg.tx, block=reg.block, chain_id=backend.chain_id, network=backend.network,
        contract=registry.checksum_address, parent_id=record.parent_id,
        datasets=[{"id": i, "root": r} for i, r in zip(reg.dataset_ids, reg.dataset_roots)] if kind == "model" else None,
        base_models=list(reg.parent_model_ids) if kind == "model" else None,
        lineage_hash=record.lineage_hash,
    )


def version_order(regs: dict, asset_id: int, parents) -> list[int]:
    """``asset_id``'s version chain: its first-parent ancestors (oldest first), itself, then
    every later version breadth-first. ``regs`` maps ids to registrations, ``parents(reg)``
    lists a registration's parent ids."""
    ordered, seen = [asset_id], {asset_id}
    node = regs[asset_id]
    while parents(node) and parents(node)[0] in regs and parents(node)[0] not in seen:
        parent = parents(node)[0]
        ordered.insert(0, parent)
        seen.add(parent)
        node = regs[parent]
    children: dict[int, list[int]] = {}
    for reg in regs.values():
        for parent in parents(reg):
            children.setdefault(parent, []).append(reg.id)
    frontier = [asset_id]
    while frontier:
        nxt = []
        for n in frontier:
            for child in children.get(n, []):
                if child not in seen:
                    seen.add(child)
                    ordered.append(child)
                    nxt.append(child)
        frontier = nxt
    return ordered


def _parents(reg) -> list[int]:
    return [reg.parent_id] if reg.parent_id else list(reg.parent_model_ids)


def history(session, kind: str, asset_id: int) -> HistoryResult:
    """Versions (ancestors by parent / base model, then successors) and every event of the id."""
    from .contracts.registry import STATUSES

    registry = session.registry(kind)
    registry.get(asset_id)
    regs = {r.id: r for r in registry.registrations()}
    versions = [info(session, kind, i) for i in version_order(regs, asset_id, _parents)]
    events = []
    for ev in registry.history(asset_id):
        args = {k: _jsonable(v) for k, v in ev.args.items()}
        if ev.name == "StatusChanged":
            args["status"] = STATUSES[ev.args["status"]]
        events.append(HistoryEvent(
            event=ev.name, block=ev.log.block_number,
            timestamp=session.backend.get_block(ev.log.block_number).timestamp,
            tx="0x" + ev.log.tx_hash.hex(), args=args,
        ))
    return HistoryResult(kind=kind, id=asset_id, versions=versions, events=events)


def set_status(session, kind: str, asset_id: int, status: str, reason: str) -> StatusResult:
    from .ownership import require_owner

    registry = session.registry(kind)
    record = require_owner(session, kind, asset_id, "changes its status")
    signer = session.signer
    if record.status == status:  # idempotent, like registration: nothing to send
        return StatusResult(kind=kind, id=asset_id, status=status, reason=reason, tx=None, block=None, unchanged=True)
    if record.status == "revoked":
        raise ContractRefused(f"{kind} {asset_id} is revoked, and revocation is final",
                                error_name="AssetAlreadyRevoked")
    tx = registry.set_status(signer, asset_id, status, reason)
    return StatusResult(kind=kind, id=asset_id, status=status, reason=reason,
                        tx="0x" + tx.tx_hash.hex(), block=tx.block_number)


def _jsonable(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
