"""Typed results of :class:`aiprov.Client` methods.

Each result has ``to_json()`` returning exactly what ``--json`` prints; the
keys scripts rely on (SPEC §5) are part of the product contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AccountInfo:
    name: str
    address: str

    def to_json(self) -> dict:
        return {"name": self.name, "address": self.address}


@dataclass(frozen=True)
class RegisterResult:
    kind: str  # "dataset" | "model"
    id: int
    root: str
    tx: str
    block: int
    chain_id: int
    network: str
    contract: str
    owner: str
    already_registered: bool
    status: str
    files: int
    size: int
    receipt: Path | None
    receipt_in_state_dir: bool = False
    gas_used: int | None = None
    #: an earlier registration of the same root by the same owner (a concurrent run got in first)
    duplicate_of: int | None = None
    records: int | None = None  # records mode: how many records (one leaf each)

    def to_json(self) -> dict:
        d = asdict(self)
        d["receipt"] = str(self.receipt) if self.receipt else None
        return d


@dataclass(frozen=True)
class VerifyResult:
    kind: str
    verified: bool
    root: str  # computed from the bytes on disk
    expected_root: str | None  # what the chain holds for `id`
    id: int | None
    status: str  # active | deprecated | revoked | not-registered
    reason: str  # one line: why verified is what it is
    changes: Any | None  # aiprov.manifest.Changes, when a manifest to compare with exists
    chain_id: int
    network: str
    receipt: Path | None = None
    files: int = 0
    size: int = 0
    problems: list[str] = field(default_factory=list)
    owner: str | None = None  # who owns the registration compared with
    consent: list[dict] | None = None  # models: per upstream dataset, as LineageResult.consent

    def to_json(self) -> dict:
        empty = {"added": [], "removed": [], "modified": [], "renamed": []}
        return {
            "verified": self.verified,
            "kind": self.kind,
            "root": self.root,
            "expected_root": self.expected_root,
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "changes": self.changes.to_dict() if self.changes is not None else empty,
            "changes_known": self.changes is not None,
            "chain_id": self.chain_id,
            "network": self.network,
            "receipt": str(self.receipt) if self.receipt else None,
            "files": self.files,
            "size": self.size,
            "problems": list(self.problems),
            "owner": self.owner,
            **({"consent": self.consent} if self.consent is not None else {}),
        }


@dataclass(frozen=True)
class AssetInfo:
    """Everything known about one dataset or model id: chain record + registration event."""

    kind: str
    id: int
    root: str
    owner: str
    status: str
    status_reason: str | None
    registered_at: int
    registered_by: str
    metadata_hash: str
    metadata_uri: str
    metadata: dict | None  # the document, when this machine has it (hash-checked)
    tx: str
    block: int
    chain_id: int
    network: str
    contract: str
    parent_id: int | None = None  # datasets: previous version
    datasets: list[dict] | None = None  # models: [{"id", "root"}] as recorded at registration
    base_models: list[int] | None = None  # models: parent model ids
    lineage_hash: str | None = None  # models: on-chain commitment to the above

    def to_json(self) -> dict:
        d = asdict(self)
        if self.kind == "dataset":
            for key in ("datasets", "base_models", "lineage_hash"):
                d.pop(key)
        else:
            d.pop("parent_id")
        return d


@dataclass(frozen=True)
class HistoryEvent:
    event: str
    block: int
    timestamp: int
    tx: str
    args: dict

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HistoryResult:
    kind: str
    id: int
    versions: list[AssetInfo]  # oldest first; includes `id` and later versions
    events: list[HistoryEvent]  # every on-chain event about `id`, oldest first

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "versions": [v.to_json() for v in self.versions],
            "events": [e.to_json() for e in self.events],
        }


@dataclass(frozen=True)
class StatusResult:
    kind: str
    id: int
    status: str
    reason: str
    tx: str | None  # None when nothing was sent (already in that status)
    block: int | None
    unchanged: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LineageResult:
    """A model's transitive lineage as a graph (``root`` is the model's node key)."""

    model: int
    root: str
    nodes: list[dict]
    edges: list[dict]
    revoked: list[str]  # node keys of revoked datasets / models, the model itself included
    # per dataset it was trained on (transitively): records whose consent was revoked / that were
    # erased after the model was registered: [{"dataset_id", "consent_revoked_after", "erased_after"}]
    consent: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimeResult:
    """Chain time after ``node advance``."""

    network: str
    previous: int  # latest block timestamp before
    timestamp: int  # latest block timestamp after
    advanced: int  # seconds requested
    block: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LeaseTxResult:
    """A lease written by grant / extend / revoke / buy."""

    action: str  # granted | extended | revoked | purchased
    asset: str  # dataset:3 | model:7
    grantee: str
    expires_at: int
    paid_until: int
    tx: str
    block: int
    paid: int | None = None  # for purchases: in the token's smallest unit (wei for ETH)
    token: str | None = None  # for purchases: the ERC-20 paid in; None = ETH

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LeaseCheck:
    asset: str
    account: str
    active: bool  # hasAccess: a live lease, or the asset's owner / a manager
    expires_at: int | None  # the lease's end (None: never leased)
    paid_until: int | None
    revoked: bool
    now: int  # chain time of the check
    via_lease: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LeaseInfo:
    grantee: str
    paid: bool
    expires_at: int
    paid_until: int | None
    revoked: bool
    active: bool
    now: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PriceResult:
    asset: str
    price_per_day: int  # in the token's smallest unit (wei for ETH); 0 = not for sale
    token: str | None  # ERC-20 address; None = ETH
    symbol: str  # "ETH", or the token's symbol
    decimals: int  # 18 for ETH, else the token's decimals()
    price_per_day_text: str  # exact, in whole units: "0.01 ETH", "2.5 TUSD"
    tx: str | None  # None when only read

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccessResult:
    asset: str
    account: str
    granted: bool
    expires_at: int | None
    tx: str
    block: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccessAttemptInfo:
    time: int
    account: str
    granted: bool
    block: int
    tx: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccessBatchInfo:
    """One anchored batch of a gateway's access log (``anchorAccessBatch``)."""

    asset: str
    batch_id: int  # 1, 2, ... per asset
    batch_root: str  # 0x + 64 hex: Merkle root of the batch's entries
    count: int  # entries in the batch
    prev_head: str  # 0x + 56 hex: chain head before it (zeros for the first)
    head: str  # 0x + 56 hex: chain head after it
    operator: str
    block: int
    tx: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccessBatchesResult:
    """An asset's anchored access-log batches, checked against the head stored on-chain."""

    asset: str
    head: str  # the contract's accessLogHead
    batches: list[AccessBatchInfo]
    verified: bool  # the events fold into the stored head, ids 1..n in order, nothing missing
    problem: str | None = None  # why not, when not verified

    def to_json(self) -> dict:
        return {"asset": self.asset, "head": self.head, "verified": self.verified, "problem": self.problem,
                "count": len(self.batches), "batches": [b.to_json() for b in self.batches]}


