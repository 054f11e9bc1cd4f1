"""AccessLeases rules, on the shipped bytecode: grant / extend / revoke, the expiry boundary,
who may act (owners, managers, after a transfer), unknown assets, the access log."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from aiprov.contracts import load_artifact

ZERO_ADDRESS = "0x" + "00" * 20
DATASET, MODEL = 0, 1
KINDS = pytest.mark.parametrize("kind", [DATASET, MODEL], ids=["dataset", "model"])
HOUR, DAY = 3_600, 86_400
MIN_DURATION, MAX_DURATION = 60, 3_650 * DAY


@pytest.fixture
def grantee(accounts):
    return accounts[2]


@pytest.fixture
def stranger(accounts):
    return accounts[4]


@pytest.fixture
def new_owner(accounts):
    return accounts[6]


@pytest.fixture
def assets(registry, models, leases, send, owner, manager):
    """Dataset 1 and model 1 (trained on it), both owned by ``owner``, with ``manager``
    appointed on both; returns the asset id (1)."""
    send(registry.functions.register(keccak(b"dataset"), b"\0" * 32, "", 0), owner)
    send(models.functions.register(keccak(b"model"), b"\0" * 32, "", [1], []), owner)
    send(registry.functions.setManager(1, manager, True), owner)
    send(models.functions.setManager(1, manager, True), owner)
    return 1


def registry_of(kind, registry, models):
    return registry if kind == DATASET else models


def block_time(w3, receipt) -> int:
    return w3.eth.get_block(receipt["blockNumber"])["timestamp"]


# --- deployment --------------------------------------------------------------------------


def test_registries_and_bounds_are_fixed(leases, registry, models):
    fn = leases.functions
    assert fn.datasetRegistry().call() == registry.address
    assert fn.modelRegistry().call() == models.address
    assert fn.MIN_DURATION().call() == MIN_DURATION
    assert fn.MAX_DURATION().call() == MAX_DURATION
    assert fn.MAX_DAYS().call() == 3_650


def test_deployment_refuses_the_zero_address(w3, leases_abi, reverts, registry, models, owner):
    factory = w3.eth.contract(abi=leases_abi, bytecode=load_artifact("AccessLeases")["bytecode"])
    for args in ((ZERO_ADDRESS, models.address), (registry.address, ZERO_ADDRESS)):
        data = factory.constructor(*args).build_transaction({"from": owner, "gas": 3_000_000})
        with reverts("LeaseZeroAddress"):
            w3.eth.call({"from": owner, "data": data["data"]})


def test_registries_that_are_not_registries_fail_plainly(
    w3, leases_abi, reverts, registry, leases, send, owner, grantee
):
    """Pointed at an account without code, or at a contract without `canManage` / `ownerOf`,
    every look-up reverts with empty data: never a misleading LeaseAssetNotFound, and never a
    silent "no access"."""
    factory = w3.eth.contract(abi=leases_abi, bytecode=load_artifact("AccessLeases")["bytecode"])
    send(registry.functions.register(keccak(b"dataset"), b"\0" * 32, "", 0), owner)
    for target in (grantee, leases.address):  # no code; code without those functions
        tx_hash = factory.constructor(target, target).transact({"from": owner, "gas": 3_000_000})
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        wrong = w3.eth.contract(address=receipt["contractAddress"], abi=leases_abi)
        for call in (
            wrong.functions.grant(DATASET, 1, grantee, HOUR),
            wrong.functions.hasAccess(DATASET, 1, owner),
            wrong.functions.recordAccess(MODEL, 1),
            wrong.functions.priceOf(DATASET, 1),
        ):
            with reverts(""):
                call.call({"from": owner})


# --- grant -------------------------------------------------------------------------------


@KINDS
def test_owner_grants_a_lease(w3, leases, assets, send, lease_events, owner, grantee, kind):
    fn = leases.functions
    assert not fn.hasAccess(kind, assets, grantee).call()
    receipt = send(fn.grant(kind, assets, grantee, 30 * DAY), owner)
    end = block_time(w3, receipt) + 30 * DAY
    assert lease_events(receipt, "LeaseGranted") == [
        {"kind": kind, "assetId": assets, "grantee": grantee, "expiresAt": end, "by": owner}
    ]
    assert fn.getLease(kind, assets, grantee).call() == (end, 0, False)
    assert fn.expiresAt(kind, assets, grantee).call() == end
    assert fn.hasAccess(kind, assets, grantee).call()
    # the other kind's asset with the same id is a different asset
    assert fn.expiresAt(1 - kind, assets, grantee).call() == 0
    assert not fn.hasAccess(1 - kind, assets, grantee).call()


@KINDS
def test_a_manager_grants_a_stranger_cannot(
    leases, assets, send, reverts, manager, stranger, grantee, kind
):
    fn = leases.functions
    send(fn.grant(kind, assets, grantee, HOUR), manager)
    assert fn.hasAccess(kind, assets, grantee).call()
    for account in (stranger, grantee):  # a grantee cannot pass access on either
        with reverts("LeaseUnauthorized", kind, assets, account):
            fn.grant(kind, assets, stranger, HOUR).call({"from": account})


@KINDS
def test_managers_lose_their_power_with_a_transfer(
    leases,
    registry,
    models,
    assets,
    send,
    reverts,
    owner,
    manager,
    new_owner,
    grantee,
    stranger,
    kind,
):
    """Registries key managers by owner: the old owner's managers may no longer grant, extend
    or revoke, nor do they get access; leases already granted survive the transfer, and the
    new owner may revoke them."""
    fn = leases.functions
    send(fn.grant(kind, assets, grantee, DAY), manager)
    send(registry_of(kind, registry, models).functions.transferOwnership(assets, new_owner), owner)

    for call in (
        fn.grant(kind, assets, stranger, HOUR),
        fn.extend(kind, assets, grantee, HOUR),
        fn.revoke(kind, assets, grantee),
    ):
        for account in (manager, owner):
            with reverts("LeaseUnauthorized", kind, assets, account):
                call.call({"from": account})
    assert not fn.hasAccess(kind, assets, manager).call()
    assert not fn.hasAccess(kind, assets, owner).call()
    assert fn.hasAccess(kind, assets, new_owner).call()

    assert fn.hasAccess(kind, assets, grantee).call()
    send(fn.revoke(kind, assets, grantee), new_owner)
    assert not fn.hasAccess(kind, assets, grantee).call()


def test_grant_never_shortens_an_active_lease(
    w3, leases, assets, send, lease_events, owner, grantee
):
    fn = leases.functions
    receipt = send(fn.grant(DATASET, assets, grantee, 30 * DAY), owner)
    end = block_time(w3, receipt) + 30 * DAY
    receipt = send(fn.grant(DATASET, assets, grantee, DAY), owner)
    assert fn.expiresAt(DATASET, assets, grantee).call() == end
    assert lease_events(receipt, "LeaseGranted")[0]["expiresAt"] == end
    receipt = send(fn.grant(DATASET, assets, grantee, 60 * DAY), owner)
    assert fn.expiresAt(DATASET, assets, grantee).call() == block_time(w3, receipt) + 60 * DAY


def test_grant_replaces_an_expired_lease(w3, leases, assets, send, clock, owner, grantee):
    fn = leases.functions
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    clock.next_transaction_at(block_time(w3, receipt) + 10 * DAY)
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    assert block_time(w3, receipt) == clock.latest()
    assert fn.getLease(DATASET, assets, grantee).call() == (clock.latest() + HOUR, 0, False)


def test_grant_after_a_revocation_clears_it(w3, leases, assets, send, owner, grantee):
    fn = leases.functions
    send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    send(fn.revoke(DATASET, assets, grantee), owner)
    assert fn.getLease(DATASET, assets, grantee).call()[2] is True
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    assert fn.getLease(DATASET, assets, grantee).call() == (
        block_time(w3, receipt) + HOUR,
        0,
        False,
    )
    assert fn.hasAccess(DATASET, assets, grantee).call()


@KINDS
def test_grant_and_extend_check_their_arguments_first(
    leases, assets, send, reverts, owner, stranger, grantee, kind
):
    fn = leases.functions
    send(fn.grant(kind, assets, grantee, HOUR), owner)
    for action in (fn.grant, fn.extend):
        with reverts("LeaseZeroAddress"):
            action(kind, assets, ZERO_ADDRESS, HOUR).call({"from": owner})
        for duration in (0, 1, MIN_DURATION - 1, MAX_DURATION + 1, 2**64 - 1):
            with reverts("LeaseInvalidDuration", duration):
                action(kind, assets, grantee, duration).call({"from": owner})
            # argument errors come before any look-up: an unknown asset, a stranger
            with reverts("LeaseInvalidDuration", duration):
                action(kind, 99, grantee, duration).call({"from": stranger})
        with reverts("LeaseAssetNotFound", kind, 99):
            action(kind, 99, grantee, HOUR).call({"from": owner})
        with reverts("LeaseUnauthorized", kind, assets, stranger):
            action(kind, assets, grantee, HOUR).call({"from": stranger})


def test_duration_bounds_are_inclusive(w3, leases, assets, send, owner, grantee, stranger):
    fn = leases.functions
    receipt = send(fn.grant(DATASET, assets, grantee, MIN_DURATION), owner)
    assert fn.expiresAt(DATASET, assets, grantee).call() == block_time(w3, receipt) + MIN_DURATION
    receipt = send(fn.grant(DATASET, assets, stranger, MAX_DURATION), owner)
    assert fn.expiresAt(DATASET, assets, stranger).call() == block_time(w3, receipt) + MAX_DURATION
    # extensions add up beyond one call's bound
    send(fn.extend(DATASET, assets, stranger, MAX_DURATION), owner)
    assert (
        fn.expiresAt(DATASET, assets, stranger).call() == block_time(w3, receipt) + 2 * MAX_DURATION
    )


# --- the expiry boundary -------------------------------------------------------------------


@KINDS
def test_has_access_until_the_second_before_expiry(
    w3, leases, assets, send, clock, owner, grantee, kind
):
    fn = leases.functions
    receipt = send(fn.grant(kind, assets, grantee, HOUR), owner)
    end = block_time(w3, receipt) + HOUR
    clock.calls_at(end - 1)
    assert fn.hasAccess(kind, assets, grantee).call()
    clock.calls_at(end)
    assert not fn.hasAccess(kind, assets, grantee).call()
    assert fn.expiresAt(kind, assets, grantee).call() == end  # the stored end is kept


@KINDS
def test_record_access_until_the_second_before_expiry(
    w3, leases, assets, send, clock, lease_events, owner, grantee, kind
):
    fn = leases.functions
    receipt = send(fn.grant(kind, assets, grantee, HOUR), owner)
    end = block_time(w3, receipt) + HOUR
    clock.next_transaction_at(end - 1)
    assert fn.recordAccess(kind, assets).call({"from": grantee}, block_identifier="pending")
    receipt = send(fn.recordAccess(kind, assets), grantee)
    assert block_time(w3, receipt) == end - 1
    assert lease_events(receipt, "AccessRecorded") == [
        {"kind": kind, "assetId": assets, "account": grantee, "granted": True, "expiresAt": end}
    ]
    assert clock.pending() == end
    assert not fn.recordAccess(kind, assets).call({"from": grantee}, block_identifier="pending")
    receipt = send(fn.recordAccess(kind, assets), grantee)  # denied: no revert
    assert block_time(w3, receipt) == end
    assert lease_events(receipt, "AccessRecorded") == [
        {"kind": kind, "assetId": assets, "account": grantee, "granted": False, "expiresAt": end}
    ]


# --- extend ------------------------------------------------------------------------------


@KINDS
def test_extend_an_active_lease_from_its_end(
    w3, leases, assets, send, lease_events, manager, grantee, kind
):
    fn = leases.functions
    receipt = send(fn.grant(kind, assets, grantee, DAY), manager)
    end = block_time(w3, receipt) + DAY
    receipt = send(fn.extend(kind, assets, grantee, 2 * DAY), manager)
    assert fn.getLease(kind, assets, grantee).call() == (end + 2 * DAY, 0, False)
    assert lease_events(receipt, "LeaseExtended") == [
        {
            "kind": kind,
            "assetId": assets,
            "grantee": grantee,
            "expiresAt": end + 2 * DAY,
            "by": manager,
        }
    ]


def test_extend_an_expired_lease_from_now(w3, leases, assets, send, clock, owner, grantee):
    fn = leases.functions
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    clock.next_transaction_at(block_time(w3, receipt) + HOUR + 5)
    receipt = send(fn.extend(DATASET, assets, grantee, HOUR), owner)
    assert fn.expiresAt(DATASET, assets, grantee).call() == block_time(w3, receipt) + HOUR
    assert fn.hasAccess(DATASET, assets, grantee).call()


def test_extend_needs_a_lease_that_is_not_revoked(
    leases, assets, send, reverts, owner, grantee, stranger
):
    """No lease to extend, or a revoked one: LeaseNotActive (a revocation is undone only by
    a new grant or a purchase)."""
    fn = leases.functions
    with reverts("LeaseNotActive", DATASET, assets, stranger):
        fn.extend(DATASET, assets, stranger, HOUR).call({"from": owner})
    send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    send(fn.revoke(DATASET, assets, grantee), owner)
    with reverts("LeaseNotActive", DATASET, assets, grantee):
        fn.extend(DATASET, assets, grantee, HOUR).call({"from": owner})


# --- revoke ------------------------------------------------------------------------------


@KINDS
def test_revoke_ends_access_now(
    w3, leases, assets, send, reverts, lease_events, owner, manager, grantee, kind
):
    fn = leases.functions
    send(fn.grant(kind, assets, grantee, 30 * DAY), owner)
    receipt = send(fn.revoke(kind, assets, grantee), manager)
    assert lease_events(receipt, "LeaseRevoked") == [
        {"kind": kind, "assetId": assets, "grantee": grantee, "by": manager}
    ]
    assert fn.getLease(kind, assets, grantee).call() == (block_time(w3, receipt), 0, True)
    assert not fn.hasAccess(kind, assets, grantee).call()
    assert not fn.recordAccess(kind, assets).call({"from": grantee}, block_identifier="pending")
    with reverts("LeaseNotActive", kind, assets, grantee):
        fn.revoke(kind, assets, grantee).call({"from": owner})


def test_revoke_needs_an_active_lease(
    w3, leases, assets, send, reverts, clock, owner, grantee, stranger
):
    fn = leases.functions
    with reverts("LeaseNotActive", DATASET, assets, stranger):  # never had one
        fn.revoke(DATASET, assets, stranger).call({"from": owner})
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    clock.next_transaction_at(block_time(w3, receipt) + HOUR)  # expired
    with reverts("LeaseNotActive", DATASET, assets, grantee):
        fn.revoke(DATASET, assets, grantee).call({"from": owner}, block_identifier="pending")


def test_revoke_checks_the_caller_first(leases, assets, send, reverts, owner, grantee, stranger):
    fn = leases.functions
    send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    for account in (stranger, grantee):
        with reverts("LeaseUnauthorized", DATASET, assets, account):
            fn.revoke(DATASET, assets, grantee).call({"from": account})
    with reverts("LeaseAssetNotFound", MODEL, 7):
        fn.revoke(MODEL, 7, grantee).call({"from": owner})


# --- owners, managers, unknown assets, the access log --------------------------------------


@KINDS
def test_owners_and_managers_have_access_without_a_lease(
    leases, assets, send, lease_events, owner, manager, stranger, kind
):
    fn = leases.functions
    for account in (owner, manager):
        assert fn.hasAccess(kind, assets, account).call()
        receipt = send(fn.recordAccess(kind, assets), account)
        assert lease_events(receipt, "AccessRecorded") == [
            {"kind": kind, "assetId": assets, "account": account, "granted": True, "expiresAt": 0}
        ]
    assert not fn.hasAccess(kind, assets, stranger).call()


@KINDS
def test_unknown_assets(leases, assets, send, reverts, lease_events, owner, grantee, kind):
    """Views answer "no access" / zero; recordAccess logs a denial; everything that needs the
    asset's owner reverts with LeaseAssetNotFound."""
    fn = leases.functions
    for asset_id in (0, 2, 2**256 - 1):
        assert not fn.hasAccess(kind, asset_id, owner).call()
        assert fn.expiresAt(kind, asset_id, owner).call() == 0
        assert fn.getLease(kind, asset_id, owner).call() == (0, 0, False)
        receipt = send(fn.recordAccess(kind, asset_id), owner)
        assert lease_events(receipt, "AccessRecorded") == [
            {"kind": kind, "assetId": asset_id, "account": owner, "granted": False, "expiresAt": 0}
        ]
        for call in (
            fn.grant(kind, asset_id, grantee, HOUR),
            fn.extend(kind, asset_id, grantee, HOUR),
            fn.revoke(kind, asset_id, grantee),
            fn.setPrice(kind, asset_id, 1, ZERO_ADDRESS),
            fn.setPayees(kind, asset_id, [owner], [1]),
            fn.payeesOf(kind, asset_id),
            fn.priceOf(kind, asset_id),
        ):
            with reverts("LeaseAssetNotFound", kind, asset_id):
                call.call({"from": owner})
        with reverts("LeaseAssetNotFound", kind, asset_id):
            fn.buy(kind, asset_id, 1).call({"from": grantee, "value": 1})
        with reverts("LeaseAssetNotFound", kind, asset_id):
            fn.buyWithToken(kind, asset_id, 1, grantee, 1).call({"from": grantee})


