"""Read an asset's whole on-chain trail into an ``aiprov-audit/1`` document.

Everything comes from a few event scans, not from one call per row: all
registrations of the asset's registry (versions and lineage are walked in
memory), every event indexed by the asset's id, every status change of the
registry, and every AccessLeases event indexed by the asset. Block times are
read once per block. Events this module does not know by name still appear,
under ``other_events``, so nothing the chain says about the asset is dropped.

Which record-keeping duty each section serves is in :data:`DUTIES`; the
articles are named, not paraphrased.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from .. import __version__
from .document import FORMAT

#: Section -> the provisions whose record-keeping the section supports.
DUTIES: dict[str, list[str]] = {
    "subject": ["EU AI Act Art. 10", "EU AI Act Annex IV 2(d)"],
    "status_changes": ["EU AI Act Art. 12"],
    "governance": ["EU AI Act Art. 12", "GDPR Art. 30"],
    "versions": ["EU AI Act Art. 10", "EU AI Act Annex IV 2(d)"],
    "lineage": ["EU AI Act Art. 10", "EU AI Act Annex IV 2(d)"],
    "training": ["EU AI Act Annex IV 2(d)"],
    "leases": ["EU AI Act Art. 12", "GDPR Art. 30"],
    "access": ["EU AI Act Art. 12", "GDPR Art. 30"],
    "access_batches": ["EU AI Act Art. 12"],
    "consent": ["GDPR Art. 30", "GDPR Art. 7(3)", "GDPR Art. 17"],
}

KIND_CODES = {"dataset": 0, "model": 1}


def iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hex(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [_hex(v) for v in value]
    return value


class _Clock:
    """Block number -> ISO time, one read per block."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self._seen: dict[int, int] = {}

    def prefetch(self, blocks) -> None:
        """Read the times of many blocks at once (one query on the embedded chain)."""
        missing = {b for b in blocks if b not in self._seen}
        if missing:
            self._seen.update(self._backend.block_timestamps(missing))

    def timestamp(self, block: int) -> int:
        ts = self._seen.get(block)
        if ts is None:
            ts = self._seen[block] = self._backend.get_block(block).timestamp
        return ts

    def __call__(self, block: int) -> str:
        return iso(self.timestamp(block))


def _row(ev, clock: _Clock, **fields) -> dict:
    return {"time": clock(ev.log.block_number), **fields,
            "tx": "0x" + bytes(ev.log.tx_hash).hex(), "block": ev.log.block_number}


def _event_named(contract, suffix: str) -> str | None:
    """The name of ``contract``'s event ending in ``suffix`` (registries name theirs by kind)."""
    names = [n for n in contract.abi.events if n.endswith(suffix)]
    return min(names, key=len) if names else None


def _status_name(value: Any) -> str:
    from ..contracts.registry import STATUSES

    return STATUSES[value] if isinstance(value, int) and 0 <= value < len(STATUSES) else str(value)


def _parents(kind: str, reg) -> list[int]:
    return ([reg.parent_id] if reg.parent_id else []) if kind == "dataset" else list(reg.parent_model_ids)


