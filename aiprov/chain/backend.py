"""The interface every chain backend implements.

aiprov talks to chains through this one small surface, so the embedded
``local`` chain and a real JSON-RPC node are peers (see ape's provider
design). Dev-only powers — moving time, knowing the prefunded keys — are a
separate, explicit capability (:class:`DevChain`), not methods every backend
pretends to have.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import contextmanager
from typing import Iterator, Sequence

from .types import Block, Log, TxReceipt


class Backend(ABC):
    """A connection to one chain. Use as a context manager or call ``close``."""

    #: network name as the user chose it (``local``, ``anvil``, ``sepolia`` ...)
    network: str
    #: EIP-155 chain id
    chain_id: int
    #: how deep a block must be before aiprov trusts it (writes wait for it; verify requires it)
    confirmations: int = 1

    @property
    def dev(self) -> "DevChain | None":
        """The dev capability, or None on a public network."""
        return None

    # -- reads ---------------------------------------------------------------

    @abstractmethod
    def block_number(self) -> int:
        """Number of the latest mined block."""

    @abstractmethod
    def get_block(self, number: int | None = None) -> Block:
        """A mined block (latest when ``number`` is None)."""

    def block_timestamps(self, numbers) -> dict[int, int]:
        """{block number: timestamp} for ``numbers``; backends with an index answer in one query."""
        return {n: self.get_block(n).timestamp for n in set(numbers)}

    def now(self) -> int:
        """Chain time as the next transaction will see it (default: the latest block's)."""
        return self.get_block().timestamp

    @abstractmethod
    def get_code(self, address: bytes, block: int | None = None) -> bytes:
        """Code at ``address`` in the latest block (or at block number ``block``)."""

    @abstractmethod
    def get_balance(self, address: bytes) -> int: ...

    @abstractmethod
    def get_nonce(self, address: bytes) -> int:
        """Next nonce for ``address``, counting pending transactions."""

    @abstractmethod
    def call(self, to: bytes, data: bytes, sender: bytes | None = None) -> bytes:
        """Execute a read-only call at the chain's current time; raises CallReverted."""

    @abstractmethod
    def estimate_gas(self, sender: bytes, to: bytes | None, data: bytes, value: int = 0) -> int:
        """Gas a transaction would use; raises CallReverted when it would revert."""

    @abstractmethod
    def fee_params(self) -> tuple[int, int]:
        """(max_fee_per_gas, max_priority_fee_per_gas) for an EIP-1559 transaction."""

    @abstractmethod
    def get_logs(
        self,
        address: bytes,
        topics: Sequence[bytes | None],
        from_block: int = 0,
        to_block: int | None = None,
    ) -> list[Log]:
        """Logs of ``address`` matching ``topics`` (None = any), oldest first."""

    # -- writes --------------------------------------------------------------

    @contextmanager
    def nonce_lock(self, address: bytes) -> Iterator[None]:
        """Held while a nonce for ``address`` is taken and its transaction sent.

        Backends shared by several processes (a real node) serialise senders of
        one account here so they get distinct nonces; the default does nothing.
        """
        yield

    @abstractmethod
    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Submit a signed transaction; returns its hash."""

    @abstractmethod
    def wait_for_receipt(self, tx_hash: bytes, timeout: float | None = None) -> TxReceipt:
        """Block until the transaction is mined (and confirmed) and return its receipt.

        ``timeout`` in seconds; None: the backend's own default.
        """

    def close(self) -> None:  # pragma: no cover - trivial default
        pass

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class DevChain(ABC):
    """Powers only a development chain has."""

    @abstractmethod
    def dev_private_keys(self) -> list[bytes]:
        """The prefunded accounts' keys, ``dev:0`` first."""

    @abstractmethod
    def advance_time(self, seconds: int) -> int:
        """Move chain time forward; returns the new latest block timestamp."""

    @abstractmethod
    def set_time(self, timestamp: int | None) -> None:
        """Pin chain time for reads and the next block (None: unpin)."""
