"""Records on the chain: registration, proof checks, consent revocation and erasure.

Functions take a :class:`aiprov.session.Session` (or ``None`` for an offline
proof check); :class:`aiprov.Client` wraps each in a method.  Only hashes go
on-chain: a revocation or erasure carries ``keccak256(reason)``, never the
reason text, a record, or a salt.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from ..errors import InvalidArgument, TransactionFailed
from ..results import ConsentList, ConsentResult, ConsentStatus, ProofCheck, RegisterResult

REVOKED_EVENT = "RecordConsentRevoked"
ERASED_EVENT = "RecordErased"


def _hex(b: bytes) -> str:
    return "0x" + bytes(b).hex()


# ---------------------------------------------------------------- registration


def revoked_upstream(session, dataset_id: int):
    """Every record whose consent was revoked in ``dataset_id`` or its earlier versions."""
    from .manifest import Forbidden

    registry = session.datasets
    out = []
    seen = set()
    current = dataset_id
    while current and current not in seen:
        seen.add(current)
        record = registry.get(current)
        indices = sorted({ev.record_index for ev in registry.consent_events(current) if ev.event == REVOKED_EVENT})
        out.extend(Forbidden(current, record.root, i) for i in indices)
        current = record.parent_id
    return out


def register_records(session, path, parent_id: int, *, metadata_uri: str, receipt, fields: dict) -> RegisterResult:
    """``register dataset --records``: salt, commit, check the lineage's revoked records, anchor."""
    from .. import registration
    from ..metadata import records_metadata
    from .manifest import build_records

    parent_root, forbidden = None, []
    if parent_id:
        parent_root = session.datasets.get(parent_id).root  # NotRegistered (exit 1) names the id
        forbidden = revoked_upstream(session, parent_id)
    rm = build_records(path, session.home, parent_root=parent_root, forbidden=forbidden)
    doc = records_metadata(rm, **fields)

    def send(root: bytes, doc_hash: bytes):
        return session.datasets.register(session.signer, root, doc_hash, metadata_uri, parent_id)

    return registration.register(
        session, "dataset", path, rm, doc, metadata_uri=metadata_uri, receipt=receipt, send=send,
        receipt_extra=lambda reg: {"parent_id": reg.parent_id},
    )


def records_receipt(target: Path, receipt, home: Path, wanted_id: int | None = None):
    """(receipt path, the version to compare with) when ``target``'s receipt is of records, else None."""
    from ..receipts import find_receipt, pick_version, read_receipt

    path = Path(receipt) if receipt else find_receipt(Path(target), home)
    if path is None:
        return None
    rec = read_receipt(path)
    version = (pick_version(rec, wanted_id) if wanted_id is not None else None) or pick_version(rec)
    return (path, {**version, "kind": rec["kind"]}) if version["manifest"].get("kind") == "records" else None


def verify_records(session, target: Path, receipt_path: Path, rec: dict, *, wanted_id: int | None):
    """``verify dataset`` of a records file: record by record against its registration, then the chain."""
    from .. import verification
    from ..results import VerifyResult
    from .manifest import recheck_records

    check = recheck_records(target, session.home, rec["root"])
    problems = [f"record(s) {', '.join(map(str, check.erased[:10]))} erased: not checked"] if check.erased else []
    if check.same:
        actual = SimpleNamespace(root=rec["root"], file_count=1, total_size=check.size)
        return verification.compare(session, "dataset", actual, wanted_id=wanted_id, receipt_path=receipt_path,
                                    rec=rec, expected=None, problems=problems)
    parts = []
    if check.modified:
        parts.append("modified " + ", ".join(map(str, check.modified[:20])) + (" …" if len(check.modified) > 20 else ""))
    if check.added:
        parts.append(f"{check.added} added at the end")
    if check.removed:
        parts.append(f"{check.removed} removed from the end")
    backend = session.backend
    dataset_id = wanted_id or rec["id"]
    return VerifyResult(
        kind="dataset", verified=False, root=None, expected_root=rec["root"], id=dataset_id,
        status=session.datasets.get(dataset_id).status, reason=f"records differ from what was registered: {'; '.join(parts)}", changes=None,
        chain_id=backend.chain_id, network=backend.network, receipt=receipt_path, files=1, size=check.size,
        problems=problems,
    )


# ---------------------------------------------------------------- events


def _row(session, ev) -> dict:
    return {
        "event": "consent_revoked" if ev.event == REVOKED_EVENT else "erased",
        "record": ev.record_index,
        "block": ev.block,
        "timestamp": session.backend.get_block(ev.block).timestamp,
        "tx": ev.tx,
        "by": ev.by,
        "reason_hash": ev.reason_hash,
    }


