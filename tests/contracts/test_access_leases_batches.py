"""AccessLeases.anchorAccessBatch on the shipped bytecode: who may anchor, the chain head that
makes an anchored log impossible to rewrite, per-asset counters, and the event."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from aiprov.contracts.access_leases import access_batch_head

DATASET, MODEL = 0, 1
KINDS = pytest.mark.parametrize("kind", [DATASET, MODEL], ids=["dataset", "model"])
KIND_NAMES = {DATASET: "dataset", MODEL: "model"}
ZERO_HEAD = bytes(28)


@pytest.fixture
def owner(accounts):
    return accounts[1]


@pytest.fixture
def operator(accounts):
    return accounts[3]


@pytest.fixture
def assets(registry, models, send, owner, operator):
    """Dataset 1 and model 1 owned by ``owner``, with ``operator`` a manager of both."""
    send(registry.functions.register(keccak(b"dataset"), b"\0" * 32, "", 0), owner)
    send(models.functions.register(keccak(b"model"), b"\0" * 32, "", [1], []), owner)
    send(registry.functions.setManager(1, operator, True), owner)
    send(models.functions.setManager(1, operator, True), owner)
    return 1


def roots(n: int) -> list[bytes]:
    return [keccak(f"batch {i}".encode()) for i in range(n)]


@KINDS
def test_batches_chain_into_the_stored_head(leases, assets, send, lease_events, operator, owner, kind):
    """Each batch gets the next id and folds into the head exactly as documented, so the
    Python fold of the events reproduces the stored head."""
    head = ZERO_HEAD
    assert leases.functions.accessLogHead(kind, 1).call() == [ZERO_HEAD, 0]
    for batch_id, (root, count, who) in enumerate(
        zip(roots(3), [1, 10_000, 2**64 - 1], [operator, owner, operator]), start=1
    ):
        assert leases.functions.anchorAccessBatch(kind, 1, root, count).call({"from": who}) == batch_id
        receipt = send(leases.functions.anchorAccessBatch(kind, 1, root, count), who)
        new_head = access_batch_head(head, root, count, batch_id, KIND_NAMES[kind], 1)
        assert lease_events(receipt, "AccessBatchAnchored") == [{
            "kind": kind, "assetId": 1, "batchId": batch_id, "batchRoot": root, "count": count,
            "prevHead": head, "head": new_head, "operator": who,
        }]
        head = new_head
        assert leases.functions.accessLogHead(kind, 1).call() == [head, batch_id]


def test_the_head_commits_to_order_contents_and_asset(leases, assets, send, owner):
    """Reordered, altered or moved batches give another head: what the chain is for."""
    a, b = roots(2)

    def fold(*batches, kind="dataset"):
        head = ZERO_HEAD
        for batch_id, (root, count) in enumerate(batches, start=1):
            head = access_batch_head(head, root, count, batch_id, kind, 1)
        return head

    h_ab = fold((a, 5), (b, 7))
    assert len({h_ab, fold((b, 7), (a, 5)), fold((a, 6), (b, 7)), fold((a, 5), (b, 7), kind="model"),
                fold((b, 7))}) == 5
    send(leases.functions.anchorAccessBatch(DATASET, 1, a, 5), owner)
    send(leases.functions.anchorAccessBatch(DATASET, 1, b, 7), owner)
    assert leases.functions.accessLogHead(DATASET, 1).call() == [h_ab, 2]


def test_assets_have_separate_logs(leases, assets, send, operator):
    """Dataset 1 and model 1 keep their own counters and heads."""
    a, b, c = roots(3)
    send(leases.functions.anchorAccessBatch(DATASET, 1, a, 1), operator)
    send(leases.functions.anchorAccessBatch(DATASET, 1, b, 1), operator)
    send(leases.functions.anchorAccessBatch(MODEL, 1, c, 1), operator)
    assert leases.functions.accessLogHead(DATASET, 1).call()[1] == 2
    assert leases.functions.accessLogHead(MODEL, 1).call() == [
        access_batch_head(ZERO_HEAD, c, 1, 1, "model", 1), 1
    ]


def test_who_may_anchor(leases, registry, assets, send, reverts, accounts, owner, operator):
    """Owner and managers only; a manager loses the right when dismissed, and a former owner
    with the transfer."""
    stranger, new_owner = accounts[4], accounts[6]
    (root,) = roots(1)
    with reverts("LeaseUnauthorized", DATASET, 1, stranger):
        leases.functions.anchorAccessBatch(DATASET, 1, root, 1).call({"from": stranger})
    send(registry.functions.setManager(1, operator, False), owner)
    with reverts("LeaseUnauthorized", DATASET, 1, operator):
        leases.functions.anchorAccessBatch(DATASET, 1, root, 1).call({"from": operator})
    send(registry.functions.transferOwnership(1, new_owner), owner)
    with reverts("LeaseUnauthorized", DATASET, 1, owner):
        leases.functions.anchorAccessBatch(DATASET, 1, root, 1).call({"from": owner})
    send(leases.functions.anchorAccessBatch(DATASET, 1, root, 1), new_owner)


@KINDS
def test_bad_batches_and_unknown_assets(leases, assets, reverts, operator, kind):
    """A zero root or an empty batch is refused before anything else, then an unknown asset."""
    (root,) = roots(1)
    fn = leases.functions.anchorAccessBatch
    with reverts("LeaseInvalidBatch", b"\0" * 32, 1):
        fn(kind, 1, b"\0" * 32, 1).call({"from": operator})
    with reverts("LeaseInvalidBatch", root, 0):
        fn(kind, 1, root, 0).call({"from": operator})
    with reverts("LeaseInvalidBatch", root, 0):
        fn(kind, 99, root, 0).call({"from": operator})
    with reverts("LeaseAssetNotFound", kind, 99):
        fn(kind, 99, root, 1).call({"from": operator})
    assert leases.functions.accessLogHead(kind, 99).call() == [ZERO_HEAD, 0]
