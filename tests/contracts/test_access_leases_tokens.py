"""AccessLeases paid in an ERC-20 token and split among payees, on the shipped bytecode, with real
OpenZeppelin ERC-20s compiled from tests/contracts/fixtures/TestToken.sol by the pinned solc:
exact prices and purchases, fee-on-transfer tokens refused, the share rule, per-token pull
payments, and a malicious token and a malicious receiver that try to re-enter."""

from __future__ import annotations

import pytest
from tools.contracts.fixtures import compiled
from eth_abi import decode
from eth_utils import keccak, to_checksum_address

ETH = "0x" + "00" * 20
DATASET, MODEL = 0, 1
DAY = 86_400
UNIT = 10**6  # the test stablecoin has 6 decimals
PRICE = 5 * UNIT  # 5 TUSD a day
REENTRANT_CALL = keccak(text="ReentrancyGuardReentrantCall()")[:4]


@pytest.fixture
def deploy(w3, accounts):
    """``deploy("TestToken", *args)``: a fixture contract, deployed by accounts[0]."""

    def _deploy(name: str, *args):
        artifact = compiled()[name]
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        tx_hash = factory.constructor(*args).transact({"from": accounts[0], "gas": 5_000_000})
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    return _deploy


@pytest.fixture
def token(deploy, send, accounts):
    """A 6-decimal OpenZeppelin ERC-20, 1,000 TUSD minted to each of accounts[2..5]."""
    contract = deploy("TestToken", "Test USD", "TUSD", 6)
    for account in accounts[2:6]:
        send(contract.functions.mint(account, 1_000 * UNIT), account)
    return contract


@pytest.fixture
def assets(registry, models, leases, send, owner, manager, token):
    """Dataset 1 (for sale at PRICE TUSD a day) and model 1 (in ETH, 10**15 wei a day), owned
    by ``owner`` with ``manager`` appointed on both."""
    send(registry.functions.register(keccak(b"dataset"), b"\0" * 32, "", 0), owner)
    send(models.functions.register(keccak(b"model"), b"\0" * 32, "", [1], []), owner)
    send(registry.functions.setManager(1, manager, True), owner)
    send(models.functions.setManager(1, manager, True), owner)
    send(leases.functions.setPrice(DATASET, 1, PRICE, token.address), owner)
    send(leases.functions.setPrice(MODEL, 1, 10**15, ETH), owner)
    return 1


def buy_with(send, leases, token, buyer, days, kind=DATASET, price=PRICE):
    """Approve exactly, then buy: what ``aiprov lease buy`` does."""
    total = price * days
    send(token.functions.approve(leases.address, total), buyer)
    return send(leases.functions.buyWithToken(kind, 1, days, token.address, total), buyer)


# --- prices in a token ---------------------------------------------------------------------


def test_price_in_a_token(leases, assets, send, reverts, lease_events, owner, buyer, token):
    fn = leases.functions
    assert fn.priceOf(DATASET, 1).call() == [PRICE, token.address]
    receipt = send(fn.setPrice(DATASET, 1, 7, token.address), owner)
    assert lease_events(receipt, "PriceSet") == [
        {"kind": DATASET, "assetId": 1, "token": token.address, "pricePerDay": 7}
    ]
    with reverts("LeaseInvalidToken", buyer):  # an account without code is no token
        fn.setPrice(DATASET, 1, 7, buyer).call({"from": owner})
    with reverts("LeaseInvalidPrice", 2**96):
        fn.setPrice(DATASET, 1, 2**96, token.address).call({"from": owner})


def test_buy_with_a_token_pays_exactly(
    w3, leases, assets, send, lease_events, owner, buyer, token
):
    before = token.functions.balanceOf(buyer).call()
    receipt = buy_with(send, leases, token, buyer, 30)
    end = w3.eth.get_block(receipt["blockNumber"])["timestamp"] + 30 * DAY
    assert lease_events(receipt, "LeasePurchased") == [{
        "kind": DATASET, "assetId": 1, "buyer": buyer, "numDays": 30, "token": token.address,
        "paid": 30 * PRICE, "expiresAt": end,
    }]
    assert lease_events(receipt, "ProceedsCredited") == [
        {"kind": DATASET, "assetId": 1, "payee": owner, "token": token.address, "amount": 30 * PRICE}
    ]
    assert token.functions.balanceOf(buyer).call() == before - 30 * PRICE
    assert token.functions.balanceOf(leases.address).call() == 30 * PRICE
    assert token.functions.allowance(buyer, leases.address).call() == 0  # exact approval, used up
    assert leases.functions.getLease(DATASET, 1, buyer).call() == (end, end, False)
    assert leases.functions.proceedsOf(owner, token.address).call() == 30 * PRICE
    assert leases.functions.proceedsOf(owner, ETH).call() == 0
    assert w3.eth.get_balance(leases.address) == 0