@dataclass(frozen=True)
class PayeeInfo:
    address: str
    shares: int  # the weight
    percent: float  # 100 * shares / total, for display (the contract credits exact integers)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PayeesResult:
    """Who is credited with an asset's sale proceeds; no payees: the owner alone."""

    asset: str
    owner: str
    payees: list[PayeeInfo]
    tx: str | None  # None when only read, or when it already was so (nothing sent)

    def to_json(self) -> dict:
        return {"asset": self.asset, "owner": self.owner, "payees": [p.to_json() for p in self.payees],
                "tx": self.tx}


@dataclass(frozen=True)
class WithdrawResult:
    account: str
    amount: int  # in the token's smallest unit (wei for ETH); 0 = nothing was owed, nothing sent
    token: str | None  # ERC-20 address; None = ETH
    symbol: str
    amount_text: str  # exact, in whole units: "0.05 ETH"
    tx: str | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ManagerResult:
    asset: str
    manager: str
    allowed: bool
    tx: str | None  # None when it already was so (nothing sent)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DeployResult:
    network: str
    chain_id: int
    contracts: list[dict]  # [{"name", "address", "deployed_now"}]

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FetchResult:
    asset: str
    url: str
    dest: str
    root: str
    verified: bool
    files: list  # [{path, size, sha256, status: downloaded|resumed|present, downloaded}]
    bytes: int  # bytes downloaded by this run

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GatewayAttemptInfo:
    """One entry of an ``aiprov serve`` access log (aiprov-access-log/1)."""

    seq: int
    time: int
    account: str
    path: str
    granted: bool
    reason: str
    bytes: int
    batch_id: int | None  # the on-chain batch holding it; None until anchored
    anchor_tx: str | None
    anchored: bool

    def to_json(self) -> dict:
        return {"source": "gateway", **asdict(self)}


@dataclass(frozen=True)
class AuditReport:
    """An ``aiprov-audit/1`` document (sealed) and its renderings; see :mod:`aiprov.audit`."""

    document: dict

    @property
    def sha256(self) -> str:
        return self.document["header"]["sha256"]

    def render(self, fmt: str = "json") -> str:
        """The document as ``json``, ``md`` or ``html`` text."""
        from .audit.render import render

        return render(self.document, fmt)

    def to_json(self) -> dict:
        return self.document


