"""Manifests kept in the state directory, by root: what ``diff`` compares when no receipt is given.

``$AIPROV_HOME/manifests/<root>.json`` holds the ``aiprov-manifest/1`` document
of every root this machine registered. A manifest authenticates itself: its
root is recomputed from its entries when it is read, and compared with the
on-chain root by the caller, so a stale or edited file can never pass.
"""

from __future__ import annotations

import json
from pathlib import Path


def manifest_path(home: Path, root: str) -> Path:
    return Path(home) / "manifests" / f"{root.lower()}.json"


def save_manifest(home: Path, manifest) -> None:
    """Keep ``manifest`` under its root (best effort: a read-only state directory is fine)."""
    from .fsutil import atomic_write_text

    path = manifest_path(home, manifest.root)
    if path.exists():
        return
    try:
        atomic_write_text(path, json.dumps(manifest.to_dict(), separators=(",", ":")) + "\n")
    except OSError:
        pass


def load_manifest(home: Path, root: str):
    """The manifest whose root is ``root``, if this machine has it (checked), else None."""
    from .errors import InvalidReceipt
    from .manifest import Manifest

    try:
        manifest = Manifest.from_dict(json.loads(manifest_path(home, root).read_text(encoding="utf-8")))
    except (OSError, ValueError, InvalidReceipt):
        return None
    return manifest if manifest.root == root.lower() else None
