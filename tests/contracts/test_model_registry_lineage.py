"""ModelRegistry lineage commitments and proof checks, on the shipped bytecode.

The lineage hash is `keccak256(abi.encode(datasetIds, datasetRoots, parentModelIds))` with
the dataset roots read at registration; it can be checked from the ModelRegistered event
alone, and later dataset versions never change it.
"""

from __future__ import annotations

import hashlib

import pytest
from eth_abi import encode
from eth_utils import keccak

from tools.contracts.gas import standard_leaf

FILE_TYPES = ["string", "uint256", "bytes32"]
LINEAGE_TYPES = ["uint256[]", "bytes32[]", "uint256[]"]
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
META = keccak(b"model card")

MODEL_FILES = [
    ["config.json", 1_024, hashlib.sha256(b"config").digest()],
    ["model-00001-of-00002.safetensors", 4_999_819_336, hashlib.sha256(b"shard 1").digest()],
    ["model-00002-of-00002.safetensors", 241_172_480, hashlib.sha256(b"shard 2").digest()],
    ["tokenizer.json", 9_085_657, hashlib.sha256(b"tokenizer").digest()],
    ["README.md", 0, hashlib.sha256(b"").digest()],
]


def lineage_hash(dataset_ids, dataset_roots, parent_ids) -> bytes:
    return keccak(encode(LINEAGE_TYPES, [list(dataset_ids), list(dataset_roots), list(parent_ids)]))


@pytest.fixture
def owner(accounts):
    return accounts[1]


@pytest.fixture
def curator(accounts):
    return accounts[4]


def register_dataset(registry, send, curator, tree_root: bytes, parent: int = 0) -> int:
    receipt = send(registry.functions.register(tree_root, META, "", parent), curator)
    return registry.events.DatasetRegistered().process_receipt(receipt)[0]["args"]["id"]


def register_model(models, send, model_events, owner, tree_root, dataset_ids, parent_ids=()):
    receipt = send(
        models.functions.register(tree_root, META, "", list(dataset_ids), list(parent_ids)), owner
    )
    return model_events(receipt, "ModelRegistered")[0]


# --- the lineage commitment --------------------------------------------------------------


def test_lineage_hash_is_the_documented_encoding(
    models, registry, send, model_events, owner, curator
):
    a = register_dataset(registry, send, curator, keccak(b"a"))
    b = register_dataset(registry, send, curator, keccak(b"b"))
    base = register_model(models, send, model_events, owner, keccak(b"base"), [a])["id"]
    event = register_model(models, send, model_events, owner, keccak(b"ft"), [b, a], [base])
    expected = lineage_hash([b, a], [keccak(b"b"), keccak(b"a")], [base])
    assert models.functions.lineageHashOf(event["id"]).call() == expected
    assert models.functions.getModel(event["id"]).call()[4] == expected


def test_check_lineage_from_the_event_alone(models, registry, send, model_events, owner, curator):
    """What an auditor does: take the three arrays of ModelRegistered and check them."""
    ids = [register_dataset(registry, send, curator, keccak(b"%d" % n)) for n in range(3)]
    event = register_model(models, send, model_events, owner, keccak(b"m"), [ids[2], ids[0]])
    assert event["datasetRoots"] == [keccak(b"2"), keccak(b"0")]
    claim = (event["datasetIds"], event["datasetRoots"], event["parentModelIds"])
    assert models.functions.checkLineage(event["id"], *claim).call()
    assert keccak(encode(LINEAGE_TYPES, list(claim))) == models.functions.lineageHashOf(
        event["id"]
    ).call()


def test_check_lineage_refuses_any_other_claim(
    models, registry, send, model_events, owner, curator
):
    ids = [register_dataset(registry, send, curator, keccak(b"%d" % n)) for n in range(3)]
    parent = register_model(models, send, model_events, owner, keccak(b"p"), [ids[0]])["id"]
    event = register_model(models, send, model_events, owner, keccak(b"m"), ids[:2], [parent])
    fn, id_ = models.functions, event["id"]
    dataset_ids, roots = ids[:2], [keccak(b"0"), keccak(b"1")]
    assert fn.checkLineage(id_, dataset_ids, roots, [parent]).call()
    wrong_claims = [
        (dataset_ids[::-1], roots[::-1], [parent]),  # the order is part of the commitment
        (dataset_ids, roots[::-1], [parent]),
        (dataset_ids, [roots[0], keccak(b"2")], [parent]),  # another root
        ([ids[0], ids[2]], [roots[0], keccak(b"2")], [parent]),  # another dataset
        (dataset_ids[:1], roots[:1], [parent]),  # a dataset left out
        (dataset_ids, roots, []),  # the parent left out
        (dataset_ids, roots, [parent, parent]),
        (dataset_ids, roots + [keccak(b"x")], [parent]),  # arrays of different lengths
    ]
    for claim in wrong_claims:
        assert not fn.checkLineage(id_, *claim).call(), claim
    # another model's lineage is not this one's
    assert not fn.checkLineage(parent, dataset_ids, roots, [parent]).call()