def list_events(session, dataset_id: int) -> ConsentList:
    registry = session.datasets
    registry.get(dataset_id)  # NotRegistered (exit 1) names the id
    rows = [_row(session, ev) for ev in registry.consent_events(dataset_id)]
    revoked = sorted({r["record"] for r in rows if r["event"] == "consent_revoked"})
    erased = sorted({r["record"] for r in rows if r["event"] == "erased"})
    return ConsentList(dataset_id=dataset_id, revoked=revoked, erased=erased, events=rows)


def status(session, dataset_id: int, record: int) -> ConsentStatus:
    registry = session.datasets
    registry.get(dataset_id)
    return ConsentStatus(
        dataset_id=dataset_id, record=record,
        consent_revoked=bool(registry.is_consent_revoked(dataset_id, record)),
        erased=bool(registry.is_erased(dataset_id, record)),
        events=[_row(session, ev) for ev in registry.consent_events(dataset_id, record)],
    )


def consent_after(session, dataset_id: int, block: int) -> dict:
    """How many records of ``dataset_id`` had consent revoked / were erased after ``block``."""
    later = [ev for ev in session.datasets.consent_events(dataset_id) if ev.block > block]
    return {"consent_revoked_after": len({ev.record_index for ev in later if ev.event == REVOKED_EVENT}),
            "erased_after": len({ev.record_index for ev in later if ev.event == ERASED_EVENT})}


# ---------------------------------------------------------------- revoke / erase


def _check_manager(session, dataset_id: int) -> None:
    from ..ownership import require_manager

    require_manager(session, "dataset", dataset_id, error_name="AssetUnauthorized")


def revoke(session, dataset_id: int, record: int, reason: str) -> ConsentResult:
    from ..contracts.dataset_registry import reason_hash

    registry = session.datasets
    _check_manager(session, dataset_id)
    h = _hex(reason_hash(reason))
    if registry.is_consent_revoked(dataset_id, record):
        return ConsentResult(action="consent_revoked", dataset_id=dataset_id, record=record, reason_hash=h,
                             tx=None, block=None, unchanged=True)
    tx = registry.revoke_consent(session.signer, dataset_id, record, reason)
    return ConsentResult(action="consent_revoked", dataset_id=dataset_id, record=record, reason_hash=h,
                         tx=_hex(tx.tx_hash), block=tx.block_number, gas_used=tx.gas_used)


def erase(session, dataset_id: int, record: int, reason: str) -> ConsentResult:
    """Destroy the record's salt here (every copy in the salts store), then record the erasure on-chain.

    The salt goes first: if the transaction then fails, the record is already
    unlinkable and running the command again records it.
    """
    from ..contracts.dataset_registry import reason_hash
    from .store import ERASED, SaltsStore

    registry = session.datasets
    _check_manager(session, dataset_id)
    root = registry.get(dataset_id).root
    store = SaltsStore(session.home)
    salt = store.salt(root, record)
    destroyed = store.erase(record, salt) if salt not in (None, ERASED) else []
    h = _hex(reason_hash(reason))
    if registry.is_erased(dataset_id, record):
        return ConsentResult(action="erased", dataset_id=dataset_id, record=record, reason_hash=h,
                             tx=None, block=None, unchanged=True, salts_destroyed=len(destroyed))
    tx = registry.erase_record(session.signer, dataset_id, record, reason)
    return ConsentResult(action="erased", dataset_id=dataset_id, record=record, reason_hash=h,
                         tx=_hex(tx.tx_hash), block=tx.block_number, salts_destroyed=len(destroyed),
                         gas_used=tx.gas_used)


# ---------------------------------------------------------------- proofs


def check_proof(session, p) -> ProofCheck:
    """Offline first (leaf values → root, records → commitments); then one call of the registry's view."""
    from ..proofs import check_offline

    problems = check_offline(p)
    common = dict(kind=p.kind, root=_hex(p.root), dataset_id=p.dataset_id, chain_id=p.chain_id,
                  registry=p.registry)
    if problems:
        return ProofCheck(valid=False, reason=problems[0], offline=session is None, proof_valid=False,
                          registered=None, revoked=None, consent_revoked=None, erased=None, problems=problems,
                          **common)
    what = f"{len(p.values)} {p.kind}{'s' if len(p.values) > 1 else ''}"
    if session is None:
        return ProofCheck(valid=True, reason=f"the proof of {what} leads to root {_hex(p.root)} (offline: "
                          "registration, status and consent not checked)", offline=True, proof_valid=True,
                          registered=None, revoked=None, consent_revoked=None, erased=None, **common)
    return _check_on_chain(session, p, common, what)


