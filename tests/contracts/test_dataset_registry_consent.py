"""DatasetRegistry consent revocation and erasure, per record, and the verifier's one-call
views (checkRecord, checkRecords) that report them with inclusion and status."""

from __future__ import annotations

import hashlib

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.contracts.gas import multiproof, standard_leaf

RECORD_TYPES = ["uint256", "bytes32"]
META = keccak(b"metadata")
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
NO_REASON = b"\0" * 32
REASON = keccak("the data subject asked on 2026-11-30".encode())
RECORDS = [[i, hashlib.sha256(b"salt%d" % i + b'{"row": %d}' % i).digest()] for i in range(7)]
INDICES = [0, 255, 256, 2**200]


def register(registry, send, owner, tree_root: bytes) -> int:
    receipt = send(registry.functions.register(tree_root, META, "", 0), owner)
    return registry.events.DatasetRegistered().process_receipt(receipt)[0]["args"]["id"]


@pytest.fixture
def dataset(registry, send, owner, merkle):
    """Dataset 1: the records of RECORDS, owned by ``owner``."""
    return register(registry, send, owner, merkle(RECORDS, RECORD_TYPES).root)


def test_consent_bitmap(registry, send, events, owner, dataset):
    fn = registry.functions
    probe = sorted({i + d for i in INDICES for d in (-1, 0, 1) if i + d >= 0})
    assert not any(fn.isConsentRevoked(dataset, i).call() for i in probe)
    revoked: set[int] = set()
    for index in INDICES:
        receipt = send(fn.revokeConsent(dataset, index, REASON), owner)
        assert events(receipt, "RecordConsentRevoked") == [
            {"id": dataset, "recordIndex": index, "by": owner, "reasonHash": REASON}
        ]
        revoked.add(index)
        assert [fn.isConsentRevoked(dataset, i).call() for i in probe] == [i in revoked for i in probe]
        assert not any(fn.isErased(dataset, i).call() for i in probe)
    assert fn.isConsentRevoked(dataset, 2**256 - 1).call() is False
    send(fn.revokeConsent(dataset, 2**256 - 1, NO_REASON), owner)
    assert fn.isConsentRevoked(dataset, 2**256 - 1).call()


def test_consent_and_erasure_are_per_dataset(registry, send, owner, dataset):
    second = register(registry, send, owner, keccak(b"b"))
    send(registry.functions.revokeConsent(dataset, 5, NO_REASON), owner)
    send(registry.functions.eraseRecord(dataset, 6, NO_REASON), owner)
    assert not registry.functions.isConsentRevoked(second, 5).call()
    assert not registry.functions.isConsentRevoked(second, 6).call()
    assert not registry.functions.isErased(second, 6).call()


def test_consent_revoked_twice_is_refused(registry, send, reverts, owner, dataset):
    send(registry.functions.revokeConsent(dataset, 256, REASON), owner)
    with reverts("DatasetConsentAlreadyRevoked", dataset, 256):
        registry.functions.revokeConsent(dataset, 256, REASON).call({"from": owner})


@pytest.mark.parametrize("function", ["revokeConsent", "eraseRecord"])
def test_by_owner_or_manager_only(registry, send, reverts, events, owner, manager, stranger, dataset, function):
    fn = registry.functions
    act = getattr(fn, function)
    with reverts("AssetUnauthorized", dataset, manager):
        act(dataset, 1, NO_REASON).call({"from": manager})
    send(fn.setManager(dataset, manager, True), owner)
    receipt = send(act(dataset, 1, REASON), manager)
    assert events(receipt, "RecordConsentRevoked")[0]["by"] == manager
    with reverts("AssetUnauthorized", dataset, stranger):
        act(dataset, 2, NO_REASON).call({"from": stranger})
    # a transfer takes the power from the previous owner's managers
    send(fn.transferOwnership(dataset, stranger), owner)
    with reverts("AssetUnauthorized", dataset, manager):
        act(dataset, 3, NO_REASON).call({"from": manager})
    send(act(dataset, 3, NO_REASON), stranger)


def test_erasure_revokes_consent_and_happens_once(registry, send, reverts, events, owner, dataset):
    fn = registry.functions
    receipt = send(fn.eraseRecord(dataset, 4, REASON), owner)
    expected = {"id": dataset, "recordIndex": 4, "by": owner, "reasonHash": REASON}
    assert events(receipt, "RecordConsentRevoked") == [expected]
    assert events(receipt, "RecordErased") == [expected]
    assert [log["topics"][0] for log in receipt["logs"]] == [
        keccak(text="RecordConsentRevoked(uint256,uint256,address,bytes32)"),
        keccak(text="RecordErased(uint256,uint256,address,bytes32)"),
    ]
    assert fn.isErased(dataset, 4).call() and fn.isConsentRevoked(dataset, 4).call()
    with reverts("DatasetRecordAlreadyErased", dataset, 4):
        fn.eraseRecord(dataset, 4, REASON).call({"from": owner})
    # an erased record's consent cannot be revoked again either
    with reverts("DatasetConsentAlreadyRevoked", dataset, 4):
        fn.revokeConsent(dataset, 4, REASON).call({"from": owner})


