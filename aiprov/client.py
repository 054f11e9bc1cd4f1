"""The aiprov library API. Every CLI command is one method here.

    from aiprov import Client

    with Client() as aiprov:                       # network "local", account dev:0
        ds = aiprov.register_dataset("./data", name="reviews-v2")
        model = aiprov.register_model("./model", datasets=[ds.id], metrics={"acc": 0.91})
        assert aiprov.verify("model", "./model", id=model.id).verified

One method per operation; where datasets and models share an operation, the kind is
its first argument (``verify("dataset", …)``, ``show("model", 7)``). Methods parse
their arguments, open a session and call the module that owns the operation:
:mod:`aiprov.registration`, :mod:`aiprov.verification`, :mod:`aiprov.lookup` (show,
history), :mod:`aiprov.lifecycle` (deprecate, revoke), :mod:`aiprov.lineage`,
:mod:`aiprov.proofs`, :mod:`aiprov.records`, :mod:`aiprov.access`, :mod:`aiprov.payments`,
:mod:`aiprov.ownership`, :mod:`aiprov.audit`, :mod:`aiprov.exports`, :mod:`aiprov.gateway`.
They return typed results (:mod:`aiprov.results`) and raise
:class:`aiprov.errors.AiprovError` subclasses, which the CLI maps to exit codes. Chain
connections are opened per call and closed at its end, so a long-lived ``Client`` (a
notebook, a training script) never holds the local chain's lock between calls.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InvalidArgument
from .fsutil import state_home
from .results import (
    AccessAttemptInfo,
    AccessBatchesResult,
    AccessBatchInfo,
    AuditReport,
    ExportResult,
    AccessResult,
    AccountInfo,
    AssetInfo,
    ConsentList,
    ConsentResult,
    ConsentStatus,
    DeployResult,
    DiffResult,
    HistoryResult,
    LeaseCheck,
    LeaseInfo,
    LeaseTxResult,
    LineageResult,
    ManagerResult,
    PayeesResult,
    PriceResult,
    ProofCheck,
    ProofResult,
    RecordsHashResult,
    RegisterResult,
    StatusReport,
    StatusResult,
    TimeResult,
    VerifyResult,
    WithdrawResult,
)
from .units import parse_id as _parse_id
from .units import parse_kind as _kind
from .units import parse_record_index as _parse_index


def _records_hash_result(rm) -> RecordsHashResult:
    return RecordsHashResult(
        root=rm.root, path=str(rm.file.path), records_format=rm.file.format, records=rm.record_count,
        size=rm.file.size, sha256=rm.file.sha256, header_sha256=rm.file.header_sha256, reused_salts=rm.reused_salts,
    )


def _given(value: str | None, env: str, flag: str) -> str | None:
    """A flag's value, else its environment variable; an empty string is an error, not "unset"."""
    if value is None:
        value = os.environ.get(env)
        if value == "":
            return None  # an exported-but-empty variable means unset, as in most tools
    if value is not None and not str(value).strip():
        raise InvalidArgument(f"{flag} is empty", hint=f"leave {flag} out for the default")
    return value


