"""DatasetRegistry record proofs (with real OpenZeppelin StandardMerkleTree proofs); the file
proofs both registries share are in test_asset_registry.py."""

from __future__ import annotations

import hashlib

from eth_utils import keccak

from test_asset_registry import FILES

from tools.contracts.gas import standard_leaf

FILE_TYPES = ["string", "uint256", "bytes32"]
RECORD_TYPES = ["uint256", "bytes32"]
META = keccak(b"metadata")

RECORDS = [[i, hashlib.sha256(b"salt%d" % i + b'{"row": %d}' % i).digest()] for i in range(7)]


def register(registry, send, owner, tree_root: bytes) -> int:
    receipt = send(registry.functions.register(tree_root, META, "", 0), owner)
    return registry.events.DatasetRegistered().process_receipt(receipt)[0]["args"]["id"]


def test_python_tree_matches_openzeppelin(merkle, oz_merkle):
    for values, types in ((FILES, FILE_TYPES), (RECORDS, RECORD_TYPES), (FILES[:1], FILE_TYPES)):
        tree = merkle(values, types)
        oz_root, oz_proofs = oz_merkle(values, types)
        assert tree.root == oz_root
        assert [tree.proof(i) for i in range(len(values))] == oz_proofs


def test_verify_file_single_file_dataset(registry, send, owner, oz_merkle):
    tree_root, proofs = oz_merkle(FILES[:1], FILE_TYPES)
    assert proofs == [[]] and tree_root == standard_leaf(FILE_TYPES, FILES[0])
    dataset = register(registry, send, owner, tree_root)
    assert registry.functions.verifyFile(dataset, [], *FILES[0]).call()


def test_verify_record_with_openzeppelin_proofs(registry, send, owner, oz_merkle):
    tree_root, proofs = oz_merkle(RECORDS, RECORD_TYPES)
    dataset = register(registry, send, owner, tree_root)
    fn = registry.functions
    for (index, commitment), proof in zip(RECORDS, proofs, strict=True):
        assert fn.verifyRecord(dataset, proof, index, commitment).call()
        assert fn.checkRecord(dataset, proof, index, commitment).call() == [True, 0, False, False]
        for wrong in ([index + 1, commitment], [index, keccak(commitment)]):
            assert not fn.verifyRecord(dataset, proof, *wrong).call()
            assert fn.checkRecord(dataset, proof, *wrong).call() == [False, 0, False, False]


def test_proofs_are_checked_against_the_right_dataset(registry, send, owner, merkle):
    files, records = merkle(FILES, FILE_TYPES), merkle(RECORDS, RECORD_TYPES)
    file_set = register(registry, send, owner, files.root)
    record_set = register(registry, send, owner, records.root)
    fn = registry.functions
    assert fn.verifyFile(file_set, files.proof(2), *FILES[2]).call()
    assert not fn.verifyFile(record_set, files.proof(2), *FILES[2]).call()
    assert not fn.verifyRecord(file_set, records.proof(2), *RECORDS[2]).call()
    # a file leaf is not a record leaf, even with the same proof
    assert not fn.verifyLeaf(
        record_set, records.proof(2), standard_leaf(FILE_TYPES, FILES[2])
    ).call()


def test_an_inner_node_is_not_a_leaf(registry, send, owner, merkle):
    """Double-hashed leaves: the 64-byte pre-image of an inner node is no file or record."""
    tree = merkle(RECORDS, RECORD_TYPES)
    dataset = register(registry, send, owner, tree.root)
    left, right = tree.tree[1], tree.tree[2]
    assert not registry.functions.verifyRecord(
        dataset, [], int.from_bytes(min(left, right)), max(left, right)
    ).call()
    # while verifyLeaf takes the hash as given, so an inner node with its path verifies
    assert registry.functions.verifyLeaf(dataset, [right], left).call()
