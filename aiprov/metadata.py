"""The metadata document of a registration (``aiprov-metadata/1``) and its on-chain hash.

Only ``keccak256`` of the document goes on-chain; the document itself lives in
the receipt (and wherever ``--metadata-uri`` points). The hash is taken over
canonical JSON — keys sorted, no spaces, UTF-8 — so anyone can recompute it.
Nothing time-dependent goes in: the block time is the registration time.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA = "aiprov-metadata/1"


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def metadata_hash(doc: dict) -> str:
    from Crypto.Hash import keccak

    return "0x" + keccak.new(digest_bits=256, data=canonical_json(doc)).hexdigest()


def dataset_metadata(manifest, *, name=None, description=None, license=None, source=None) -> dict:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": "dataset",
        "files": manifest.file_count,
        "size": manifest.total_size,
        "manifest": {
            "format": manifest.format,
            "kind": manifest.kind,
            "ignore": list(manifest.ignore),
            "symlinks": manifest.symlinks,
        },
    }
    for key, value in (("name", name), ("description", description), ("license", license), ("source", source)):
        if value:
            doc[key] = value
    return doc
