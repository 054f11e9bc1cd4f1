"""DatasetRegistry rules, on the shipped bytecode: registration, ownership, managers, status."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from aiprov.contracts import load_artifact

ZERO_ADDRESS = "0x" + "00" * 20
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
URI = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuz"


def root(n: int) -> bytes:
    return keccak(b"root %d" % n)


META = keccak(b"metadata")


@pytest.fixture
def registered(registry, send, owner):
    """Dataset 1, owned by ``owner``."""
    send(registry.functions.register(root(1), META, URI, 0), owner)
    return 1


# --- register ----------------------------------------------------------------------------


def test_ids_start_at_one_and_count_up(registry, send, owner, other):
    fn = registry.functions
    assert fn.datasetCount().call() == 0
    assert fn.register(root(1), META, URI, 0).call({"from": owner}) == 1
    send(fn.register(root(1), META, URI, 0), owner)
    assert fn.register(root(2), META, URI, 0).call({"from": other}) == 2
    send(fn.register(root(2), META, URI, 1), other)
    assert fn.datasetCount().call() == 2


def test_register_stores_the_dataset_and_emits(registry, send, events, w3, owner):
    receipt = send(registry.functions.register(root(1), META, URI, 0), owner)
    block = w3.eth.get_block(receipt["blockNumber"])
    assert registry.functions.getDataset(1).call() == (
        root(1),
        owner,
        ACTIVE,
        0,
        block["timestamp"],
    )
    assert events(receipt, "DatasetRegistered") == [
        {
            "id": 1,
            "owner": owner,
            "root": root(1),
            "parentId": 0,
            "metadataHash": META,
            "metadataURI": URI,
        }
    ]
    assert len(receipt["logs"]) == 1


def test_register_topics_allow_lookup_by_root_and_owner(registry, send, w3, owner, other):
    """Look-up by root is off-chain: filter DatasetRegistered on the indexed root topic."""
    send(registry.functions.register(root(7), META, URI, 0), owner)
    send(registry.functions.register(root(8), META, URI, 0), other)
    send(registry.functions.register(root(7), META, "", 0), other)
    topic0 = (
        "0x"
        + keccak(text="DatasetRegistered(uint256,address,bytes32,uint256,bytes32,string)").hex()
    )
    logs = w3.eth.get_logs(
        {
            "address": registry.address,
            "fromBlock": 0,
            "topics": [topic0, None, None, "0x" + root(7).hex()],
        }
    )
    found = [registry.events.DatasetRegistered().process_log(log)["args"]["id"] for log in logs]
    assert found == [1, 3]  # earliest registration first


def test_register_with_parent(registry, send, events, owner, other):
    send(registry.functions.register(root(1), META, URI, 0), owner)
    receipt = send(registry.functions.register(root(2), META, URI, 1), other)  # anyone's parent
    assert registry.functions.getDataset(2).call()[3] == 1
    assert events(receipt, "DatasetRegistered")[0]["parentId"] == 1


def test_register_refuses_an_unknown_parent(registry, send, reverts, owner):
    with reverts("DatasetParentNotFound", 1):
        registry.functions.register(root(1), META, URI, 1).call({"from": owner})
    send(registry.functions.register(root(1), META, URI, 0), owner)
    for parent in (2, 2**48, 2**256 - 1):
        with reverts("DatasetParentNotFound", parent):
            registry.functions.register(root(2), META, URI, parent).call({"from": owner})


def test_register_refuses_a_zero_root(registry, reverts, owner):
    with reverts("AssetEmptyRoot"):
        registry.functions.register(b"\0" * 32, META, URI, 0).call({"from": owner})


def test_register_accepts_empty_metadata_and_a_reused_root(registry, send, owner):
    send(registry.functions.register(root(1), b"\0" * 32, "", 0), owner)
    send(registry.functions.register(root(1), b"\0" * 32, "", 0), owner)
    assert registry.functions.rootOf(2).call() == root(1)


def test_register_parent_of_a_revoked_dataset_is_allowed(registry, send, owner, registered):
    send(registry.functions.setStatus(registered, REVOKED, "leak"), owner)
    send(registry.functions.register(root(2), META, URI, registered), owner)
    assert registry.functions.getDataset(2).call()[3] == registered


# --- ids ---------------------------------------------------------------------------------
# Look-ups, ownership, managers and status are the same in both registries:
# tests/contracts/test_asset_registry.py runs them on each.

OWN_ID_CALLS = {
    "getDataset": lambda fn, a, i: fn.getDataset(i),
    "isConsentRevoked": lambda fn, a, i: fn.isConsentRevoked(i, 0),
    "isErased": lambda fn, a, i: fn.isErased(i, 0),
    "verifyRecord": lambda fn, a, i: fn.verifyRecord(i, [], 0, b"\1" * 32),
    "checkRecord": lambda fn, a, i: fn.checkRecord(i, [], 0, b"\1" * 32),
    "checkRecords": lambda fn, a, i: fn.checkRecords(i, [], [], [0], [b"\1" * 32]),
    "revokeConsent": lambda fn, a, i: fn.revokeConsent(i, 0, b"\0" * 32),
    "eraseRecord": lambda fn, a, i: fn.eraseRecord(i, 0, b"\0" * 32),
}


@pytest.mark.parametrize("name", sorted(OWN_ID_CALLS))
def test_every_own_id_function_reverts_for_an_unknown_id(registry, reverts, owner, registered, name):
    for unknown in (0, 2, 2**256 - 1):
        with reverts("DatasetNotFound", unknown):
            OWN_ID_CALLS[name](registry.functions, owner, unknown).call({"from": owner})


def test_every_function_that_takes_an_id_is_tested():
    """A new function taking a dataset id must be added above or to the shared suite."""
    from test_asset_registry import SHARED_ID_CALLS

    abi = load_artifact("DatasetRegistry")["abi"]
    takes_id = {
        f["name"] for f in abi if f["type"] == "function" and f["inputs"] and f["inputs"][0]["name"] == "id"
    }
    assert takes_id - {"exists"} == set(OWN_ID_CALLS) | set(SHARED_ID_CALLS)


def test_get_dataset_after_a_transfer(registry, send, owner, other, registered):
    send(registry.functions.transferOwnership(registered, other), owner)
    assert registry.functions.getDataset(registered).call()[:4] == (root(1), other, ACTIVE, 0)
