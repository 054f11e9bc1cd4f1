"""Sending a contract transaction: estimate, price, sign, send, wait, decode reverts.

One function for every write aiprov makes, so fees, nonces and error messages
are handled the same way on every backend.
"""

from __future__ import annotations

import random
import time
from typing import Callable

from ..errors import NonceTaken, TransactionFailed
from .accounts import Signer
from .backend import Backend
from .types import CallReverted, TxReceipt

#: Extra gas on top of the estimate (estimates can be off when state moves).
GAS_MARGIN = 1.25
#: Fresh nonces tried when another sender of the same account takes ours first.
NONCE_RETRIES = 5

RevertDecoder = Callable[[bytes], "tuple[str, str | None]"]


def _revert_message(exc: CallReverted, decode: RevertDecoder | None) -> tuple[str, str | None]:
    if decode is not None and exc.data:
        return decode(exc.data)
    return (str(exc) or "execution reverted"), None


def _too_little_eth(backend: Backend, signer: Signer, what: str, value: int) -> TransactionFailed:
    from ..units import format_wei

    paying = f"{format_wei(value)} plus gas" if value else "gas"
    return TransactionFailed(
        f"{what}: account {signer.name} ({signer.address}) has too little ETH to pay {paying} on {backend.network}",
        hint="fund the account, or pick another with --account",
    )


def send_transaction(
    backend: Backend,
    signer: Signer,
    to: bytes | None,
    data: bytes,
    *,
    value: int = 0,
    what: str = "transaction",
    decode_revert: RevertDecoder | None = None,
    timeout: float | None = None,
) -> TxReceipt:
    """Send one transaction from ``signer`` and return its successful receipt.

    Reverts are found by the gas estimate before anything is signed, and are
    reported as :class:`TransactionFailed` carrying the decoded custom error.
    """
    sender = signer.canonical_address
    if value and backend.get_balance(sender) < value:  # before the estimate, which fails obscurely on this
        raise _too_little_eth(backend, signer, what, value)
    try:
        gas = backend.estimate_gas(sender, to, data, value)
    except CallReverted as exc:
        message, name = _revert_message(exc, decode_revert)
        raise TransactionFailed(f"{what} reverted: {message}", error_name=name) from None
    max_fee, priority = backend.fee_params()
    balance = backend.get_balance(sender)
    gas_limit = int(gas * GAS_MARGIN) + 5_000
    if balance < gas_limit * max_fee + value:
        raise _too_little_eth(backend, signer, what, value)
    tx = {
        "type": 2,
        "chainId": backend.chain_id,
        "to": to if to is not None else b"",
        "value": value,
        "data": data,
        "gas": gas_limit,
        "maxFeePerGas": max_fee,
        "maxPriorityFeePerGas": priority,
    }
    if to is None:
        del tx["to"]
    for attempt in range(NONCE_RETRIES + 1):
        with backend.nonce_lock(sender):  # distinct nonces for processes sharing an account (one state folder)
            tx["nonce"] = backend.get_nonce(sender)
            try:
                tx_hash = backend.send_raw_transaction(signer.sign_transaction(tx))
                break
            except NonceTaken:
                # a process with another state folder signs for the same account and got in first
                if attempt == NONCE_RETRIES:
                    raise
        time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    receipt = backend.wait_for_receipt(tx_hash, timeout=timeout)
    if receipt.status != 1:
        raise TransactionFailed(
            f"{what} was mined but reverted (tx 0x{receipt.tx_hash.hex()}, block {receipt.block_number})"
        )
    return receipt
