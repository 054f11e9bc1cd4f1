"""The audit trail of a dataset or model: one versioned document, three renderings.

:func:`build_audit` reads everything the chain holds about an asset — its
registration, status changes, ownership and managers, versions, lineage, leases,
access attempts, access-log batches, consent revocations and erasures — into one
``aiprov-audit/1`` document (plain JSON, keys documented in ``docs/audit.md``).
:mod:`aiprov.audit.render` turns that document into Markdown or a self-contained
HTML page; nothing is read from the chain while rendering, so the three formats
always say the same thing.
"""

from __future__ import annotations

from .document import FORMAT, document_sha256, seal

__all__ = ["FORMAT", "build_audit", "document_sha256", "seal"]


def build_audit(session, kind: str, asset_id: int, **kwargs) -> dict:
    """The sealed ``aiprov-audit/1`` document of ``kind`` ``asset_id`` (see :mod:`.collect`)."""
    from .collect import collect

    return seal(collect(session, kind, asset_id, **kwargs))