class Client:
    """Entry point of the library: one network, one account, one state directory."""

    def __init__(
        self,
        network: str | None = None,
        *,
        rpc_url: str | None = None,
        account: str | None = None,
        home: str | os.PathLike | None = None,
        confirmations: int | None = None,
        rpc_timeout: float | None = None,
    ) -> None:
        from .chain.networks import load_config

        config = load_config()
        self.rpc_url = _given(rpc_url, "AIPROV_RPC_URL", "--rpc-url")
        self.network = (_given(network, "AIPROV_NETWORK", "--network")
                        or (None if self.rpc_url else config.network) or (None if self.rpc_url else "local"))
        if confirmations is not None and not 1 <= int(confirmations) <= 1000:
            raise InvalidArgument(f"--confirmations must be between 1 and 1000, got {confirmations}")
        self.confirmations = confirmations
        #: seconds one JSON-RPC request may take, retries included (None: AIPROV_RPC_TIMEOUT, else 20)
        self.rpc_timeout = rpc_timeout
        self.account = _given(account, "AIPROV_ACCOUNT", "--account") or config.account
        self.home = Path(home).expanduser() if home else state_home()
        if self.account is not None:
            from .chain.accounts import parse_account_spec

            self.account = parse_account_spec(self.account)
        self._session_obj = None
        self._depth = 0

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._session_obj is not None:
            self._session_obj.close()
            self._session_obj = None

    @contextlib.contextmanager
    def session(self, *, hints: dict | None = None) -> Iterator:
        """An open :class:`aiprov.session.Session` for the duration of a call (re-entrant).

        ``hints``: contract name → address a receipt or proof names (see :mod:`aiprov.contracts.discovery`).
        """
        from .chain.networks import open_backend
        from .session import Session

        if self._session_obj is None:
            backend = open_backend(self.network, self.home, rpc_url=self.rpc_url, confirmations=self.confirmations,
                                   rpc_timeout=self.rpc_timeout)
            self._session_obj = Session(backend, self.home, self.account, hints=hints)
        self._depth += 1
        try:
            yield self._session_obj
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.close()

    # -- content (no chain) ----------------------------------------------------

    def hash(self, path, *, progress=None, follow_dir_symlinks: bool = False, ignore=None,
             engine: str = "local", scheduler: str | None = None):
        """The manifest (entries + Merkle root) of ``path`` (a local path or a URL such as
        ``s3://bucket/prefix``). Needs no chain. ``engine="dask"`` hashes on a Dask cluster
        (``scheduler``: its address; default: a LocalCluster started for the call)."""
        from .manifest import build_manifest

        return build_manifest(path if isinstance(path, str) else Path(path), follow_dir_symlinks=follow_dir_symlinks,
                              ignore=ignore, progress=progress, engine=engine, scheduler=scheduler)

    def hash_records(self, path) -> RecordsHashResult:
        """The salted records root of a ``.jsonl`` / ``.csv`` file (SPEC §2.1). Needs no chain.

        Salts are drawn on first use and kept in the private salts store of the
        state directory, so ``register_dataset(path, records=True)`` anchors this root.
        """
        from .records.manifest import build_records

        rm = build_records(path, self.home)
        return _records_hash_result(rm)

    def status(self, path, *, receipt=None, engine: str = "local", scheduler: str | None = None,
               progress=None) -> StatusReport:
        """What changed in ``path`` since the latest version in its receipt. Needs no chain and no state.

        Added, removed, modified and renamed files; unchanged files (same device,
        inode, size, mtime, ctime as when last hashed) are not read again. ``path``
        may be a URL (every object is read; no stat cache for object stores).
        """
        from . import changes

        return changes.status(path, receipt, self.home, engine=engine, scheduler=scheduler, progress=progress)

    # -- registration ----------------------------------------------------------

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
        engine: str = "local",
        scheduler: str | None = None,
        records: bool = False,
    ) -> RegisterResult:
        """Hash ``path``, anchor its root in DatasetRegistry, write a receipt.

        Idempotent: if this account already registered the same root, nothing is
        sent and the existing id is returned with ``already_registered=True``.
        ``records=True``: one salted leaf per record of a ``.jsonl`` / ``.csv``
        file (SPEC §2.1); with ``parent``, records whose consent was revoked in
        an earlier version are refused (:class:`aiprov.records.manifest.ConsentRevoked`).
        """
        from . import registration
        from .metadata import dataset_metadata
        from .receipts import check_destination

        check_destination(receipt)
        parent_id = _parse_id(parent, "--parent") if parent is not None else 0
        if records:
            from .records import consent

            with self.session() as s:
                return consent.register_records(
                    s, path, parent_id, metadata_uri=metadata_uri, receipt=receipt,
                    fields=dict(name=name, description=description, license=license, source=source),
                )
        manifest = self.hash(path, progress=progress, follow_dir_symlinks=follow_dir_symlinks, engine=engine,
                             scheduler=scheduler)
        doc = dataset_metadata(manifest, name=name, description=description, license=license, source=source)
        with self.session() as s:
            return registration.register_dataset(s, path, manifest, doc, parent_id=parent_id,
                                                 metadata_uri=metadata_uri, receipt=receipt)

    def register_model(
        self,
        path,
        *,
        datasets: Iterable[int],
        base_models: Iterable[int] = (),
        name: str | None = None,
        description: str | None = None,
        license: str | None = None,
        training_config: str | os.PathLike | dict | None = None,
        metrics: str | os.PathLike | dict | None = None,
        code_dir: str | os.PathLike | None = None,
        capture_environment: bool = True,
        metadata_uri: str = "",
        receipt: str | os.PathLike | None = None,
        follow_dir_symlinks: bool = False,
        progress=None,
        engine: str = "local",
        scheduler: str | None = None,
    ) -> RegisterResult:
        """Hash the model at ``path`` and anchor it with its lineage in ModelRegistry.

        ``datasets`` are the dataset ids it was trained on (their roots are fixed
        on-chain at this moment), ``base_models`` the model ids it derives from.
        ``training_config``/``metrics`` are files or dicts; the git state of
        ``code_dir`` (default: the working directory) and the Python / ML package
        versions are captured too. All of it is hashed into the metadata.
        """
        from . import registration
        from .metadata import model_metadata
        from .receipts import check_destination
        from .training import training_metadata

        check_destination(receipt)
        dataset_ids, parent_ids = registration.lineage_ids(datasets, base_models)
        training = training_metadata(config=training_config, metrics=metrics, code_dir=code_dir,
                                     capture_environment=capture_environment)
        manifest = self.hash(path, progress=progress, follow_dir_symlinks=follow_dir_symlinks, engine=engine,
                             scheduler=scheduler)
        doc = model_metadata(manifest, name=name, description=description, license=license, training=training)
        with self.session() as s:
            return registration.register_model(s, path, manifest, doc, dataset_ids=dataset_ids,
                                               parent_ids=parent_ids, metadata_uri=metadata_uri, receipt=receipt)

    # -- checks and reads: the kind (dataset or model) is an argument ----------

    def verify(self, kind: str, path, *, id: int | None = None, receipt=None, progress=None,
               cached: bool = False, strict_consent: bool = False, engine: str = "local",
               scheduler: str | None = None) -> VerifyResult:
        """Check that the bytes at ``path`` are what was registered and not revoked.

        With ``id``: that registration's root must equal the computed root.
        Without: the receipt beside ``path`` names the id; with no receipt, any
        registration of the root counts (earliest first). On a mismatch,
        ``changes`` lists added / removed / modified files when a manifest of
        the registered content is at hand (the receipt). A model also fails when
        anything upstream in its lineage (a dataset, a base model) is revoked;
        ``strict_consent``: also when records of a dataset it was trained on had
        their consent revoked (or were erased) after it was registered.
        ``cached``: trust the stat cache for files unchanged since last hashed.
        """
        from . import verification

        wanted_id = _parse_id(id, "--id") if id is not None else None
        return verification.verify(self.session, self.home, _kind(kind), path, wanted_id=wanted_id,
                                   receipt=receipt, progress=progress, cached=cached,
                                   strict_consent=strict_consent, engine=engine, scheduler=scheduler)

    def show(self, kind: str, id: int) -> AssetInfo:
        """Everything the chain (and this machine's metadata store) holds about one id."""
        from . import lookup

        kind, asset_id = _kind(kind), _parse_id(id)
        with self.session() as s:
            return lookup.info(s, kind, asset_id)

    def history(self, kind: str, id: int) -> HistoryResult:
        """Versions (parents / base models and successors) and every on-chain event of an id."""
        from . import lookup

        kind, asset_id = _kind(kind), _parse_id(id)
        with self.session() as s:
            return lookup.history(s, kind, asset_id)

    def diff(self, kind: str, first: int, second: int, *, receipts=()) -> DiffResult:
        """Files added / removed / modified / renamed from version ``first`` to ``second``.

        Both roots come from the chain; each manifest from ``receipts`` or this
        machine's manifest store, used only if it hashes to its on-chain root.
        """
        from . import changes

        kind = _kind(kind)
        a, b = _parse_id(first), _parse_id(second)
        with self.session() as s:
            return changes.diff(s, kind, a, b, receipts, self.home)

    def set_status(self, kind: str, id: int, status: str, reason: str = "") -> StatusResult:
        """Deprecate or revoke (owner only; revoked is final; same status sends nothing)."""
        from . import lifecycle

        kind, asset_id = _kind(kind), _parse_id(id)
        if status not in lifecycle.STATUS_CHANGES:
            raise InvalidArgument(f"status must be deprecated or revoked, got {status!r}")
        with self.session() as s:
            return lifecycle.set_status(s, kind, asset_id, status, reason)

    def lineage(self, id: int) -> LineageResult:
        """The model's transitive lineage: base models and datasets with their recorded roots."""
        from .lineage import lineage
        from .metadata import load_metadata
        from .records.consent import upstream_consent

        model_id = _parse_id(id)
        with self.session() as s:
            graph = lineage(s, model_id, lambda h: load_metadata(self.home, h))
            consent = upstream_consent(s, model_id, graph)
        return LineageResult(model=model_id, **graph, consent=consent)

    # -- records: proofs and consent -------------------------------------------

    def prove(self, path, *, files: Iterable[str] = (), records: Iterable[int] = (), receipt=None) -> ProofResult:
        """An ``aiprov-proof/1`` document for files (``files``) or records (``records``) of ``path``.

        Reads the receipt beside ``path`` (or ``receipt``); a records proof also
        needs this state directory's salts store and index. Needs no chain.
        """
        from .proofs import prove

        files, indices = list(files), [_parse_index(n) for n in records]
        return prove(self.home, Path(path), files, indices, receipt)

    def verify_proof(self, proof, *, offline: bool = False) -> ProofCheck:
        """Check a proof document (a path or a dict): offline, then on-chain unless ``offline``.

        On-chain it needs no state and no key: one call of the registry's view
        on the chain the proof names (``--network`` / ``--rpc-url`` reach it).
        """
        from .proofs import parse_proof
        from .records import consent

        parsed = parse_proof(proof if isinstance(proof, dict) else Path(proof))
        if offline:
            return consent.check_proof(None, parsed)
        with self.session() as s:
            return consent.check_proof(s, parsed)

    def revoke_consent(self, dataset_id: int, record: int, reason: str = "") -> ConsentResult:
        """Record on-chain that record ``record``'s consent is revoked (owner or manager; permanent)."""
        from .records import consent

        with self.session() as s:
            return consent.revoke(s, _parse_id(dataset_id), _parse_index(record), reason)

    def erase_record(self, dataset_id: int, record: int, reason: str = "") -> ConsentResult:
        """Destroy record ``record``'s salt in this state directory and record the erasure on-chain."""
        from .records import consent

        with self.session() as s:
            return consent.erase(s, _parse_id(dataset_id), _parse_index(record), reason)

    def consent_status(self, dataset_id: int, record: int) -> ConsentStatus:
        """Whether record ``record`` of the dataset has its consent revoked or is erased."""
        from .records import consent

        with self.session() as s:
            return consent.status(s, _parse_id(dataset_id), _parse_index(record))

    def consent_list(self, dataset_id: int) -> ConsentList:
        """Every consent revocation and erasure recorded for the dataset, oldest first."""
        from .records import consent

        with self.session() as s:
            return consent.list_events(s, _parse_id(dataset_id))

    # -- audit and exports -----------------------------------------------------

    def audit(self, kind: str, id: int, *, receipt=None) -> AuditReport:
        """The whole on-chain trail of a dataset or model as a sealed ``aiprov-audit/1`` document.

        ``receipt`` supplies metadata documents this machine does not hold (used
        only where they hash to the on-chain value).
        """
        from .audit import build_audit
        from .chain.networks import resolve_network
        from .metadata import receipt_metadata

        kind, asset_id = _kind(kind), _parse_id(id)
        docs = receipt_metadata(receipt) if receipt is not None else {}
        explorer = resolve_network(self.network, self.rpc_url).explorer_url
        with self.session() as s:
            doc = build_audit(s, kind, asset_id, metadata_docs=docs, explorer_url=explorer)
        return AuditReport(document=doc)

    def export(self, fmt: str, id: int, *, path=None, receipt=None, progress=None) -> ExportResult:
        """Model ``id``'s provenance as ``slsa`` (in-toto / SLSA v1) or ``cyclonedx`` (1.6 ML-BOM).

        The model's files come from ``path`` (hashed now) or from its receipt
        (``receipt``, or the one beside ``path``); either must match the on-chain root.
        """
        from .exports import FORMATS, document, model_facts, model_manifest

        if fmt not in FORMATS:
            raise InvalidArgument(f"export format must be slsa or cyclonedx, got {fmt!r}")
        model_id = _parse_id(id)
        manifest, docs = model_manifest(model_id, path, receipt, self.home, progress)
        with self.session() as s:
            facts = model_facts(s, model_id, manifest, docs)
        return ExportResult(format=fmt, model=model_id, document=document(fmt, facts))

    # -- managers, leases and payments -----------------------------------------

    def set_manager(self, asset: str, account: str, allowed: bool = True) -> ManagerResult:
        """Appoint (or dismiss) ``account`` as a manager of ``asset``: managers may grant leases."""
        from .chain.accounts import parse_address
        from .ownership import set_manager
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        address = parse_address(account)
        with self.session() as s:
            return set_manager(s, kind, asset_id, address, allowed)

    def grant_lease(self, asset: str, grantee: str, days: int) -> LeaseTxResult:
        """Give ``grantee`` access to ``asset`` (``dataset:3``, ``model:7``, ``3``) for ``days`` days."""
        return self._lease_call("grant", asset, grantee, days)

    def extend_lease(self, asset: str, grantee: str, days: int) -> LeaseTxResult:
        """Add ``days`` to ``grantee``'s lease (from its end, or from now if it has ended)."""
        return self._lease_call("extend", asset, grantee, days)

    def _lease_call(self, action: str, asset: str, grantee: str, days: int) -> LeaseTxResult:
        from . import access
        from .chain.accounts import parse_address
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        address = parse_address(grantee)
        access.parse_days(days)
        with self.session() as s:
            return access.grant(s, kind, asset_id, address, days, extend=action == "extend")

    def revoke_lease(self, asset: str, grantee: str) -> LeaseTxResult:
        """End ``grantee``'s access now (not for a paid lease before it ends)."""
        from . import access
        from .chain.accounts import parse_address
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        address = parse_address(grantee)
        with self.session() as s:
            return access.revoke(s, kind, asset_id, address)

    def check_lease(self, asset: str, account: str) -> LeaseCheck:
        """Whether ``account`` may use ``asset`` now (a live lease, or owner / manager)."""
        from . import access
        from .chain.accounts import parse_address
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        address = parse_address(account)
        with self.session() as s:
            return access.check(s, kind, asset_id, address)

    def list_leases(self, asset: str) -> list[LeaseInfo]:
        """Every lease ever granted or bought on ``asset``, with its current state."""
        from . import access
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return access.list_leases(s, kind, asset_id)

    def set_lease_price(self, asset: str, per_day: str | int, token: str | None = None) -> PriceResult:
        """Put ``asset`` up for sale at ``per_day`` a day: in ETH (``0.01ether``, ``10gwei``, wei)
        or, with ``token`` (an ERC-20 address), in that token (``2.5TUSD``, or smallest units).
        0 takes it off sale. Owner only."""
        from . import payments
        from .chain.accounts import parse_address
        from .units import parse_amount, parse_asset

        kind, asset_id = parse_asset(asset)
        token = parse_address(token) if token else None
        if token is None:
            parse_amount(str(per_day))  # bad input is exit 2 before connecting
        with self.session() as s:
            return payments.set_price(s, kind, asset_id, per_day, token)

    def lease_price(self, asset: str) -> PriceResult:
        """The price of a day of access to ``asset`` and its token (``price_per_day`` 0: not for sale)."""
        from . import payments
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return payments.price(s, kind, asset_id)

    def buy_lease(self, asset: str, days: int) -> LeaseTxResult:
        """Buy ``days`` of access to ``asset`` for the signing account, paying exactly the price
        (in a token: approving exactly that amount first)."""
        from . import access, payments
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        access.parse_days(days)
        with self.session() as s:
            return payments.buy(s, kind, asset_id, days)

    def set_payees(self, asset: str, payees) -> PayeesResult:
        """Split ``asset``'s later sale proceeds by weight: ``["0xA…=3", "0xB…=1"]`` or
        ``[(address, weight), …]``; empty: the owner alone. Owner only."""
        from . import payments
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        parsed = payments.parse_payees(payees)
        with self.session() as s:
            return payments.set_payees(s, kind, asset_id, parsed)

    def payees(self, asset: str) -> PayeesResult:
        """Who is credited with ``asset``'s sale proceeds, and their weights."""
        from . import payments
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return payments.payees(s, kind, asset_id)

    def use(self, asset: str) -> AccessResult:
        """Record an access attempt on ``asset`` by the signing account; ``granted`` says if it may."""
        from . import access
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return access.use(s, kind, asset_id)

    def access_log(self, asset: str) -> list[AccessAttemptInfo]:
        """Every recorded access attempt on ``asset``, allowed or denied, oldest first."""
        from . import access
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return access.access_log(s, kind, asset_id)

    def anchor_access_batch(self, asset: str, batch_root, count: int) -> AccessBatchInfo:
        """Anchor one batch of a gateway's access log of ``asset`` on-chain: the Merkle root of
        its entries (32 bytes or ``0x…``) and their number. Owner or manager of the asset."""
        from . import access
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        access.parse_batch_root(batch_root)
        with self.session() as s:
            return access.anchor_access_batch(s, kind, asset_id, batch_root, count)

    def access_batches(self, asset: str) -> AccessBatchesResult:
        """The anchored access-log batches of ``asset``, checked against the on-chain head."""
        from . import access
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return access.access_batches(s, kind, asset_id)

    def withdraw(self, token: str | None = None) -> WithdrawResult:
        """Withdraw the signing account's balance of sale proceeds in ``token`` (an ERC-20
        address; None = ETH). Nothing is sent when none is owed."""
        from . import payments
        from .chain.accounts import parse_address

        token = parse_address(token) if token else None
        with self.session() as s:
            return payments.withdraw(s, token)

    # -- the data gateway ------------------------------------------------------

    def fetch(self, url: str, asset: str, dest, *, files: Iterable[str] = (), progress=None):
        """Download ``asset``'s files from an ``aiprov serve`` gateway at ``url`` into ``dest``.

        Each request is signed (EIP-712) by the account; every file is checked
        against its manifest entry and the manifest against the on-chain root.
        Returns a :class:`aiprov.results.FetchResult`; raises CheckFailed (exit 1)
        when access is refused or anything does not verify (nothing half-written
        is left at its final path).
        """
        from .gateway.fetch import fetch

        return fetch(self, url, asset, dest, files=tuple(files), progress=progress)

    def gateway_log(self, asset: str, *, log=None) -> list:
        """Every attempt in this machine's ``aiprov serve`` log of ``asset`` (or ``log``), with its batch."""
        from .gateway.logview import gateway_attempts
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return gateway_attempts(s, self.home, kind, asset_id, log)

    def prove_gateway_entry(self, asset: str, entry: int, *, log=None) -> dict:
        """The inclusion proof (aiprov-access-proof/1) of gateway log entry ``entry``,
        checked offline and against its batch root on-chain; CheckFailed if either fails."""
        from .gateway.logview import prove
        from .units import parse_asset

        kind, asset_id = parse_asset(asset)
        with self.session() as s:
            return prove(s, self.home, kind, asset_id, _parse_id(entry, "ENTRY"), log)

    # -- dev chains ------------------------------------------------------------

    def advance_time(self, duration: str | int) -> TimeResult:
        """Move chain time forward on a dev network (``31d``, ``12h``, ``90m`` or seconds)."""
        from .durations import parse_duration
        from .errors import UsageError

        seconds = parse_duration(duration)
        with self.session() as s:
            dev = s.backend.dev
            if dev is None:
                raise UsageError(f"{s.backend.network} is not a dev network: its time cannot be moved")
            before = s.backend.get_block().timestamp
            now = dev.advance_time(seconds)
            return TimeResult(network=s.backend.network, previous=before, timestamp=now,
                              advanced=seconds, block=s.backend.block_number())

    # -- accounts --------------------------------------------------------------

    def accounts(self) -> list[AccountInfo]:
        """Accounts usable on this network: dev accounts on dev networks, AIPROV_PRIVATE_KEY."""
        from .chain.accounts import usable_accounts
        from .chain.networks import is_dev_network, resolve_network

        resolve_network(self.network, self.rpc_url)  # an unknown network is exit 2, not an empty list
        dev = is_dev_network(self.network, self.rpc_url)
        return [AccountInfo(name=n, address=a) for n, a in usable_accounts(self.home, dev_network=dev)]

    def new_account(self, name: str, password: str) -> AccountInfo:
        """Create a fresh key, encrypted in the keystore ``name`` (file mode 0600)."""
        import secrets

        from .chain.keystore import save_keystore

        return AccountInfo(name=name, address=save_keystore(self.home, name, secrets.token_bytes(32), password))

    def import_account(self, name: str, private_key: str, password: str) -> AccountInfo:
        """Encrypt an existing private key (hex) into the keystore ``name``."""
        from .chain.accounts import signer_from_private_key
        from .chain.keystore import save_keystore

        signer = signer_from_private_key(private_key, "the private key")
        return AccountInfo(name=name, address=save_keystore(self.home, name, signer._key, password))

    # -- deployment ------------------------------------------------------------

    def deploy(self) -> DeployResult:
        """Deploy the three contracts (CREATE2: same addresses on every chain) and record them."""
        from eth_utils import to_checksum_address

        from .contracts.deployments import deploy_all

        with self.session() as s:
            done = deploy_all(s.backend, self.home, s.signer)
            return DeployResult(
                network=s.backend.network, chain_id=s.backend.chain_id,
                contracts=[{"name": n, "address": to_checksum_address(a), "deployed_now": sent} for n, a, sent in done],
            )
