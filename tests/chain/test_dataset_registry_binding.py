"""The typed DatasetRegistry binding (aiprov/contracts/dataset_registry.py) for consent,
erasure and the verifier's one-call checks, on the embedded chain and on a real Anvil."""

from __future__ import annotations

import hashlib

import pytest
from anvil_fixture import anvil_factory  # noqa: F401  (fixture)
from eth_utils import keccak

from aiprov.chain.accounts import dev_signer
from aiprov.chain.local import LocalChain
from aiprov.contracts.dataset_registry import (
    ConsentEvent,
    DatasetRegistry,
    Multiproof,
    RecordCheck,
    RecordsCheck,
    reason_hash,
)
from aiprov.contracts.deployments import deploy_contract
from tools.contracts.gas import multiproof, standard_leaf
from aiprov.contracts.registry import FileCheck
from aiprov.errors import AiprovError

RECORD_TYPES = ["uint256", "bytes32"]
FILE_TYPES = ["string", "uint256", "bytes32"]
RECORDS = [(i, hashlib.sha256(b"salt%d" % i + b'{"patient": %d}' % i).digest()) for i in range(5)]
FILES = [("a.csv", 3, hashlib.sha256(b"abc").digest()), ("b/c.txt", 0, hashlib.sha256(b"").digest())]


@pytest.fixture(params=["local", "anvil"])
def backend(request, home):
    if request.param == "anvil":
        yield request.getfixturevalue("anvil_factory")().backend()
        return
    with LocalChain(home) as chain:
        yield chain


@pytest.fixture
def registry(backend, home) -> DatasetRegistry:
    return DatasetRegistry(backend, deploy_contract(backend, home, dev_signer(0), "DatasetRegistry"))


def records_dataset(registry, signer, picks):
    leaves = [standard_leaf(RECORD_TYPES, list(r)) for r in RECORDS]
    root, proof, flags, order = multiproof(leaves, picks)
    dataset_id, _ = registry.register(signer, root, b"\0" * 32, "", 0)
    return dataset_id, Multiproof(tuple(proof), tuple(flags)), [RECORDS[i] for i in order]


def test_consent_and_erasure_through_the_binding(registry):
    owner, manager, stranger = dev_signer(0), dev_signer(1), dev_signer(2)
    dataset_id, mp, records = records_dataset(registry, owner, [0, 2, 3])
    single_leaves = [standard_leaf(RECORD_TYPES, list(r)) for r in RECORDS]
    root1, proof1, _, _ = multiproof(single_leaves, [1])

    assert registry.check_records(dataset_id, mp, records) == RecordsCheck(
        included=True, status="active", consent_revoked=(False,) * 3, erased=(False,) * 3
    )
    registry.transact(owner, "setManager", dataset_id, manager.address, True)
    receipt = registry.revoke_consent(manager, dataset_id, 2, reason="asked by the patient")
    (event,) = registry.events(receipt, "RecordConsentRevoked")
    assert registry.consent_event(event) == ConsentEvent(
        event="RecordConsentRevoked", dataset_id=dataset_id, record_index=2, by=manager.address,
        reason_hash="0x" + keccak(b"asked by the patient").hex(), block=receipt.block_number,
        tx="0x" + receipt.tx_hash.hex(),
    )
    registry.erase_record(owner, dataset_id, 3)
    assert registry.is_consent_revoked(dataset_id, 2) and not registry.is_erased(dataset_id, 2)
    assert registry.is_consent_revoked(dataset_id, 3) and registry.is_erased(dataset_id, 3)
    by_index = {r[0]: r for r in records}
    got = registry.check_records(dataset_id, mp, records)
    assert got.included and got.status == "active"
    assert dict(zip(by_index, got.consent_revoked)) == {0: False, 2: True, 3: True}
    assert dict(zip(by_index, got.erased)) == {0: False, 2: False, 3: True}

    # the reason's text never goes on-chain, only its hash; none is 32 zero bytes
    assert reason_hash(None) == reason_hash("") == b"\0" * 32
    events = registry.consent_events(dataset_id)
    assert [(e.event, e.record_index) for e in events] == [
        ("RecordConsentRevoked", 2), ("RecordConsentRevoked", 3), ("RecordErased", 3)
    ]
    assert [e.event for e in registry.consent_events(dataset_id, 3)] == ["RecordConsentRevoked", "RecordErased"]
    assert events[1].reason_hash == "0x" + "00" * 32

    # refusals carry the contract's error name (what the CLI maps to exit 1)
    for call, name in (
        (lambda: registry.revoke_consent(stranger, dataset_id, 1), "AssetUnauthorized"),
        (lambda: registry.revoke_consent(owner, dataset_id, 2), "DatasetConsentAlreadyRevoked"),
        (lambda: registry.erase_record(manager, dataset_id, 3), "DatasetRecordAlreadyErased"),
        (lambda: registry.erase_record(owner, 99, 0), "DatasetNotFound"),
    ):
        with pytest.raises(AiprovError) as err:  # ContractRefused (exit 1) or NotRegistered: named by the contract
            call()
        assert err.value.error_name == name

    # a single record on a dataset that holds only record 1
    single, _ = registry.register(owner, root1, b"\0" * 32, "", 0)
    assert registry.check_record(single, proof1, *RECORDS[1]) == RecordCheck(
        included=True, status="active", consent_revoked=False, erased=False
    )
    registry.set_status(owner, single, "revoked", "withdrawn")
    assert registry.check_record(single, proof1, RECORDS[1][0], keccak(b"x")) == RecordCheck(
        included=False, status="revoked", consent_revoked=False, erased=False
    )
    with pytest.raises(AiprovError) as err:
        registry.check_record(99, [], 0, b"\0" * 32)
    assert err.value.error_name == "DatasetNotFound"


def test_file_checks_through_the_binding(registry):
    owner = dev_signer(0)
    leaves = [standard_leaf(FILE_TYPES, list(f)) for f in FILES]
    root, proof, flags, order = multiproof(leaves, [0, 1])
    dataset_id, _ = registry.register(owner, root, b"\0" * 32, "", 0)
    files = [FILES[i] for i in order]
    assert registry.check_files(dataset_id, Multiproof(tuple(proof), tuple(flags)), files) == FileCheck(True, "active")
    _, single_proof, _, _ = multiproof(leaves, [0])
    registry.set_status(owner, dataset_id, "deprecated", "v2")
    assert registry.check_file(dataset_id, single_proof, *FILES[0]) == FileCheck(True, "deprecated")
    assert registry.check_file(dataset_id, single_proof, FILES[0][0], 4, FILES[0][2]) == FileCheck(False, "deprecated")
