"""ModelRegistry rules, on the shipped bytecode: registration and its checks, look-ups,
ownership, managers, status."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from aiprov.contracts import load_artifact

ZERO_ADDRESS = "0x" + "00" * 20
ZERO = b"\0" * 32
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
URI = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuz"
META = keccak(b"model card")
MAX_REFERENCES = 64


def root(n: int) -> bytes:
    return keccak(b"model %d" % n)


def dataset_root(n: int) -> bytes:
    return keccak(b"dataset %d" % n)


@pytest.fixture
def curator(accounts):
    """Registers the datasets: a model may be trained on anyone's datasets."""
    return accounts[4]


@pytest.fixture
def datasets(registry, send, curator):
    """Datasets 1..3 in the DatasetRegistry, owned by ``curator``; returns their ids."""
    for n in (1, 2, 3):
        send(registry.functions.register(dataset_root(n), META, URI, 0), curator)
    return [1, 2, 3]


@pytest.fixture
def registered(models, send, owner, datasets):
    """Model 1, trained on datasets 1 and 2, owned by ``owner``."""
    send(models.functions.register(root(1), META, URI, [1, 2], []), owner)
    return 1


# --- deployment --------------------------------------------------------------------------


def test_dataset_registry_is_fixed_at_deployment(models, registry):
    assert models.functions.datasetRegistry().call() == registry.address
    assert models.functions.modelCount().call() == 0


def test_deployment_refuses_the_zero_address(w3, model_abi, reverts, owner):
    factory = w3.eth.contract(abi=model_abi, bytecode=load_artifact("ModelRegistry")["bytecode"])
    tx = factory.constructor(ZERO_ADDRESS).build_transaction({"from": owner, "gas": 2_000_000})
    with reverts("ModelZeroAddress"):
        w3.eth.call({"from": owner, "data": tx["data"]})


def test_a_registry_that_is_not_a_dataset_registry_fails_plainly(
    w3, model_abi, reverts, owner, accounts, models
):
    """Pointed at an account without code, or at a contract without `getDataset`, register
    reverts with empty data: never a misleading ModelDatasetNotFound."""
    factory = w3.eth.contract(abi=model_abi, bytecode=load_artifact("ModelRegistry")["bytecode"])
    for target in (accounts[9], models.address):
        tx_hash = factory.constructor(target).transact({"from": owner, "gas": 2_000_000})
        address = w3.eth.get_transaction_receipt(tx_hash)["contractAddress"]
        wrong = w3.eth.contract(address=address, abi=model_abi)
        with reverts(""):
            wrong.functions.register(root(1), META, URI, [1], []).call({"from": owner})


# --- register ----------------------------------------------------------------------------


def test_ids_start_at_one_and_count_up(models, send, owner, other, datasets):
    fn = models.functions
    assert fn.register(root(1), META, URI, [1], []).call({"from": owner}) == 1
    send(fn.register(root(1), META, URI, [1], []), owner)
    assert fn.register(root(2), META, URI, [2], [1]).call({"from": other}) == 2
    send(fn.register(root(2), META, URI, [2], [1]), other)
    assert fn.modelCount().call() == 2


def test_register_stores_the_model_and_emits(
    models, send, model_events, w3, owner, curator, datasets
):
    receipt = send(models.functions.register(root(1), META, URI, [2, 1], []), owner)
    lineage = keccak(
        encode(
            ["uint256[]", "bytes32[]", "uint256[]"],
            [[2, 1], [dataset_root(2), dataset_root(1)], []],
        )
    )
    block = w3.eth.get_block(receipt["blockNumber"])
    assert models.functions.getModel(1).call() == (
        root(1),
        owner,
        ACTIVE,
        block["timestamp"],
        lineage,
    )
    assert model_events(receipt, "ModelRegistered") == [
        {
            "id": 1,
            "owner": owner,
            "root": root(1),
            "metadataHash": META,
            "metadataURI": URI,
            "datasetIds": [2, 1],  # the order given
            "datasetRoots": [dataset_root(2), dataset_root(1)],
            "parentModelIds": [],
        }
    ]
    assert len(receipt["logs"]) == 1


def test_register_with_parents(models, send, model_events, owner, other, datasets):
    fn = models.functions
    send(fn.register(root(1), META, URI, [1], []), owner)
    send(fn.register(root(2), META, URI, [2], []), other)
    receipt = send(fn.register(root(3), META, URI, [3, 1], [2, 1]), other)  # anyone's parents
    (event,) = model_events(receipt, "ModelRegistered")
    assert event["parentModelIds"] == [2, 1]
    assert event["datasetRoots"] == [dataset_root(3), dataset_root(1)]
    assert fn.checkLineage(3, [3, 1], [dataset_root(3), dataset_root(1)], [2, 1]).call()


