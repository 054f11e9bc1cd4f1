"""Standard exports of a model's provenance: in-toto / SLSA provenance v1 and CycloneDX 1.6.

Both are built from :class:`ModelFacts` — what the chain says about a model and
its lineage, plus the model's file manifest (from its files or its receipt,
checked against the on-chain root) — so they always agree with ``aiprov
verify`` and ``aiprov audit``. See :mod:`.slsa` and :mod:`.cyclonedx`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..errors import ContentMismatch

#: The export formats: in-toto / SLSA provenance v1, CycloneDX 1.6 ML-BOM.
FORMATS = ("slsa", "cyclonedx")


def model_signing_digest(entries) -> str:
    """OpenSSF model-signing's whole-model digest for these file entries (hex).

    model-signing (v1, ``files`` serialization, SHA-256) hashes every file with
    plain SHA-256 — the digests our manifest already holds — and names the model
    by SHA-256 over the raw file digests in path order (paths compared as POSIX
    path parts). Computing it from the manifest lets an aiprov anchor and a
    model-signing signature be cross-linked without re-reading the weights.
    """
    h = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: PurePosixPath(e.path)):
        h.update(bytes.fromhex(entry.sha256))
    return h.hexdigest()


@dataclass
class Reference:
    """A dataset or base model the model was built from, as anchored on-chain."""

    kind: str  # dataset | model
    id: int
    root: str  # the root committed in the model's registration (datasets) or the model's root
    status: str
    registry: str
    name: str | None = None
    license: str | None = None
    source: str | None = None
    tx: str | None = None
    block: int | None = None


@dataclass
class ModelFacts:
    id: int
    root: str
    owner: str
    status: str
    chain_id: int
    network: str
    registry: str
    tx: str
    block: int
    registered_at: int
    manifest: object  # aiprov.manifest.Manifest of the model's files
    metadata: dict | None
    references: list[Reference] = field(default_factory=list)

    @property
    def name(self) -> str:
        return (self.metadata or {}).get("name") or f"model-{self.id}"

    def uri(self, kind: str, registry: str, asset_id: int) -> str:
        return f"aiprov://{self.chain_id}/{registry}/{asset_id}"


def model_facts(session, model_id: int, manifest, metadata_docs: dict | None = None) -> ModelFacts:
    """Everything the exports say, read from the chain; ``manifest`` must match the on-chain root."""
    from ..metadata import load_metadata
    from ..metadata import metadata_hash

    given = {h: d for h, d in (metadata_docs or {}).items() if metadata_hash(d) == h}

    def metadata(doc_hash: str):
        return given.get(doc_hash) or load_metadata(session.home, doc_hash)

    models, datasets = session.models, session.datasets
    record = models.get(model_id)  # NotRegistered: exit 1
    if manifest.root != record.root:
        raise ContentMismatch(
            f"the files given have root {manifest.root}, but model {model_id}'s on-chain root is {record.root}",
            hint="pass the model's own folder or its receipt",
        )
    reg = models.registration(model_id)
    refs = []
    for dataset_id, root in zip(reg.dataset_ids, reg.dataset_roots):
        d_reg = datasets.registration(dataset_id)
        doc = metadata(d_reg.metadata_hash) or {}
        refs.append(Reference(kind="dataset", id=dataset_id, root=root, status=datasets.get(dataset_id).status,
                              registry=datasets.checksum_address, name=doc.get("name"), license=doc.get("license"),
                              source=doc.get("source"), tx=d_reg.tx, block=d_reg.block))
    for parent in reg.parent_model_ids:
        p_reg = models.registration(parent)
        doc = metadata(p_reg.metadata_hash) or {}
        refs.append(Reference(kind="model", id=parent, root=p_reg.root, status=models.get(parent).status,
                              registry=models.checksum_address, name=doc.get("name"), license=doc.get("license"),
                              tx=p_reg.tx, block=p_reg.block))
    return ModelFacts(
        id=model_id, root=record.root, owner=record.owner, status=record.status,
        chain_id=session.backend.chain_id, network=session.backend.network, registry=models.checksum_address,
        tx=reg.tx, block=reg.block, registered_at=record.registered_at, manifest=manifest,
        metadata=metadata(reg.metadata_hash), references=refs,
    )


def model_manifest(model_id: int, path, receipt, home, progress=None):
    """(manifest of the model's files, metadata documents known from its receipt).

    From ``path`` (hashed now) or, without it, from ``receipt``; the receipt
    beside ``path`` (or in the state directory) supplies metadata documents.
    """
    from pathlib import Path

    from ..errors import InvalidArgument, InvalidReceipt
    from ..manifest import Manifest, build_manifest
    from ..metadata import receipt_metadata
    from ..receipts import find_receipt, pick_version, read_receipt

    if path is None and receipt is None:
        raise InvalidArgument(
            "an export lists the model's files: give the model's folder or its receipt",
            hint=f"aiprov export slsa model {model_id} ./model   (or --receipt ./model.aiprov.json)",
        )
    found = Path(receipt) if receipt else find_receipt(Path(path), home)
    docs = receipt_metadata(found) if found is not None else {}
    if path is not None:
        return build_manifest(Path(path), progress=progress), docs
    rec = read_receipt(found)
    version = pick_version(rec, model_id) if rec["kind"] == "model" else None
    if version is None:
        raise InvalidReceipt(f"receipt {found} holds no version of model {model_id}")
    return Manifest.from_dict(version["manifest"]), docs


def document(fmt: str, facts: ModelFacts) -> dict:
    """The ``fmt`` export (one of :data:`FORMATS`) of a model's facts."""
    if fmt == "slsa":
        from .slsa import statement

        return statement(facts)
    from .cyclonedx import bom

    return bom(facts)