def _one_view_call(registry, p) -> tuple[bool, str, list[dict]]:
    """(included, status, per-record consent) from one call of checkRecord(s) / checkFile(s)."""
    from ..contracts.registry import Multiproof

    multi = Multiproof(proof=tuple(p.proof), flags=tuple(p.flags)) if p.flags is not None else None
    if p.kind == "record":
        if multi is None:
            ((index, commitment),) = p.values
            one = registry.check_record(p.dataset_id, p.proof, index, commitment)
            check = SimpleNamespace(included=one.included, status=one.status, consent_revoked=(one.consent_revoked,),
                                    erased=(one.erased,))
        else:
            check = registry.check_records(p.dataset_id, multi, [(v[0], v[1]) for v in p.values])
        return check.included, check.status, [
            {"index": v[0], "consent_revoked": bool(r), "erased": bool(e)}
            for v, r, e in zip(p.values, check.consent_revoked, check.erased)]
    if multi is None:
        ((path, size, digest),) = p.values
        check = registry.check_file(p.dataset_id, p.proof, path, size, digest)
    else:
        check = registry.check_files(p.dataset_id, multi, [tuple(v) for v in p.values])
    return check.included, check.status, []


def _registry(session, p):
    """The DatasetRegistry the proof is checked against: the one it names if its code is aiprov's,
    else the canonical CREATE2 one (with a warning); found with no state, trusted by its code."""
    from ..contracts.dataset_registry import DatasetRegistry
    from ..contracts.discovery import parse_hex_address, require

    found = require(session.backend, session.home, "DatasetRegistry",
                    hint=parse_hex_address(p.registry) if p.registry else None,
                    warnings=session.warnings, hint_from="the proof")
    return DatasetRegistry(session.backend, found.address, deploy_block=found.deploy_block)


def _check_on_chain(session, p, common: dict, what: str) -> ProofCheck:
    from ..errors import ChainError

    if p.dataset_id is None:
        raise InvalidArgument("the proof names no dataset_id, so it can only be checked --offline")
    backend = session.backend
    if p.chain_id is not None and p.chain_id != backend.chain_id:
        raise ChainError(f"the proof is for chain {p.chain_id}, but {backend.network} is chain {backend.chain_id}",
                         hint="pass --rpc-url (or --network) of the chain the proof names, or --offline")
    registry = _registry(session, p)
    try:
        included, status_name, records = _one_view_call(registry, p)
    except TransactionFailed as exc:
        if exc.error_name != "DatasetNotFound":
            raise
        return ProofCheck(valid=False, reason=f"dataset {p.dataset_id} is not registered on {backend.network}",
                          offline=False, proof_valid=True, registered=False, revoked=None, consent_revoked=None,
                          erased=None, **common)
    consent_revoked = any(r["consent_revoked"] for r in records)
    erased = any(r["erased"] for r in records)
    if not included:
        reason = f"the proof's root is not dataset {p.dataset_id}'s root on {backend.network}"
    elif status_name == "revoked":
        reason = f"dataset {p.dataset_id} is revoked"
    elif erased:
        reason = "erased: " + ", ".join(f"record {r['index']}" for r in records if r["erased"])
    elif consent_revoked:
        reason = "consent revoked: " + ", ".join(f"record {r['index']}" for r in records if r["consent_revoked"])
    else:
        reason = f"{what} of dataset {p.dataset_id} ({status_name}) on {backend.network}"
    valid = bool(included) and status_name != "revoked" and not erased and not consent_revoked
    return ProofCheck(valid=valid, reason=reason, offline=False, proof_valid=True, registered=bool(included),
                      revoked=status_name == "revoked", consent_revoked=consent_revoked, erased=erased,
                      records=records, problems=list(session.warnings), **common)


# ---------------------------------------------------------------- models: consent upstream


def upstream_consent(session, model_id: int, graph: dict | None = None) -> list[dict]:
    """Per dataset a model was trained on (itself or through base models): records whose consent
    was revoked, or that were erased, after the model was registered."""
    from ..lineage import lineage

    graph = graph or lineage(session, model_id, lambda h: None)
    block = session.models.registration(model_id).block
    trained_on = sorted({int(e["to"].split(":")[1]) for e in graph["edges"] if e["relation"] == "trained_on"})
    return [{"dataset_id": d, **consent_after(session, d, block)} for d in trained_on]


def apply_consent(session, result, *, strict: bool):
    """``verify model``: add the upstream consent counts; with ``strict``, fail when any is non-zero."""
    from dataclasses import replace

    counts = upstream_consent(session, result.id)
    result = replace(result, consent=counts)
    hits = [c for c in counts if c["consent_revoked_after"] or c["erased_after"]]
    if strict and hits and result.verified:
        why = "; ".join(
            f"dataset {c['dataset_id']}: {c['consent_revoked_after']} record(s) consent-revoked, "
            f"{c['erased_after']} erased since model {result.id} was registered" for c in hits)
        result = replace(result, verified=False, reason=f"--strict-consent: {why}")
    return result
