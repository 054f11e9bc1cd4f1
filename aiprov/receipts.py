"""Receipts: the local record ``register`` writes beside a target (``aiprov-receipt/1``).

A receipt lets anyone re-check a registration without flags: it holds the
manifest (every file's path, size and SHA-256, the ignore rules and symlink
policy), the root, where it was anchored (chain id, contract, id, tx, block)
and the metadata document whose hash is on-chain. It is written atomically;
it never contains keys or salts.

Location: ``<PATH>.aiprov.json`` beside the target, or ``--receipt FILE``; when
the target's folder is read-only, ``$AIPROV_HOME/receipts/<name>-<hash of the
absolute path>.aiprov.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .errors import InvalidReceipt
from .fsutil import atomic_write_text, state_home

FORMAT = "aiprov-receipt/1"
SUFFIX = ".aiprov.json"


def default_receipt_path(target: Path) -> Path:
    target = Path(os.path.abspath(target))
    return target.with_name(target.name + SUFFIX)


def fallback_receipt_path(target: Path, home: Path | None = None) -> Path:
    target = Path(os.path.abspath(target))
    digest = hashlib.sha256(str(target).encode("utf-8")).hexdigest()[:12]
    return (home or state_home()) / "receipts" / f"{target.name}-{digest}{SUFFIX}"


def find_receipt(target: Path, home: Path | None = None) -> Path | None:
    """The receipt for ``target`` beside it or in the state directory, if any."""
    for candidate in (default_receipt_path(target), fallback_receipt_path(target, home)):
        if candidate.is_file():
            return candidate
    return None


def write_receipt(receipt: dict[str, Any], target: Path, explicit: Path | None, home: Path | None = None) -> tuple[Path, bool]:
    """Write ``receipt``; returns (path, fell_back_to_state_dir)."""
    text = json.dumps(receipt, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if explicit is not None:
        atomic_write_text(Path(explicit), text)
        return Path(explicit), False
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
    """Load and sanity-check a receipt; InvalidReceipt (exit 2) when it is not one."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidReceipt(f"receipt {path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidReceipt(f"receipt {path} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidReceipt(f"{path} is not an aiprov receipt (format {FORMAT!r} expected)")
    for key in ("kind", "id", "root", "chain_id", "manifest"):
        if key not in data:
            raise InvalidReceipt(f"receipt {path} has no {key!r}")
    return data
