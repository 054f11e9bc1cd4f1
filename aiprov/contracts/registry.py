"""What DatasetRegistry and ModelRegistry share (contracts/AssetRegistry.sol): records,
statuses, events, look-ups, file proof checks.

Both contracts store a root, an owner, a status and a registration time per
id, index their events by id first, and are looked up by root through the
indexed ``root``/``owner`` topics of their ``…Registered`` event. The shared
events are ``OwnershipTransferred``, ``ManagerSet`` and ``StatusChanged``; the
shared refusals are the ``Asset…`` errors (``AssetUnauthorized``, …), and an
unknown id is the registry's own ``DatasetNotFound`` / ``ModelNotFound``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..chain.accounts import Signer
from ..chain.types import TxReceipt
from ..errors import NotRegistered
from .contract import Contract, address_topic, uint_topic

STATUSES = ("active", "deprecated", "revoked")


def status_code(status: str) -> int:
    return STATUSES.index(status)


@dataclass(frozen=True)
class AssetRecord:
    """What the chain stores for one dataset or model id."""

    kind: str  # dataset | model
    id: int
    root: str  # 0x-hex
    owner: str  # checksummed
    status: str  # active | deprecated | revoked
    registered_at: int  # unix seconds (block time)
    parent_id: int | None = None  # datasets: previous version
    lineage_hash: str | None = None  # models: commitment to datasets + roots + base models


@dataclass(frozen=True)
class Registration:
    """A ``…Registered`` event: the facts fixed at registration time."""

    kind: str
    id: int
    owner: str
    root: str
    metadata_hash: str
    metadata_uri: str
    block: int
    tx: str
    parent_id: int | None = None
    dataset_ids: tuple[int, ...] = field(default_factory=tuple)
    dataset_roots: tuple[str, ...] = field(default_factory=tuple)
    parent_model_ids: tuple[int, ...] = field(default_factory=tuple)


def hex32(value: bytes) -> str:
    return "0x" + bytes(value).hex()


@dataclass(frozen=True)
class FileCheck:
    """``checkFile`` / ``checkFiles``: is it (are they all) in the asset, and its status."""

    included: bool
    status: str  # active | deprecated | revoked


@dataclass(frozen=True)
class Multiproof:
    """An OpenZeppelin multiproof (``StandardMerkleTree.getMultiProof``): sibling hashes and
    flags; the values go beside it in the order of its ``leaves``."""

    proof: tuple[bytes, ...]
    flags: tuple[bool, ...]


class AssetRegistry(Contract):
    """Common binding; subclasses name the contract and decode their records."""

    kind = ""  # "dataset" | "model"
    noun = ""  # "Dataset" | "Model"
    home = None  # the state directory, set by the session: it remembers superseded deployments

    # -- reads ---------------------------------------------------------------

    def count(self) -> int:
        return self.call(f"{self.kind}Count")

    def exists(self, asset_id: int) -> bool:
        return self.call("exists", asset_id)

    def get(self, asset_id: int) -> AssetRecord:
        if not self.exists(asset_id):
            raise NotRegistered(
                f"{self.kind} {asset_id} does not exist on {self.backend.network} "
                f"(chain {self.backend.chain_id}; {self.count()} {self.kind}s registered)",
                hint=self._superseded_hint(),
            )
        return self._record(asset_id, self.call(f"get{self.noun}", asset_id))

    def superseded(self) -> list[str]:
        """Addresses of this registry that an earlier aiprov deployed on this chain, whose code
        this version no longer ships (upgrading moved the CREATE2 address; see deployments.py)."""
        if self.home is None:
            return []
        from .deployments import Deployments

        genesis = "0x" + self.backend.get_block(0).hash.hex()
        return Deployments(self.home).superseded(self.backend.chain_id, genesis, f"{self.noun}Registry")

    def _superseded_hint(self) -> str | None:
        earlier = ", ".join(self.superseded())
        if not earlier:
            return None
        return (f"an earlier aiprov, whose contracts differ from this version's, registered into {earlier}: "
                f"those registrations are still on the chain, but this version reads only its own "
                f"{self.noun}Registry (see 'Upgrading' in the README)")

    def _record(self, asset_id: int, raw: tuple) -> AssetRecord:  # pragma: no cover - abstract
        raise NotImplementedError

    def _registration(self, ev) -> Registration:  # pragma: no cover - abstract
        raise NotImplementedError

    def registrations(self, root: bytes | None = None, owner: str | None = None) -> list[Registration]:
        """Registration events, earliest first, filtered by root and/or owner."""
        logs = self.logs(
            f"{self.noun}Registered",
            None,
            address_topic(owner) if owner else None,
            bytes(root) if root is not None else None,
        )
        return [self._registration(ev) for ev in logs]

    def registration(self, asset_id: int, block: int | None = None) -> Registration:
        """The registration event of ``asset_id`` (``block``: where a receipt says it is, asked first)."""
        found = []
        if block is not None:
            found = self.logs(f"{self.noun}Registered", uint_topic(asset_id), from_block=block, to_block=block)
        if not found:
            found = self.logs(f"{self.noun}Registered", uint_topic(asset_id))
        if not found:
            raise NotRegistered(f"{self.kind} {asset_id} does not exist on {self.backend.network}",
                                hint=self._superseded_hint())
        return self._registration(found[0])

    def history(self, asset_id: int):
        """Every event about ``asset_id``, oldest first (all our events index the id first)."""
        return self.logs(None, uint_topic(asset_id))

    def status_reason(self, asset_id: int) -> str | None:
        changes = self.logs("StatusChanged", uint_topic(asset_id))
        return changes[-1].args["reason"] if changes else None

    def check_file(
        self, asset_id: int, proof: list[bytes], path: str, size: int, sha256: bytes
    ) -> FileCheck:
        """One call: is the file (path, size, sha256) in ``asset_id`` as registered, and its status."""
        included, status = self.call("checkFile", asset_id, list(proof), path, size, bytes(sha256))
        return FileCheck(included=included, status=STATUSES[status])

    def check_files(
        self, asset_id: int, multiproof: Multiproof, files: list[tuple[str, int, bytes]]
    ) -> FileCheck:
        """:meth:`check_file` for several files with one multiproof; ``files`` are
        (path, size, sha256) in the order of the multiproof's leaves."""
        paths = [f[0] for f in files]
        sizes = [f[1] for f in files]
        digests = [bytes(f[2]) for f in files]
        included, status = self.call(
            "checkFiles", asset_id, list(multiproof.proof), list(multiproof.flags), paths, sizes, digests
        )
        return FileCheck(included=included, status=STATUSES[status])

    # -- writes --------------------------------------------------------------

    def set_status(self, signer: Signer, asset_id: int, status: str, reason: str) -> TxReceipt:
        return self.transact(signer, "setStatus", asset_id, status_code(status), reason)