def test_a_new_dataset_version_does_not_change_what_a_model_was_trained_on(
    models, registry, send, model_events, owner, curator
):
    """Register a dataset, train a model on it, then register v2 of the dataset with v1 as its
    parent (nothing revoked): the model's commitment still names v1's original root."""
    v1_root, v2_root = keccak(b"corpus v1"), keccak(b"corpus v2")
    v1 = register_dataset(registry, send, curator, v1_root)
    event = register_model(models, send, model_events, owner, keccak(b"model"), [v1])
    committed = models.functions.lineageHashOf(event["id"]).call()

    v2 = register_dataset(registry, send, curator, v2_root, parent=v1)
    send(registry.functions.setStatus(v1, DEPRECATED, "superseded by v2"), curator)

    fn = models.functions
    assert fn.lineageHashOf(event["id"]).call() == committed == lineage_hash([v1], [v1_root], [])
    assert fn.checkLineage(event["id"], [v1], [v1_root], []).call()
    assert not fn.checkLineage(event["id"], [v1], [v2_root], []).call()
    assert not fn.checkLineage(event["id"], [v2], [v2_root], []).call()
    # and a model trained on v2 commits to v2's root, beside the old one
    newer = register_model(models, send, model_events, owner, keccak(b"model 2"), [v2])
    assert newer["datasetRoots"] == [v2_root]
    assert fn.checkLineage(newer["id"], [v2], [v2_root], []).call()
    assert fn.checkLineage(event["id"], [v1], [v1_root], []).call()


def test_lineage_survives_revocations_and_transfers(
    models, registry, send, model_events, owner, curator, accounts
):
    d = register_dataset(registry, send, curator, keccak(b"d"))
    parent = register_model(models, send, model_events, owner, keccak(b"p"), [d])["id"]
    child = register_model(models, send, model_events, owner, keccak(b"c"), [d], [parent])["id"]
    send(registry.functions.setStatus(d, REVOKED, "consent withdrawn"), curator)
    send(models.functions.setStatus(parent, REVOKED, "bad"), owner)
    send(models.functions.transferOwnership(child, accounts[5]), owner)
    assert models.functions.checkLineage(child, [d], [keccak(b"d")], [parent]).call()
    assert models.functions.statusOf(child).call() == ACTIVE


def test_a_model_can_be_trained_on_a_long_lineage(
    models, registry, send, model_events, owner, curator
):
    """A chain of fine-tunes, each on a new dataset version: every link checks out."""
    previous_dataset, previous_model = 0, None
    for n in range(4):
        d = register_dataset(registry, send, curator, keccak(b"v%d" % n), parent=previous_dataset)
        parents = [] if previous_model is None else [previous_model]
        event = register_model(models, send, model_events, owner, keccak(b"m%d" % n), [d], parents)
        previous_dataset, previous_model = d, event["id"]
    for model_id in range(1, 5):
        parents = [] if model_id == 1 else [model_id - 1]
        assert models.functions.checkLineage(
            model_id, [model_id], [keccak(b"v%d" % (model_id - 1))], parents
        ).call()


# --- proofs ------------------------------------------------------------------------------


def test_verify_file_with_openzeppelin_proofs(
    models, registry, send, model_events, owner, curator, oz_merkle
):
    tree_root, proofs = oz_merkle(MODEL_FILES, FILE_TYPES)
    d = register_dataset(registry, send, curator, keccak(b"d"))
    model = register_model(models, send, model_events, owner, tree_root, [d])["id"]
    fn = models.functions
    for (path, size, digest), proof in zip(MODEL_FILES, proofs, strict=True):
        assert fn.verifyFile(model, proof, path, size, digest).call()
        assert fn.verifyLeaf(model, proof, standard_leaf(FILE_TYPES, [path, size, digest])).call()
        assert not fn.verifyFile(model, proof, path + "x", size, digest).call()
        assert not fn.verifyFile(model, proof, path, size + 1, digest).call()
        assert not fn.verifyFile(model, proof, path, size, keccak(digest)).call()
    assert not fn.verifyFile(model, proofs[0], *MODEL_FILES[1]).call()


def test_proofs_are_checked_against_the_model_not_the_dataset_with_the_same_id(
    models, registry, send, model_events, owner, curator, merkle
):
    model_tree = merkle(MODEL_FILES, FILE_TYPES)
    data_tree = merkle(MODEL_FILES[:2], FILE_TYPES)
    d = register_dataset(registry, send, curator, data_tree.root)
    model = register_model(models, send, model_events, owner, model_tree.root, [d])["id"]
    assert d == model == 1
    assert models.functions.verifyFile(1, model_tree.proof(3), *MODEL_FILES[3]).call()
    assert not models.functions.verifyFile(1, data_tree.proof(1), *MODEL_FILES[1]).call()
    assert registry.functions.verifyFile(1, data_tree.proof(1), *MODEL_FILES[1]).call()


def test_single_file_model_and_revoked_model_proofs(
    models, registry, send, model_events, owner, curator, merkle
):
    tree = merkle(MODEL_FILES[:1], FILE_TYPES)
    assert tree.root == standard_leaf(FILE_TYPES, MODEL_FILES[0])
    d = register_dataset(registry, send, curator, keccak(b"d"))
    model = register_model(models, send, model_events, owner, tree.root, [d])["id"]
    assert models.functions.verifyFile(model, [], *MODEL_FILES[0]).call()
    send(models.functions.setStatus(model, REVOKED, "withdrawn"), owner)
    assert models.functions.verifyFile(model, [], *MODEL_FILES[0]).call()  # status ignored
