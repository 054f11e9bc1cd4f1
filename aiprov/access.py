"""Access to an asset: lease grant, extend, revoke, check, the access log, and the gateway's
access-log batches (sales, payees and withdrawals are in :mod:`aiprov.payments`).

Functions take a :class:`aiprov.session.Session`; :class:`aiprov.Client` wraps
each in a method. Rules live in the AccessLeases contract (see
contracts/README.md); here we add the pre-checks that turn a would-be revert
into a clear message, and the reads that assemble lists and logs from events.
"""

from __future__ import annotations

from .errors import ContractRefused, InvalidArgument
from .ownership import require_manager
from .results import AccessAttemptInfo, AccessBatchesResult, AccessBatchInfo, AccessResult, LeaseCheck, LeaseInfo, LeaseTxResult

MAX_DAYS = 3650


def parse_days(days) -> int:
    from .units import parse_int

    return parse_int(days, "--days", low=1, high=MAX_DAYS)


def asset_name(kind: str, asset_id: int) -> str:
    return f"{kind}:{asset_id}"


def lease_tx_result(s, action, kind, asset_id, grantee, receipt) -> LeaseTxResult:
    lease = s.leases.lease(kind, asset_id, grantee)
    return LeaseTxResult(action=action, asset=asset_name(kind, asset_id), grantee=grantee,
                         expires_at=lease.expires_at, paid_until=lease.paid_until,
                         tx="0x" + receipt.tx_hash.hex(), block=receipt.block_number)


def grant(s, kind: str, asset_id: int, grantee: str, days: int, *, extend: bool = False) -> LeaseTxResult:
    require_manager(s, kind, asset_id)
    duration = parse_days(days) * 86400
    if extend:
        receipt = s.leases.extend(s.signer, kind, asset_id, grantee, duration)
    else:
        receipt = s.leases.grant(s.signer, kind, asset_id, grantee, duration)
    return lease_tx_result(s, "extended" if extend else "granted", kind, asset_id, grantee, receipt)


def revoke(s, kind: str, asset_id: int, grantee: str) -> LeaseTxResult:
    require_manager(s, kind, asset_id)
    lease = s.leases.lease(kind, asset_id, grantee)
    now = s.backend.now()
    if lease.paid_until > now:
        from .durations import format_time as when

        raise ContractRefused(
            f"{grantee} paid for {asset_name(kind, asset_id)} until {when(lease.paid_until)}; "
            "a paid lease cannot be revoked before it ends",
            error_name="LeasePaidNotRevocable",
        )
    if lease.revoked or lease.expires_at <= now:
        raise ContractRefused(f"{grantee} holds no active lease on {asset_name(kind, asset_id)}",
                                error_name="LeaseNotActive")
    receipt = s.leases.revoke(s.signer, kind, asset_id, grantee)
    return lease_tx_result(s, "revoked", kind, asset_id, grantee, receipt)


def check(s, kind: str, asset_id: int, account: str) -> LeaseCheck:
    s.registry(kind).get(asset_id)
    lease = s.leases.lease(kind, asset_id, account)
    active = s.leases.has_access(kind, asset_id, account)
    return LeaseCheck(asset=asset_name(kind, asset_id), account=account, active=active,
                      expires_at=lease.expires_at or None, paid_until=lease.paid_until or None,
                      revoked=lease.revoked, now=s.backend.now(),
                      via_lease=bool(active and not lease.revoked and lease.expires_at > s.backend.now()))


def list_leases(s, kind: str, asset_id: int) -> list[LeaseInfo]:
    s.registry(kind).get(asset_id)
    now = s.backend.now()
    out = []
    for grantee in s.leases.grantees(kind, asset_id):
        lease = s.leases.lease(kind, asset_id, grantee)
        out.append(LeaseInfo(
            grantee=grantee, paid=lease.paid_until > 0, expires_at=lease.expires_at,
            paid_until=lease.paid_until or None, revoked=lease.revoked,
            active=not lease.revoked and now < lease.expires_at, now=now,
        ))
    return out


