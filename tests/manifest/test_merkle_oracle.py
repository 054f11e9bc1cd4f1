"""Our Merkle trees equal @openzeppelin/merkle-tree's: roots, every proof, dumps."""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manifest_support import FILE_TYPES, RECORD_TYPES, json_value, oracle_values

from aiprov.errors import InvalidReceipt
from aiprov.manifest import Entry, Manifest, MerkleTree, file_leaf, record_leaf, verify_proof

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Names that stress encoding: NFC/NFD twins, combining marks, CJK, emoji, spaces, long.
TRICKY = [
    "é",
    "e\u0301",
    "Å",
    "A\u030a",
    "한국어",
    "中文",
    "😀",
    "a b",
    " lead",
    "trail ",
    "ß",
    "ﬁ",
    "x" * 40,
    "-",
    "_",
]


def _hex(nodes):
    return ["0x" + n.hex() for n in nodes]


def _seeded_entries(seed: int, n: int) -> list[Entry]:
    """n entries with unique NFC paths (nested, unicode, spaces) and random sizes/digests."""
    rng = random.Random(seed)
    paths: set[str] = set()
    while len(paths) < n:
        depth = rng.randint(1, 4)
        parts = [
            "".join(rng.choice(TRICKY + ["a", "b", "c", "data", "img", ".x"]) for _ in range(rng.randint(1, 3)))
            for _ in range(depth)
        ]
        paths.add(unicodedata.normalize("NFC", "/".join(parts)))
    return [
        Entry(p, rng.choice([0, 1, rng.randrange(1 << 40), (1 << 64) - 1]), hashlib.sha256(p.encode()).hexdigest())
        for p in sorted(paths)
    ]


path_part = (
    st.lists(
        st.one_of(
            st.sampled_from(TRICKY),
            st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=4),
        ),
        min_size=1,
        max_size=3,
    )
    .map("".join)
    .filter(lambda s: s not in (".", ".."))
)
manifest_path = st.lists(path_part, min_size=1, max_size=4).map(
    lambda parts: unicodedata.normalize("NFC", "/".join(parts))
)
size = st.one_of(st.sampled_from([0, 1, 4096, (1 << 64) - 1, (1 << 64), (1 << 256) - 1]), st.integers(0, 1 << 70))
digest = st.binary(min_size=32, max_size=32)


@st.composite
def manifests(draw):
    paths = draw(st.lists(manifest_path, min_size=1, max_size=40, unique=True))
    return Manifest([Entry(p, draw(size), draw(digest).hex()) for p in paths])


@SETTINGS
@given(manifests())
def test_manifest_root_and_every_proof_match_openzeppelin(oracle, manifest):
    oz = oracle.tree(FILE_TYPES, oracle_values(manifest.entries))
    assert manifest.root == oz["root"]
    for entry, oz_proof in zip(manifest.entries, oz["proofs"]):
        assert manifest.proof(entry.path) == oz_proof
        assert verify_proof(bytes.fromhex(manifest.root[2:]), bytes.fromhex(manifest.leaf(entry.path)[2:]), oz_proof)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([1, 2, 3, 7, 64, 257, 1000, 3000]))
def test_large_random_manifests_match_openzeppelin(oracle, seed, n):
    entries = _seeded_entries(seed, n)
    manifest = Manifest(entries)
    oz = oracle.tree(FILE_TYPES, oracle_values(manifest.entries))
    assert manifest.root == oz["root"]
    assert [manifest.proof(e.path) for e in manifest.entries] == oz["proofs"]


