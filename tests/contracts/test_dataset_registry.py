"""DatasetRegistry rules, on the shipped bytecode: registration, ownership, managers, status."""

from __future__ import annotations

import pytest
from eth_utils import keccak

ZERO_ADDRESS = "0x" + "00" * 20
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
URI = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuz"


def root(n: int) -> bytes:
    return keccak(b"root %d" % n)


META = keccak(b"metadata")


@pytest.fixture
def owner(accounts):
    return accounts[1]


@pytest.fixture
def other(accounts):
    return accounts[2]


@pytest.fixture
def manager(accounts):
    return accounts[3]


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
    with reverts("DatasetEmptyRoot"):
        registry.functions.register(b"\0" * 32, META, URI, 0).call({"from": owner})


def test_register_accepts_empty_metadata_and_a_reused_root(registry, send, owner):
    send(registry.functions.register(root(1), b"\0" * 32, "", 0), owner)
    send(registry.functions.register(root(1), b"\0" * 32, "", 0), owner)
    assert registry.functions.rootOf(2).call() == root(1)


def test_register_parent_of_a_revoked_dataset_is_allowed(registry, send, owner, registered):
    send(registry.functions.setStatus(registered, REVOKED, "leak"), owner)
    send(registry.functions.register(root(2), META, URI, registered), owner)
    assert registry.functions.getDataset(2).call()[3] == registered


# --- look-ups ----------------------------------------------------------------------------


def test_lookups(registry, owner, registered):
    fn = registry.functions
    assert fn.exists(registered).call()
    assert not fn.exists(0).call() and not fn.exists(2).call() and not fn.exists(2**256 - 1).call()
    assert fn.rootOf(registered).call() == root(1)
    assert fn.ownerOf(registered).call() == owner
    assert fn.statusOf(registered).call() == ACTIVE


@pytest.mark.parametrize(
    "call",
    [
        lambda fn, a, i: fn.getDataset(i),
        lambda fn, a, i: fn.rootOf(i),
        lambda fn, a, i: fn.ownerOf(i),
        lambda fn, a, i: fn.statusOf(i),
        lambda fn, a, i: fn.isManager(i, a),
        lambda fn, a, i: fn.canManage(i, a),
        lambda fn, a, i: fn.isConsentRevoked(i, 0),
        lambda fn, a, i: fn.verifyLeaf(i, [], b"\1" * 32),
        lambda fn, a, i: fn.verifyFile(i, [], "a.txt", 1, b"\1" * 32),
        lambda fn, a, i: fn.verifyRecord(i, [], 0, b"\1" * 32),
        lambda fn, a, i: fn.transferOwnership(i, a),
        lambda fn, a, i: fn.setManager(i, a, True),
        lambda fn, a, i: fn.setStatus(i, DEPRECATED, ""),
        lambda fn, a, i: fn.revokeConsent(i, 0, ""),
    ],
    ids=[
        "getDataset",
        "rootOf",
        "ownerOf",
        "statusOf",
        "isManager",
        "canManage",
        "isConsentRevoked",
        "verifyLeaf",
        "verifyFile",
        "verifyRecord",
        "transferOwnership",
        "setManager",
        "setStatus",
        "revokeConsent",
    ],
)
def test_every_id_function_reverts_for_an_unknown_id(registry, reverts, owner, registered, call):
    for unknown in (0, 2, 2**256 - 1):
        with reverts("DatasetNotFound", unknown):
            call(registry.functions, owner, unknown).call({"from": owner})


# --- ownership ---------------------------------------------------------------------------


def test_transfer_ownership(registry, send, events, owner, other, registered):
    receipt = send(registry.functions.transferOwnership(registered, other), owner)
    assert registry.functions.ownerOf(registered).call() == other
    assert events(receipt, "DatasetOwnershipTransferred") == [
        {"id": registered, "previousOwner": owner, "newOwner": other}
    ]
    # the rest of the record is untouched
    assert registry.functions.getDataset(registered).call()[:4] == (root(1), other, ACTIVE, 0)


def test_transfer_ownership_owner_only(registry, send, reverts, owner, other, manager, registered):
    send(registry.functions.setManager(registered, manager, True), owner)
    for caller in (other, manager):
        with reverts("DatasetUnauthorized", registered, caller):
            registry.functions.transferOwnership(registered, caller).call({"from": caller})


def test_transfer_ownership_not_to_zero(registry, reverts, owner, registered):
    with reverts("DatasetZeroAddress"):
        registry.functions.transferOwnership(registered, ZERO_ADDRESS).call({"from": owner})


def test_new_owner_has_the_powers_and_old_one_loses_them(
    registry, send, reverts, owner, other, registered
):
    send(registry.functions.transferOwnership(registered, other), owner)
    with reverts("DatasetUnauthorized", registered, owner):
        registry.functions.setStatus(registered, DEPRECATED, "").call({"from": owner})
    send(registry.functions.setStatus(registered, DEPRECATED, "old"), other)


# --- managers ----------------------------------------------------------------------------


