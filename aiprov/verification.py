"""Verifying content against the chain: hash PATH as it was registered, compare, explain.

A receipt (beside PATH, or ``--receipt``) names the id and carries the registered
manifest, so a mismatch lists added / removed / modified / renamed files; without one,
any registration of the root counts. A model also fails when anything upstream in its
lineage is revoked, and (``strict_consent``) when upstream records lost their consent.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InvalidReceipt, NotRegistered
from .results import VerifyResult


def verify(open_session, home: Path, kind: str, path, *, wanted_id: int | None = None, receipt=None,
           progress=None, cached: bool = False, strict_consent: bool = False, engine: str = "local",
           scheduler: str | None = None) -> VerifyResult:
    """Hash ``path`` with the rules it was registered with and check it on the chain.

    ``open_session(hints=…)`` opens the :class:`aiprov.session.Session` (after hashing, so
    the local chain's lock is not held meanwhile); ``hints`` name the contracts a receipt names.
    """
    from .manifest import build_manifest
    from .registration import target_of

    target = target_of(path)
    local = isinstance(target, Path)
    if kind == "dataset" and local:
        from .records.consent import records_receipt, verify_records

        found = records_receipt(target, receipt, home, wanted_id)
        if found is not None:
            with open_session(hints=receipt_hints("dataset", found[1])) as s:
                return verify_records(s, target, *found, wanted_id=wanted_id)
    receipt_path, rec, expected = load_expected(kind, target, receipt, home, wanted_id)
    rules = dict(ignore=list(expected.ignore) if expected else None,
                 follow_dir_symlinks=bool(expected and expected.symlinks == "all"))
    if cached and local:  # files unchanged since last hashed (stat cache) are not read again
        from .manifest.statcache import cached_manifest

        actual = cached_manifest(target, home, **rules)
    else:
        actual = build_manifest(target, progress=progress, engine=engine, scheduler=scheduler, **rules)
    problems = ignored_problems(target, actual, rec) if local else []
    with open_session(hints=receipt_hints(kind, rec)) as s:
        result = compare(s, kind, actual, wanted_id=wanted_id, receipt_path=receipt_path, rec=rec,
                         expected=expected, problems=problems)
        if kind == "model" and result.id is not None and result.status != "not-registered":
            from .records.consent import apply_consent

            result = apply_consent(s, result, strict=strict_consent)
        return result


def load_expected(kind: str, path: Path | str, receipt, home: Path, wanted_id: int | None = None):
    """(receipt path, the version to compare with, its manifest) for ``path`` — all None without a receipt.

    The version is the one registered as ``wanted_id`` when the receipt has it,
    else the latest. The version dict has the receipt's ``kind`` too.
    """
    from .manifest import Manifest
    from .receipts import find_receipt, pick_version, read_receipt

    receipt_path = Path(receipt) if receipt else find_receipt(path, home)
    if receipt_path is None:
        return None, None, None
    rec = read_receipt(receipt_path)
    if rec["kind"] != kind:
        raise InvalidReceipt(f"{receipt_path} is a {rec['kind']} receipt, not a {kind} receipt")
    version = (pick_version(rec, wanted_id) if wanted_id is not None else None) or pick_version(rec)
    try:
        manifest = Manifest.from_dict(version["manifest"])
    except InvalidReceipt as exc:
        raise InvalidReceipt(f"receipt {receipt_path}: {exc.message}") from None
    return receipt_path, {**version, "kind": kind}, manifest


def receipt_hints(kind: str, rec: dict | None) -> dict | None:
    """Session hints from a receipt version: the registry it names, on its chain."""
    from .contracts.discovery import parse_hex_address

    if rec is None or parse_hex_address(rec.get("contract") or "") is None:
        return None
    name = "DatasetRegistry" if kind == "dataset" else "ModelRegistry"
    return {"chain_id": rec.get("chain_id"), name: parse_hex_address(rec["contract"])}


def ignored_problems(target: Path, actual, rec: dict | None) -> list[str]:
    """What the ignore rules left out now that was not there at registration (a ``.pyc`` is code)."""
    from .manifest.walk import find_ignored

    now = find_ignored(os.fspath(target), actual.ignore)
    then = set(rec.get("ignored") or []) if rec and isinstance(rec.get("ignored"), list) else None
    new = [p for p in now if then is None or p not in then]
    if not new:
        return []
    shown = ", ".join(new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    when = "not there at registration" if then is not None else "not checked (the receipt predates this record)"
    return [f"ignored, not verified and {when}: {shown}"]


def compare(
    session,
    kind: str,
    actual,
    *,
    wanted_id: int | None,
    receipt_path,
    rec: dict | None,
    expected,
    problems: list[str],
) -> VerifyResult:
    """Compare a freshly built manifest (``actual``) with the chain.

    A model must also have nothing revoked upstream in its lineage (a dataset it was
    trained on, a base model).
    """
    from .lineage import upstream_revocations
    from .manifest import Changes, diff_manifests

    extra_check = (lambda record: upstream_revocations(session, record.id)) if kind == "model" else None
    backend = session.backend
    registry = session.registry(kind)
    problems.extend(w for w in session.warnings if w not in problems)
    if wanted_id is None and rec is not None:
        if rec["chain_id"] == backend.chain_id:
            wanted_id = int(rec["id"])
        else:
            problems.append(
                f"receipt {receipt_path} is for chain {rec['chain_id']}, not {backend.chain_id}; "
                "looking the root up instead"
            )
    common = dict(
        kind=kind, root=actual.root, chain_id=backend.chain_id, network=backend.network,
        receipt=receipt_path, files=actual.file_count, size=actual.total_size, problems=problems,
    )
    no_changes = Changes()
    if wanted_id is None:
        records = [registry.get(r.id) for r in registry.registrations(root=bytes.fromhex(actual.root[2:]))]
        candidates = [r for r in records if r.status != "revoked"]
        for record in candidates:
            blockers = extra_check(record) if extra_check else []
            if not blockers:
                return VerifyResult(
                    verified=True, expected_root=record.root, id=record.id, status=record.status,
                    reason=f"root is registered as {kind} {record.id} ({record.status}) by {record.owner}",
                    changes=no_changes, owner=record.owner, **common,
                )
        if records:
            first = (candidates or records)[0]
            why = (extra_check(first) if candidates and extra_check else []) or [f"{kind} {first.id} with this root was revoked"]
            return VerifyResult(
                verified=False, expected_root=first.root, id=first.id, status=first.status,
                reason="; ".join(why), changes=None, owner=first.owner, **common,
            )
        return VerifyResult(
            verified=False, expected_root=None, id=None, status="not-registered",
            reason=f"this content is not registered on {backend.network} "
            "(no receipt found; pass --id or --receipt to compare)",
            changes=None, **common,
        )
    try:
        record = registry.get(wanted_id)
    except NotRegistered as exc:
        return VerifyResult(verified=False, expected_root=None, id=wanted_id, status="not-registered",
                            reason=str(exc), changes=None, **common)
    same = record.root == actual.root
    changes = None
    if same:
        changes = no_changes
    elif expected is not None and expected.root == record.root:
        changes = diff_manifests(expected, actual)
    elif expected is not None:
        problems.append(
            f"the receipt's manifest (root {expected.root}) is not {kind} {wanted_id}'s; "
            "cannot list the changed files"
        )
    blockers = extra_check(record) if (extra_check and same) else []
    if same and backend.confirmations > 1:
        hint = rec.get("block") if rec is not None and rec.get("id") == wanted_id else None
        depth = backend.block_number() - registry.registration(wanted_id, block=hint).block + 1
        if depth < backend.confirmations:
            blockers.append(f"{kind} {wanted_id}'s registration has {depth} of {backend.confirmations} "
                            "confirmations; wait a few blocks and verify again")
    if not same:
        reason = f"content differs from {kind} {wanted_id}"
        if changes is not None:
            reason += f": {changes.count} file(s) changed"
    elif record.status == "revoked":
        reason = f"{kind} {wanted_id} was revoked by its owner"
        if session.registry(kind).status_reason(wanted_id):
            reason += f" ({session.registry(kind).status_reason(wanted_id)})"
    elif blockers:
        reason = "; ".join(blockers)
    else:
        reason = f"content matches {kind} {wanted_id} ({record.status})"
    return VerifyResult(
        verified=same and record.status != "revoked" and not blockers, expected_root=record.root,
        id=wanted_id, status=record.status, reason=reason, changes=changes, owner=record.owner, **common,
    )
