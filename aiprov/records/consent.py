"""Records on the chain: registration, proof checks, consent revocation and erasure.

Functions take a :class:`aiprov.session.Session` (or ``None`` for an offline
proof check); :class:`aiprov.Client` wraps each in a method.  Only hashes go
on-chain: a revocation or erasure carries ``keccak256(reason)``, never the
reason text, a record, or a salt.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CheckFailed, InvalidArgument, TransactionFailed
from ..results import ConsentList, ConsentResult, ConsentStatus, ProofCheck, RegisterResult

STATUS_NAMES = ("active", "deprecated", "revoked")
REVOKED_EVENT = "RecordConsentRevoked"
ERASED_EVENT = "RecordErased"


def reason_hash(reason: str) -> bytes:
    """``keccak256(utf8(reason))``; 32 zero bytes for no reason."""
    from ..manifest.keccak import keccak256

    return keccak256(reason.encode("utf-8")) if reason else bytes(32)


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
        indices = sorted({ev.args["recordIndex"] for ev in _events(session, current, REVOKED_EVENT)})
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


def records_receipt(target: Path, receipt, home: Path):
    """(receipt path, receipt) when ``target``'s receipt is a records-mode one, else None."""
    from ..receipts import find_receipt, read_receipt

    path = Path(receipt) if receipt else find_receipt(Path(target), home)
    if path is None:
        return None
    rec = read_receipt(path)
    return (path, rec) if rec.get("manifest", {}).get("kind") == "records" else None


def verify_records(session, target: Path, receipt_path: Path, rec: dict, *, wanted_id: int | None):
    """``verify dataset`` of a records file: record by record against its registration, then the chain."""
    from types import SimpleNamespace

    from .. import registration
    from ..results import VerifyResult
    from .manifest import recheck_records

    check = recheck_records(target, session.home, rec["root"])
    problems = [f"record(s) {', '.join(map(str, check.erased[:10]))} erased: not checked"] if check.erased else []
    if check.same:
        actual = SimpleNamespace(root=rec["root"], file_count=1, total_size=check.size)
        return registration.verify(session, "dataset", actual, wanted_id=wanted_id, receipt_path=receipt_path, rec=rec,
                             expected=None, problems=problems)
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


def _events(session, dataset_id: int, name: str, record: int | None = None):
    from ..contracts.contract import uint_topic

    topics = [uint_topic(dataset_id)]
    if record is not None:
        topics.append(uint_topic(record))
    return session.datasets.logs(name, *topics)


def _event_row(session, ev) -> dict:
    a = ev.args
    return {
        "event": "consent_revoked" if ev.name == REVOKED_EVENT else "erased",
        "record": a["recordIndex"],
        "block": ev.log.block_number,
        "timestamp": session.backend.get_block(ev.log.block_number).timestamp,
        "tx": _hex(ev.log.tx_hash),
        "by": a["by"],
        "reason_hash": _hex(a["reasonHash"]) if "reasonHash" in a else None,
    }


def _sorted_events(session, dataset_id: int, record: int | None = None) -> list:
    evs = _events(session, dataset_id, REVOKED_EVENT, record) + _events(session, dataset_id, ERASED_EVENT, record)
    return sorted(evs, key=lambda ev: (ev.log.block_number, getattr(ev.log, "log_index", 0)))


def list_events(session, dataset_id: int) -> ConsentList:
    session.datasets.get(dataset_id)
    rows = [_event_row(session, ev) for ev in _sorted_events(session, dataset_id)]
    revoked = sorted({r["record"] for r in rows if r["event"] == "consent_revoked"})
    erased = sorted({r["record"] for r in rows if r["event"] == "erased"})
    return ConsentList(dataset_id=dataset_id, revoked=revoked, erased=erased, events=rows)


def status(session, dataset_id: int, record: int) -> ConsentStatus:
    registry = session.datasets
    registry.get(dataset_id)
    rows = [_event_row(session, ev) for ev in _sorted_events(session, dataset_id, record)]
    return ConsentStatus(
        dataset_id=dataset_id, record=record,
        consent_revoked=bool(registry.call("isConsentRevoked", dataset_id, record)),
        erased=bool(registry.call("isErased", dataset_id, record)), events=rows,
    )


def consent_after(session, dataset_id: int, block: int) -> dict:
    """How many records of ``dataset_id`` had consent revoked / were erased after ``block``."""
    rows = [ev for ev in _sorted_events(session, dataset_id) if ev.log.block_number > block]
    revoked = {ev.args["recordIndex"] for ev in rows if ev.name == REVOKED_EVENT}
    erased = {ev.args["recordIndex"] for ev in rows if ev.name == ERASED_EVENT}
    return {"consent_revoked_after": len(revoked), "erased_after": len(erased)}


# ---------------------------------------------------------------- revoke / erase


def _check_manager(session, dataset_id: int) -> None:
    from ..ownership import require_manager

    require_manager(session, "dataset", dataset_id, error_name="AssetUnauthorized")


