"""What both registries share (contracts/AssetRegistry.sol), written once and run on each:
look-ups, unknown ids, ownership, managers, status, file proofs (single and multi)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak

from aiprov.contracts import load_artifact
from tools.contracts.gas import multiproof, standard_leaf

ZERO_ADDRESS = "0x" + "00" * 20
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
META = keccak(b"metadata")
FILE_TYPES = ["string", "uint256", "bytes32"]
FILES = [
    ["README.md", 1_204, hashlib.sha256(b"readme").digest()],
    ["data/train/part-00000.parquet", 268_435_456, hashlib.sha256(b"part 0").digest()],
    ["data/train/part-00001.parquet", 268_435_455, hashlib.sha256(b"part 1").digest()],
    ["data/test/part-00000.parquet", 1_048_576, hashlib.sha256(b"test 0").digest()],
    ["labels/классы.csv", 0, hashlib.sha256(b"").digest()],  # UTF-8 path, empty file
]

#: Functions of IAssetRegistry that take an id, with arguments for an unknown-id call.
SHARED_ID_CALLS = {
    "rootOf": lambda fn, a, i: fn.rootOf(i),
    "ownerOf": lambda fn, a, i: fn.ownerOf(i),
    "statusOf": lambda fn, a, i: fn.statusOf(i),
    "isManager": lambda fn, a, i: fn.isManager(i, a),
    "canManage": lambda fn, a, i: fn.canManage(i, a),
    "verifyLeaf": lambda fn, a, i: fn.verifyLeaf(i, [], b"\1" * 32),
    "verifyFile": lambda fn, a, i: fn.verifyFile(i, [], "a.txt", 1, b"\1" * 32),
    "checkFile": lambda fn, a, i: fn.checkFile(i, [], "a.txt", 1, b"\1" * 32),
    "checkFiles": lambda fn, a, i: fn.checkFiles(i, [], [], ["a.txt"], [1], [b"\1" * 32]),
    "transferOwnership": lambda fn, a, i: fn.transferOwnership(i, a),
    "setManager": lambda fn, a, i: fn.setManager(i, a, True),
    "setStatus": lambda fn, a, i: fn.setStatus(i, DEPRECATED, ""),
}


@dataclass
class Registry:
    """One registry under test, and how to register in it."""

    kind: str  # dataset | model
    contract: Any
    not_found: str  # its not-found error
    get: str  # getDataset | getModel
    send: Any

    @property
    def fn(self):
        return self.contract.functions

    def register(self, sender: str, root: bytes) -> int:
        if self.kind == "dataset":
            call = self.fn.register(root, META, "", 0)
        else:
            call = self.fn.register(root, META, "", [1], [])
        new_id = call.call({"from": sender})
        self.send(call, sender)
        return new_id

    def events(self, receipt, name: str) -> list[dict[str, Any]]:
        return [dict(e["args"]) for e in getattr(self.contract.events, name)().process_receipt(receipt)]


@pytest.fixture(params=["dataset", "model"])
def reg(request, registry, models, send, accounts) -> Registry:
    """Each registry in turn (the ModelRegistry with dataset 1 registered for it)."""
    if request.param == "dataset":
        return Registry("dataset", registry, "DatasetNotFound", "getDataset", send)
    send(registry.functions.register(keccak(b"dataset"), META, "", 0), accounts[4])
    return Registry("model", models, "ModelNotFound", "getModel", send)


@pytest.fixture
def registered(reg, owner) -> int:
    """Asset 1, owned by ``owner``."""
    return reg.register(owner, keccak(b"root 1"))


# --- look-ups ----------------------------------------------------------------------------


def test_lookups(reg, owner, registered):
    fn = reg.fn
    assert registered == 1
    assert fn.exists(registered).call()
    assert not fn.exists(0).call() and not fn.exists(2).call() and not fn.exists(2**256 - 1).call()
    assert fn.rootOf(registered).call() == keccak(b"root 1")
    assert fn.ownerOf(registered).call() == owner
    assert fn.statusOf(registered).call() == ACTIVE


@pytest.mark.parametrize("name", sorted(SHARED_ID_CALLS))
def test_every_shared_id_function_reverts_for_an_unknown_id(reg, reverts, owner, registered, name):
    for unknown in (0, 2, 2**256 - 1):
        with reverts(reg.not_found, unknown):
            SHARED_ID_CALLS[name](reg.fn, owner, unknown).call({"from": owner})


def test_the_shared_interface_is_what_both_registries_share():
    """IAssetRegistry's functions are in both ABIs, and the list above covers every one of them
    that takes an id (each registry's own test covers the rest of its id functions)."""
    shared = {
        f["name"]: f for f in load_artifact("DatasetRegistry")["abi"] if f["type"] == "function"
    }
    model = {f["name"]: f for f in load_artifact("ModelRegistry")["abi"] if f["type"] == "function"}
    common = {name for name in shared.keys() & model.keys() if shared[name] == model[name]}
    takes_id = {n for n in common if shared[n]["inputs"] and shared[n]["inputs"][0]["name"] == "id"}
    assert takes_id - {"exists"} == set(SHARED_ID_CALLS)


# --- ownership ---------------------------------------------------------------------------


def test_transfer_ownership(reg, owner, other, registered):
    before = reg.contract.get_function_by_name(reg.get)(registered).call()
    receipt = reg.send(reg.fn.transferOwnership(registered, other), owner)
    assert reg.fn.ownerOf(registered).call() == other
    assert reg.events(receipt, "OwnershipTransferred") == [
        {"id": registered, "previousOwner": owner, "newOwner": other}
    ]
    # the rest of the record is untouched
    after = reg.contract.get_function_by_name(reg.get)(registered).call()
    assert after == (before[0], other, *before[2:])


def test_transfer_ownership_owner_only(reg, reverts, owner, other, manager, registered):
    reg.send(reg.fn.setManager(registered, manager, True), owner)
    for caller in (other, manager):
        with reverts("AssetUnauthorized", registered, caller):
            reg.fn.transferOwnership(registered, caller).call({"from": caller})


def test_transfer_ownership_not_to_zero(reg, reverts, owner, registered):
    with reverts("AssetZeroAddress"):
        reg.fn.transferOwnership(registered, ZERO_ADDRESS).call({"from": owner})


def test_new_owner_has_the_powers_and_old_one_loses_them(reg, reverts, owner, other, registered):
    reg.send(reg.fn.transferOwnership(registered, other), owner)
    with reverts("AssetUnauthorized", registered, owner):
        reg.fn.setStatus(registered, DEPRECATED, "").call({"from": owner})
    reg.send(reg.fn.setStatus(registered, DEPRECATED, "old"), other)


# --- managers ----------------------------------------------------------------------------


def test_set_manager(reg, owner, manager, registered):
    fn = reg.fn
    assert not fn.isManager(registered, manager).call()
    assert not fn.canManage(registered, manager).call()
    assert fn.canManage(registered, owner).call()
    assert not fn.isManager(registered, owner).call()

    receipt = reg.send(fn.setManager(registered, manager, True), owner)
    assert reg.events(receipt, "ManagerSet") == [
        {"id": registered, "manager": manager, "allowed": True, "by": owner}
    ]
    assert fn.isManager(registered, manager).call() and fn.canManage(registered, manager).call()

    receipt = reg.send(fn.setManager(registered, manager, False), owner)
    assert reg.events(receipt, "ManagerSet") == [
        {"id": registered, "manager": manager, "allowed": False, "by": owner}
    ]
    assert not fn.isManager(registered, manager).call()
    assert not fn.canManage(registered, manager).call()


def test_managers_are_per_asset(reg, owner, manager, registered):
    second = reg.register(owner, keccak(b"root 2"))
    reg.send(reg.fn.setManager(registered, manager, True), owner)
    assert not reg.fn.canManage(second, manager).call()


def test_set_manager_owner_only_and_not_zero(reg, reverts, owner, other, manager, registered):
    reg.send(reg.fn.setManager(registered, manager, True), owner)
    for caller in (other, manager):  # a manager cannot appoint managers
        with reverts("AssetUnauthorized", registered, caller):
            reg.fn.setManager(registered, other, True).call({"from": caller})
    with reverts("AssetZeroAddress"):
        reg.fn.setManager(registered, ZERO_ADDRESS, True).call({"from": owner})


def test_transfer_drops_the_previous_owners_managers(reg, owner, other, manager, registered):
    fn = reg.fn
    reg.send(fn.setManager(registered, manager, True), owner)
    reg.send(fn.transferOwnership(registered, other), owner)
    assert not fn.isManager(registered, manager).call()
    assert not fn.canManage(registered, manager).call()
    assert not fn.canManage(registered, owner).call()
    # the new owner's appointments say who appointed them
    receipt = reg.send(fn.setManager(registered, owner, True), other)
    assert reg.events(receipt, "ManagerSet")[0]["by"] == other
    # ... and the first owner's managers come back if the asset returns to that owner
    reg.send(fn.transferOwnership(registered, owner), other)
    assert fn.isManager(registered, manager).call()


# --- status ------------------------------------------------------------------------------


def test_status_transitions(reg, owner, registered):
    fn = reg.fn
    receipt = reg.send(fn.setStatus(registered, DEPRECATED, "superseded by v2"), owner)
    assert reg.events(receipt, "StatusChanged") == [
        {"id": registered, "status": DEPRECATED, "reason": "superseded by v2"}
    ]
    assert fn.statusOf(registered).call() == DEPRECATED
    reg.send(fn.setStatus(registered, ACTIVE, "v2 withdrawn"), owner)  # can be undone
    assert fn.statusOf(registered).call() == ACTIVE
    receipt = reg.send(fn.setStatus(registered, REVOKED, "contains personal data"), owner)
    assert reg.events(receipt, "StatusChanged")[0]["status"] == REVOKED
    record = reg.contract.get_function_by_name(reg.get)(registered).call()
    assert record[:3] == (keccak(b"root 1"), owner, REVOKED)


@pytest.mark.parametrize("target", [ACTIVE, DEPRECATED, REVOKED])
def test_revoked_is_final(reg, reverts, owner, registered, target):
    reg.send(reg.fn.setStatus(registered, REVOKED, "bad"), owner)
    with reverts("AssetAlreadyRevoked", registered):
        reg.fn.setStatus(registered, target, "undo").call({"from": owner})


def test_set_status_to_the_current_one_is_refused(reg, reverts, owner, registered):
    with reverts("AssetInvalidStatus", ACTIVE):
        reg.fn.setStatus(registered, ACTIVE, "").call({"from": owner})
    reg.send(reg.fn.setStatus(registered, DEPRECATED, ""), owner)
    with reverts("AssetInvalidStatus", DEPRECATED):
        reg.fn.setStatus(registered, DEPRECATED, "").call({"from": owner})


def test_set_status_out_of_range_is_rejected_by_the_abi_decoder(reg, reverts, w3, owner, registered):
    call = reg.fn.setStatus(registered, 3, "")  # web3 encodes any uint8
    with reverts(""):
        w3.eth.call({"from": owner, "to": reg.contract.address, "data": call._encode_transaction_data()})


def test_set_status_owner_only(reg, reverts, owner, other, manager, registered):
    reg.send(reg.fn.setManager(registered, manager, True), owner)
    for caller in (other, manager):
        with reverts("AssetUnauthorized", registered, caller):
            reg.fn.setStatus(registered, REVOKED, "").call({"from": caller})


def test_a_revoked_asset_can_still_be_transferred_and_managed(reg, owner, other, manager, registered):
    reg.send(reg.fn.setStatus(registered, REVOKED, "bad"), owner)
    reg.send(reg.fn.setManager(registered, manager, True), owner)
    reg.send(reg.fn.transferOwnership(registered, other), owner)
    assert reg.fn.statusOf(registered).call() == REVOKED


def test_registration_refuses_a_zero_root(reg, reverts, owner):
    with reverts("AssetEmptyRoot"):
        reg.register(owner, b"\0" * 32)


# --- file proofs -------------------------------------------------------------------------


def test_file_proofs_from_openzeppelin(reg, owner, oz_merkle):
    tree_root, proofs = oz_merkle(FILES, FILE_TYPES)
    asset = reg.register(owner, tree_root)
    fn = reg.fn
    for (path, size, digest), proof in zip(FILES, proofs, strict=True):
        assert fn.verifyFile(asset, proof, path, size, digest).call()
        assert fn.checkFile(asset, proof, path, size, digest).call() == [True, ACTIVE]
        assert fn.verifyLeaf(asset, proof, standard_leaf(FILE_TYPES, [path, size, digest])).call()
        # any change to the file's identity fails
        for wrong in ([path + "x", size, digest], [path, size + 1, digest], [path, size, keccak(digest)]):
            assert not fn.verifyFile(asset, proof, *wrong).call()
            assert fn.checkFile(asset, proof, *wrong).call() == [False, ACTIVE]
    # a proof for one file does not prove another
    assert not fn.verifyFile(asset, proofs[0], *FILES[1]).call()


def test_check_file_reports_the_status(reg, owner, merkle):
    tree = merkle(FILES, FILE_TYPES)
    asset = reg.register(owner, tree.root)
    for status in (DEPRECATED, REVOKED):
        reg.send(reg.fn.setStatus(asset, status, "why"), owner)
        # the proof still verifies; the status says what became of the asset
        assert reg.fn.verifyFile(asset, tree.proof(0), *FILES[0]).call()
        assert reg.fn.checkFile(asset, tree.proof(0), *FILES[0]).call() == [True, status]


def test_the_status_folded_into_the_root_slot_never_changes_an_answer(reg, reverts, owner, merkle):
    """The first slot holds root ^ status (one slot read per proof check): the root, the
    status and every proof answer are what they would be with the two kept apart, through
    every status, for good and bad proofs, and for an empty proof (whose leaf the caller picks:
    root ^ 1 must not pass for the root)."""
    tree = merkle(FILES, FILE_TYPES)
    asset = reg.register(owner, tree.root)
    fn = reg.fn
    flipped = (int.from_bytes(tree.root, "big") ^ 1).to_bytes(32, "big")
    for status in (ACTIVE, DEPRECATED, ACTIVE, DEPRECATED, REVOKED):
        if status != fn.statusOf(asset).call():
            reg.send(fn.setStatus(asset, status, ""), owner)
        assert fn.rootOf(asset).call() == tree.root
        assert reg.contract.get_function_by_name(reg.get)(asset).call()[:3] == (tree.root, owner, status)
        for i, values in enumerate(FILES):
            assert fn.checkFile(asset, tree.proof(i), *values).call() == [True, status]
            assert fn.verifyFile(asset, tree.proof(i), *values).call()
        assert fn.checkFile(asset, tree.proof(0), *FILES[1]).call() == [False, status]
        assert fn.verifyLeaf(asset, [], tree.root).call()  # OpenZeppelin's answer for the root itself
        assert not fn.verifyLeaf(asset, [], flipped).call()
        assert not fn.verifyLeaf(asset, [], (int.from_bytes(tree.root, "big") ^ 2).to_bytes(32, "big")).call()


@pytest.mark.parametrize("value", [1, 2, 3])
def test_roots_equal_to_a_status_value_still_work(reg, owner, value):
    """A root of 1, 2 or 3 makes root ^ status zero for some status: the asset still exists
    and its root still proves (as a leaf with an empty proof)."""
    root = value.to_bytes(32, "big")
    asset = reg.register(owner, root)
    for status in (DEPRECATED, REVOKED):
        reg.send(reg.fn.setStatus(asset, status, ""), owner)
        assert reg.fn.exists(asset).call() and reg.fn.rootOf(asset).call() == root
        assert reg.fn.statusOf(asset).call() == status
        assert reg.fn.verifyLeaf(asset, [], root).call()
        assert not reg.fn.verifyLeaf(asset, [], b"\0" * 32).call()


@pytest.mark.parametrize("picks", [[0], [1, 3], [0, 2, 4], [0, 1, 2, 3, 4]])
def test_check_files_with_a_multiproof(reg, owner, picks):
    leaves = [standard_leaf(FILE_TYPES, f) for f in FILES]
    tree_root, proof, flags, order = multiproof(leaves, picks)
    asset = reg.register(owner, tree_root)
    columns = [list(c) for c in zip(*(FILES[i] for i in order))]
    assert reg.fn.checkFiles(asset, proof, flags, *columns).call() == [True, ACTIVE]
    # a changed size, or the values out of the multiproof's order, fail
    sizes = list(columns[1])
    sizes[0] += 1
    assert reg.fn.checkFiles(asset, proof, flags, columns[0], sizes, columns[2]).call()[0] is False
    if len(order) > 1:
        swapped = [c[::-1] for c in columns]
        assert reg.fn.checkFiles(asset, proof, flags, *swapped).call()[0] is False


def test_check_files_refuses_mismatched_arrays_and_proves_nothing_with_no_files(reg, reverts, owner):
    leaves = [standard_leaf(FILE_TYPES, f) for f in FILES]
    tree_root, proof, flags, order = multiproof(leaves, [0, 1])
    asset = reg.register(owner, tree_root)
    paths, sizes, digests = [list(c) for c in zip(*(FILES[i] for i in order))]
    with reverts("AssetLengthMismatch", 2, 1):
        reg.fn.checkFiles(asset, proof, flags, paths, sizes[:1], digests).call()
    with reverts("AssetLengthMismatch", 2, 3):
        reg.fn.checkFiles(asset, proof, flags, paths, sizes, digests + digests[:1]).call()
    # OpenZeppelin's empty-set case (proof = [root], no leaves) must not pass as a proof
    assert reg.fn.checkFiles(asset, [tree_root], [], [], [], []).call() == [False, ACTIVE]
    with reverts("MerkleProofInvalidMultiproof"):
        reg.fn.checkFiles(asset, proof, flags[:-1], paths, sizes, digests).call()