@dataclass(frozen=True)
class ExportResult:
    """A standard provenance document of a model: ``slsa`` (in-toto Statement v1) or ``cyclonedx`` (1.6 BOM)."""

    format: str
    model: int
    document: dict

    def to_json(self) -> dict:
        return self.document


@dataclass(frozen=True)
class StatusReport:
    """``aiprov status PATH``: the target against the latest version in its receipt (no chain)."""

    kind: str
    path: str
    id: int  # the receipt's latest version
    chain_id: int
    root: str  # of the files now
    expected_root: str  # the receipt's latest version
    status: str  # clean | changed
    changes: Any  # aiprov.manifest.Changes
    receipt: Path
    files: int
    files_read: int  # files whose bytes were read (the others came from the stat cache)

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "path": self.path, "id": self.id, "chain_id": self.chain_id,
            "root": self.root, "expected_root": self.expected_root, "status": self.status,
            "changes": self.changes.to_dict(), "receipt": str(self.receipt), "files": self.files,
            "files_read": self.files_read,
        }


@dataclass(frozen=True)
class DiffResult:
    """``aiprov diff KIND A B``: what changed from version A to version B (their manifests)."""

    kind: str
    from_id: int
    id: int
    from_root: str
    root: str
    status: str  # same | changed
    changes: Any  # aiprov.manifest.Changes
    chain_id: int
    network: str

    def to_json(self) -> dict:
        return {
            "kind": self.kind, "from_id": self.from_id, "id": self.id, "from_root": self.from_root,
            "root": self.root, "status": self.status, "changes": self.changes.to_dict(),
            "chain_id": self.chain_id, "network": self.network,
        }


# ---------------------------------------------------------------- records, proofs, consent


@dataclass(frozen=True)
class RecordsHashResult:
    """``hash --records``: the salted records root of one ``.jsonl`` / ``.csv`` file."""

    root: str
    path: str
    records_format: str  # jsonl | csv
    records: int
    size: int
    sha256: str  # of the whole file
    header_sha256: str | None  # CSV only
    reused_salts: int

    def to_json(self) -> dict:
        return {
            "root": self.root, "format": "aiprov-records/1", "kind": "records", "records_format": self.records_format,
            "records": self.records, "size": self.size, "header_sha256": self.header_sha256,
            "reused_salts": self.reused_salts,
            "entries": [{"path": Path(self.path).name, "size": self.size, "sha256": self.sha256}],
        }


@dataclass(frozen=True)
class ProofResult:
    """``prove``: an ``aiprov-proof/1`` document (``document``), as printed."""

    kind: str  # file | record
    dataset_id: int
    root: str
    document: dict

    def to_json(self) -> dict:
        return self.document


@dataclass(frozen=True)
class ProofCheck:
    """``verify-proof``: what the proof shows offline and, unless offline, on-chain."""

    valid: bool  # everything below holds: proof, registration, status, consent
    kind: str
    reason: str
    root: str
    dataset_id: int | None
    chain_id: int | None
    registry: str | None
    offline: bool  # True: the chain was not asked
    proof_valid: bool  # the leaves lead to the root (and each record matches its commitment)
    registered: bool | None  # the root is dataset_id's root on that chain (None offline)
    revoked: bool | None  # the dataset is revoked
    consent_revoked: bool | None  # some proved record's consent is revoked
    erased: bool | None  # some proved record is erased
    records: list[dict] = field(default_factory=list)  # [{"index", "consent_revoked", "erased"}]
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ConsentResult:
    """``consent revoke`` / ``consent erase``."""

    action: str  # consent_revoked | erased
    dataset_id: int
    record: int
    reason_hash: str  # keccak256 of the reason text: only the hash goes on-chain
    tx: str | None  # None when nothing was sent (already so)
    block: int | None
    unchanged: bool = False
    salts_destroyed: int = 0  # erase: salt copies destroyed in this state directory
    gas_used: int | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ConsentStatus:
    """``consent status``: one record of a records dataset."""

    dataset_id: int
    record: int
    consent_revoked: bool
    erased: bool
    events: list[dict] = field(default_factory=list)  # [{"event", "block", "tx", "by", "reason_hash"}]

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ConsentList:
    """``consent list``: every consent revocation and erasure of a dataset, oldest first."""

    dataset_id: int
    revoked: list[int]  # record indices whose consent is revoked
    erased: list[int]  # record indices erased
    events: list[dict]  # [{"event", "record", "block", "timestamp", "tx", "by", "reason_hash"}]

    def to_json(self) -> dict:
        return asdict(self)