def test_register_topics_allow_lookup_by_root_and_owner(models, send, w3, owner, other, datasets):
    send(models.functions.register(root(7), META, URI, [1], []), owner)
    send(models.functions.register(root(8), META, URI, [1], []), other)
    send(models.functions.register(root(7), META, "", [2], []), other)
    topic0 = keccak(
        text="ModelRegistered(uint256,address,bytes32,bytes32,string,uint256[],bytes32[],uint256[])"
    )
    by_root = w3.eth.get_logs(
        {
            "address": models.address,
            "fromBlock": 0,
            "topics": ["0x" + topic0.hex(), None, None, "0x" + root(7).hex()],
        }
    )
    found = [models.events.ModelRegistered().process_log(log)["args"]["id"] for log in by_root]
    assert found == [1, 3]  # earliest registration first
    owner_topic = "0x" + bytes.fromhex(other[2:]).rjust(32, b"\0").hex()
    by_owner = w3.eth.get_logs(
        {
            "address": models.address,
            "fromBlock": 0,
            "topics": ["0x" + topic0.hex(), None, owner_topic],
        }
    )
    found = [models.events.ModelRegistered().process_log(log)["args"]["id"] for log in by_owner]
    assert found == [2, 3]


def test_register_refuses_a_zero_root(models, reverts, owner, datasets):
    with reverts("AssetEmptyRoot"):
        models.functions.register(ZERO, META, URI, [1], []).call({"from": owner})


def test_register_needs_a_dataset(models, reverts, owner, datasets):
    with reverts("ModelNoDatasets"):
        models.functions.register(root(1), META, URI, [], []).call({"from": owner})


def test_register_refuses_an_unknown_dataset(models, reverts, owner, datasets):
    for unknown in (0, 4, 2**48, 2**256 - 1):
        with reverts("ModelDatasetNotFound", unknown):
            models.functions.register(root(1), META, URI, [1, unknown], []).call({"from": owner})


def test_register_refuses_a_revoked_dataset_by_its_id(
    models, registry, send, reverts, owner, curator, datasets
):
    send(registry.functions.setStatus(2, REVOKED, "personal data"), curator)
    with reverts("ModelDatasetRevoked", 2):
        models.functions.register(root(1), META, URI, [1, 2, 3], []).call({"from": owner})
    with reverts("ModelDatasetRevoked", 2):
        models.functions.register(root(1), META, URI, [2], []).call({"from": owner})
    send(models.functions.register(root(1), META, URI, [1, 3], []), owner)


def test_register_accepts_a_deprecated_dataset(
    models, registry, send, owner, curator, datasets, model_events
):
    send(registry.functions.setStatus(1, DEPRECATED, "superseded"), curator)
    receipt = send(models.functions.register(root(1), META, URI, [1], []), owner)
    assert model_events(receipt, "ModelRegistered")[0]["datasetRoots"] == [dataset_root(1)]


def test_register_refuses_an_unknown_parent(models, send, reverts, owner, datasets):
    fn = models.functions
    with reverts("ModelParentNotFound", 1):
        fn.register(root(1), META, URI, [1], [1]).call({"from": owner})  # not even itself
    send(fn.register(root(1), META, URI, [1], []), owner)
    for unknown in (0, 2, 3, 2**256 - 1):
        with reverts("ModelParentNotFound", unknown):
            fn.register(root(2), META, URI, [1], [1, unknown]).call({"from": owner})


def test_register_refuses_a_revoked_parent_and_accepts_a_deprecated_one(
    models, send, reverts, owner, other, datasets
):
    fn = models.functions
    send(fn.register(root(1), META, URI, [1], []), owner)
    send(fn.register(root(2), META, URI, [1], []), owner)
    send(fn.setStatus(1, REVOKED, "bad weights"), owner)
    send(fn.setStatus(2, DEPRECATED, "old"), owner)
    with reverts("ModelParentRevoked", 1):
        fn.register(root(3), META, URI, [1], [2, 1]).call({"from": other})
    send(fn.register(root(3), META, URI, [1], [2]), other)


@pytest.mark.parametrize(
    ("dataset_ids", "parent_ids", "repeated"),
    [
        ([1, 1], [], 1),
        ([1, 2, 3, 2], [], 2),
        ([3, 1, 2, 3], [], 3),
        ([1], [1, 1], 1),
        ([1, 2], [2, 1, 2], 2),
        ([1, 2], [1, 2], None),  # the same id in both lists is fine
    ],
)
def test_register_refuses_a_repeated_reference(
    models, send, reverts, owner, datasets, dataset_ids, parent_ids, repeated
):
    fn = models.functions
    send(fn.register(root(1), META, URI, [1], []), owner)
    send(fn.register(root(2), META, URI, [2], []), owner)
    call = fn.register(root(3), META, URI, dataset_ids, parent_ids)
    if repeated is None:
        send(call, owner)
    else:
        with reverts("ModelDuplicateReference", repeated):
            call.call({"from": owner})