def collect(
    session,
    kind: str,
    asset_id: int,
    *,
    metadata_docs: dict[str, dict] | None = None,
    explorer_url: str | None = None,
    generated_at: int | None = None,
) -> dict:
    """The unsealed audit document (:func:`aiprov.audit.seal` adds its digest).

    ``metadata_docs`` maps metadata hashes to documents known from elsewhere
    (a receipt); each is used only if it hashes to the on-chain value.
    """
    from ..metadata import load_metadata
    from ..metadata import metadata_hash

    backend = session.backend
    registry = session.registry(kind)
    record = registry.get(asset_id)  # NotRegistered (exit 1) for an unknown id
    clock = _Clock(backend)
    head = backend.block_number()
    given = {h: d for h, d in (metadata_docs or {}).items() if metadata_hash(d) == h}

    def metadata(doc_hash: str) -> dict | None:
        return given.get(doc_hash) or load_metadata(session.home, doc_hash)

    regs = {r.id: r for r in registry.registrations()}
    reg = regs[asset_id]
    statuses = _latest_statuses(registry)
    doc_meta = metadata(reg.metadata_hash)

    from ..contracts.contract import uint_topic

    own_events = registry.history(asset_id)
    lease_events = session.leases.logs(None, uint_topic(KIND_CODES[kind]), uint_topic(asset_id))
    clock.prefetch([ev.log.block_number for ev in (*own_events, *lease_events)] + [r.block for r in regs.values()])
    status_changes, governance, consent, other = _registry_rows(own_events, clock)
    leases, access, batches, lease_other = _lease_rows(lease_events, clock)

    lineage = _lineage(session, kind, asset_id, regs, statuses, metadata)
    versions = _versions(kind, asset_id, regs, statuses, metadata, clock)
    blocks = [r["block"] for rows in (status_changes, governance, consent, other, leases, access, batches, lease_other,
                                      versions) for r in rows] + [reg.block]
    contracts = {"DatasetRegistry": session.datasets.checksum_address}
    if kind == "model" or _has(session, "models"):
        contracts["ModelRegistry"] = session.models.checksum_address
    contracts["AccessLeases"] = session.leases.checksum_address

    return {
        "format": FORMAT,
        "header": {
            "generated_at": iso(generated_at if generated_at is not None else backend.now()),
            "aiprov_version": __version__,
            "network": backend.network,
            "chain_id": backend.chain_id,
            "contracts": contracts,
            "blocks": {"from": min(blocks), "to": head},
            "explorer_url": explorer_url.rstrip("/") if explorer_url else None,
            "sha256": None,
        },
        "subject": {
            "key": f"{kind}:{asset_id}",
            "kind": kind,
            "id": asset_id,
            "root": record.root,
            "owner": record.owner,
            "registered_by": reg.owner,
            "status": record.status,
            "status_reason": status_changes[-1]["reason"] if status_changes and record.status != "active" else None,
            "registered_at": iso(record.registered_at),
            "tx": reg.tx,
            "block": reg.block,
            "metadata_hash": reg.metadata_hash,
            "metadata_uri": reg.metadata_uri or None,
            "metadata_available": doc_meta is not None,
            **{k: (doc_meta or {}).get(k) for k in ("name", "license", "source", "description", "files", "size")},
        },
        "status_changes": status_changes,
        "governance": governance,
        "versions": versions,
        "lineage": lineage,
        "training": (doc_meta or {}).get("training") if kind == "model" else None,
        "leases": leases,
        "access": access,
        "access_batches": batches,
        "consent": consent,
        "other_events": other + lease_other,
        "duties": DUTIES,
        "recheck": _recheck_commands(kind, asset_id, backend),
    }


def _has(session, attr: str) -> bool:
    try:
        getattr(session, attr)
    except Exception:  # noqa: BLE001 - a missing ModelRegistry only means no models
        return False
    return True


def _latest_statuses(registry) -> dict[int, str]:
    name = _event_named(registry, "StatusChanged")
    out: dict[int, str] = {}
    if name:
        for ev in registry.logs(name):
            out[ev.args["id"]] = _status_name(ev.args["status"])
    return out


def _registry_rows(events, clock: _Clock):
    status_changes, governance, consent, other = [], [], [], []
    for ev in events:
        a, name = ev.args, ev.name
        if name.endswith("Registered"):
            continue  # the subject section holds it
        if name.endswith("StatusChanged"):
            status_changes.append(_row(ev, clock, status=_status_name(a["status"]), reason=a.get("reason", ""),
                                       by=a.get("by")))
        elif "Ownership" in name:
            governance.append(_row(ev, clock, event="ownership_transferred", account=a.get("newOwner"),
                                   by=a.get("previousOwner")))
        elif "Manager" in name:
            governance.append(_row(ev, clock, event="manager_appointed" if a.get("allowed") else "manager_dismissed",
                                   account=a.get("manager"), by=a.get("by")))
        elif "Consent" in name or "Erased" in name:
            consent.append(_row(ev, clock, record=a.get("recordIndex"),
                                action="erased" if "Erased" in name else "consent_revoked",
                                by=a.get("by"), reason_hash=_hex(a.get("reasonHash")),
                                reason=a.get("reason")))
        else:
            other.append(_row(ev, clock, event=name, args={k: _hex(v) for k, v in a.items()}))
    return status_changes, governance, consent, other


def _access_reason(granted: bool, expires_at: int, ts: int, lease: dict | None) -> str:
    """Why an attempt was allowed or denied, from the event and the lease events before it."""
    if granted:
        return f"lease until {iso(expires_at)}" if expires_at > ts and lease else "owner or manager"
    if lease is None or not expires_at:
        return "no lease"
    if lease.get("revoked_at") is not None:
        return "lease revoked"
    return "lease expired"


