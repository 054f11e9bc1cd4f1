"""Proof documents are accepted unchanged by @openzeppelin/merkle-tree; tampering is caught both ways.

Property-generated records files (any UTF-8 text per line, CRLF or LF) and
subsets of their records: every single proof passes ``StandardMerkleTree.verify``
and every multiproof ``StandardMerkleTree.verifyMultiProof`` in the real npm
library, and our offline check agrees; a changed record, salt, commitment,
root, sibling or flag fails here, and (where the library can see it: values,
root, proof) there too.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprov.errors import InvalidReceipt
from aiprov.manifest import build_manifest
from aiprov.proofs import check_offline, file_proof, parse_proof, record_proof
from aiprov.records.manifest import build_records

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])
line = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), min_size=1, max_size=40) \
    .filter(lambda s: s.strip(" \t"))


def _receipt(root: str, dataset_id: int = 7) -> dict:
    return {"root": root, "chain_id": 1337, "contract": "0x" + "11" * 20, "id": dataset_id}


def _records_file(tmp_path, lines, crlf):
    path = tmp_path / "r.jsonl"
    end = "\r\n" if crlf else "\n"
    path.write_bytes("".join(x + end for x in lines).encode("utf-8"))
    return path


@SETTINGS
@given(st.lists(line, min_size=1, max_size=40), st.booleans(), st.data())
def test_record_proofs_pass_openzeppelin_unchanged(oracle, home, tmp_path_factory, lines, crlf, data):
    tmp_path = tmp_path_factory.mktemp("records")
    path = _records_file(tmp_path, lines, crlf)
    rm = build_records(path, home)
    receipt = _receipt(rm.root)
    n = len(lines)
    subset = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=n, unique=True)) if n > 1 else []
    docs = [record_proof(home, receipt, path, [i]) for i in range(n)]
    if subset:
        docs.append(record_proof(home, receipt, path, subset))
    assert oracle.verify(docs) == [True] * len(docs)
    for i, doc in enumerate(docs[:n]):
        assert doc["record"] == lines[i] and doc["value"][0] == str(i)
        assert check_offline(parse_proof(json.loads(json.dumps(doc)))) == []
    if subset:
        multi = docs[-1]
        assert sorted(multi["records"]) == sorted(lines[i] for i in subset)
        assert check_offline(parse_proof(multi)) == []


def _tampered(doc: dict) -> list[tuple[str, dict, bool]]:
    """(what, tampered copy, whether OpenZeppelin's verify can see it)."""
    out = []

    def t(what, fn, oz_sees):
        d = copy.deepcopy(doc)
        fn(d)
        out.append((what, d, oz_sees))

    multi = "proofFlags" in doc
    key = "leaves" if multi else "value"
    first = (lambda d: d[key][0]) if multi else (lambda d: d[key])
    t("root", lambda d: d.__setitem__("root", "0x" + "00" * 32), True)
    t("commitment", lambda d: first(d).__setitem__(1, "0x" + "ab" * 32), True)
    t("index", lambda d: first(d).__setitem__(0, str(int(first(d)[0]) + 1)), True)
    t("sibling", lambda d: d["proof"].__setitem__(0, "0x" + "cd" * 32), True)
    if multi:
        t("records", lambda d: d["records"].__setitem__(0, d["records"][0] + "!"), False)
        t("salt", lambda d: d["salts"].__setitem__(0, "0x" + "ee" * 32), False)
        t("flags", lambda d: d["proofFlags"].__setitem__(0, not d["proofFlags"][0]), True)
    else:
        t("record", lambda d: d.__setitem__("record", d["record"] + "!"), False)
        t("salt", lambda d: d.__setitem__("salt", "0x" + "ee" * 32), False)
    return out


def test_tampered_record_proofs_fail_offline_and_in_openzeppelin(oracle, home, tmp_path):
    path = _records_file(tmp_path, [f'{{"patient":{i}}}' for i in range(9)], crlf=False)
    rm = build_records(path, home)
    single = record_proof(home, _receipt(rm.root), path, [4])
    multi = record_proof(home, _receipt(rm.root), path, [1, 4, 8])
    for doc in (single, multi):
        cases = _tampered(doc)
        verdicts = oracle.verify([d for _, d, _ in cases])
        for (what, d, oz_sees), oz_ok in zip(cases, verdicts):
            assert check_offline(parse_proof(d)), what  # we always see it
            if oz_sees:
                assert oz_ok is False, what


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d.pop("proof"),
        lambda d: d.__setitem__("format", "aiprov-proof/2"),
        lambda d: d.__setitem__("kind", "model"),
        lambda d: d.__setitem__("leafEncoding", ["uint256", "bytes"]),
        lambda d: d.__setitem__("root", "0x1234"),
        lambda d: d.__setitem__("value", ["x", "y"]),
        lambda d: d.__setitem__("proof", ["nothex"]),
        lambda d: d.pop("salt"),
        lambda d: d.__setitem__("record", 17),
        lambda d: d.__setitem__("chain_id", "1337"),
    ],
)
def test_malformed_proofs_are_bad_input(home, tmp_path, mangle):
    path = _records_file(tmp_path, ["a", "b", "c"], crlf=False)
    rm = build_records(path, home)
    doc = record_proof(home, _receipt(rm.root), path, [1])
    mangle(doc)
    with pytest.raises(InvalidReceipt) as info:
        parse_proof(doc)
    assert info.value.exit_code == 2


def test_a_record_proof_reveals_no_other_record(home, tmp_path):
    lines = [f'{{"name":"secret-{i:03d}"}}' for i in range(50)]
    path = _records_file(tmp_path, lines, crlf=False)
    rm = build_records(path, home)
    text = json.dumps(record_proof(home, _receipt(rm.root), path, [17]))
    assert "secret-017" in text
    assert not any(f"secret-{i:03d}" in text for i in range(50) if i != 17)


def test_file_proofs_single_and_multi_pass_openzeppelin(oracle, dataset):
    manifest = build_manifest(dataset)
    receipt = {**_receipt(manifest.root), "manifest": manifest.to_dict()}
    paths = [e.path for e in manifest.entries]
    docs = [file_proof(receipt, dataset, [p]) for p in paths] + [file_proof(receipt, dataset, paths[:3])]
    assert oracle.verify(docs) == [True] * len(docs)
    assert all(check_offline(parse_proof(d)) == [] for d in docs)
    assert docs[-1]["proofFlags"] and len(docs[-1]["leaves"]) == 3
    bad = copy.deepcopy(docs[0])
    bad["value"][1] = str(int(bad["value"][1]) + 1)
    assert oracle.verify([bad]) == [False] and check_offline(parse_proof(bad))