def test_register_caps_each_list_at_64(models, registry, send, reverts, owner, curator):
    fn = models.functions
    for n in range(MAX_REFERENCES):
        send(registry.functions.register(dataset_root(n), META, "", 0), curator)
    ids = list(range(1, MAX_REFERENCES + 1))
    with reverts("ModelTooManyReferences", MAX_REFERENCES + 1, MAX_REFERENCES):
        fn.register(root(1), META, URI, [*ids, 1], []).call({"from": owner})
    with reverts("ModelTooManyReferences", 1000, MAX_REFERENCES):  # before any other check
        fn.register(root(1), META, URI, [0] * 1000, []).call({"from": owner})
    send(fn.register(root(1), META, URI, ids, []), owner)  # 64 datasets is fine
    with reverts("ModelTooManyReferences", MAX_REFERENCES + 1, MAX_REFERENCES):
        fn.register(root(2), META, URI, [1], [1] * (MAX_REFERENCES + 1)).call({"from": owner})


def test_checks_come_in_the_documented_order(models, registry, send, reverts, owner, curator):
    """Root, at least one dataset, caps, then each dataset in turn, then each parent."""
    fn = models.functions
    send(registry.functions.register(dataset_root(1), META, "", 0), curator)
    send(registry.functions.register(dataset_root(2), META, "", 0), curator)
    send(registry.functions.setStatus(2, REVOKED, ""), curator)
    cases = [
        ((ZERO, [], [0] * 65), ("AssetEmptyRoot",)),
        ((root(1), [], [0] * 65), ("ModelNoDatasets",)),
        ((root(1), [9] * 65, [9]), ("ModelTooManyReferences", 65, 64)),
        ((root(1), [9], [9] * 65), ("ModelTooManyReferences", 65, 64)),
        ((root(1), [2, 9], [9, 9]), ("ModelDatasetRevoked", 2)),
        ((root(1), [9, 2], [9, 9]), ("ModelDatasetNotFound", 9)),
        ((root(1), [1, 1, 9], [9]), ("ModelDuplicateReference", 1)),
        ((root(1), [1], [9, 9]), ("ModelParentNotFound", 9)),
    ]
    for (model_root, dataset_ids, parent_ids), error in cases:
        with reverts(*error):
            fn.register(model_root, META, URI, dataset_ids, parent_ids).call({"from": owner})


def test_register_accepts_empty_metadata_and_a_reused_root(models, send, owner, datasets):
    send(models.functions.register(root(1), ZERO, "", [1], []), owner)
    send(models.functions.register(root(1), ZERO, "", [1], []), owner)
    assert models.functions.rootOf(2).call() == root(1)


# --- ids ---------------------------------------------------------------------------------
# Look-ups, ownership, managers and status are the same in both registries:
# tests/contracts/test_asset_registry.py runs them on each.

OWN_ID_CALLS = {
    "getModel": lambda fn, a, i: fn.getModel(i),
    "lineageHashOf": lambda fn, a, i: fn.lineageHashOf(i),
    "checkLineage": lambda fn, a, i: fn.checkLineage(i, [1], [dataset_root(1)], []),
}


def test_lineage_hash_lookup(models, registered):
    fn = models.functions
    assert fn.lineageHashOf(registered).call() == fn.getModel(registered).call()[4] != ZERO


@pytest.mark.parametrize("name", sorted(OWN_ID_CALLS))
def test_every_own_id_function_reverts_for_an_unknown_id(models, reverts, owner, registered, name):
    for unknown in (0, 2, 2**256 - 1):
        with reverts("ModelNotFound", unknown):
            OWN_ID_CALLS[name](models.functions, owner, unknown).call({"from": owner})


def test_every_function_that_takes_an_id_is_tested():
    """A new function taking a model id must be added above or to the shared suite."""
    from test_asset_registry import SHARED_ID_CALLS

    abi = load_artifact("ModelRegistry")["abi"]
    takes_id = {
        f["name"] for f in abi if f["type"] == "function" and f["inputs"] and f["inputs"][0]["name"] == "id"
    }
    assert takes_id - {"exists"} == set(OWN_ID_CALLS) | set(SHARED_ID_CALLS)


def test_owning_a_dataset_gives_no_power_over_models_trained_on_it(
    models, reverts, curator, registered
):
    with reverts("AssetUnauthorized", registered, curator):
        models.functions.setStatus(registered, REVOKED, "mine").call({"from": curator})


def test_revoking_does_not_cascade(models, registry, send, owner, curator, registered):
    """Revoking a dataset or a parent later leaves the models registered on it as they are:
    the registration was valid when made. Auditors check the status of what a model names."""
    fn = models.functions
    send(fn.register(root(2), META, URI, [3], [registered]), owner)
    send(registry.functions.setStatus(1, REVOKED, "consent withdrawn"), curator)
    send(fn.setStatus(registered, REVOKED, "trained on revoked data"), owner)
    assert fn.statusOf(2).call() == ACTIVE
    assert fn.checkLineage(2, [3], [dataset_root(3)], [registered]).call()
    assert fn.checkLineage(registered, [1, 2], [dataset_root(1), dataset_root(2)], []).call()
