"""The two chain calls of log anchoring, over the AccessLeases binding."""

from __future__ import annotations


def anchor_batch(s, signer, kind: str, asset_id: int, root: bytes, count: int) -> tuple[int, str, int]:
    """Send ``anchorAccessBatch``; (on-chain batch id, tx hash, block)."""
    batch, receipt = s.leases.anchor_access_batch(signer, kind, asset_id, root, count)
    return batch.batch_id, "0x" + receipt.tx_hash.hex(), receipt.block_number


def find_anchored(s, kind: str, asset_id: int, root: bytes, count: int, after: int = 0) -> tuple[int, str, int] | None:
    """The batch already on-chain with this root and count (id above ``after``), if a previous run sent it."""
    for b in s.leases.access_batches(kind, asset_id):
        if b.batch_id > after and b.batch_root == root and b.count == count:
            return b.batch_id, b.tx, b.block
    return None
