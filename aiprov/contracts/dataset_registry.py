"""Typed binding for the DatasetRegistry contract (contracts/DatasetRegistry.sol)."""

from __future__ import annotations

from dataclasses import dataclass

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from ..errors import NotRegistered
from .contract import Contract, address_topic, uint_topic

STATUSES = ("active", "deprecated", "revoked")


def status_code(status: str) -> int:
    return STATUSES.index(status)


@dataclass(frozen=True)
class DatasetRecord:
    """What the chain stores for one dataset id."""

    id: int
    root: str  # 0x-hex
    owner: str  # checksummed
    status: str  # active | deprecated | revoked
    parent_id: int | None
    registered_at: int  # unix seconds (block time)


@dataclass(frozen=True)
class Registration:
    """A ``DatasetRegistered`` event: the facts fixed at registration time."""

    id: int
    owner: str
    root: str
    parent_id: int | None
    metadata_hash: str
    metadata_uri: str
    block: int
    tx: str


def _registration(ev) -> Registration:
    a = ev.args
    return Registration(
        id=a["id"],
        owner=a["owner"],
        root="0x" + a["root"].hex(),
        parent_id=a["parentId"] or None,
        metadata_hash="0x" + a["metadataHash"].hex(),
        metadata_uri=a["metadataURI"],
        block=ev.log.block_number,
        tx="0x" + ev.log.tx_hash.hex(),
    )


class DatasetRegistry(Contract):
    def __init__(self, backend, address: bytes) -> None:
        super().__init__(backend, "DatasetRegistry", address)

    # -- reads ---------------------------------------------------------------

    def count(self) -> int:
        return self.call("datasetCount")

    def get(self, dataset_id: int) -> DatasetRecord:
        if not self.call("exists", dataset_id):
            raise NotRegistered(
                f"dataset {dataset_id} does not exist on {self.backend.network} "
                f"(chain {self.backend.chain_id}; {self.count()} datasets registered)"
            )
        root, owner, status, parent, registered_at = self.call("getDataset", dataset_id)
        return DatasetRecord(
            id=dataset_id,
            root="0x" + root.hex(),
            owner=owner,
            status=STATUSES[status],
            parent_id=parent or None,
            registered_at=registered_at,
        )

    def registrations(self, root: bytes | None = None, owner: str | None = None) -> list[Registration]:
        """``DatasetRegistered`` events, earliest first, filtered by root and/or owner."""
        logs = self.logs(
            "DatasetRegistered",
            None,
            address_topic(owner) if owner else None,
            bytes(root) if root is not None else None,
        )
        return [_registration(ev) for ev in logs]

    def registration(self, dataset_id: int) -> Registration:
        found = self.logs("DatasetRegistered", uint_topic(dataset_id))
        if not found:
            raise NotRegistered(f"dataset {dataset_id} does not exist on {self.backend.network}")
        return _registration(found[0])

    def history(self, dataset_id: int):
        """Every event about ``dataset_id``, oldest first (all our events index the id first)."""
        return self.logs(None, uint_topic(dataset_id))

    def is_consent_revoked(self, dataset_id: int, record_index: int) -> bool:
        return self.call("isConsentRevoked", dataset_id, record_index)

    # -- writes --------------------------------------------------------------

    def register(
        self, signer: Signer, root: bytes, metadata_hash: bytes, metadata_uri: str, parent_id: int
    ) -> tuple[int, TxReceipt]:
        receipt = self.transact(signer, "register", root, metadata_hash, metadata_uri, parent_id)
        (event,) = self.events(receipt, "DatasetRegistered")
        return event.args["id"], receipt

    def set_status(self, signer: Signer, dataset_id: int, status: str, reason: str) -> TxReceipt:
        return self.transact(signer, "setStatus", dataset_id, status_code(status), reason)
