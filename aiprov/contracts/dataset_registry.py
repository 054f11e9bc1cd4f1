"""Typed binding for DatasetRegistry (contracts/DatasetRegistry.sol)."""

from __future__ import annotations

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .registry import STATUSES, AssetRecord, AssetRegistry, Registration, hex32

__all__ = ["DatasetRegistry", "STATUSES"]


class DatasetRegistry(AssetRegistry):
    kind = "dataset"
    noun = "Dataset"

    def __init__(self, backend, address: bytes, **kwargs) -> None:
        super().__init__(backend, "DatasetRegistry", address, **kwargs)

    def _record(self, asset_id: int, raw: tuple) -> AssetRecord:
        root, owner, status, parent, registered_at = raw
        return AssetRecord(
            kind="dataset", id=asset_id, root=hex32(root), owner=owner, status=STATUSES[status],
            registered_at=registered_at, parent_id=parent or None,
        )

    def _registration(self, ev) -> Registration:
        a = ev.args
        return Registration(
            kind="dataset", id=a["id"], owner=a["owner"], root=hex32(a["root"]),
            metadata_hash=hex32(a["metadataHash"]), metadata_uri=a["metadataURI"],
            block=ev.log.block_number, tx=hex32(ev.log.tx_hash), parent_id=a["parentId"] or None,
        )

    def is_consent_revoked(self, dataset_id: int, record_index: int) -> bool:
        return self.call("isConsentRevoked", dataset_id, record_index)

    def register(
        self, signer: Signer, root: bytes, metadata_hash: bytes, metadata_uri: str, parent_id: int
    ) -> tuple[int, TxReceipt]:
        receipt = self.transact(signer, "register", root, metadata_hash, metadata_uri, parent_id)
        (event,) = self.events(receipt, "DatasetRegistered")
        return event.args["id"], receipt