def test_the_buyer_names_currency_and_amount(leases, assets, send, reverts, deploy, buyer, token):
    """A price changed after the buyer looked (another amount, another token, ETH) makes the
    purchase fail rather than charge something else."""
    fn = leases.functions
    other = deploy("TestToken", "Other", "OTH", 18)
    send(token.functions.approve(leases.address, 10 * PRICE), buyer)
    with reverts("LeaseWrongToken", token.address, ETH):
        fn.buy(DATASET, 1, 1).call({"from": buyer, "value": PRICE})
    with reverts("LeaseWrongToken", token.address, other.address):
        fn.buyWithToken(DATASET, 1, 1, other.address, PRICE).call({"from": buyer})
    with reverts("LeaseWrongToken", ETH, token.address):  # model 1 is priced in ETH
        fn.buyWithToken(MODEL, 1, 1, token.address, 10**15).call({"from": buyer})
    for amount in (0, PRICE - 1, PRICE + 1, 2 * PRICE):
        with reverts("LeaseWrongPayment", PRICE, amount):
            fn.buyWithToken(DATASET, 1, 1, token.address, amount).call({"from": buyer})
    with reverts("LeaseInvalidDays", 0):
        fn.buyWithToken(DATASET, 1, 0, token.address, 0).call({"from": buyer})


def test_buy_needs_the_allowance(leases, assets, send, revert_of, buyer, token):
    """Without approval the token's own error comes back (OpenZeppelin's
    ERC20InsufficientAllowance) and nothing changes."""
    send(token.functions.approve(leases.address, PRICE - 1), buyer)
    data = revert_of(leases.functions.buyWithToken(DATASET, 1, 1, token.address, PRICE), buyer)
    selector, args = data[:4], data[4:]
    assert selector == keccak(text="ERC20InsufficientAllowance(address,uint256,uint256)")[:4]
    assert decode(["address", "uint256", "uint256"], args)[1:] == (PRICE - 1, PRICE)