def use(s, kind: str, asset_id: int) -> AccessResult:
    s.registry(kind).get(asset_id)  # NotRegistered (exit 1): no transaction, no log entry for nothing
    granted, receipt = s.leases.record_access(s.signer, kind, asset_id)
    lease = s.leases.lease(kind, asset_id, s.signer.address)
    return AccessResult(asset=asset_name(kind, asset_id), account=s.signer.address, granted=granted,
                        expires_at=lease.expires_at or None, tx="0x" + receipt.tx_hash.hex(),
                        block=receipt.block_number)


def access_log(s, kind: str, asset_id: int) -> list[AccessAttemptInfo]:
    s.registry(kind).get(asset_id)
    return [
        AccessAttemptInfo(time=s.backend.get_block(a.block).timestamp, account=a.account, granted=a.granted,
                          block=a.block, tx=a.tx)
        for a in s.leases.access_log(kind, asset_id)
    ]


# -- the gateway's access log, anchored in batches -------------------------------------------

MAX_BATCH_COUNT = 2**64 - 1


def parse_batch_root(root) -> bytes:
    """A batch's Merkle root: 32 bytes, or ``0x`` + 64 hex digits; never zero."""
    if isinstance(root, str):
        text = root.strip()
        try:
            raw = bytes.fromhex(text[2:] if text.lower().startswith("0x") else text)
        except ValueError:
            raw = b""
    else:
        raw = bytes(root)
    if len(raw) != 32 or not any(raw):
        raise InvalidArgument(f"batch root {root!r} is not a nonzero 32-byte hash (0x + 64 hex digits)")
    return raw


def _batch_info(kind: str, asset_id: int, b) -> AccessBatchInfo:
    return AccessBatchInfo(asset=asset_name(kind, asset_id), batch_id=b.batch_id, batch_root="0x" + b.batch_root.hex(),
                           count=b.count, prev_head="0x" + b.prev_head.hex(), head="0x" + b.head.hex(),
                           operator=b.operator, block=b.block, tx=b.tx)


def anchor_access_batch(s, kind: str, asset_id: int, batch_root, count: int) -> AccessBatchInfo:
    """Anchor one batch of the gateway's access log of an asset: its entries' Merkle root and
    their number. The signer must own or manage the asset (a gateway's operator is appointed
    with ``aiprov manager add``). Returns the batch as the contract recorded it."""
    root = parse_batch_root(batch_root)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BATCH_COUNT:
        raise InvalidArgument(f"a batch holds 1 to 2**64 - 1 entries, got {count!r}")
    require_manager(s, kind, asset_id)
    batch, _receipt = s.leases.anchor_access_batch(s.signer, kind, asset_id, root, count)
    return _batch_info(kind, asset_id, batch)


def access_batches(s, kind: str, asset_id: int) -> AccessBatchesResult:
    """Every anchored batch of an asset, and whether they fold, in order, into the head the
    contract holds now (nothing left out, changed or reordered)."""
    from .contracts.access_leases import access_batch_head

    s.registry(kind).get(asset_id)
    stored_head, stored_count = s.leases.access_log_head(kind, asset_id)
    batches = s.leases.access_batches(kind, asset_id)
    head, problem = bytes(28), None
    for expected_id, b in enumerate(batches, start=1):
        if b.batch_id != expected_id or b.prev_head != head:
            problem = f"batch {b.batch_id} does not follow batch {expected_id - 1}"
            break
        head = access_batch_head(head, b.batch_root, b.count, b.batch_id, kind, asset_id)
        if head != b.head:
            problem = f"batch {b.batch_id}'s head does not match its contents"
            break
    else:
        if len(batches) != stored_count or head != stored_head:
            problem = f"the events hold {len(batches)} batches, the contract counts {stored_count}"
    return AccessBatchesResult(asset=asset_name(kind, asset_id), head="0x" + stored_head.hex(),
                               batches=[_batch_info(kind, asset_id, b) for b in batches],
                               verified=problem is None, problem=problem)
