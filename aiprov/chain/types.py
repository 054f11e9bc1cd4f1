"""Plain values the chain backends hand back: blocks, logs, receipts.

They hold checksummed-agnostic raw values (bytes, ints) so that bindings can
decode them without caring which backend produced them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Log:
    address: bytes  # 20 bytes, canonical
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    tx_index: int
    log_index: int


@dataclass(frozen=True, slots=True)
class TxReceipt:
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    status: int  # 1 success, 0 reverted
    gas_used: int
    sender: bytes
    to: bytes | None
    contract_address: bytes | None = None
    logs: tuple[Log, ...] = field(default_factory=tuple)
    effective_gas_price: int = 0


@dataclass(frozen=True, slots=True)
class Block:
    number: int
    hash: bytes
    timestamp: int


class CallReverted(Exception):
    """A call or gas estimate reverted; ``data`` holds the raw revert bytes."""

    def __init__(self, data: bytes, message: str = "execution reverted") -> None:
        super().__init__(message)
        self.data = data
