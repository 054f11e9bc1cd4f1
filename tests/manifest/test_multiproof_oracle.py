"""Multiproofs equal @openzeppelin/merkle-tree's getMultiProof, and verify both ways."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manifest_support import RECORD_TYPES, json_value

from aiprov.manifest import MerkleTree, record_leaf
from aiprov.manifest.merkle import process_multiproof

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def trees_and_subsets(draw):
    n = draw(st.integers(1, 70))
    records = [(i, draw(st.binary(min_size=32, max_size=32))) for i in range(n)]
    subset = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return records, subset


@SETTINGS
@given(trees_and_subsets())
def test_multiproof_is_the_librarys_and_leads_to_the_root(oracle, case):
    records, subset = case
    leaves = [record_leaf(i, c) for i, c in records]
    tree = MerkleTree.from_leaves(leaves)
    ours = tree.multiproof(subset)
    (oz,) = oracle.multiproofs(RECORD_TYPES, records, [subset])
    assert [[str(i), "0x" + records[i][1].hex()] for i in ours["indices"]] == oz["leaves"]
    assert ["0x" + p.hex() for p in ours["proof"]] == oz["proof"]
    assert ours["proofFlags"] == oz["proofFlags"]
    assert process_multiproof([leaves[i] for i in ours["indices"]], ours["proof"], ours["proofFlags"]) == tree.root
    doc = {"root": "0x" + tree.root.hex(), "leafEncoding": RECORD_TYPES, "leaves": oz["leaves"],
           "proof": oz["proof"], "proofFlags": oz["proofFlags"]}
    assert oracle.verify([doc]) == [True]


def test_tampered_multiproofs_fail_here_and_in_the_library(oracle):
    records = [(i, bytes([i]) * 32) for i in range(9)]
    leaves = [record_leaf(i, c) for i, c in records]
    tree = MerkleTree.from_leaves(leaves)
    mp = tree.multiproof([1, 4, 7])
    good = [leaves[i] for i in mp["indices"]]
    assert process_multiproof(good, mp["proof"], mp["proofFlags"]) == tree.root
    swapped = [good[1], good[0], *good[2:]]
    assert process_multiproof(swapped, mp["proof"], mp["proofFlags"]) != tree.root
    flipped = [not mp["proofFlags"][0], *mp["proofFlags"][1:]]
    with pytest.raises(ValueError):
        process_multiproof(good, mp["proof"], flipped[:-1])
    values = [[json_value(i), json_value(records[i][1])] for i in mp["indices"]]
    base = {"root": "0x" + tree.root.hex(), "leafEncoding": RECORD_TYPES, "leaves": values,
            "proof": ["0x" + p.hex() for p in mp["proof"]], "proofFlags": mp["proofFlags"]}
    bad_leaf = {**base, "leaves": [[values[0][0], "0x" + "ab" * 32], *values[1:]]}
    bad_flags = {**base, "proofFlags": flipped}
    assert oracle.verify([base, bad_leaf, bad_flags]) == [True, False, False]


def test_duplicate_or_foreign_indices_are_refused():
    tree = MerkleTree.from_leaves([record_leaf(i, bytes(32)) for i in range(4)])
    with pytest.raises(ValueError):
        tree.multiproof([1, 1])
    with pytest.raises(IndexError):
        tree.multiproof([4])