def test_erasing_a_record_whose_consent_was_revoked(registry, send, events, owner, dataset):
    fn = registry.functions
    send(fn.revokeConsent(dataset, 2, REASON), owner)
    receipt = send(fn.eraseRecord(dataset, 2, NO_REASON), owner)
    assert events(receipt, "RecordConsentRevoked") == []  # it already was
    assert events(receipt, "RecordErased") == [
        {"id": dataset, "recordIndex": 2, "by": owner, "reasonHash": NO_REASON}
    ]
    assert fn.isErased(dataset, 2).call()


def test_consent_and_erasure_work_whatever_the_status(registry, send, owner, manager, dataset):
    fn = registry.functions
    send(fn.setStatus(dataset, REVOKED, "withdrawn"), owner)
    send(fn.setManager(dataset, manager, True), owner)
    send(fn.revokeConsent(dataset, 3, NO_REASON), manager)
    send(fn.eraseRecord(dataset, 5, NO_REASON), manager)
    assert fn.isConsentRevoked(dataset, 3).call() and fn.isErased(dataset, 5).call()


def test_check_record_reports_inclusion_status_consent_and_erasure(
    registry, send, owner, merkle, dataset
):
    tree = merkle(RECORDS, RECORD_TYPES)
    fn = registry.functions

    def check(i):
        return fn.checkRecord(dataset, tree.proof(i), *RECORDS[i]).call()

    send(fn.revokeConsent(dataset, 1, REASON), owner)
    send(fn.eraseRecord(dataset, 2, REASON), owner)
    assert [check(i) for i in (0, 1, 2)] == [
        [True, ACTIVE, False, False],
        [True, ACTIVE, True, False],
        [True, ACTIVE, True, True],
    ]
    send(fn.setStatus(dataset, DEPRECATED, "v2"), owner)
    assert check(0) == [True, DEPRECATED, False, False]
    # a wrong commitment is not included, and the record's flags are still reported
    assert fn.checkRecord(dataset, tree.proof(2), 2, keccak(b"x")).call() == [False, DEPRECATED, True, True]


@pytest.mark.parametrize("picks", [[0], [1, 2], [0, 3, 6], list(range(7))])
def test_check_records_with_a_multiproof(registry, send, owner, picks):
    leaves = [standard_leaf(RECORD_TYPES, r) for r in RECORDS]
    tree_root, proof, flags, order = multiproof(leaves, picks)
    dataset = register(registry, send, owner, tree_root)
    fn = registry.functions
    send(fn.revokeConsent(dataset, 2, NO_REASON), owner)
    send(fn.eraseRecord(dataset, 3, NO_REASON), owner)
    indexes = [RECORDS[i][0] for i in order]
    commitments = [RECORDS[i][1] for i in order]
    assert fn.checkRecords(dataset, proof, flags, indexes, commitments).call() == [
        True,
        ACTIVE,
        [i in (2, 3) for i in indexes],
        [i == 3 for i in indexes],
    ]
    tampered = [keccak(commitments[0]), *commitments[1:]]
    assert fn.checkRecords(dataset, proof, flags, indexes, tampered).call()[0] is False


def test_check_records_refuses_mismatched_arrays_and_proves_nothing_with_no_records(
    registry, send, reverts, owner, dataset
):
    fn = registry.functions
    with reverts("AssetLengthMismatch", 2, 1):
        fn.checkRecords(dataset, [], [], [0, 1], [RECORDS[0][1]]).call()
    tree_root = fn.rootOf(dataset).call()
    assert fn.checkRecords(dataset, [tree_root], [], [], []).call() == [False, ACTIVE, [], []]


@settings(deadline=None, max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=24),
    data=st.data(),
)
def test_random_records_and_multiproofs_check_on_chain(fresh_state, send, accounts, records, data):
    """Any subset of a random records tree checks with one multiproof; a revoked or erased
    record is reported as such, the others not."""
    owner = accounts[1]
    values = [[i, hashlib.sha256(b"salt" + r).digest()] for i, r in enumerate(records)]
    leaves = [standard_leaf(RECORD_TYPES, v) for v in values]
    picks = data.draw(st.sets(st.sampled_from(range(len(values))), min_size=1), label="picks")
    revoked = data.draw(st.sets(st.sampled_from(range(len(values)))), label="revoked")
    erased = data.draw(st.sets(st.sampled_from(range(len(values)))), label="erased")
    tree_root, proof, flags, order = multiproof(leaves, sorted(picks))
    with fresh_state() as registry:
        fn = registry.functions
        send(fn.register(tree_root, META, "", 0), owner)
        for i in sorted(revoked):
            send(fn.revokeConsent(1, i, NO_REASON), owner)
        for i in sorted(erased):
            send(fn.eraseRecord(1, i, NO_REASON), owner)
        indexes = [values[i][0] for i in order]
        result = fn.checkRecords(1, proof, flags, indexes, [values[i][1] for i in order]).call()
        assert result == [
            True, ACTIVE, [i in revoked | erased for i in indexes], [i in erased for i in indexes]
        ]
