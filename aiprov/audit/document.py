"""The ``aiprov-audit/1`` document's identity: its format name and its own digest.

The digest (``header.sha256``) is SHA-256 over the canonical JSON of the document
(keys sorted, no spaces, UTF-8 — the same canonical form as metadata documents)
with ``header.sha256`` set to null. Anyone can recompute it from the JSON file:

    python3 -c 'import json,sys,hashlib; d=json.load(open(sys.argv[1])); \\
        d["header"]["sha256"]=None; print(hashlib.sha256(json.dumps(d,sort_keys=True, \\
        separators=(",",":"),ensure_ascii=False).encode()).hexdigest())' audit.json
"""

from __future__ import annotations

import hashlib

FORMAT = "aiprov-audit/1"


def document_sha256(doc: dict) -> str:
    """The digest a sealed document must carry in ``header.sha256``."""
    from ..metadata import canonical_json

    unsealed = {**doc, "header": {**doc["header"], "sha256": None}}
    return hashlib.sha256(canonical_json(unsealed)).hexdigest()


def seal(doc: dict) -> dict:
    """``doc`` with ``header.sha256`` filled in."""
    doc["header"]["sha256"] = document_sha256(doc)
    return doc


def is_sealed(doc: dict) -> bool:
    """Whether ``doc``'s ``header.sha256`` matches its content."""
    try:
        return doc["header"]["sha256"] == document_sha256(doc)
    except (KeyError, TypeError):
        return False
