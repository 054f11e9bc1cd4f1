"""An asset's status: deprecate or revoke (owner only; revocation is final; idempotent)."""

from __future__ import annotations

from .errors import ContractRefused
from .results import StatusResult

#: The statuses an owner may set (an asset starts ``active``).
STATUS_CHANGES = ("deprecated", "revoked")


def set_status(session, kind: str, asset_id: int, status: str, reason: str) -> StatusResult:
    """Set ``status`` (``deprecated`` or ``revoked``) with ``reason``; nothing is sent when it already is."""
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
