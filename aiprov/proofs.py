"""Inclusion proofs (``aiprov-proof/1``, SPEC §6): build them, check them offline.

One JSON document per ``aiprov prove``::

    {
      "format": "aiprov-proof/1",
      "kind": "record",                      # or "file"
      "root": "0x…",
      "leafEncoding": ["uint256", "bytes32"], # files: ["string", "uint256", "bytes32"]
      "value": ["17", "0x<commitment>"],      # one leaf: StandardMerkleTree.verify(root, leafEncoding, value, proof)
      "proof": ["0x…", …],
      "values": [["17", "0x…"]],
      "chain_id": 1337, "registry": "0x…", "dataset_id": 3,
      "record": "<record 17's bytes as UTF-8 text>", "salt": "0x…"
    }

For several leaves it is OpenZeppelin's multiproof instead: ``leaves`` (the
values, in the order the proof consumes them), ``proof`` and ``proofFlags``, as
``StandardMerkleTree.verifyMultiProof(root, leafEncoding, {leaves, proof,
proofFlags})`` and Solidity's ``MerkleProof.multiProofVerify`` take them;
``values`` is the same list, and records carry ``records`` and ``salts`` lists
aligned with it.  Values are in the library's JSON form (``uint256`` as decimal
strings, ``bytes32`` as ``0x`` hex).

A record proof reveals that record's bytes and salt and nothing about any
other record: the siblings are hashes of salted commitments.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ContentMismatch, EnvironmentFailure, InvalidArgument, InvalidReceipt
from .manifest.leaves import FILE_LEAF_ENCODING, RECORD_LEAF_ENCODING, leaf_hash, normalize_value, record_leaf
from .manifest.merkle import multiproof, process_multiproof, verify_proof

__all__ = ["FORMAT", "Proof", "check_offline", "file_proof", "parse_proof", "record_proof"]

FORMAT = "aiprov-proof/1"
ENCODINGS = {"file": list(FILE_LEAF_ENCODING), "record": list(RECORD_LEAF_ENCODING)}
_HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


def _anchor(receipt: dict) -> dict:
    return {"chain_id": receipt["chain_id"], "registry": receipt.get("contract"), "dataset_id": receipt["id"]}


def _document(kind: str, root: str, values: list[list], proof: dict, anchor: dict) -> dict:
    doc: dict[str, Any] = {"format": FORMAT, "kind": kind, "root": root, "leafEncoding": ENCODINGS[kind]}
    if len(values) == 1:
        doc["value"] = values[0]
        doc["proof"] = [_hex(p) for p in proof["proof"]]
    else:
        doc["leaves"] = values
        doc["proof"] = [_hex(p) for p in proof["proof"]]
        doc["proofFlags"] = proof["proofFlags"]
    doc["values"] = values
    doc.update(anchor)
    return doc


# ---------------------------------------------------------------- building


def record_proof(home: Path, receipt: dict, path: Path, indices: list[int]) -> dict:
    """The proof of records ``indices`` of the records dataset whose receipt is ``receipt``.

    Reads each record's bytes at its indexed position in ``path`` and checks
    them against the registered commitment (:class:`ContentMismatch` if the
    file changed there); :class:`~aiprov.records.manifest.RecordErased` for an
    erased record.
    """
    from .records.manifest import RecordErased, commitment
    from .records.store import ERASED, SaltsStore, open_index

    root = receipt["root"]
    index = open_index(home, root)
    if index is None:
        raise EnvironmentFailure(
            f"the records index of {path} (root {root}) is not in {home}",
            hint="prove on the machine (state directory) that registered it",
        )
    try:
        if len(set(indices)) != len(indices):
            raise InvalidArgument("--record lists the same record twice")
        for n in indices:
            if not 0 <= n < index.count:
                raise InvalidArgument(f"record {n} does not exist: {path.name} has records 0 to {index.count - 1}")
        store = SaltsStore(home)
        salts, records, tree_indices = {}, {}, {}
        try:
            with open(path, "rb") as f:
                for n in indices:
                    salt = store.salt(root, n)
                    if salt is None:
                        raise EnvironmentFailure(f"the salts of {path} (root {root}) are not in {home}",
                                                 hint="prove on the machine (state directory) that registered it")
                    if salt == ERASED:
                        raise RecordErased(f"record {n} was erased: its salt is destroyed and it can no longer be proved")
                    start, length = index.span(n)
                    f.seek(start)
                    data = f.read(length)
                    if len(data) != length or commitment(salt, data) != index.commitment(n):
                        raise ContentMismatch(f"record {n} of {path} is not what was registered (the file changed)",
                                              hint="prove from the file exactly as registered")
                    try:
                        records[n] = data.decode("utf-8")
                    except UnicodeDecodeError:  # pragma: no cover - the commitment matched registered UTF-8
                        raise ContentMismatch(f"record {n} of {path} is not UTF-8") from None
                    salts[n] = salt
                    tree_indices[n] = index.tree_index(n, record_leaf(n, index.commitment(n)))
        except OSError as exc:
            raise InvalidArgument(f"{path} is not readable: {exc.strerror or exc}") from None
        if len(indices) == 1:
            (n,) = indices
            mp = {"leaves": [tree_indices[n]], "proof": index.proof(tree_indices[n])}
        else:
            mp = multiproof(index.node, index.size, list(tree_indices.values()))
        by_tree = {t: n for n, t in tree_indices.items()}
        order = [by_tree[t] for t in mp["leaves"]]
        values = [[str(n), _hex(index.commitment(n))] for n in order]
        doc = _document("record", root, values, mp, _anchor(receipt))
        if len(order) == 1:
            doc["record"] = records[order[0]]
            doc["salt"] = _hex(salts[order[0]])
        else:
            doc["records"] = [records[n] for n in order]
            doc["salts"] = [_hex(salts[n]) for n in order]
    finally:
        index.close()
    return doc


def file_proof(receipt: dict, path: Path, rels: list[str]) -> dict:
    """The proof of files ``rels`` of the dataset or model whose receipt is ``receipt``.

    Each file on disk must still have its registered size and sha256.
    """
    from .manifest import Manifest

    manifest = Manifest.from_dict(receipt["manifest"])
    entries = [manifest.entry(rel) for rel in rels]  # UnknownPath (exit 2) names a path not in it
    if len({e.path for e in entries}) != len(entries):
        raise InvalidArgument("--file lists the same file twice")
    for e in entries:
        on_disk = path if manifest.kind == "file" else path / e.path
        try:
            with open(on_disk, "rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise InvalidArgument(f"{on_disk} is not readable: {exc.strerror or exc}") from None
        if digest != e.sha256:
            raise ContentMismatch(f"{e.path} is not what was registered (sha256 {digest}, registered {e.sha256})")
    values_of = {e.path: [e.path, str(e.size), "0x" + e.sha256] for e in entries}
    if len(entries) == 1:
        mp = {"proof": [bytes.fromhex(p[2:]) for p in manifest.proof(entries[0].path)]}
        order = [entries[0].path]
    else:
        mp = manifest.multiproof([e.path for e in entries])
        order = mp["paths"]
    return _document("file", manifest.root, [values_of[p] for p in order], mp, _anchor(receipt))


# ---------------------------------------------------------------- reading and checking


@dataclass(frozen=True)
class Proof:
    """A parsed ``aiprov-proof/1`` document (shape checked; not yet verified)."""

    doc: dict
    kind: str
    root: bytes
    values: list[tuple]  # normalised ABI values, in the proof's leaf order
    proof: list[bytes]
    flags: list[bool] | None  # None for a single-leaf proof
    chain_id: int | None
    registry: str | None
    dataset_id: int | None
    records: list[str] | None  # records only
    salts: list[bytes] | None

    @property
    def indices(self) -> list[int]:
        return [v[0] for v in self.values] if self.kind == "record" else []


def prove(home: Path, target: Path, files: list[str], indices: list[int], receipt=None):
    """The :class:`aiprov.results.ProofResult` for ``files`` or record ``indices`` of ``target``.

    Reads the receipt beside ``target`` (or ``receipt``); a records proof also needs the
    salts store and index of ``home``. Needs no chain.
    """
    from .receipts import find_receipt, pick_version, read_receipt
    from .results import ProofResult

    if bool(files) == bool(indices):
        raise InvalidArgument("give --file REL... or --record N..., not both and not neither")
    receipt_path = Path(receipt) if receipt else find_receipt(target, home)
    if receipt_path is None:
        raise InvalidArgument(f"no receipt for {target}: register it first, or pass --receipt FILE")
    rec = read_receipt(receipt_path)
    if rec["kind"] != "dataset":
        raise InvalidArgument(f"{receipt_path} is a {rec['kind']} receipt: proofs are of dataset files and records")
    version = pick_version(rec)  # the latest version registered from this target
    is_records = version["manifest"].get("kind") == "records"
    if indices and not is_records:
        raise InvalidArgument(f"{target} was not registered with --records: prove files with --file")
    if files and is_records:
        raise InvalidArgument(f"{target} was registered with --records: prove records with --record N")
    doc = record_proof(home, version, target, indices) if indices else file_proof(version, target, files)
    return ProofResult(kind=doc["kind"], dataset_id=version["id"], root=version["root"], document=doc)


def _bad(message: str) -> InvalidReceipt:
    return InvalidReceipt(f"malformed proof: {message}", hint="pass a document printed by `aiprov prove`")


def parse_proof(source: str | Path | dict) -> Proof:
    """Read and shape-check a proof (a path, JSON text or a dict); :class:`InvalidReceipt` (exit 2) if malformed."""
    if isinstance(source, dict):
        doc = source
    else:
        text = source
        if isinstance(source, Path):
            try:
                text = source.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise InvalidReceipt(f"proof file {source} does not exist") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidReceipt(f"proof file {source} is not readable: {exc}") from None
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise _bad(f"not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise _bad("not a JSON object")
    if doc.get("format") != FORMAT:
        raise _bad(f"format is {doc.get('format')!r}, expected {FORMAT!r}")
    kind = doc.get("kind")
    if kind not in ENCODINGS:
        raise _bad(f"kind must be 'file' or 'record', not {kind!r}")
    if doc.get("leafEncoding") != ENCODINGS[kind]:
        raise _bad(f"leafEncoding of a {kind} proof is {ENCODINGS[kind]}")
    root = doc.get("root")
    if not isinstance(root, str) or not _HEX32.fullmatch(root):
        raise _bad("root must be 0x + 64 hex digits")
    multi = "proofFlags" in doc
    raw_values = doc.get("leaves") if multi else [doc.get("value")]
    if not isinstance(raw_values, list) or not raw_values or not all(isinstance(v, list) for v in raw_values):
        raise _bad("'leaves' must be a non-empty list of values" if multi else "'value' must be a list")
    encoding = ENCODINGS[kind]
    try:
        values = [tuple(normalize_value(t, x) for t, x in zip(encoding, v, strict=True)) for v in raw_values]
    except ValueError as exc:
        raise _bad(f"bad leaf value: {exc}") from None
    raw_proof = doc.get("proof")
    if not isinstance(raw_proof, list) or not all(isinstance(p, str) and _HEX32.fullmatch(p) for p in raw_proof):
        raise _bad("'proof' must be a list of 0x + 64 hex digit nodes")
    flags = None
    if multi:
        flags = doc["proofFlags"]
        if not isinstance(flags, list) or not all(type(f) is bool for f in flags):
            raise _bad("'proofFlags' must be a list of booleans")
    chain_id, registry, dataset_id = doc.get("chain_id"), doc.get("registry"), doc.get("dataset_id")
    if chain_id is not None and (type(chain_id) is not int or chain_id <= 0):
        raise _bad("chain_id must be a positive integer")
    if registry is not None and (not isinstance(registry, str) or not _ADDRESS.fullmatch(registry)):
        raise _bad("registry must be a 0x address")
    if dataset_id is not None and (type(dataset_id) is not int or dataset_id <= 0):
        raise _bad("dataset_id must be a positive integer")
    records = salts = None
    if kind == "record":
        raw_records = doc.get("records") if multi else [doc.get("record")]
        raw_salts = doc.get("salts") if multi else [doc.get("salt")]
        if not isinstance(raw_records, list) or not all(isinstance(r, str) for r in raw_records):
            raise _bad("a record proof carries the record text ('record', or 'records' for several)")
        if not isinstance(raw_salts, list) or not all(isinstance(s, str) and _HEX32.fullmatch(s) for s in raw_salts):
            raise _bad("a record proof carries the salt ('salt', or 'salts'), 0x + 64 hex digits")
        if not len(raw_records) == len(raw_salts) == len(values):
            raise _bad("'records' and 'salts' must have one item per leaf")
        records = raw_records
        salts = [bytes.fromhex(s[2:]) for s in raw_salts]
    return Proof(doc=doc, kind=kind, root=bytes.fromhex(root[2:]), values=values,
                 proof=[bytes.fromhex(p[2:]) for p in raw_proof], flags=flags, chain_id=chain_id,
                 registry=registry, dataset_id=dataset_id, records=records, salts=salts)


def check_offline(p: Proof) -> list[str]:
    """Why the proof does not hold by itself (empty: it does): commitments, then the path to the root."""
    problems = []
    if p.kind == "record":
        for (index, commitment_), record, salt in zip(p.values, p.records, p.salts):
            if hashlib.sha256(salt + record.encode("utf-8")).digest() != commitment_:
                problems.append(f"record {index}: sha256(salt ‖ record) is not its commitment "
                                "(the record or the salt was altered)")
    leaves = [leaf_hash(ENCODINGS[p.kind], v) for v in p.values]
    if p.flags is None:
        ok = verify_proof(p.root, leaves[0], p.proof)
    else:
        try:
            ok = process_multiproof(leaves, p.proof, p.flags) == p.root
        except ValueError as exc:
            problems.append(f"the multiproof is inconsistent: {exc}")
            return problems
    if not ok:
        problems.append("the proof does not lead from the leaf values to the root")
    return problems
