"""Typed binding for DatasetRegistry (contracts/DatasetRegistry.sol): registration, record
proofs, consent revocation and erasure."""

from __future__ import annotations

from dataclasses import dataclass

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from .registry import STATUSES, AssetRecord, AssetRegistry, FileCheck, Multiproof, Registration, hex32

__all__ = [
    "STATUSES", "ConsentEvent", "DatasetRegistry", "FileCheck", "Multiproof", "RecordCheck",
    "RecordsCheck", "reason_hash",
]

ZERO32 = b"\x00" * 32


def reason_hash(reason: str | None) -> bytes:
    """What goes on-chain for a consent or erasure reason: keccak256 of its UTF-8 text, or
    32 zero bytes for none (the text itself may hold personal data and stays off-chain)."""
    if not reason:
        return ZERO32
    from ..manifest.keccak import keccak256

    return keccak256(reason.encode("utf-8"))


@dataclass(frozen=True)
class RecordCheck:
    """``checkRecord``: everything a verifier asks about one record, in one call."""

    included: bool
    status: str  # the dataset's: active | deprecated | revoked
    consent_revoked: bool
    erased: bool


@dataclass(frozen=True)
class RecordsCheck:
    """``checkRecords``: inclusion of all the records, the dataset's status, and per record
    (in the order given) consent and erasure."""

    included: bool
    status: str
    consent_revoked: tuple[bool, ...]
    erased: tuple[bool, ...]


@dataclass(frozen=True)
class ConsentEvent:
    """A ``RecordConsentRevoked`` or ``RecordErased`` log."""

    event: str  # "RecordConsentRevoked" | "RecordErased"
    dataset_id: int
    record_index: int
    by: str  # checksummed owner or manager
    reason_hash: str  # 0x-hex; all zeros for no reason
    block: int
    tx: str


CONSENT_EVENTS = ("RecordConsentRevoked", "RecordErased")


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

    def register(
        self, signer: Signer, root: bytes, metadata_hash: bytes, metadata_uri: str, parent_id: int
    ) -> tuple[int, TxReceipt]:
        receipt = self.transact(signer, "register", root, metadata_hash, metadata_uri, parent_id)
        (event,) = self.events(receipt, "DatasetRegistered")
        return event.args["id"], receipt

    # -- records: proofs -------------------------------------------------------

    def check_record(
        self, dataset_id: int, proof: list[bytes], record_index: int, commitment: bytes
    ) -> RecordCheck:
        """One call: is (index, commitment) in the dataset, its status, the record's consent
        and erasure. Raises ``TransactionFailed`` (``DatasetNotFound``) for an unknown id."""
        included, status, revoked, erased = self.call(
            "checkRecord", dataset_id, list(proof), record_index, bytes(commitment)
        )
        return RecordCheck(included=included, status=STATUSES[status], consent_revoked=revoked, erased=erased)

    def check_records(
        self, dataset_id: int, multiproof: Multiproof, records: list[tuple[int, bytes]]
    ) -> RecordsCheck:
        """:meth:`check_record` for several records with one multiproof; ``records`` are
        (index, commitment) in the order of the multiproof's leaves."""
        included, status, revoked, erased = self.call(
            "checkRecords", dataset_id, list(multiproof.proof), list(multiproof.flags),
            [r[0] for r in records], [bytes(r[1]) for r in records],
        )
        return RecordsCheck(included=included, status=STATUSES[status],
                            consent_revoked=tuple(revoked), erased=tuple(erased))

    # -- records: consent and erasure ----------------------------------------------

    def is_consent_revoked(self, dataset_id: int, record_index: int) -> bool:
        return self.call("isConsentRevoked", dataset_id, record_index)

    def is_erased(self, dataset_id: int, record_index: int) -> bool:
        return self.call("isErased", dataset_id, record_index)

    def revoke_consent(
        self, signer: Signer, dataset_id: int, record_index: int, reason: str | None = None
    ) -> TxReceipt:
        """Record on-chain that the record's consent is revoked (owner or manager). Only the
        reason's keccak256 is sent. Refusals: ``AssetUnauthorized``,
        ``DatasetConsentAlreadyRevoked`` (``TransactionFailed.error_name``)."""
        return self.transact(signer, "revokeConsent", dataset_id, record_index, reason_hash(reason))

    def erase_record(
        self, signer: Signer, dataset_id: int, record_index: int, reason: str | None = None
    ) -> TxReceipt:
        """Record on-chain that the record was erased (owner or manager); also revokes its
        consent. Refusals: ``AssetUnauthorized``, ``DatasetRecordAlreadyErased``."""
        return self.transact(signer, "eraseRecord", dataset_id, record_index, reason_hash(reason))

    def consent_events(self, dataset_id: int, record_index: int | None = None) -> list[ConsentEvent]:
        """Consent revocations and erasures of ``dataset_id`` (of one record if given),
        oldest first."""
        from .contract import uint_topic

        index = uint_topic(record_index) if record_index is not None else None
        logs = self.logs(None, uint_topic(dataset_id), index)  # chain order
        return [self.consent_event(ev) for ev in logs if ev.name in CONSENT_EVENTS]

    @staticmethod
    def consent_event(ev) -> ConsentEvent:
        """A decoded ``RecordConsentRevoked`` / ``RecordErased`` log as a :class:`ConsentEvent`."""
        a = ev.args
        return ConsentEvent(
            event=ev.name, dataset_id=a["id"], record_index=a["recordIndex"], by=a["by"],
            reason_hash=hex32(a["reasonHash"]), block=ev.log.block_number, tx=hex32(ev.log.tx_hash),
        )
