"""Reading an asset back: ``show`` (what the chain holds about one id) and ``history`` (its
versions and every on-chain event), and the version-chain walk that history and the audit share."""

from __future__ import annotations

from .metadata import load_metadata
from .results import AssetInfo, HistoryEvent, HistoryResult


def info(session, kind: str, asset_id: int) -> AssetInfo:
    """Everything the chain (and this machine's metadata store) holds about one id."""
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


def _jsonable(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
