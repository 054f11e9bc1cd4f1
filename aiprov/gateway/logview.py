"""Reading a gateway's access log beside the chain: ``lease log ASSET`` and ``--prove ENTRY``.

The log file is found where ``aiprov serve`` keeps it for this chain, contract
and asset (or given with ``--gateway-log``). Each entry is shown with its batch:
``anchored`` once the batch's root is on-chain (``AccessBatchAnchored`` with the
same batch id, root and count), ``pending`` before.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CheckFailed, InvalidArgument


def find_log(s, home, kind: str, asset_id: int, log_path=None) -> Path | None:
    from .accesslog import default_log_path

    if log_path is not None:
        path = Path(log_path)
        if not path.is_file():
            raise InvalidArgument(f"--gateway-log {path}: no such file")
        return path
    path = default_log_path(home, s.backend.chain_id, s.leases.checksum_address, f"{kind}:{asset_id}")
    return path if path.is_file() else None


def _open(path: Path, s, kind: str, asset_id: int):
    from .accesslog import AccessLog

    log = AccessLog.open_existing(path)
    want = (str(s.backend.chain_id), s.leases.checksum_address.lower(), f"{kind}:{asset_id}")
    have = (log.meta("chain_id"), log.meta("contract"), log.meta("asset"))
    if have != want:
        log.close()
        raise InvalidArgument(f"{path} is the gateway log of {have[2]} on chain {have[0]} ({have[1]}), "
                              f"not of {want[2]} on chain {want[0]}")
    return log


def gateway_attempts(s, home, kind: str, asset_id: int, log_path=None) -> list:
    """Every entry of the gateway log, oldest first, with its batch's on-chain state."""
    from ..results import GatewayAttemptInfo

    path = find_log(s, home, kind, asset_id, log_path)
    if path is None:
        return []
    log = _open(path, s, kind, asset_id)
    try:
        on_chain = {b.batch_id: b for b in s.leases.access_batches(kind, asset_id)}
        batches = log.batches()
        out = []
        for e in log.entries():
            batch = next((b for b in batches if b.first_seq <= e.seq <= b.last_seq), None)
            anchored = batch is not None and batch.batch_id in on_chain and \
                on_chain[batch.batch_id].batch_root == batch.root and on_chain[batch.batch_id].count == batch.count
            out.append(GatewayAttemptInfo(
                seq=e.seq, time=e.time, account=e.account, path=e.path, granted=e.granted, reason=e.reason,
                bytes=e.bytes, batch_id=batch.batch_id if anchored else None,
                anchor_tx=batch.tx if anchored else None, anchored=anchored))
        return out
    finally:
        log.close()


def prove(s, home, kind: str, asset_id: int, seq: int, log_path=None) -> dict:
    """Entry ``seq``'s inclusion proof, checked offline and against the on-chain batch."""
    from ..manifest.merkle import verify_proof
    from .accesslog import entry_leaf

    path = find_log(s, home, kind, asset_id, log_path)
    if path is None:
        raise InvalidArgument(f"no gateway log of {kind}:{asset_id} on this machine",
                              hint="pass --gateway-log FILE (the log `aiprov serve` printed at start)")
    log = _open(path, s, kind, asset_id)
    try:
        proof = log.proof(seq)
        entry = log.entry(seq)
    finally:
        log.close()
    root = bytes.fromhex(proof["root"][2:])
    leaf = entry_leaf(entry)
    offline = leaf.hex() == proof["leaf"][2:] and verify_proof(root, leaf, [bytes.fromhex(p[2:]) for p in proof["proof"]])
    batch_id = proof["batch"]["batch_id"]
    on_chain = next((b for b in s.leases.access_batches(kind, asset_id) if b.batch_id == batch_id), None)
    anchored = on_chain is not None and on_chain.batch_root == root and on_chain.count == proof["batch"]["count"]
    proof["valid"] = offline
    proof["anchored"] = anchored
    if on_chain is not None:
        proof["batch"].update(tx=on_chain.tx, block=on_chain.block)
    if not offline:
        raise CheckFailed(f"entry {seq}'s proof does not lead to its batch root: the log file was altered")
    if not anchored:
        raise CheckFailed(f"entry {seq}'s batch is not anchored on-chain"
                          + (" with this root: the log file was altered" if on_chain is not None else " (yet)"),
                          hint="the gateway anchors every --batch-interval and when it stops")
    return proof