def revoke(session, dataset_id: int, record: int, reason: str) -> ConsentResult:
    registry = session.datasets
    _check_manager(session, dataset_id)
    h = reason_hash(reason)
    if registry.call("isConsentRevoked", dataset_id, record):
        return ConsentResult(action="consent_revoked", dataset_id=dataset_id, record=record, reason_hash=_hex(h),
                             tx=None, block=None, unchanged=True)
    tx = registry.transact(session.signer, "revokeConsent", dataset_id, record, h)
    return ConsentResult(action="consent_revoked", dataset_id=dataset_id, record=record, reason_hash=_hex(h),
                         tx=_hex(tx.tx_hash), block=tx.block_number, gas_used=tx.gas_used)


def erase(session, dataset_id: int, record: int, reason: str) -> ConsentResult:
    """Destroy the record's salt here (every copy in the salts store), then record the erasure on-chain.

    The salt goes first: if the transaction then fails, the record is already
    unlinkable and running the command again records it.
    """
    from .store import ERASED, SaltsStore

    registry = session.datasets
    _check_manager(session, dataset_id)
    root = registry.get(dataset_id).root
    store = SaltsStore(session.home)
    salt = store.salt(root, record)
    destroyed = store.erase(record, salt) if salt not in (None, ERASED) else []
    h = reason_hash(reason)
    if registry.call("isErased", dataset_id, record):
        return ConsentResult(action="erased", dataset_id=dataset_id, record=record, reason_hash=_hex(h),
                             tx=None, block=None, unchanged=True, salts_destroyed=len(destroyed))
    tx = registry.transact(session.signer, "eraseRecord", dataset_id, record, h)
    return ConsentResult(action="erased", dataset_id=dataset_id, record=record, reason_hash=_hex(h),
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


def _trusted_registry(backend, named: str | None) -> bytes:
    """The DatasetRegistry to ask: aiprov's canonical CREATE2 address (which commits to the shipped
    code, so code there is ours), needing no state; a proof naming another address is refused."""
    from eth_utils import to_checksum_address

    from ..contracts.deployments import _initcode, create2_address
    from ..errors import NotDeployed

    canonical = create2_address(_initcode("DatasetRegistry", ()))
    if named is not None and bytes.fromhex(named[2:]) != canonical:
        raise ProofRegistryUntrusted(
            f"the proof names registry {named}, which is not aiprov's DatasetRegistry "
            f"({to_checksum_address(canonical)} on every chain)",
            hint="a proof printed by `aiprov prove` names the canonical registry",
        )
    if not backend.get_code(canonical):
        raise NotDeployed(f"no DatasetRegistry at {to_checksum_address(canonical)} on {backend.network}",
                          hint="check --rpc-url / --network: is this the chain the proof was made for?")
    return canonical


class ProofRegistryUntrusted(CheckFailed):
    """The proof points at a contract that is not aiprov's registry."""


def _one_view_call(registry, p) -> tuple[bool, int, list[dict]]:
    """(included, status, per-record consent) from one call of checkRecord(s) / checkFile(s)."""
    ids, proof = p.dataset_id, p.proof
    if p.kind == "record":
        indices, commitments = [v[0] for v in p.values], [v[1] for v in p.values]
        if p.flags is None:
            included, status, revoked, erased = registry.call("checkRecord", ids, proof, indices[0], commitments[0])
            revoked, erased = [revoked], [erased]
        else:
            included, status, revoked, erased = registry.call("checkRecords", ids, proof, p.flags, indices, commitments)
        return included, status, [{"index": i, "consent_revoked": bool(r), "erased": bool(e)}
                                  for i, r, e in zip(indices, revoked, erased)]
    paths, sizes, digests = ([v[k] for v in p.values] for k in range(3))
    if p.flags is None:
        included, status = registry.call("checkFile", ids, proof, paths[0], sizes[0], digests[0])
    else:
        included, status = registry.call("checkFiles", ids, proof, p.flags, paths, sizes, digests)
    return included, status, []


def _check_on_chain(session, p, common: dict, what: str) -> ProofCheck:
    from ..contracts.dataset_registry import DatasetRegistry
    from ..errors import ChainError

    if p.dataset_id is None:
        raise InvalidArgument("the proof names no dataset_id, so it can only be checked --offline")
    backend = session.backend
    if p.chain_id is not None and p.chain_id != backend.chain_id:
        raise ChainError(f"the proof is for chain {p.chain_id}, but {backend.network} is chain {backend.chain_id}",
                         hint="pass --rpc-url (or --network) of the chain the proof names, or --offline")
    registry = DatasetRegistry(backend, _trusted_registry(backend, p.registry))
    try:
        included, status_code, records = _one_view_call(registry, p)
    except TransactionFailed as exc:
        if exc.error_name != "DatasetNotFound":
            raise
        return ProofCheck(valid=False, reason=f"dataset {p.dataset_id} is not registered on {backend.network}",
                          offline=False, proof_valid=True, registered=False, revoked=None, consent_revoked=None,
                          erased=None, **common)
    status_name = STATUS_NAMES[status_code]
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
                      records=records, **common)


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
