"""DatasetRegistry proof checks (with real OpenZeppelin StandardMerkleTree proofs) and consent."""

from __future__ import annotations

import hashlib

import pytest
from eth_utils import keccak

from tools.contracts.gas import standard_leaf

FILE_TYPES = ["string", "uint256", "bytes32"]
RECORD_TYPES = ["uint256", "bytes32"]
META = keccak(b"metadata")

FILES = [
    ["README.md", 1_204, hashlib.sha256(b"readme").digest()],
    ["data/train/part-00000.parquet", 268_435_456, hashlib.sha256(b"part 0").digest()],
    ["data/train/part-00001.parquet", 268_435_455, hashlib.sha256(b"part 1").digest()],
    ["data/test/part-00000.parquet", 1_048_576, hashlib.sha256(b"test 0").digest()],
    ["labels/классы.csv", 0, hashlib.sha256(b"").digest()],  # UTF-8 path, empty file
]
RECORDS = [[i, hashlib.sha256(b"salt%d" % i + b'{"row": %d}' % i).digest()] for i in range(7)]


@pytest.fixture
def owner(accounts):
    return accounts[1]


def register(registry, send, owner, tree_root: bytes) -> int:
    receipt = send(registry.functions.register(tree_root, META, "", 0), owner)
    return registry.events.DatasetRegistered().process_receipt(receipt)[0]["args"]["id"]


def test_python_tree_matches_openzeppelin(merkle, oz_merkle):
    for values, types in ((FILES, FILE_TYPES), (RECORDS, RECORD_TYPES), (FILES[:1], FILE_TYPES)):
        tree = merkle(values, types)
        oz_root, oz_proofs = oz_merkle(values, types)
        assert tree.root == oz_root
        assert [tree.proof(i) for i in range(len(values))] == oz_proofs


def test_verify_file_with_openzeppelin_proofs(registry, send, owner, oz_merkle):
    tree_root, proofs = oz_merkle(FILES, FILE_TYPES)
    dataset = register(registry, send, owner, tree_root)
    fn = registry.functions
    for (path, size, digest), proof in zip(FILES, proofs, strict=True):
        assert fn.verifyFile(dataset, proof, path, size, digest).call()
        assert fn.verifyLeaf(dataset, proof, standard_leaf(FILE_TYPES, [path, size, digest])).call()
        # any change to the file's identity fails
        assert not fn.verifyFile(dataset, proof, path + "x", size, digest).call()
        assert not fn.verifyFile(dataset, proof, path, size + 1, digest).call()
        assert not fn.verifyFile(dataset, proof, path, size, keccak(digest)).call()
    # a proof for one file does not prove another
    assert not fn.verifyFile(dataset, proofs[0], *FILES[1]).call()


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
        assert not fn.verifyRecord(dataset, proof, index + 1, commitment).call()
        assert not fn.verifyRecord(dataset, proof, index, keccak(commitment)).call()


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


def test_proofs_of_a_revoked_dataset_still_verify(registry, send, owner, merkle):
    tree = merkle(FILES, FILE_TYPES)
    dataset = register(registry, send, owner, tree.root)
    send(registry.functions.setStatus(dataset, 2, "withdrawn"), owner)
    assert registry.functions.verifyFile(dataset, tree.proof(0), *FILES[0]).call()


# --- consent -----------------------------------------------------------------------------

INDICES = [0, 255, 256, 2**200]


def test_consent_bitmap(registry, send, events, owner, accounts):
    dataset = register(registry, send, owner, keccak(b"records"))
    fn = registry.functions
    probe = sorted({i + d for i in INDICES for d in (-1, 0, 1) if i + d >= 0})
    assert not any(fn.isConsentRevoked(dataset, i).call() for i in probe)
    revoked: set[int] = set()
    for index in INDICES:
        receipt = send(fn.revokeConsent(dataset, index, f"erasure request {index}"), owner)
        assert events(receipt, "RecordConsentRevoked") == [
            {"id": dataset, "recordIndex": index, "by": owner, "reason": f"erasure request {index}"}
        ]
        revoked.add(index)
        assert [fn.isConsentRevoked(dataset, i).call() for i in probe] == [
            i in revoked for i in probe
        ]
    assert fn.isConsentRevoked(dataset, 2**256 - 1).call() is False
    send(fn.revokeConsent(dataset, 2**256 - 1, ""), owner)
    assert fn.isConsentRevoked(dataset, 2**256 - 1).call()


def test_consent_is_per_dataset(registry, send, owner):
    first = register(registry, send, owner, keccak(b"a"))
    second = register(registry, send, owner, keccak(b"b"))
    send(registry.functions.revokeConsent(first, 5, ""), owner)
    assert not registry.functions.isConsentRevoked(second, 5).call()


def test_consent_revoked_twice_is_refused(registry, send, reverts, owner):
    dataset = register(registry, send, owner, keccak(b"records"))
    send(registry.functions.revokeConsent(dataset, 256, "first"), owner)
    with reverts("DatasetConsentAlreadyRevoked", dataset, 256):
        registry.functions.revokeConsent(dataset, 256, "again").call({"from": owner})


def test_consent_revocation_by_owner_or_manager_only(
    registry, send, reverts, events, owner, accounts
):
    manager, stranger = accounts[3], accounts[4]
    dataset = register(registry, send, owner, keccak(b"records"))
    with reverts("DatasetUnauthorized", dataset, manager):
        registry.functions.revokeConsent(dataset, 1, "").call({"from": manager})
    send(registry.functions.setManager(dataset, manager, True), owner)
    receipt = send(registry.functions.revokeConsent(dataset, 1, "asked by subject"), manager)
    assert events(receipt, "RecordConsentRevoked")[0]["by"] == manager
    with reverts("DatasetUnauthorized", dataset, stranger):
        registry.functions.revokeConsent(dataset, 2, "").call({"from": stranger})
