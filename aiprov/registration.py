"""Registering datasets and models: anchor a root (idempotently), then write the receipt.

Each function takes a :class:`aiprov.session.Session`. :func:`register` is what both kinds
share; :func:`register_dataset` and :func:`register_model` add the contract call and the
checks of their kind (a parent that exists; lineage ids that exist and are not revoked).
Records-mode datasets are registered by :func:`aiprov.records.consent.register_records`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from .errors import AssetRevoked, InvalidArgument, InvalidReceipt
from .metadata import load_metadata, save_metadata
from .results import RegisterResult
from .units import parse_id


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


def target_of(path) -> Path | str:
    """A local target as a Path; a URL (``s3://…``) stays a string (a Path would fold its ``//``)."""
    from .manifest.remote import is_url

    return path if is_url(path) else Path(path)


def register_dataset(session, path, manifest, doc: dict, *, parent_id: int, metadata_uri: str,
                     receipt) -> RegisterResult:
    """Anchor a dataset ``manifest`` (a new version of ``parent_id`` unless 0)."""
    s = session

    def send(root: bytes, doc_hash: bytes):
        if parent_id:
            s.datasets.get(parent_id)  # NotRegistered (exit 1) with a clear message
        return s.datasets.register(s.signer, root, doc_hash, metadata_uri, parent_id)

    return register(s, "dataset", path, manifest, doc, metadata_uri=metadata_uri, receipt=receipt, send=send,
                    receipt_extra=lambda reg: {"parent_id": reg.parent_id})


def lineage_ids(datasets: Iterable, base_models: Iterable) -> tuple[list[int], list[int]]:
    """The dataset ids and base-model ids of a model registration, checked (exit 2)."""
    dataset_ids = [parse_id(d, "--dataset") for d in datasets]
    parent_ids = [parse_id(m, "--base-model") for m in base_models]
    if not dataset_ids:
        raise InvalidArgument("a model needs at least one --dataset it was trained on")
    for what, ids in (("--dataset", dataset_ids), ("--base-model", parent_ids)):
        if len(set(ids)) != len(ids):
            raise InvalidArgument(f"{what} lists the same id twice")
    return dataset_ids, parent_ids


def register_model(session, path, manifest, doc: dict, *, dataset_ids: list[int], parent_ids: list[int],
                   metadata_uri: str, receipt) -> RegisterResult:
    """Anchor a model ``manifest`` with its lineage; every id must exist and not be revoked."""
    s = session

    def send(root: bytes, doc_hash: bytes):
        for kind, registry, ids in (("dataset", s.datasets, dataset_ids), ("model", s.models, parent_ids)):
            for i in ids:
                record = registry.get(i)  # NotRegistered (exit 1) names the id
                if record.status == "revoked":
                    reason = registry.status_reason(i)
                    raise AssetRevoked(
                        f"{kind} {i} is revoked{f' ({reason})' if reason else ''}: "
                        "a model cannot be registered on it"
                    )
        return s.models.register(s.signer, root, doc_hash, metadata_uri, dataset_ids, parent_ids)

    return register(
        s, "model", path, manifest, doc, metadata_uri=metadata_uri, receipt=receipt, send=send,
        receipt_extra=lambda reg: {
            "datasets": [{"id": i, "root": r} for i, r in zip(reg.dataset_ids, reg.dataset_roots)],
            "base_models": list(reg.parent_model_ids),
        },
    )
