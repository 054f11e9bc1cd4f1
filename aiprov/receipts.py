"""Receipts: the local record ``register`` writes beside a target (``aiprov-receipt/2``).

A receipt lets anyone re-check a registration without flags: it holds, for
**every version registered from this target** (a later ``register --parent``
never loses an earlier one), the manifest (every file's path, size and
SHA-256, the ignore rules and symlink policy), the root, where it was anchored
(chain id, contract, id, tx, block) and the metadata document whose hash is
on-chain. It is written atomically; it never contains keys or salts.

Format ``aiprov-receipt/2``::

    {"format": "aiprov-receipt/2", "kind": "dataset",
     "id": 2, "root": "0x…", "network": "local", "chain_id": 1337,     # the latest version,
     "contract": "0x…", "tx": "0x…", "block": 9, "owner": "0x…",      # as in /1 (no manifest)
     "parent_id": 1, "metadata_hash": "0x…", "metadata_uri": "",
     "versions": [                                                    # oldest first
        {"id": 1, "root": …, "chain_id": …, "contract": …, "tx": …, "block": …, "owner": …,
         "parent_id": null, "metadata_hash": …, "metadata_uri": …, "metadata": {…},
         "manifest": {aiprov-manifest/1}},
        {"id": 2, …}]}

One version per (chain id, contract, id): registering the same version again
replaces its entry, a new id is appended. ``aiprov-receipt/1`` receipts (one
registration, ``manifest`` and ``metadata`` at the top level) are still read,
as a receipt with one version, and are rewritten as ``/2`` when a version is
added.

Location: ``<PATH>.aiprov.json`` beside the target, or ``--receipt FILE``; when
the target's folder is read-only, ``$AIPROV_HOME/receipts/<name>-<hash of the
absolute path>.aiprov.json``.  A remote target (``s3://bucket/prefix``) has no
folder to write into: its receipt is ``$AIPROV_HOME/receipts/<name>-<hash of
the URL>.aiprov.json`` (or ``--receipt FILE``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .errors import InvalidReceipt
from .fsutil import atomic_write_text, state_home

FORMAT = "aiprov-receipt/2"
#: Receipt formats this version reads.
READABLE = ("aiprov-receipt/1", FORMAT)
SUFFIX = ".aiprov.json"
#: Top-level fields of a version that are not repeated in the summary.
_VERSION_ONLY = ("metadata", "manifest")
#: A receipt holds a whole manifest: a million files is ~200 MB of JSON.
MAX_RECEIPT_BYTES = 1024 * 1024 * 1024


def default_receipt_path(target: Path | str, home: Path | None = None) -> Path:
    """Beside a local target; in the state directory for a URL."""
    if _is_url(target):
        return fallback_receipt_path(target, home)
    target = Path(os.path.abspath(target))
    return target.with_name(target.name + SUFFIX)


def fallback_receipt_path(target: Path | str, home: Path | None = None) -> Path:
    if _is_url(target):
        url = str(target).rstrip("/")  # s3://b/p and s3://b/p/ are one target
        name = url.split("://", 1)[1].rsplit("/", 1)[-1] or "target"
        key = url
    else:
        path = Path(os.path.abspath(target))
        name, key = path.name, str(path)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return (home or state_home()) / "receipts" / f"{name}-{digest}{SUFFIX}"


def _is_url(target: object) -> bool:
    from .manifest.remote import is_url

    return is_url(target)


def find_receipt(target: Path | str, home: Path | None = None) -> Path | None:
    """The receipt for ``target`` beside it or in the state directory, if any."""
    for candidate in (default_receipt_path(target, home), fallback_receipt_path(target, home)):
        if candidate.is_file():
            return candidate
    return None


def check_destination(explicit: str | os.PathLike | None) -> None:
    """``--receipt FILE`` must go into an existing folder and not onto a directory (exit 2 before any work)."""
    from .errors import InvalidPath

    if explicit is None:
        return
    path = Path(explicit)
    if path.is_dir():
        raise InvalidPath(f"--receipt {path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise InvalidPath(f"--receipt {path}: folder {path.parent} does not exist",
                          hint="create it first, or pick a file in an existing folder")


def write_receipt(receipt: dict[str, Any], target: Path | str, explicit: Path | None, home: Path | None = None) -> tuple[Path, bool]:
    """Write ``receipt``; returns (path, fell_back_to_state_dir)."""
    text = json.dumps(receipt, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if explicit is not None:
        check_destination(explicit)
        atomic_write_text(Path(explicit), text)
        return Path(explicit), False
    if _is_url(target):  # its usual place is the state directory: no fallback to report
        path = default_receipt_path(target, home)
        atomic_write_text(path, text)
        return path, False
    path = default_receipt_path(target)
    if os.access(path.parent, os.W_OK):
        try:
            atomic_write_text(path, text)
            return path, False
        except PermissionError:
            pass
    path = fallback_receipt_path(target, home)
    atomic_write_text(path, text)
    return path, True


def read_receipt(path: Path) -> dict[str, Any]:
    """Load and check a receipt (``/1`` or ``/2``), returned in the ``/2`` shape.

    InvalidReceipt (exit 2) when it is not one.
    """
    from .inputfiles import read_input

    path = Path(path)
    if not path.exists():
        raise InvalidReceipt(f"receipt {path} does not exist")
    raw = read_input(path, what="receipt", limit=MAX_RECEIPT_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidReceipt(f"receipt {path} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE:
        raise InvalidReceipt(f"{path} is not an aiprov receipt (format {' or '.join(map(repr, READABLE))} expected)")
    if data["format"] != FORMAT:  # /1: the one registration is the one version
        version = {k: v for k, v in data.items() if k not in ("format", "kind")}
        data = {**{k: v for k, v in data.items() if k not in _VERSION_ONLY}, "format": FORMAT, "versions": [version]}
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions or not all(isinstance(v, dict) for v in versions):
        raise InvalidReceipt(f"receipt {path} has no versions")
    for key in ("kind", "id", "root", "chain_id"):
        if key not in data:
            raise InvalidReceipt(f"receipt {path} has no {key!r}")
    for version in versions:
        for key in ("id", "root", "chain_id", "manifest"):
            if key not in version:
                raise InvalidReceipt(f"receipt {path}: a version has no {key!r}")
    _check_fields(path, data)
    return data


def _check_fields(path: Path, data: dict[str, Any]) -> None:
    """Types and ranges of what verify relies on: a hand-edited receipt is exit 2, never a crash."""
    import re

    def whole(part: dict, key: str, low: int, high: int) -> None:
        value = part[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidReceipt(f"receipt {path}: {key} must be a whole number from {low} to {high}, got {value!r}")

    if data["kind"] not in ("dataset", "model"):
        raise InvalidReceipt(f"receipt {path}: kind must be dataset or model, got {data['kind']!r}")
    for part in (data, *data["versions"]):
        whole(part, "id", 1, 2**48 - 1)
        whole(part, "chain_id", 1, 2**63 - 1)
        if not isinstance(part["root"], str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", part["root"]):
            raise InvalidReceipt(f"receipt {path}: root must be 0x and 64 hex digits, got {part['root']!r}")
        if "manifest" in part and not isinstance(part["manifest"], dict):
            raise InvalidReceipt(f"receipt {path}: manifest must be an object")


def new_receipt(kind: str, version: dict[str, Any], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``/2`` receipt whose latest version is ``version``, keeping ``existing``'s other versions."""
    key = (version.get("chain_id"), str(version.get("contract", "")).lower(), version.get("id"))
    kept = []
    if existing is not None and existing.get("kind") == kind:
        kept = [v for v in existing["versions"]
                if (v.get("chain_id"), str(v.get("contract", "")).lower(), v.get("id")) != key]
    summary = {k: v for k, v in version.items() if k not in _VERSION_ONLY}
    return {"format": FORMAT, "kind": kind, **summary, "versions": kept + [version]}


def pick_version(receipt: dict[str, Any], id: int | None = None, chain_id: int | None = None) -> dict[str, Any] | None:
    """The version with ``id`` (on ``chain_id`` when given; the newest such), or the latest when ``id`` is None."""
    versions = receipt["versions"]
    if id is None:
        return versions[-1]
    matches = [v for v in versions if v.get("id") == id and (chain_id is None or v.get("chain_id") == chain_id)]
    return matches[-1] if matches else None