def _lease_rows(events, clock: _Clock):
    leases: list[dict] = []
    current: dict[str, dict] = {}  # grantee -> its latest lease row
    access, batches, other = [], [], []
    for ev in events:
        a, name = ev.args, ev.name
        if name in ("LeaseGranted", "LeasePurchased"):
            grantee = a.get("grantee") or a.get("buyer")
            row = _row(ev, clock, grantee=grantee, how="paid" if name == "LeasePurchased" else "granted",
                       by=a.get("by") or grantee, start=clock(ev.log.block_number),
                       expires_at=iso(a["expiresAt"]), revoked_at=None,
                       paid=str(a["paid"]) if "paid" in a else None,
                       token=a.get("token"), days=a.get("numDays"))
            leases.append(row)
            current[grantee] = row
        elif name == "LeaseExtended":
            row = current.get(a["grantee"])
            if row is not None:
                row["expires_at"] = iso(a["expiresAt"])
            other.append(_row(ev, clock, event=name, args={k: _hex(v) for k, v in a.items()}))
        elif name == "LeaseRevoked":
            row = current.get(a["grantee"])
            if row is not None:
                row["revoked_at"] = clock(ev.log.block_number)
                row["revoked_by"] = a.get("by")
        elif name == "AccessRecorded":
            ts = clock.timestamp(ev.log.block_number)
            access.append(_row(ev, clock, account=a["account"], allowed=bool(a["granted"]),
                               reason=_access_reason(bool(a["granted"]), a["expiresAt"], ts, current.get(a["account"])),
                               source="recordAccess"))
        elif "Batch" in name:
            batches.append(_row(ev, clock, **{k: _hex(v) for k, v in a.items() if k not in ("kind", "assetId")}))
        else:
            other.append(_row(ev, clock, event=name, args={k: _hex(v) for k, v in a.items()}))
    return leases, access, batches, other


def _versions(kind, asset_id, regs, statuses, metadata: Callable, clock: _Clock) -> list[dict]:
    """The asset's version chain: its ancestors (oldest first), itself, then its successors."""
    from ..lookup import version_order

    ordered = version_order(regs, asset_id, lambda r: _parents(kind, r))
    out = []
    for i in ordered:
        r = regs[i]
        doc = metadata(r.metadata_hash)
        out.append({"id": i, "root": r.root, "parents": _parents(kind, r), "owner": r.owner,
                    "status": statuses.get(i, "active"), "name": (doc or {}).get("name"),
                    "registered_at": clock(r.block), "subject": i == asset_id, "tx": r.tx, "block": r.block})
    return out


def _lineage(session, kind, asset_id, regs, statuses, metadata: Callable) -> dict:
    """Models: the transitive graph of base models and datasets. Datasets: versions and the models using it."""
    if kind == "model":
        from ..lineage import lineage

        return lineage(session, asset_id, metadata)
    key = f"dataset:{asset_id}"
    nodes = {}
    edges = []

    def dataset_node(i):
        r = regs[i]
        doc = metadata(r.metadata_hash)
        nodes[f"dataset:{i}"] = {"key": f"dataset:{i}", "kind": "dataset", "id": i, "root": r.root,
                                 "status": statuses.get(i, "active"), "owner": r.owner,
                                 "name": (doc or {}).get("name")}

    dataset_node(asset_id)
    child, parent = asset_id, regs[asset_id].parent_id
    while parent and parent in regs and f"dataset:{parent}" not in nodes:
        dataset_node(parent)
        edges.append({"from": f"dataset:{child}", "to": f"dataset:{parent}", "relation": "previous_version"})
        child, parent = parent, regs[parent].parent_id
    if _has(session, "models"):
        models = session.models
        model_statuses = _latest_statuses(models)
        for m in models.registrations():
            if asset_id in m.dataset_ids:
                mkey = f"model:{m.id}"
                doc = metadata(m.metadata_hash)
                nodes[mkey] = {"key": mkey, "kind": "model", "id": m.id, "root": m.root,
                               "status": model_statuses.get(m.id, "active"), "owner": m.owner,
                               "name": (doc or {}).get("name")}
                root = m.dataset_roots[list(m.dataset_ids).index(asset_id)]
                edges.append({"from": mkey, "to": key, "relation": "trained_on", "root": root})
    revoked = sorted(k for k, n in nodes.items() if n["status"] == "revoked")
    return {"root": key, "nodes": list(nodes.values()), "edges": edges, "revoked": revoked}


def _recheck_commands(kind: str, asset_id: int, backend) -> list[dict]:
    net = "" if backend.network == "local" else f" --network {backend.network}"
    asset = f"{kind}:{asset_id}"
    cmds = [
        ("the bytes you hold are the registered ones (exit 0)", f"aiprov verify {kind} PATH --id {asset_id}{net}"),
        ("registration, owner, status and metadata hash", f"aiprov show {kind} {asset_id}{net}"),
        ("versions and every registry event", f"aiprov history {kind} {asset_id}{net}"),
        ("leases: who holds access now", f"aiprov lease list {asset}{net}"),
        ("every access attempt", f"aiprov lease log {asset}{net}"),
        ("this report, regenerated from the chain", f"aiprov audit {kind} {asset_id} --format json{net}"),
    ]
    if kind == "model":
        cmds.insert(3, ("lineage: datasets and base models, with roots", f"aiprov lineage model {asset_id}{net}"))
    if kind == "dataset":
        cmds.insert(3, ("consent of one record", f"aiprov consent status {asset_id} --record N{net}"))
    return [{"what": what, "command": cmd} for what, cmd in cmds]
