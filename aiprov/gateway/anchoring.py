"""The two chain calls of log anchoring, over the AccessLeases binding."""

from __future__ import annotations


def anchor_batch(s, signer, kind: str, asset_id: int, root: bytes, count: int) -> tuple[int, str, int]:
    """Send ``anchorAccessBatch``; (on-chain batch id, tx hash, block)."""
    from ..contracts.access_leases import KIND_CODES

    receipt = s.leases.transact(signer, "anchorAccessBatch", KIND_CODES[kind], asset_id, root, count)
    (event,) = s.leases.events(receipt, "AccessBatchAnchored")
    return int(event.args["batchId"]), "0x" + receipt.tx_hash.hex(), receipt.block_number


def find_anchored(s, kind: str, asset_id: int, root: bytes, count: int) -> tuple[int, str, int] | None:
    """The batch already on-chain with this root and count, if a previous run sent it."""
    for ev in anchored_batches(s, kind, asset_id):
        if ev["root"] == root and ev["count"] == count:
            return ev["batch_id"], ev["tx"], ev["block"]
    return None


def anchored_batches(s, kind: str, asset_id: int) -> list[dict]:
    """Every AccessBatchAnchored event of the asset, oldest first."""
    from ..contracts.access_leases import KIND_CODES
    from ..contracts.contract import uint_topic

    out = []
    for ev in s.leases.logs("AccessBatchAnchored", uint_topic(KIND_CODES[kind]), uint_topic(asset_id)):
        out.append({"batch_id": int(ev.args["batchId"]), "root": bytes(ev.args["batchRoot"]),
                    "count": int(ev.args["count"]), "tx": "0x" + ev.log.tx_hash.hex(), "block": ev.log.block_number})
    return out
