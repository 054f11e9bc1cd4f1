"""What changed: a folder against its receipt (``status``), and two registered versions (``diff``).

``status`` needs no chain and no state: the receipt beside the target holds
the latest version's manifest, and the stat cache (:mod:`aiprov.manifest.statcache`)
lets it skip files that did not change since they were last hashed.
``diff`` reads the two ids' roots from the chain and compares their manifests,
found in the receipts given, the receipt beside the current directory's
targets, or this machine's manifest store — each checked against its on-chain
root, so a manifest that is not that version's is never used.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InvalidArgument, InvalidPath, InvalidReceipt
from .results import DiffResult, StatusReport


def status(path, receipt, home: Path, *, engine: str = "local", scheduler: str | None = None,
           progress=None) -> StatusReport:
    from .manifest import Changes, Manifest, diff_manifests
    from .manifest.statcache import scan
    from .receipts import find_receipt, pick_version, read_receipt
    from .registration import target_of

    target = target_of(path)
    receipt_path = Path(receipt) if receipt else find_receipt(target, home)
    if receipt_path is None:
        if isinstance(target, Path) and not os.path.lexists(target):
            raise InvalidPath(f"no such file or directory: {target}")
        raise InvalidArgument(
            f"{target} has no receipt ({target}.aiprov.json): nothing to compare with" if isinstance(target, Path)
            else f"{target} has no receipt in the state directory: nothing to compare with",
            hint=f"register it first: aiprov register dataset {target}",
        )
    rec = read_receipt(receipt_path)
    version = pick_version(rec)
    try:
        expected = Manifest.from_dict(version["manifest"])
    except InvalidReceipt as exc:
        raise InvalidReceipt(f"receipt {receipt_path}: {exc.message}") from None
    if isinstance(target, Path) and engine == "local":
        entries, read = scan(target, home, ignore=expected.ignore, follow_dir_symlinks=expected.symlinks == "all")
    else:  # a URL has no stat cache (every object is read), or hashing goes to a Dask cluster
        entries = _hash_all(target, expected, engine, scheduler, progress)
        read = len(entries)
    if tuple(entries) == expected.entries:
        actual, changes = expected, Changes()
    elif not entries:  # everything is gone: there is no manifest (nor root) of nothing
        actual, changes = None, Changes(removed=list(expected.entries))
    else:
        kind = expected.kind if not isinstance(target, Path) else "directory" if os.path.isdir(target) else "file"
        actual = Manifest(entries, kind=kind, ignore=expected.ignore, symlinks=expected.symlinks)
        changes = diff_manifests(expected, actual)
    return StatusReport(
        kind=rec["kind"], path=str(target), id=version["id"], chain_id=version["chain_id"],
        root=actual.root if actual else None, expected_root=expected.root,
        status="clean" if changes.ok else "changed", changes=changes, receipt=receipt_path,
        files=len(entries), files_read=read,
    )


def _hash_all(target, expected, engine, scheduler, progress) -> list:
    """Every entry of ``target`` read afresh; ``[]`` when nothing is left of it."""
    from .manifest import build_manifest

    try:
        return list(build_manifest(target, ignore=expected.ignore, follow_dir_symlinks=expected.symlinks == "all",
                                   engine=engine, scheduler=scheduler, progress=progress).entries)
    except InvalidPath as exc:
        if exc.message.startswith(("nothing to hash in", "no such object or prefix")):
            return []  # every file (object) is gone
        raise


def diff(session, kind: str, first: int, second: int, receipts, home: Path) -> DiffResult:
    registry = session.registry(kind)
    records = [registry.get(first), registry.get(second)]
    manifests = [find_manifest(r.root, receipts, home) for r in records]
    for record, manifest in zip(records, manifests):
        if manifest is None:
            raise InvalidArgument(
                f"the manifest of {kind} {record.id} (root {record.root}) is not on this machine",
                hint="pass --receipt FILE with a receipt that holds that version (the registering "
                "machine's PATH.aiprov.json)",
            )
    from .manifest import diff_manifests

    changes = diff_manifests(manifests[0], manifests[1])
    return DiffResult(
        kind=kind, from_id=first, id=second, from_root=records[0].root, root=records[1].root,
        status="same" if changes.ok else "changed", changes=changes,
        chain_id=session.backend.chain_id, network=session.backend.network,
    )


def find_manifest(root: str, receipts, home: Path):
    """A manifest whose (recomputed) root is ``root``: from ``receipts``, else the manifest store."""
    from .manifest import Manifest
    from .manifest_store import load_manifest
    from .receipts import read_receipt

    for path in receipts or ():
        rec = read_receipt(Path(path))
        for version in rec["versions"]:
            if str(version.get("root", "")).lower() == root.lower():
                try:
                    manifest = Manifest.from_dict(version["manifest"])
                except InvalidReceipt:
                    continue
                if manifest.root == root.lower():
                    return manifest
    return load_manifest(home, root)
