"""Typed binding for AccessLeases (contracts/AccessLeases.sol)."""

from __future__ import annotations

from dataclasses import dataclass

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .contract import Contract, address_topic, uint_topic

KIND_CODES = {"dataset": 0, "model": 1}
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}


@dataclass(frozen=True)
class Lease:
    expires_at: int  # 0 = never granted
    paid_until: int  # 0 = never paid
    revoked: bool


@dataclass(frozen=True)
class AccessAttempt:
    account: str
    granted: bool
    expires_at: int
    block: int
    tx: str


class AccessLeases(Contract):
    def __init__(self, backend, address: bytes) -> None:
        super().__init__(backend, "AccessLeases", address)

    # -- reads ---------------------------------------------------------------

    def lease(self, kind: str, asset_id: int, account: str) -> Lease:
        expires_at, paid_until, revoked = self.call("getLease", KIND_CODES[kind], asset_id, account)
        return Lease(expires_at=expires_at, paid_until=paid_until, revoked=revoked)

    def has_access(self, kind: str, asset_id: int, account: str) -> bool:
        return self.call("hasAccess", KIND_CODES[kind], asset_id, account)

    def price(self, kind: str, asset_id: int) -> int:
        return self.call("priceOf", KIND_CODES[kind], asset_id)

    def proceeds(self, owner: str) -> int:
        return self.call("proceedsOf", owner)

    def _asset_logs(self, event: str, kind: str, asset_id: int, account: str | None = None):
        return self.logs(event, uint_topic(KIND_CODES[kind]), uint_topic(asset_id),
                         address_topic(account) if account else None)

    def grantees(self, kind: str, asset_id: int) -> list[str]:
        """Every account that ever held a lease on the asset, in order of first appearance."""
        seen: dict[str, None] = {}
        events = []
        for name in ("LeaseGranted", "LeasePurchased"):
            events += self._asset_logs(name, kind, asset_id)
        events.sort(key=lambda ev: (ev.log.block_number, ev.log.log_index))
        for ev in events:
            seen.setdefault(ev.args.get("grantee") or ev.args.get("buyer"), None)
        return list(seen)

    def access_log(self, kind: str, asset_id: int) -> list[AccessAttempt]:
        return [
            AccessAttempt(account=ev.args["account"], granted=ev.args["granted"], expires_at=ev.args["expiresAt"],
                          block=ev.log.block_number, tx="0x" + ev.log.tx_hash.hex())
            for ev in self._asset_logs("AccessRecorded", kind, asset_id)
        ]

    # -- writes --------------------------------------------------------------

    def grant(self, signer: Signer, kind: str, asset_id: int, grantee: str, duration: int) -> TxReceipt:
        return self.transact(signer, "grant", KIND_CODES[kind], asset_id, grantee, duration)

    def extend(self, signer: Signer, kind: str, asset_id: int, grantee: str, duration: int) -> TxReceipt:
        return self.transact(signer, "extend", KIND_CODES[kind], asset_id, grantee, duration)

    def revoke(self, signer: Signer, kind: str, asset_id: int, grantee: str) -> TxReceipt:
        return self.transact(signer, "revoke", KIND_CODES[kind], asset_id, grantee)

    def set_price(self, signer: Signer, kind: str, asset_id: int, wei_per_day: int) -> TxReceipt:
        return self.transact(signer, "setPrice", KIND_CODES[kind], asset_id, wei_per_day)

    def buy(self, signer: Signer, kind: str, asset_id: int, days: int, value: int) -> TxReceipt:
        return self.transact(signer, "buy", KIND_CODES[kind], asset_id, days, value=value)

    def record_access(self, signer: Signer, kind: str, asset_id: int) -> tuple[bool, TxReceipt]:
        receipt = self.transact(signer, "recordAccess", KIND_CODES[kind], asset_id)
        (event,) = self.events(receipt, "AccessRecorded")
        return event.args["granted"], receipt

    def withdraw(self, signer: Signer) -> tuple[int, TxReceipt]:
        receipt = self.transact(signer, "withdraw")
        (event,) = self.events(receipt, "ProceedsWithdrawn")
        return event.args["amount"], receipt