@SETTINGS
@given(
    st.lists(
        st.tuples(st.one_of(st.integers(0, 5), st.integers(0, (1 << 256) - 1)), st.binary(min_size=32, max_size=32)),
        min_size=1,
        max_size=60,
    )
)
def test_record_leaves_match_openzeppelin_including_duplicates(oracle, records):
    # Duplicates are likely (small indices, repeated commitments): the library's
    # stable sort decides which copy sits where, and we must place them the same.
    records = records + records[: len(records) // 3]
    tree = MerkleTree.from_leaves([record_leaf(i, c) for i, c in records])
    oz = oracle.tree(RECORD_TYPES, records)
    assert "0x" + tree.root.hex() == oz["root"]
    assert [_hex(tree.proof(i)) for i in range(len(records))] == oz["proofs"]


@SETTINGS
@given(st.lists(st.tuples(st.text(max_size=80), size, digest), min_size=1, max_size=30))
def test_file_leaf_encoding_matches_for_any_string(oracle, values):
    # Any Unicode string (NFD too, empty too, long enough to span several ABI words).
    tree = MerkleTree.from_leaves([file_leaf(p, s, d) for p, s, d in values])
    oz = oracle.tree(FILE_TYPES, values)
    assert "0x" + tree.root.hex() == oz["root"]
    assert [_hex(tree.proof(i)) for i in range(len(values))] == oz["proofs"]


def test_dump_is_identical_to_the_librarys_and_loads_back(oracle):
    values = [(p, s, hashlib.sha256(p.encode()).digest()) for p, s in [("b.txt", 3), ("a/é.bin", 0), ("", 1 << 70)]]
    ours = MerkleTree.of(values, FILE_TYPES)
    oz = oracle.tree(FILE_TYPES, values, dump=True)
    assert ours.dump() == oz["dump"]
    loaded = MerkleTree.load(json.dumps(oz["dump"]))
    assert loaded.root == ours.root
    assert [loaded.proof(i) for i in range(3)] == [ours.proof(i) for i in range(3)]


def test_manifest_merkle_tree_dump_equals_librarys(oracle):
    manifest = Manifest(_seeded_entries(7, 50))
    oz = oracle.tree(FILE_TYPES, oracle_values(manifest.entries), dump=True)
    assert manifest.merkle_tree().dump() == oz["dump"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["tree"].__setitem__(0, "0x" + "00" * 32),
        lambda d: d["tree"].__setitem__(len(d["tree"]) - 1, "0x" + "11" * 32),
        lambda d: d["values"][0]["value"].__setitem__(1, "999"),
        lambda d: d["values"][0].__setitem__("treeIndex", 0),
        lambda d: d["values"][1].__setitem__("treeIndex", d["values"][0]["treeIndex"]),
        lambda d: d.__setitem__("format", "standard-v2"),
        lambda d: d.__setitem__("leafEncoding", ["string", "uint8", "bytes32"]),
        lambda d: d["tree"].pop(),
    ],
)
def test_load_rejects_tampered_dumps(tamper):
    tree = MerkleTree.of([("a", 1, b"\1" * 32), ("b", 2, b"\2" * 32), ("c", 3, b"\3" * 32)], FILE_TYPES)
    dump = tree.dump()
    tamper(dump)
    with pytest.raises(InvalidReceipt):
        MerkleTree.load(dump)


def test_single_leaf_tree_is_its_leaf_with_empty_proof(oracle):
    leaf = file_leaf("only.bin", 5, b"\x07" * 32)
    tree = MerkleTree.from_leaves([leaf])
    oz = oracle.tree(FILE_TYPES, [("only.bin", 5, b"\x07" * 32)])
    assert tree.root == leaf and "0x" + leaf.hex() == oz["root"]
    assert tree.proof(0) == [] and oz["proofs"] == [[]]
    assert verify_proof(tree.root, leaf, [])


def test_verify_proof_rejects_wrong_leaf_root_or_sibling():
    leaves = [record_leaf(i, bytes([i]) * 32) for i in range(5)]
    tree = MerkleTree.from_leaves(leaves)
    proof = tree.proof(2)
    assert verify_proof(tree.root, leaves[2], proof)
    assert verify_proof("0x" + tree.root.hex(), "0x" + leaves[2].hex(), _hex(proof))
    assert not verify_proof(tree.root, leaves[3], proof)
    assert not verify_proof(b"\0" * 32, leaves[2], proof)
    assert not verify_proof(tree.root, leaves[2], [b"\0" * 32, *proof[1:]])
    assert not verify_proof(tree.root, leaves[2], ["0xnothex"])


def test_input_validation():
    with pytest.raises(ValueError):
        MerkleTree.from_leaves([])
    with pytest.raises(ValueError):
        MerkleTree.from_leaves([b"short"])
    with pytest.raises(ValueError):
        file_leaf("a", -1, b"\0" * 32)
    with pytest.raises(ValueError):
        file_leaf("a", 1 << 256, b"\0" * 32)
    with pytest.raises(ValueError):
        record_leaf(0, b"\0" * 31)
    with pytest.raises(IndexError):
        MerkleTree.from_leaves([b"\0" * 32]).proof(1)


def test_json_value_forms_are_what_the_library_accepts(oracle):
    # uint256 as int, decimal string or hex string; bytes32 as bytes or hex: same leaf.
    a = MerkleTree.of([(255, "0x" + "ab" * 32)], RECORD_TYPES)
    b = MerkleTree.of([("0xff", bytes.fromhex("ab" * 32))], RECORD_TYPES)
    c = MerkleTree.of([("255", "0x" + "AB" * 32)], RECORD_TYPES)
    assert a.root == b.root == c.root
    assert "0x" + a.root.hex() == oracle.tree(RECORD_TYPES, [(json_value(255), "0x" + "ab" * 32)])["root"]
