"""A deployed contract on some backend: reads, writes and logs, decoded."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from ..chain.accounts import Signer
from ..chain.backend import Backend
from ..chain.transactions import send_transaction
from ..chain.types import CallReverted, TxReceipt
from ..errors import TransactionFailed
from . import load_artifact
from .abi import ContractABI, DecodedEvent, format_error


@lru_cache(maxsize=None)
def contract_abi(name: str) -> ContractABI:
    return ContractABI(load_artifact(name)["abi"])


class Contract:
    """One contract instance: ``name`` (the artifact) at ``address`` on ``backend``."""

    def __init__(self, backend: Backend, name: str, address: bytes, *, events=None, deploy_block: int = 0) -> None:
        self.backend = backend
        self.name = name
        self.address = bytes(address)
        self.abi = contract_abi(name)
        #: where logs come from: an :class:`aiprov.chain.events.EventCache`, or None (the backend directly)
        self.event_cache = events
        #: the block the contract was deployed in: event scans start there
        self.deploy_block = deploy_block

    @property
    def checksum_address(self) -> str:
        from eth_utils import to_checksum_address

        return to_checksum_address(self.address)

    def describe_revert(self, data: bytes) -> tuple[str, str | None]:
        decoded = self.abi.decode_error(data)
        if decoded is None:
            return (f"unknown error 0x{data.hex()}" if data else "execution reverted"), None
        return format_error(*decoded), decoded[0]

    def revert_error(self, fn: str, data: bytes):
        """The exception for a revert of ``fn`` with ``data``: a plain refusal (exit 1/2) or exit 3."""
        from .refusals import refusal

        technical = f"{self.name}.{fn} reverted: {self.describe_revert(data)[0]}"
        decoded = self.abi.decode_error(data) if data else None
        if decoded is None:
            return TransactionFailed(technical)
        return refusal(decoded[0], decoded[1], technical)

    def call(self, fn: str, *args: Any) -> Any:
        try:
            out = self.backend.call(self.address, self.abi.encode_call(fn, *args))
        except CallReverted as exc:
            raise self.revert_error(fn, exc.data) from None
        return self.abi.decode_output(fn, out)

    def transact(self, signer: Signer, fn: str, *args: Any, value: int = 0) -> TxReceipt:
        reverted: list[bytes] = []

        def decode(data: bytes) -> tuple[str, str | None]:
            reverted.append(data)  # kept to build the refusal below
            return self.describe_revert(data)

        try:
            return send_transaction(
                self.backend,
                signer,
                self.address,
                self.abi.encode_call(fn, *args),
                value=value,
                what=f"{self.name}.{fn}",
                decode_revert=decode,
            )
        except TransactionFailed as exc:
            if exc.error_name is None or not reverted:
                raise
            raise self.revert_error(fn, reverted[-1]) from None

    def events(self, receipt: TxReceipt, name: str | None = None) -> list[DecodedEvent]:
        out = []
        for log in receipt.logs:
            if log.address != self.address:
                continue
            decoded = self.abi.decode_log(log)
            if decoded is not None and (name is None or decoded.name == name):
                out.append(decoded)
        return out

    def logs(self, event: str | None, *topics: bytes | None, from_block: int = 0,
             to_block: int | None = None) -> list[DecodedEvent]:
        """Decoded logs of ``event`` (None = any event) filtered by indexed topics.

        Scans start at the deployment block; with an event cache, only blocks not
        yet seen are fetched. ``to_block`` (a known block) asks the node directly.
        """
        topic_filter: Sequence[bytes | None] = [self.abi.topic(event) if event else None, *topics]
        start = max(from_block, self.deploy_block)
        if self.event_cache is not None and to_block is None:
            raw = self.event_cache.logs(self.backend, self.address, topic_filter, from_block=start)
        else:
            raw = self.backend.get_logs(self.address, topic_filter, from_block=start, to_block=to_block)
        out = []
        for log in raw:
            decoded = self.abi.decode_log(log)
            if decoded is not None:
                out.append(decoded)
        return out


def uint_topic(value: int) -> bytes:
    return int(value).to_bytes(32, "big")


def address_topic(address: bytes | str) -> bytes:
    raw = bytes.fromhex(address[2:]) if isinstance(address, str) else bytes(address)
    return raw.rjust(32, b"\x00")
