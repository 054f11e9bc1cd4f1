"""The aiprov library API. Every CLI command is one method here.

    from aiprov import Client

    with Client() as aiprov:                       # network "local", account dev:0
        reg = aiprov.register_dataset("./data", name="reviews-v2")
        assert aiprov.verify_dataset("./data", id=reg.id).verified

Methods return typed results (:mod:`aiprov.results`) and raise
:class:`aiprov.errors.AiprovError` subclasses, which the CLI maps to exit codes.
Chain connections are opened per call and closed at its end, so a long-lived
``Client`` (a notebook, a training script) never holds the local chain's lock
between calls.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from .errors import InvalidArgument, InvalidReceipt
from .fsutil import state_home
from .results import (
    AccountInfo,
    DatasetInfo,
    HistoryEvent,
    HistoryResult,
    RegisterResult,
    StatusResult,
    VerifyResult,
)

REGISTRY = "DatasetRegistry"


def _parse_id(value, what: str = "id") -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{what} must be a positive integer, got {value!r}") from None
    if n <= 0 or n >= 2**48:
        raise InvalidArgument(f"{what} must be a positive integer below 2**48, got {value!r}")
    return n


class Client:
    """Entry point of the library: one network, one account, one state directory."""

    def __init__(
        self,
        network: str | None = None,
        *,
        rpc_url: str | None = None,
        account: str | None = None,
        home: str | os.PathLike | None = None,
    ) -> None:
        self.network = network or os.environ.get("AIPROV_NETWORK") or "local"
        self.rpc_url = rpc_url or os.environ.get("AIPROV_RPC_URL") or None
        self.account = account or os.environ.get("AIPROV_ACCOUNT") or None
        self.home = Path(home).expanduser() if home else state_home()
        if self.account is not None:
            from .chain.accounts import parse_account_spec

            self.account = parse_account_spec(self.account)
        self._backend = None
        self._depth = 0

    # -- sessions ----------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    @contextlib.contextmanager
    def _session(self) -> Iterator:
        """The backend for the duration of one public call (re-entrant)."""
        from .chain.networks import open_backend

        if self._backend is None:
            self._backend = open_backend(self.network, self.home, rpc_url=self.rpc_url)
        self._depth += 1
        try:
            yield self._backend
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.close()

    def _signer(self, backend):
        from .chain.accounts import resolve_signer

        return resolve_signer(self.account, dev_network=backend.dev is not None)

    def _registry(self, backend):
        from .chain.accounts import dev_signer
        from .contracts.dataset_registry import DatasetRegistry
        from .contracts.deployments import require_contract

        deployer = dev_signer(0) if backend.network == "local" else None
        return DatasetRegistry(backend, require_contract(backend, self.home, REGISTRY, deployer=deployer))

    # -- content -----------------------------------------------------------------

    def hash(self, path, *, progress=None, follow_dir_symlinks: bool = False, ignore=None):
        """The manifest (entries + Merkle root) of ``path``. Needs no chain."""
        from .manifest import build_manifest

        return build_manifest(
            Path(path), follow_dir_symlinks=follow_dir_symlinks, ignore=ignore, progress=progress
        )

    # -- datasets ----------------------------------------------------------------

    def register_dataset(
        self,
        path,
        *,
        name: str | None = None,
        description: str | None = None,
        license: str | None = None,
        source: str | None = None,
        parent: int | None = None,
        metadata_uri: str = "",
        receipt: str | os.PathLike | None = None,
        follow_dir_symlinks: bool = False,
        progress=None,
    ) -> RegisterResult:
        """Hash ``path``, anchor its root in DatasetRegistry, write a receipt.

        Idempotent: if this account already registered the same root, nothing is
        sent and the existing id is returned with ``already_registered=True``.
        """
        from .metadata import dataset_metadata, metadata_hash

        parent_id = _parse_id(parent, "--parent") if parent is not None else 0
        manifest = self.hash(path, progress=progress, follow_dir_symlinks=follow_dir_symlinks)
        doc = dataset_metadata(manifest, name=name, description=description, license=license, source=source)
        doc_hash = metadata_hash(doc)
        root = bytes.fromhex(manifest.root[2:])
        with self._session() as backend:
            signer = self._signer(backend)
            registry = self._registry(backend)
            existing = [
                r for r in registry.registrations(root=root, owner=signer.address)
                if registry.get(r.id).owner == signer.address
            ]
            if existing:
                reg = existing[0]
                record = registry.get(reg.id)
                return self._finish_registration(
                    path, receipt, manifest, backend, registry, reg.id, reg.tx, reg.block,
                    signer.address, record.status, reg.metadata_hash, reg.metadata_uri,
                    doc if reg.metadata_hash == doc_hash else None, reg.parent_id,
                    already=True, gas_used=None,
                )
            if parent_id:
                registry.get(parent_id)  # NotRegistered (exit 1) with a clear message
            dataset_id, tx = registry.register(
                signer, root, bytes.fromhex(doc_hash[2:]), metadata_uri, parent_id
            )
            return self._finish_registration(
                path, receipt, manifest, backend, registry, dataset_id,
                "0x" + tx.tx_hash.hex(), tx.block_number, signer.address, "active",
                doc_hash, metadata_uri, doc, parent_id or None, already=False, gas_used=tx.gas_used,
            )

    def _finish_registration(
        self, path, receipt_arg, manifest, backend, registry, dataset_id, tx, block, owner,
        status, doc_hash, uri, doc, parent_id, *, already: bool, gas_used,
    ) -> RegisterResult:
        from .receipts import FORMAT, default_receipt_path, find_receipt, read_receipt, write_receipt

        receipt_doc = {
            "format": FORMAT,
            "kind": "dataset",
            "id": dataset_id,
            "root": manifest.root,
            "network": backend.network,
            "chain_id": backend.chain_id,
            "contract": registry.checksum_address,
            "tx": tx,
            "block": block,
            "owner": owner,
            "parent_id": parent_id,
            "metadata_hash": doc_hash,
            "metadata_uri": uri,
            "metadata": doc,
            "manifest": manifest.to_dict(),
        }
        target = Path(path)
        existing_path = Path(receipt_arg) if receipt_arg else find_receipt(target, self.home)
        written, fallback = None, False
        keep = False
        if already and existing_path is not None and existing_path.is_file():
            try:
                old = read_receipt(existing_path)
                keep = (old["id"], old["chain_id"], old["root"]) == (dataset_id, backend.chain_id, manifest.root)
            except InvalidReceipt:
                keep = False
        if keep:
            written = existing_path
            fallback = written != default_receipt_path(target) and not receipt_arg
        else:
            written, fallback = write_receipt(
                receipt_doc, target, Path(receipt_arg) if receipt_arg else None, self.home
            )
        return RegisterResult(
            kind="dataset",
            id=dataset_id,
            root=manifest.root,
            tx=tx,
            block=block,
            chain_id=backend.chain_id,
            network=backend.network,
            contract=registry.checksum_address,
            owner=owner,
            already_registered=already,
            status=status,
            files=manifest.file_count,
            size=manifest.total_size,
            receipt=written,
            receipt_in_state_dir=fallback,
            gas_used=gas_used,
        )

    def verify_dataset(
        self,
        path,
        *,
        id: int | None = None,
        receipt: str | os.PathLike | None = None,
        progress=None,
    ) -> VerifyResult:
        """Check that the bytes at ``path`` are what was registered and not revoked.

        With ``id``: that dataset's on-chain root must equal the computed root.
        Without: the receipt beside ``path`` names the id; with no receipt, any
        registration of the root counts (earliest non-revoked first). On a
        mismatch, ``changes`` lists added/removed/modified files when a manifest
        of the registered content is at hand (the receipt).
        """
        from .manifest import Changes, Manifest, build_manifest, diff_manifests
        from .receipts import find_receipt, read_receipt

        wanted_id = _parse_id(id, "--id") if id is not None else None
        target = Path(path)
        receipt_path = Path(receipt) if receipt else find_receipt(target, self.home)
        rec = read_receipt(receipt_path) if receipt_path else None
        if rec is not None and rec["kind"] != "dataset":
            raise InvalidReceipt(f"{receipt_path} is a {rec['kind']} receipt, not a dataset receipt")
        expected = Manifest.from_dict(rec["manifest"]) if rec else None
        actual = build_manifest(
            target,
            ignore=list(expected.ignore) if expected else None,
            follow_dir_symlinks=bool(expected and expected.symlinks == "all"),
            progress=progress,
        )
        problems: list[str] = []
        with self._session() as backend:
            registry = self._registry(backend)
            if wanted_id is None and rec is not None:
                if rec["chain_id"] == backend.chain_id:
                    wanted_id = int(rec["id"])
                else:
                    problems.append(
                        f"receipt {receipt_path} is for chain {rec['chain_id']}, not {backend.chain_id}; "
                        "looking the root up instead"
                    )
            common = dict(
                kind="dataset", root=actual.root, chain_id=backend.chain_id, network=backend.network,
                receipt=receipt_path, files=actual.file_count, size=actual.total_size, problems=problems,
            )
            if wanted_id is None:
                regs = registry.registrations(root=bytes.fromhex(actual.root[2:]))
                records = [registry.get(r.id) for r in regs]
                live = [r for r in records if r.status != "revoked"]
                if live:
                    rec0 = live[0]
                    return VerifyResult(
                        verified=True, expected_root=rec0.root, id=rec0.id, status=rec0.status,
                        reason=f"root is registered as dataset {rec0.id} ({rec0.status})",
                        changes=Changes([], [], []), **common,
                    )
                if records:
                    return VerifyResult(
                        verified=False, expected_root=records[0].root, id=records[0].id,
                        status="revoked", reason=f"dataset {records[0].id} with this root was revoked",
                        changes=None, **common,
                    )
                return VerifyResult(
                    verified=False, expected_root=None, id=None, status="not-registered",
                    reason="this content is not registered on "
                    f"{backend.network} (no receipt found; pass --id or --receipt to compare)",
                    changes=None, **common,
                )
            from .errors import NotRegistered

            try:
                record = registry.get(wanted_id)
            except NotRegistered as exc:
                return VerifyResult(
                    verified=False, expected_root=None, id=wanted_id, status="not-registered",
                    reason=str(exc), changes=None, **common,
                )
            same = record.root == actual.root
            changes = None
            if same:
                changes = Changes([], [], [])
            elif expected is not None and expected.root == record.root:
                changes = diff_manifests(expected, actual)
            elif expected is not None:
                problems.append(
                    f"the receipt's manifest (root {expected.root}) is not dataset {wanted_id}'s; "
                    "cannot list the changed files"
                )
            if not same:
                reason = f"content differs from dataset {wanted_id}"
                if changes is not None:
                    n = len(changes.added) + len(changes.removed) + len(changes.modified)
                    reason += f": {n} file(s) changed"
            elif record.status == "revoked":
                reason = f"dataset {wanted_id} was revoked by its owner"
            else:
                reason = f"content matches dataset {wanted_id} ({record.status})"
            return VerifyResult(
                verified=same and record.status != "revoked", expected_root=record.root,
                id=wanted_id, status=record.status, reason=reason, changes=changes, **common,
            )

    def show_dataset(self, id: int) -> DatasetInfo:
        """Everything the chain holds about one dataset id."""
        dataset_id = _parse_id(id)
        with self._session() as backend:
            registry = self._registry(backend)
            return self._dataset_info(backend, registry, dataset_id)

    def _dataset_info(self, backend, registry, dataset_id: int) -> DatasetInfo:
        record = registry.get(dataset_id)
        reg = registry.registration(dataset_id)
        reason = None
        if record.status != "active":
            changes = registry.logs("DatasetStatusChanged", _uint_topic(dataset_id))
            if changes:
                reason = changes[-1].args["reason"]
        return DatasetInfo(
            id=dataset_id, root=record.root, owner=record.owner, status=record.status,
            parent_id=record.parent_id, registered_at=record.registered_at,
            registered_by=reg.owner, metadata_hash=reg.metadata_hash,
            metadata_uri=reg.metadata_uri, tx=reg.tx, block=reg.block,
            chain_id=backend.chain_id, network=backend.network,
            contract=registry.checksum_address, status_reason=reason,
        )

    def dataset_history(self, id: int) -> HistoryResult:
        """The version chain of a dataset (parents and later versions) and its events."""
        dataset_id = _parse_id(id)
        with self._session() as backend:
            registry = self._registry(backend)
            registry.get(dataset_id)
            chain_ids = [dataset_id]
            seen = {dataset_id}
            parent = registry.get(dataset_id).parent_id
            while parent and parent not in seen:
                chain_ids.insert(0, parent)
                seen.add(parent)
                parent = registry.get(parent).parent_id
            children: dict[int, list[int]] = {}
            for reg in registry.registrations():
                if reg.parent_id:
                    children.setdefault(reg.parent_id, []).append(reg.id)
            frontier = [dataset_id]
            while frontier:
                nxt = []
                for node in frontier:
                    for child in children.get(node, []):
                        if child not in seen:
                            seen.add(child)
                            chain_ids.append(child)
                            nxt.append(child)
                frontier = nxt
            versions = [self._dataset_info(backend, registry, i) for i in chain_ids]
            events = []
            for ev in registry.history(dataset_id):
                args = {k: _jsonable(v) for k, v in ev.args.items()}
                if ev.name == "DatasetStatusChanged":
                    from .contracts.dataset_registry import STATUSES

                    args["status"] = STATUSES[ev.args["status"]]
                events.append(
                    HistoryEvent(
                        event=ev.name, block=ev.log.block_number,
                        timestamp=backend.get_block(ev.log.block_number).timestamp,
                        tx="0x" + ev.log.tx_hash.hex(), args=args,
                    )
                )
            return HistoryResult(kind="dataset", id=dataset_id, versions=versions, events=events)

    def set_dataset_status(self, id: int, status: str, reason: str) -> StatusResult:
        """Deprecate or revoke a dataset (owner only; revoked is final)."""
        if status not in ("deprecated", "revoked", "active"):
            raise InvalidArgument(f"unknown status {status!r}")
        dataset_id = _parse_id(id)
        with self._session() as backend:
            signer = self._signer(backend)
            registry = self._registry(backend)
            record = registry.get(dataset_id)
            if record.owner != signer.address:
                from .errors import TransactionFailed

                raise TransactionFailed(
                    f"only dataset {dataset_id}'s owner {record.owner} can change its status; "
                    f"{signer.name} is {signer.address}",
                    hint="pass --account with the owner's account",
                    error_name="DatasetUnauthorized",
                )
            if record.status == status:
                # idempotent, like registration: nothing to send
                return StatusResult(kind="dataset", id=dataset_id, status=status, reason=reason,
                                    tx=None, block=None, unchanged=True)
            if record.status == "revoked":
                from .errors import TransactionFailed

                raise TransactionFailed(
                    f"dataset {dataset_id} is revoked, and revocation is final",
                    error_name="DatasetAlreadyRevoked",
                )
            tx = registry.set_status(signer, dataset_id, status, reason)
            return StatusResult(
                kind="dataset", id=dataset_id, status=status, reason=reason,
                tx="0x" + tx.tx_hash.hex(), block=tx.block_number,
            )

    def revoke_dataset(self, id: int, reason: str) -> StatusResult:
        return self.set_dataset_status(id, "revoked", reason)

    def deprecate_dataset(self, id: int, reason: str = "") -> StatusResult:
        return self.set_dataset_status(id, "deprecated", reason)

    # -- accounts ----------------------------------------------------------------

    def accounts(self) -> list[AccountInfo]:
        """Accounts usable on this network: dev accounts on dev networks, AIPROV_PRIVATE_KEY."""
        from .chain.accounts import ENV_PRIVATE_KEY, dev_accounts, signer_from_private_key
        from .chain.networks import is_dev_network

        out = []
        if os.environ.get(ENV_PRIVATE_KEY):
            s = signer_from_private_key(os.environ[ENV_PRIVATE_KEY], ENV_PRIVATE_KEY)
            out.append(AccountInfo(name=s.name, address=s.address))
        if is_dev_network(self.network):
            out.extend(AccountInfo(name=n, address=a) for n, a in dev_accounts())
        return out


def _uint_topic(value: int) -> bytes:
    return int(value).to_bytes(32, "big")


def _jsonable(value):
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