def test_a_fee_on_transfer_token_is_refused(leases, assets, send, reverts, deploy, owner, buyer):
    fee_token = deploy("FeeToken")
    send(fee_token.functions.mint(buyer, 1_000 * 10**18), buyer)
    price = 10**18
    send(leases.functions.setPrice(DATASET, 1, price, fee_token.address), owner)
    send(fee_token.functions.approve(leases.address, 3 * price), buyer)
    with reverts("LeaseTokenNotExact", fee_token.address, 3 * price, 3 * price - 3 * price // 100):
        leases.functions.buyWithToken(DATASET, 1, 3, fee_token.address, 3 * price).call({"from": buyer})
    assert fee_token.functions.balanceOf(leases.address).call() == 0
    assert leases.functions.getLease(DATASET, 1, buyer).call() == (0, 0, False)


def test_a_paid_token_lease_cannot_be_revoked_before_it_ends(
    w3, leases, assets, send, reverts, owner, manager, buyer, token
):
    receipt = buy_with(send, leases, token, buyer, 2)
    paid_until = w3.eth.get_block(receipt["blockNumber"])["timestamp"] + 2 * DAY
    for account in (owner, manager):
        with reverts("LeasePaidNotRevocable", DATASET, 1, buyer, paid_until):
            leases.functions.revoke(DATASET, 1, buyer).call({"from": account})


# --- payees and the share rule -------------------------------------------------------------


def test_proceeds_split_by_weight_with_the_remainder_to_the_first(
    leases, assets, send, lease_events, owner, buyer, accounts, token
):
    a, b, c = accounts[7], accounts[8], accounts[9]
    fn = leases.functions
    receipt = send(fn.setPayees(DATASET, 1, [a, b, c], [1, 1, 1]), owner)
    assert lease_events(receipt, "PayeesSet") == [
        {"kind": DATASET, "assetId": 1, "owner": owner, "accounts": [a, b, c], "shares": [1, 1, 1]}
    ]
    assert fn.payeesOf(DATASET, 1).call() == [(a, 1), (b, 1), (c, 1)]
    send(fn.setPrice(DATASET, 1, 100, token.address), owner)
    receipt = buy_with(send, leases, token, buyer, 1, price=100)
    credited = {e["payee"]: e["amount"] for e in lease_events(receipt, "ProceedsCredited")}
    assert credited == {a: 34, b: 33, c: 33}  # every unit credited: 34 + 33 + 33 = 100
    assert fn.proceedsOf(owner, token.address).call() == 0

    # basis points are weights too: 70% / 30% of 3 days at 100
    send(fn.setPayees(DATASET, 1, [b, owner], [7_000, 3_000]), owner)
    buy_with(send, leases, token, buyer, 3, price=100)
    assert [fn.proceedsOf(x, token.address).call() for x in (a, b, c, owner)] == [34, 33 + 210, 33, 90]
    assert token.functions.balanceOf(leases.address).call() == 400


def test_clearing_payees_pays_the_owner_and_a_new_owner_starts_alone(
    leases, registry, assets, send, owner, buyer, accounts, token
):
    fn = leases.functions
    send(fn.setPayees(DATASET, 1, [accounts[7]], [1]), owner)
    send(fn.setPayees(DATASET, 1, [], []), owner)
    assert fn.payeesOf(DATASET, 1).call() == []
    buy_with(send, leases, token, buyer, 1)
    assert fn.proceedsOf(owner, token.address).call() == PRICE

    send(fn.setPayees(DATASET, 1, [accounts[7]], [1]), owner)
    new_owner = accounts[6]
    send(registry.functions.transferOwnership(1, new_owner), owner)
    assert fn.payeesOf(DATASET, 1).call() == []  # payees, like prices, are the owner's
    send(fn.setPrice(DATASET, 1, PRICE, token.address), new_owner)
    buy_with(send, leases, token, buyer, 1)
    assert fn.proceedsOf(new_owner, token.address).call() == PRICE
    assert fn.proceedsOf(accounts[7], token.address).call() == 0


def test_only_the_owner_sets_payees_and_bad_lists_are_refused(
    leases, assets, reverts, owner, manager, accounts
):
    fn = leases.functions
    a, b = accounts[7], accounts[8]
    with reverts("LeaseUnauthorized", DATASET, 1, manager):
        fn.setPayees(DATASET, 1, [a], [1]).call({"from": manager})
    cases = [
        (([a, b], [1]), (ETH, 2)),  # lengths differ
        (([accounts[i % 10] for i in range(17)], [1] * 17), (ETH, 17)),  # more than MAX_PAYEES
        (([a, ETH], [1, 1]), (ETH, 1)),  # the zero address
        (([a, b, a], [1, 2, 3]), (a, 3)),  # twice
        (([a, b], [1, 0]), (b, 0)),  # a zero weight
    ]
    for (payees, shares), error in cases:
        with reverts("LeaseInvalidPayees", *error):
            fn.setPayees(DATASET, 1, payees, shares).call({"from": owner})
    assert fn.MAX_PAYEES().call() == 16
    sixteen = [to_checksum_address(f"0x{i:040x}") for i in range(1, 17)]
    fn.setPayees(DATASET, 1, sixteen, [2**96 - 1] * 16).call({"from": owner})  # the largest list


# --- withdraw, per token -------------------------------------------------------------------


def test_each_payee_withdraws_its_own_balance_per_token(
    w3, leases, assets, send, reverts, lease_events, owner, buyer, accounts, token
):
    fn = leases.functions
    payee = accounts[7]
    send(fn.setPayees(DATASET, 1, [owner, payee], [1, 3]), owner)
    send(fn.setPayees(MODEL, 1, [payee], [1]), owner)
    buy_with(send, leases, token, buyer, 4)  # 20 TUSD: 5 to the owner, 15 to the payee
    send(fn.buy(MODEL, 1, 2), buyer, value=2 * 10**15)  # ETH, all to the payee

    receipt = send(fn.withdraw(token.address), payee)
    assert lease_events(receipt, "ProceedsWithdrawn") == [
        {"payee": payee, "token": token.address, "amount": 15 * UNIT}
    ]
    assert token.functions.balanceOf(payee).call() == 15 * UNIT
    with reverts("LeaseNothingToWithdraw", payee, token.address):
        fn.withdraw(token.address).call({"from": payee})
    assert fn.proceedsOf(payee, ETH).call() == 2 * 10**15  # the ETH balance is separate
    send(fn.withdraw(ETH), payee)
    assert w3.eth.get_balance(leases.address) == 0
    send(fn.withdraw(token.address), owner)
    assert token.functions.balanceOf(owner).call() == 5 * UNIT
    assert token.functions.balanceOf(leases.address).call() == 0


# --- a malicious token and a malicious receiver --------------------------------------------


@pytest.fixture
def evil(deploy, leases, send, owner, buyer):
    """A MaliciousToken minted to the buyer, with dataset 1 priced in it."""
    contract = deploy("MaliciousToken")
    send(contract.functions.mint(buyer, 1_000 * 10**18), buyer)
    send(leases.functions.setPrice(DATASET, 1, 10**18, contract.address), owner)
    return contract


def test_a_token_that_reenters_a_purchase_cannot(leases, assets, evil, send, reverts, buyer, owner):
    fn = leases.functions
    price = 10**18
    send(evil.functions.approve(leases.address, 2 * price), buyer)
    inner = fn.buyWithToken(DATASET, 1, 1, evil.address, price)._encode_transaction_data()
    # not swallowed: the guard's revert travels up and the whole purchase fails
    send(evil.functions.arm(leases.address, inner, False), buyer)
    with reverts("ReentrancyGuardReentrantCall"):
        fn.buyWithToken(DATASET, 1, 1, evil.address, price).call({"from": buyer})
    # swallowed: the purchase goes through once, the re-entry did nothing
    send(evil.functions.arm(leases.address, inner, True), buyer)
    send(fn.buyWithToken(DATASET, 1, 1, evil.address, price), buyer)
    assert (evil.functions.attempts().call(), evil.functions.successes().call()) == (1, 0)
    assert evil.functions.lastError().call() == REENTRANT_CALL
    assert fn.proceedsOf(owner, evil.address).call() == price
    assert evil.functions.balanceOf(leases.address).call() == price


def test_a_token_that_reenters_a_withdrawal_cannot(
    leases, assets, evil, send, reverts, buyer, owner
):
    """While paying out the malicious token, it tries to withdraw again (that token, or the
    owner's ETH): the guard stops both, and every balance stays exact."""
    fn = leases.functions
    price = 10**18
    send(evil.functions.approve(leases.address, price), buyer)
    send(fn.buyWithToken(DATASET, 1, 1, evil.address, price), buyer)
    send(fn.buy(MODEL, 1, 1), buyer, value=10**15)
    for token_address in (evil.address, ETH):
        again = fn.withdraw(token_address)._encode_transaction_data()
        send(evil.functions.arm(leases.address, again, False), owner)
        with reverts("ReentrancyGuardReentrantCall"):
            fn.withdraw(evil.address).call({"from": owner})
    send(evil.functions.arm(leases.address, fn.withdraw(ETH)._encode_transaction_data(), True), owner)
    send(fn.withdraw(evil.address), owner)
    assert evil.functions.lastError().call() == REENTRANT_CALL
    assert evil.functions.balanceOf(owner).call() == price
    assert fn.proceedsOf(owner, evil.address).call() == 0
    assert fn.proceedsOf(owner, ETH).call() == 10**15  # untouched by the re-entry


def test_a_receiver_that_reenters_gets_its_part_once(
    w3, leases, registry, assets, send, reverts, owner, buyer, accounts
):
    """A contract payee (fixtures/ReentrantOwner.sol) re-enters withdraw from receive(): with
    the failure swallowed it is paid its part exactly once; the other payee's part stays."""
    artifact = compiled()["ReentrantOwner"]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = send(factory.constructor(leases.address, registry.address), accounts[7])
    receiver = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    fn = leases.functions
    send(fn.setPayees(MODEL, 1, [owner, receiver.address], [1, 1]), owner)
    send(fn.buy(MODEL, 1, 10), buyer, value=10 * 10**15)
    with reverts("ReentrancyGuardReentrantCall"):
        receiver.functions.attack(0).call({"from": accounts[7]})  # re-enter, not swallowed
    send(receiver.functions.attack(1), accounts[7])  # re-enter, swallowed
    assert receiver.functions.received().call() == 1 and receiver.functions.reentered().call() == 0
    assert w3.eth.get_balance(receiver.address) == 5 * 10**15
    assert fn.proceedsOf(owner, ETH).call() == 5 * 10**15
    assert w3.eth.get_balance(leases.address) == 5 * 10**15
