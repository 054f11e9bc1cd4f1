"""Who may act on an asset: the owner-only and owner-or-manager pre-checks, and managers.

The contracts enforce these rules; checking first turns a would-be revert into a clear
message naming the owner and the signing account (exit 1), and sends nothing. Every
operation that needs the owner or a manager calls :func:`require_owner` or
:func:`require_manager` here.
"""

from __future__ import annotations

from .errors import ContractRefused
from .results import ManagerResult


def require_owner(s, kind: str, asset_id: int, action: str, *, error_name: str | None = None):
    """The asset's record, if the signing account owns it; else :class:`ContractRefused` (exit 1).

    ``action`` completes "only dataset:3's owner 0x… {action}", e.g. ``"sets its price"``.
    """
    registry = s.registry(kind)
    record = registry.get(asset_id)  # NotRegistered (exit 1) names the asset
    if record.owner != s.signer.address:
        raise ContractRefused(
            f"only {kind}:{asset_id}'s owner {record.owner} {action}; {s.signer.name} is {s.signer.address}",
            hint="pass --account with the owner's account",
            error_name=error_name or "AssetUnauthorized",
        )
    return record


def require_manager(s, kind: str, asset_id: int, *, error_name: str = "LeaseUnauthorized") -> None:
    """Pass if the signing account is the asset's owner or one of its managers."""
    registry = s.registry(kind)
    registry.get(asset_id)  # NotRegistered (exit 1) names the asset
    if not registry.call("canManage", asset_id, s.signer.address):
        raise ContractRefused(
            f"{s.signer.name} ({s.signer.address}) is neither the owner nor a manager of {kind}:{asset_id}",
            hint="pass --account with the owner's or a manager's account",
            error_name=error_name,
        )


def set_manager(s, kind: str, asset_id: int, address: str, allowed: bool) -> ManagerResult:
    """Appoint (``allowed``) or dismiss a manager; nothing is sent when it already is so."""
    require_owner(s, kind, asset_id, "appoints managers")
    registry = s.registry(kind)
    asset = f"{kind}:{asset_id}"
    if registry.call("isManager", asset_id, address) == allowed:
        return ManagerResult(asset=asset, manager=address, allowed=allowed, tx=None)
    receipt = registry.transact(s.signer, "setManager", asset_id, address, allowed)
    return ManagerResult(asset=asset, manager=address, allowed=allowed, tx="0x" + receipt.tx_hash.hex())
