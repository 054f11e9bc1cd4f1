"""Typed binding for ModelRegistry (contracts/ModelRegistry.sol)."""

from __future__ import annotations

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .registry import STATUSES, AssetRecord, AssetRegistry, Registration, hex32


def lineage_hash(dataset_ids, dataset_roots, parent_model_ids) -> str:
    """keccak256(abi.encode(uint256[], bytes32[], uint256[])) — what the contract stores."""
    from eth_abi import encode

    from ..manifest.keccak import keccak256

    roots = [bytes.fromhex(r[2:]) if isinstance(r, str) else bytes(r) for r in dataset_roots]
    return hex32(keccak256(encode(["uint256[]", "bytes32[]", "uint256[]"],
                               [list(dataset_ids), roots, list(parent_model_ids)])))


class ModelRegistry(AssetRegistry):
    kind = "model"
    noun = "Model"

    def __init__(self, backend, address: bytes, **kwargs) -> None:
        super().__init__(backend, "ModelRegistry", address, **kwargs)

    def _record(self, asset_id: int, raw: tuple) -> AssetRecord:
        root, owner, status, registered_at, lineage = raw
        return AssetRecord(
            kind="model", id=asset_id, root=hex32(root), owner=owner, status=STATUSES[status],
            registered_at=registered_at, lineage_hash=hex32(lineage),
        )

    def _registration(self, ev) -> Registration:
        a = ev.args
        return Registration(
            kind="model", id=a["id"], owner=a["owner"], root=hex32(a["root"]),
            metadata_hash=hex32(a["metadataHash"]), metadata_uri=a["metadataURI"],
            block=ev.log.block_number, tx=hex32(ev.log.tx_hash),
            dataset_ids=tuple(a["datasetIds"]), dataset_roots=tuple(hex32(r) for r in a["datasetRoots"]),
            parent_model_ids=tuple(a["parentModelIds"]),
        )

    def register(
        self, signer: Signer, root: bytes, metadata_hash: bytes, metadata_uri: str,
        dataset_ids: list[int], parent_model_ids: list[int],
    ) -> tuple[int, TxReceipt]:
        receipt = self.transact(
            signer, "register", root, metadata_hash, metadata_uri, list(dataset_ids), list(parent_model_ids)
        )
        (event,) = self.events(receipt, "ModelRegistered")
        return event.args["id"], receipt