def test_set_manager(registry, send, events, owner, manager, registered):
    fn = registry.functions
    assert not fn.isManager(registered, manager).call()
    assert not fn.canManage(registered, manager).call()
    assert fn.canManage(registered, owner).call()
    assert not fn.isManager(registered, owner).call()

    receipt = send(fn.setManager(registered, manager, True), owner)
    assert events(receipt, "DatasetManagerSet") == [
        {"id": registered, "manager": manager, "allowed": True}
    ]
    assert fn.isManager(registered, manager).call() and fn.canManage(registered, manager).call()

    receipt = send(fn.setManager(registered, manager, False), owner)
    assert events(receipt, "DatasetManagerSet") == [
        {"id": registered, "manager": manager, "allowed": False}
    ]
    assert (
        not fn.isManager(registered, manager).call()
        and not fn.canManage(registered, manager).call()
    )


def test_managers_are_per_dataset(registry, send, owner, manager, registered):
    send(registry.functions.register(root(2), META, URI, 0), owner)
    send(registry.functions.setManager(registered, manager, True), owner)
    assert not registry.functions.canManage(2, manager).call()


def test_set_manager_owner_only_and_not_zero(
    registry, send, reverts, owner, other, manager, registered
):
    send(registry.functions.setManager(registered, manager, True), owner)
    for caller in (other, manager):  # a manager cannot appoint managers
        with reverts("DatasetUnauthorized", registered, caller):
            registry.functions.setManager(registered, other, True).call({"from": caller})
    with reverts("DatasetZeroAddress"):
        registry.functions.setManager(registered, ZERO_ADDRESS, True).call({"from": owner})


def test_transfer_drops_the_previous_owners_managers(
    registry, send, owner, other, manager, registered
):
    fn = registry.functions
    send(fn.setManager(registered, manager, True), owner)
    send(fn.transferOwnership(registered, other), owner)
    assert not fn.isManager(registered, manager).call()
    assert not fn.canManage(registered, manager).call()
    assert not fn.canManage(registered, owner).call()
    # ... and they come back if the dataset returns to that owner
    send(fn.transferOwnership(registered, owner), other)
    assert fn.isManager(registered, manager).call()


# --- status ------------------------------------------------------------------------------


def test_status_transitions(registry, send, events, owner, registered):
    fn = registry.functions
    receipt = send(fn.setStatus(registered, DEPRECATED, "superseded by v2"), owner)
    assert events(receipt, "DatasetStatusChanged") == [
        {"id": registered, "status": DEPRECATED, "reason": "superseded by v2"}
    ]
    assert fn.statusOf(registered).call() == DEPRECATED
    send(fn.setStatus(registered, ACTIVE, "v2 withdrawn"), owner)  # deprecation can be undone
    assert fn.statusOf(registered).call() == ACTIVE
    receipt = send(fn.setStatus(registered, REVOKED, "contains personal data"), owner)
    assert events(receipt, "DatasetStatusChanged")[0]["status"] == REVOKED
    assert fn.getDataset(registered).call()[:3] == (root(1), owner, REVOKED)


@pytest.mark.parametrize("target", [ACTIVE, DEPRECATED, REVOKED])
def test_revoked_is_final(registry, send, reverts, owner, registered, target):
    send(registry.functions.setStatus(registered, REVOKED, "bad"), owner)
    with reverts("DatasetAlreadyRevoked", registered):
        registry.functions.setStatus(registered, target, "undo").call({"from": owner})


def test_set_status_to_the_current_one_is_refused(registry, send, reverts, owner, registered):
    with reverts("DatasetInvalidStatus", ACTIVE):
        registry.functions.setStatus(registered, ACTIVE, "").call({"from": owner})
    send(registry.functions.setStatus(registered, DEPRECATED, ""), owner)
    with reverts("DatasetInvalidStatus", DEPRECATED):
        registry.functions.setStatus(registered, DEPRECATED, "").call({"from": owner})


def test_set_status_out_of_range_is_rejected_by_the_abi_decoder(
    registry, reverts, w3, owner, registered
):
    call = registry.functions.setStatus(registered, 3, "")  # web3 encodes any uint8
    with reverts(""):
        w3.eth.call(
            {"from": owner, "to": registry.address, "data": call._encode_transaction_data()}
        )


def test_set_status_owner_only(registry, send, reverts, owner, other, manager, registered):
    send(registry.functions.setManager(registered, manager, True), owner)
    for caller in (other, manager):
        with reverts("DatasetUnauthorized", registered, caller):
            registry.functions.setStatus(registered, REVOKED, "").call({"from": caller})


def test_a_revoked_dataset_can_still_be_transferred_and_managed(
    registry, send, owner, other, manager, registered
):
    send(registry.functions.setStatus(registered, REVOKED, "bad"), owner)
    send(registry.functions.setManager(registered, manager, True), owner)
    send(registry.functions.revokeConsent(registered, 3, "erasure"), manager)
    send(registry.functions.transferOwnership(registered, other), owner)
    assert registry.functions.statusOf(registered).call() == REVOKED
