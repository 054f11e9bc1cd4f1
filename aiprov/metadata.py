"""The metadata document of a registration (``aiprov-metadata/1``) and its on-chain hash.

Only ``keccak256`` of the document goes on-chain; the document itself lives in
the receipt (and wherever ``--metadata-uri`` points). The hash is taken over
canonical JSON — keys sorted, no spaces, UTF-8 — so anyone can recompute it.
Nothing time-dependent goes in: the block time is the registration time. This machine
keeps every document it registers or reads in a store content-addressed by that hash
(``$AIPROV_HOME/metadata``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = "aiprov-metadata/1"


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def metadata_hash(doc: dict) -> str:
    from .manifest.keccak import keccak256

    return "0x" + keccak256(canonical_json(doc)).hex()


def metadata_document(kind: str, manifest, **fields: Any) -> dict:
    """The metadata document of a ``kind`` registration; empty ``fields`` are left out."""
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": kind,
        "files": manifest.file_count,
        "size": manifest.total_size,
        "manifest": {
            "format": manifest.format,
            "kind": manifest.kind,
            "ignore": list(manifest.ignore),
            "symlinks": manifest.symlinks,
        },
    }
    doc.update({key: value for key, value in fields.items() if value})
    return doc


def dataset_metadata(manifest, *, name=None, description=None, license=None, source=None) -> dict:
    return metadata_document("dataset", manifest, name=name, description=description, license=license, source=source)


def model_metadata(manifest, *, name=None, description=None, license=None, training=None) -> dict:
    """``training`` is :func:`aiprov.training.training_metadata`'s output."""
    return metadata_document("model", manifest, name=name, description=description, license=license, training=training)


def receipt_metadata(receipt) -> dict:
    """{metadata hash: document} of every version a receipt file holds.

    Callers use a document only where it hashes to the on-chain value, so a
    receipt can tell nothing the chain does not confirm.
    """
    from pathlib import Path

    from .receipts import read_receipt

    rec = read_receipt(Path(receipt))
    docs = {}
    for version in rec["versions"]:
        if version.get("metadata_hash") and isinstance(version.get("metadata"), dict):
            docs[version["metadata_hash"]] = version["metadata"]
    return docs


def records_metadata(records, *, name=None, description=None, license=None, source=None) -> dict:
    """A records-mode dataset (``records`` is a :class:`aiprov.records.manifest.RecordsManifest`).

    It names the records format and leaf encoding, the number of records and
    the CSV header's sha256 (the header is not a record); never a record, a
    salt, or the file's own digest (which would link an erased record to it).
    """
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "dataset",
        "files": 1,
        "size": records.total_size,
        "manifest": {"format": records.format, "kind": "records"},
        "records": {
            "format": records.file.format,
            "count": records.record_count,
            "leafEncoding": ["uint256", "bytes32"],
            "commitment": "sha256(salt || record bytes)",
            **({"header_sha256": records.file.header_sha256} if records.file.header_sha256 else {}),
        },
    }
    doc.update({key: value for key, value in dict(name=name, description=description, license=license,
                                                   source=source).items() if value})
    return doc


# ---------------------------------------------------------------- the local store


def metadata_store(home: Path) -> Path:
    """The folder of this machine's metadata documents, one file per hash."""
    return Path(home) / "metadata"


def save_metadata(home: Path, doc: dict, doc_hash: str) -> None:
    """Keep the metadata document, content-addressed by its on-chain hash."""
    from .fsutil import atomic_write_text

    path = metadata_store(home) / f"{doc_hash}.json"
    if not path.exists():
        atomic_write_text(path, canonical_json(doc).decode("utf-8") + "\n")


def load_metadata(home: Path, doc_hash: str) -> dict | None:
    """The metadata document whose keccak256 is ``doc_hash``, if this machine has it."""
    path = metadata_store(home) / f"{doc_hash}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if metadata_hash(doc) == doc_hash else None
