"""AccessLeases.withdraw against a malicious owner: a contract (fixtures/ReentrantOwner.sol,
compiled here with the pinned solc) that re-enters withdraw() from its receive() to be paid
twice. The attack fails and every balance stays exact."""

from __future__ import annotations

import pytest
from tools.contracts.fixtures import compiled
from eth_utils import keccak

DATASET = 0
PRICE = 10**15
REENTER, REENTER_AND_SWALLOW, REFUSE = 0, 1, 2
ZERO = "0x" + "00" * 20  # ETH, as a token address
REENTRANT_CALL = keccak(text="ReentrancyGuardReentrantCall()")[:4]


@pytest.fixture(scope="module")
def attacker_artifact() -> dict:
    """ABI and bytecode of ReentrantOwner, from the same pinned solc and settings as the
    shipped contracts."""
    return compiled()["ReentrantOwner"]


@pytest.fixture
def attacker(w3, leases, registry, send, accounts, attacker_artifact):
    """A ReentrantOwner owning dataset 1, on sale at PRICE a day, with 10 days sold (its
    proceeds), beside an honest owner's dataset 2 with 25 days sold: the contract holds enough
    to pay the attacker three times over."""
    factory = w3.eth.contract(**attacker_artifact)
    receipt = send(factory.constructor(leases.address, registry.address), accounts[7])
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=attacker_artifact["abi"])
    send(contract.functions.listDataset(keccak(b"bait"), PRICE), accounts[7])
    honest = accounts[1]
    send(registry.functions.register(keccak(b"honest"), b"\0" * 32, "", 0), honest)
    send(leases.functions.setPrice(DATASET, 2, PRICE, ZERO), honest)
    assert registry.functions.ownerOf(1).call() == contract.address
    send(leases.functions.buy(DATASET, 1, 10), accounts[2], value=10 * PRICE)
    send(leases.functions.buy(DATASET, 2, 25), accounts[3], value=25 * PRICE)
    return contract


def test_a_reentrant_withdraw_reverts_the_whole_payment(w3, leases, attacker, reverts, accounts):
    """The re-entry hits the guard; its revert travels back through receive() and
    Address.sendValue, so the outer withdraw fails and nothing moves."""
    with reverts("ReentrancyGuardReentrantCall"):
        attacker.functions.attack(REENTER).call({"from": accounts[7]})
    tx_hash = attacker.functions.attack(REENTER).transact({"from": accounts[7], "gas": 1_000_000})
    assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 0
    assert leases.functions.proceedsOf(attacker.address, ZERO).call() == 10 * PRICE
    assert leases.functions.proceedsOf(accounts[1], ZERO).call() == 25 * PRICE
    assert w3.eth.get_balance(leases.address) == 35 * PRICE
    assert w3.eth.get_balance(attacker.address) == 0


def test_a_swallowed_reentry_gets_paid_exactly_once(
    w3, leases, attacker, send, lease_events, accounts
):
    """The attacker catches the failed re-entry and keeps the first payment: it gets its own
    proceeds once, and the honest owner's stay in the contract."""
    receipt = send(attacker.functions.attack(REENTER_AND_SWALLOW), accounts[7])
    assert attacker.functions.received().call() == 1
    assert attacker.functions.reentered().call() == 0
    assert attacker.functions.reentryError().call() == REENTRANT_CALL
    assert lease_events(receipt, "ProceedsWithdrawn") == [
        {"payee": attacker.address, "token": ZERO, "amount": 10 * PRICE}
    ]
    assert w3.eth.get_balance(attacker.address) == 10 * PRICE
    assert leases.functions.proceedsOf(attacker.address, ZERO).call() == 0
    assert w3.eth.get_balance(leases.address) == 25 * PRICE
    assert leases.functions.proceedsOf(accounts[1], ZERO).call() == 25 * PRICE
    # the honest owner is still paid in full, and the attacker has nothing more to take
    send(leases.functions.withdraw(ZERO), accounts[1])
    assert w3.eth.get_balance(leases.address) == 0
    tx_hash = attacker.functions.attack(REENTER_AND_SWALLOW).transact(
        {"from": accounts[7], "gas": 1_000_000}
    )
    assert w3.eth.get_transaction_receipt(tx_hash)["status"] == 0  # LeaseNothingToWithdraw


def test_an_owner_that_refuses_ether_keeps_its_proceeds(w3, leases, attacker, reverts, accounts):
    with reverts("FailedCall"):
        attacker.functions.attack(REFUSE).call({"from": accounts[7]})
    assert leases.functions.proceedsOf(attacker.address, ZERO).call() == 10 * PRICE
    assert w3.eth.get_balance(leases.address) == 35 * PRICE


def test_the_guard_is_released_after_a_withdrawal(w3, leases, attacker, send, accounts):
    """Transient storage: a second withdrawal in a later transaction is not mistaken for a
    re-entry."""
    send(attacker.functions.attack(REENTER_AND_SWALLOW), accounts[7])
    send(leases.functions.buy(DATASET, 1, 1), accounts[2], value=PRICE)
    send(attacker.functions.attack(REENTER_AND_SWALLOW), accounts[7])
    assert w3.eth.get_balance(attacker.address) == 11 * PRICE
    assert leases.functions.proceedsOf(attacker.address, ZERO).call() == 0
