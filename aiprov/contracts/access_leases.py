"""Typed binding for AccessLeases (contracts/AccessLeases.sol)."""

from __future__ import annotations

from dataclasses import dataclass

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .contract import Contract, address_topic, uint_topic

KIND_CODES = {"dataset": 0, "model": 1}
ETH = "0x" + "00" * 20  # AccessLeases' token address for ETH
KIND_NAMES = {v: k for k, v in KIND_CODES.items()}


@dataclass(frozen=True)
class Lease:
    expires_at: int  # 0 = never granted
    paid_until: int  # 0 = never paid
    revoked: bool


@dataclass(frozen=True)
class AccessBatch:
    """One anchored batch of a gateway's access log (an ``AccessBatchAnchored`` event)."""

    batch_id: int  # 1, 2, ... per asset
    batch_root: bytes  # 32 bytes: Merkle root of the batch's entries
    count: int  # entries in the batch
    prev_head: bytes  # 28 bytes: chain head before the batch (zeros for the first)
    head: bytes  # 28 bytes: chain head after it
    operator: str
    block: int
    tx: str


def access_batch_head(prev_head: bytes, batch_root: bytes, count: int, batch_id: int, kind: str, asset_id: int) -> bytes:
    """The chain head AccessLeases stores after a batch (IAccessLeases.anchorAccessBatch):
    ``bytes28(keccak256(abi.encode(prevHead, batchRoot, count, batchId, kind, assetId)))``."""
    from ..manifest.keccak import keccak256

    if len(prev_head) != 28 or len(batch_root) != 32:
        raise ValueError("prev_head is 28 bytes, batch_root 32")
    words = [prev_head.ljust(32, b"\0"), batch_root] + [
        int(v).to_bytes(32, "big") for v in (count, batch_id, KIND_CODES[kind], asset_id)
    ]
    return keccak256(b"".join(words))[:28]


@dataclass(frozen=True)
class AccessAttempt:
    account: str
    granted: bool
    expires_at: int
    block: int
    tx: str


class AccessLeases(Contract):
    def __init__(self, backend, address: bytes, **kwargs) -> None:
        super().__init__(backend, "AccessLeases", address, **kwargs)

    # -- reads ---------------------------------------------------------------

    def lease(self, kind: str, asset_id: int, account: str) -> Lease:
        expires_at, paid_until, revoked = self.call("getLease", KIND_CODES[kind], asset_id, account)
        return Lease(expires_at=expires_at, paid_until=paid_until, revoked=revoked)

    def has_access(self, kind: str, asset_id: int, account: str) -> bool:
        return self.call("hasAccess", KIND_CODES[kind], asset_id, account)

    def price(self, kind: str, asset_id: int) -> tuple[int, str | None]:
        """(amount per day in the token's smallest unit, token address or None for ETH)."""
        amount, token = self.call("priceOf", KIND_CODES[kind], asset_id)
        return amount, (None if int(token, 16) == 0 else token)

    def payees(self, kind: str, asset_id: int) -> list[tuple[str, int]]:
        """The current owner's payees as (account, weight); empty: the owner alone."""
        payees = self.call("payeesOf", KIND_CODES[kind], asset_id)
        return [(account, shares) for account, shares in payees]

    def proceeds(self, payee: str, token: str | None = None) -> int:
        return self.call("proceedsOf", payee, token or ETH)

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

    def access_log_head(self, kind: str, asset_id: int) -> tuple[bytes, int]:
        """(chain head, number of batches) of the asset's anchored access log."""
        head, batches = self.call("accessLogHead", KIND_CODES[kind], asset_id)
        return bytes(head), batches

    @staticmethod
    def _batch(ev) -> AccessBatch:
        a = ev.args
        return AccessBatch(batch_id=a["batchId"], batch_root=bytes(a["batchRoot"]), count=a["count"],
                           prev_head=bytes(a["prevHead"]), head=bytes(a["head"]), operator=a["operator"],
                           block=ev.log.block_number, tx="0x" + ev.log.tx_hash.hex())

    def access_batches(self, kind: str, asset_id: int) -> list[AccessBatch]:
        """Every anchored batch of the asset's access log, in chain order."""
        events = self._asset_logs("AccessBatchAnchored", kind, asset_id)
        events.sort(key=lambda ev: (ev.log.block_number, ev.log.log_index))
        return [self._batch(ev) for ev in events]

    # -- writes --------------------------------------------------------------

    def grant(self, signer: Signer, kind: str, asset_id: int, grantee: str, duration: int) -> TxReceipt:
        return self.transact(signer, "grant", KIND_CODES[kind], asset_id, grantee, duration)

    def extend(self, signer: Signer, kind: str, asset_id: int, grantee: str, duration: int) -> TxReceipt:
        return self.transact(signer, "extend", KIND_CODES[kind], asset_id, grantee, duration)

    def revoke(self, signer: Signer, kind: str, asset_id: int, grantee: str) -> TxReceipt:
        return self.transact(signer, "revoke", KIND_CODES[kind], asset_id, grantee)

    def set_price(self, signer: Signer, kind: str, asset_id: int, per_day: int, token: str | None = None) -> TxReceipt:
        return self.transact(signer, "setPrice", KIND_CODES[kind], asset_id, per_day, token or ETH)

    def set_payees(self, signer: Signer, kind: str, asset_id: int, payees: list[tuple[str, int]]) -> TxReceipt:
        return self.transact(signer, "setPayees", KIND_CODES[kind], asset_id,
                             [a for a, _ in payees], [w for _, w in payees])

    def buy(self, signer: Signer, kind: str, asset_id: int, days: int, value: int) -> TxReceipt:
        return self.transact(signer, "buy", KIND_CODES[kind], asset_id, days, value=value)

    def buy_with_token(self, signer: Signer, kind: str, asset_id: int, days: int, token: str, amount: int) -> TxReceipt:
        return self.transact(signer, "buyWithToken", KIND_CODES[kind], asset_id, days, token, amount)

    def credits(self, receipt: TxReceipt) -> list[tuple[str, int]]:
        """(payee, amount) of each ProceedsCredited event of a purchase."""
        return [(ev.args["payee"], ev.args["amount"]) for ev in self.events(receipt, "ProceedsCredited")]

    def record_access(self, signer: Signer, kind: str, asset_id: int) -> tuple[bool, TxReceipt]:
        receipt = self.transact(signer, "recordAccess", KIND_CODES[kind], asset_id)
        (event,) = self.events(receipt, "AccessRecorded")
        return event.args["granted"], receipt

    def anchor_access_batch(self, signer: Signer, kind: str, asset_id: int, batch_root: bytes,
                            count: int) -> tuple[AccessBatch, TxReceipt]:
        """Anchor one access-log batch (owner or manager); the decoded event and the receipt."""
        receipt = self.transact(signer, "anchorAccessBatch", KIND_CODES[kind], asset_id, bytes(batch_root), count)
        (event,) = self.events(receipt, "AccessBatchAnchored")
        return self._batch(event), receipt

    def withdraw(self, signer: Signer, token: str | None = None) -> tuple[int, TxReceipt]:
        receipt = self.transact(signer, "withdraw", token or ETH)
        (event,) = self.events(receipt, "ProceedsWithdrawn")
        return event.args["amount"], receipt