def test_an_asset_kind_outside_the_enum_is_rejected(w3, leases, assets, reverts, owner):
    call = leases.functions.hasAccess(MODEL, assets, owner)
    data = call._encode_transaction_data()
    bad = data[:10] + f"{2:064x}" + data[10 + 64 :]
    with reverts(""):
        w3.eth.call({"from": owner, "to": leases.address, "data": bad})


def test_the_access_log_holds_every_attempt(
    w3, leases, assets, send, clock, owner, grantee, stranger, manager
):
    fn = leases.functions
    start = w3.eth.block_number + 1
    receipt = send(fn.grant(DATASET, assets, grantee, HOUR), owner)
    end = block_time(w3, receipt) + HOUR
    attempts = [
        (grantee, DATASET, assets),  # granted: lease
        (stranger, DATASET, assets),  # denied: nothing
        (grantee, MODEL, assets),  # denied: the lease is on the dataset
        (manager, MODEL, assets),  # granted: manager
        (stranger, DATASET, 42),  # denied: unknown asset
    ]
    for account, kind, asset_id in attempts:
        send(fn.recordAccess(kind, asset_id), account)
    clock.next_transaction_at(end)
    send(fn.recordAccess(DATASET, assets), grantee)  # denied: expired

    logs = leases.events.AccessRecorded().get_logs(from_block=start)
    assert [
        (e["args"]["account"], e["args"]["kind"], e["args"]["assetId"], e["args"]["granted"])
        for e in logs
    ] == [
        (grantee, DATASET, assets, True),
        (stranger, DATASET, assets, False),
        (grantee, MODEL, assets, False),
        (manager, MODEL, assets, True),
        (stranger, DATASET, 42, False),
        (grantee, DATASET, assets, False),
    ]
    # The indexed topics let an auditor pull one account's attempts on one asset.
    mine = leases.events.AccessRecorded().get_logs(
        from_block=start, argument_filters={"kind": DATASET, "assetId": assets, "account": grantee}
    )
    assert [(e["args"]["granted"], e["args"]["expiresAt"]) for e in mine] == [
        (True, end),
        (False, end),
    ]


def test_the_assets_registry_status_is_not_consulted(
    leases, registry, assets, send, owner, grantee
):
    """A revoked dataset's leases still work: the owner ends them explicitly."""
    send(registry.functions.setStatus(assets, 2, "withdrawn"), owner)
    send(leases.functions.grant(DATASET, assets, grantee, HOUR), owner)
    assert leases.functions.hasAccess(DATASET, assets, grantee).call()
