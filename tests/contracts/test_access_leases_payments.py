"""AccessLeases paid leases, on the shipped bytecode: prices, exact payment, purchases that
extend, proceeds credited to the owner at purchase time, withdrawal (ETH; tokens and payees are in
test_access_leases_tokens.py), paid leases that cannot
be revoked before they end."""

from __future__ import annotations

import pytest
from eth_utils import keccak

ZERO_ADDRESS = "0x" + "00" * 20
DATASET, MODEL = 0, 1
KINDS = pytest.mark.parametrize("kind", [DATASET, MODEL], ids=["dataset", "model"])
HOUR, DAY = 3_600, 86_400
PRICE = 10**15  # wei per day
MAX_PRICE = 2**96 - 1
ETH = ZERO_ADDRESS  # the token address of ETH


@pytest.fixture
def stranger(accounts):
    return accounts[4]


@pytest.fixture
def new_owner(accounts):
    return accounts[6]


@pytest.fixture
def assets(registry, models, leases, send, owner, manager):
    """Dataset 1 and model 1, owned by ``owner`` (``manager`` appointed on both), both for
    sale at PRICE wei a day; returns the asset id (1)."""
    send(registry.functions.register(keccak(b"dataset"), b"\0" * 32, "", 0), owner)
    send(models.functions.register(keccak(b"model"), b"\0" * 32, "", [1], []), owner)
    for kind, contract in ((DATASET, registry), (MODEL, models)):
        send(contract.functions.setManager(1, manager, True), owner)
        send(leases.functions.setPrice(kind, 1, PRICE, ETH), owner)
    return 1


def block_time(w3, receipt) -> int:
    return w3.eth.get_block(receipt["blockNumber"])["timestamp"]


def fee(receipt) -> int:
    return receipt["gasUsed"] * receipt["effectiveGasPrice"]


# --- prices ------------------------------------------------------------------------------


@KINDS
def test_only_the_owner_sets_the_price(
    leases, assets, send, reverts, lease_events, owner, manager, stranger, kind
):
    fn = leases.functions
    assert fn.priceOf(kind, assets).call() == [PRICE, ETH]
    receipt = send(fn.setPrice(kind, assets, 7, ETH), owner)
    assert lease_events(receipt, "PriceSet") == [
        {"kind": kind, "assetId": assets, "token": ETH, "pricePerDay": 7}
    ]
    assert fn.priceOf(kind, assets).call() == [7, ETH]
    for account in (manager, stranger):  # managers grant, but do not set prices
        with reverts("LeaseUnauthorized", kind, assets, account):
            fn.setPrice(kind, assets, 1, ETH).call({"from": account})


def test_price_bounds(leases, assets, send, reverts, owner):
    fn = leases.functions
    send(fn.setPrice(DATASET, assets, MAX_PRICE, ETH), owner)
    assert fn.priceOf(DATASET, assets).call() == [MAX_PRICE, ETH]
    for price in (MAX_PRICE + 1, 2**256 - 1):
        with reverts("LeaseInvalidPrice", price):
            fn.setPrice(DATASET, assets, price, ETH).call({"from": owner})


def test_price_zero_takes_the_asset_off_sale(leases, assets, send, reverts, owner, buyer):
    fn = leases.functions
    send(fn.setPrice(MODEL, assets, 0, ETH), owner)
    with reverts("LeaseNotForSale", MODEL, assets):
        fn.buy(MODEL, assets, 1).call({"from": buyer, "value": 0})
    with reverts("LeaseNotForSale", MODEL, assets):
        fn.buy(MODEL, assets, 1).call({"from": buyer, "value": PRICE})
    fn.buy(DATASET, assets, 1).call({"from": buyer, "value": PRICE})  # the dataset still sells


def test_prices_belong_to_the_owner_who_set_them(
    leases, registry, assets, send, reverts, owner, new_owner, buyer
):
    """A transfer takes the asset off sale until the new owner sets a price; the old price
    returns with the old owner."""
    fn = leases.functions
    send(registry.functions.transferOwnership(assets, new_owner), owner)
    assert fn.priceOf(DATASET, assets).call() == [0, ETH]
    with reverts("LeaseNotForSale", DATASET, assets):
        fn.buy(DATASET, assets, 1).call({"from": buyer, "value": PRICE})
    send(fn.setPrice(DATASET, assets, 3 * PRICE, ETH), new_owner)
    assert fn.priceOf(DATASET, assets).call() == [3 * PRICE, ETH]
    send(registry.functions.transferOwnership(assets, owner), new_owner)
    assert fn.priceOf(DATASET, assets).call() == [PRICE, ETH]


# --- buy ---------------------------------------------------------------------------------


@KINDS
def test_buy_with_the_exact_payment(w3, leases, assets, send, lease_events, owner, buyer, kind):
    fn = leases.functions
    balance = w3.eth.get_balance(buyer)
    receipt = send(fn.buy(kind, assets, 30), buyer, value=30 * PRICE)
    end = block_time(w3, receipt) + 30 * DAY
    assert lease_events(receipt, "LeasePurchased") == [
        {
            "kind": kind,
            "assetId": assets,
            "buyer": buyer,
            "numDays": 30,
            "token": ETH,
            "paid": 30 * PRICE,
            "expiresAt": end,
        }
    ]
    assert fn.getLease(kind, assets, buyer).call() == (end, end, False)
    assert fn.hasAccess(kind, assets, buyer).call()
    assert fn.proceedsOf(owner, ETH).call() == 30 * PRICE
    assert w3.eth.get_balance(leases.address) == 30 * PRICE
    assert w3.eth.get_balance(buyer) == balance - 30 * PRICE - fee(receipt)


def test_buy_refuses_a_wrong_payment(leases, assets, reverts, buyer):
    fn = leases.functions
    for sent in (0, 1, 3 * PRICE - 1, 3 * PRICE + 1, 4 * PRICE):
        with reverts("LeaseWrongPayment", 3 * PRICE, sent):
            fn.buy(DATASET, assets, 3).call({"from": buyer, "value": sent})


def test_buy_checks_the_number_of_days(w3, leases, assets, send, reverts, owner, buyer):
    fn = leases.functions
    for days in (0, 3_651, 2**256 - 1):
        with reverts("LeaseInvalidDays", days):
            fn.buy(DATASET, assets, days).call({"from": buyer, "value": PRICE})
    send(fn.setPrice(DATASET, assets, MAX_PRICE, ETH), owner)
    with reverts("LeaseWrongPayment", MAX_PRICE * 3_650, 0):  # the largest price cannot overflow
        fn.buy(DATASET, assets, 3_650).call({"from": buyer, "value": 0})
    send(fn.setPrice(DATASET, assets, 1, ETH), owner)
    receipt = send(fn.buy(DATASET, assets, 3_650), buyer, value=3_650)
    assert fn.expiresAt(DATASET, assets, buyer).call() == block_time(w3, receipt) + 3_650 * DAY


def test_buy_extends_an_active_lease_from_its_end(w3, leases, assets, send, owner, buyer):
    """Bought days follow the granted ones, and then the whole lease is paid for."""
    fn = leases.functions
    receipt = send(fn.grant(DATASET, assets, buyer, 10 * DAY), owner)
    granted_end = block_time(w3, receipt) + 10 * DAY
    send(fn.buy(DATASET, assets, 5), buyer, value=5 * PRICE)
    end = granted_end + 5 * DAY
    assert fn.getLease(DATASET, assets, buyer).call() == (end, end, False)
    send(fn.buy(DATASET, assets, 1), buyer, value=PRICE)
    assert fn.getLease(DATASET, assets, buyer).call() == (end + DAY, end + DAY, False)


def test_buy_after_expiry_or_revocation_starts_now(w3, leases, assets, send, clock, owner, buyer):
    fn = leases.functions
    receipt = send(fn.buy(DATASET, assets, 1), buyer, value=PRICE)
    clock.next_transaction_at(block_time(w3, receipt) + 3 * DAY)
    receipt = send(fn.buy(DATASET, assets, 2), buyer, value=2 * PRICE)
    now = block_time(w3, receipt)
    assert fn.getLease(DATASET, assets, buyer).call() == (now + 2 * DAY, now + 2 * DAY, False)

    send(fn.grant(MODEL, assets, buyer, DAY), owner)
    send(fn.revoke(MODEL, assets, buyer), owner)
    receipt = send(fn.buy(MODEL, assets, 1), buyer, value=PRICE)
    now = block_time(w3, receipt)
    assert fn.getLease(MODEL, assets, buyer).call() == (now + DAY, now + DAY, False)
    assert fn.hasAccess(MODEL, assets, buyer).call()


@KINDS
def test_proceeds_go_to_the_owner_at_purchase_time(
    w3, leases, registry, models, assets, send, owner, new_owner, buyer, stranger, kind
):
    fn = leases.functions
    send(fn.buy(kind, assets, 2), buyer, value=2 * PRICE)
    contract = registry if kind == DATASET else models
    send(contract.functions.transferOwnership(assets, new_owner), owner)
    send(fn.setPrice(kind, assets, 5 * PRICE, ETH), new_owner)
    send(fn.buy(kind, assets, 1), stranger, value=5 * PRICE)
    assert fn.proceedsOf(owner, ETH).call() == 2 * PRICE
    assert fn.proceedsOf(new_owner, ETH).call() == 5 * PRICE
    assert w3.eth.get_balance(leases.address) == 7 * PRICE
    # the lease bought from the old owner survives the transfer
    assert fn.hasAccess(kind, assets, buyer).call()


# --- paid leases and revocation ------------------------------------------------------------


def test_a_paid_lease_cannot_be_revoked_before_it_ends(
    w3, leases, assets, send, reverts, clock, owner, manager, buyer
):
    fn = leases.functions
    receipt = send(fn.buy(DATASET, assets, 1), buyer, value=PRICE)
    paid_until = block_time(w3, receipt) + DAY
    send(fn.extend(DATASET, assets, buyer, 7 * DAY), manager)  # granted days after the paid one
    assert fn.getLease(DATASET, assets, buyer).call() == (paid_until + 7 * DAY, paid_until, False)
    for account in (owner, manager):
        with reverts("LeasePaidNotRevocable", DATASET, assets, buyer, paid_until):
            fn.revoke(DATASET, assets, buyer).call({"from": account})

    clock.next_transaction_at(paid_until - 1)
    with reverts("LeasePaidNotRevocable", DATASET, assets, buyer, paid_until):
        fn.revoke(DATASET, assets, buyer).call({"from": owner}, block_identifier="pending")
    clock.next_transaction_at(paid_until)
    receipt = send(fn.revoke(DATASET, assets, buyer), manager)  # the paid part is over
    assert block_time(w3, receipt) == paid_until
    assert fn.getLease(DATASET, assets, buyer).call() == (paid_until, paid_until, True)
    assert not fn.hasAccess(DATASET, assets, buyer).call()


def test_a_grant_does_not_make_a_lease_revocable_early(
    w3, leases, assets, send, reverts, owner, buyer
):
    fn = leases.functions
    receipt = send(fn.buy(DATASET, assets, 3), buyer, value=3 * PRICE)
    paid_until = block_time(w3, receipt) + 3 * DAY
    send(fn.grant(DATASET, assets, buyer, HOUR), owner)  # shorter: changes nothing
    assert fn.getLease(DATASET, assets, buyer).call() == (paid_until, paid_until, False)
    with reverts("LeasePaidNotRevocable", DATASET, assets, buyer, paid_until):
        fn.revoke(DATASET, assets, buyer).call({"from": owner})


# --- withdraw ----------------------------------------------------------------------------


def test_withdraw_pays_the_proceeds_once(
    w3, leases, assets, send, reverts, lease_events, owner, buyer, stranger
):
    fn = leases.functions
    send(fn.buy(DATASET, assets, 2), buyer, value=2 * PRICE)
    send(fn.buy(MODEL, assets, 3), stranger, value=3 * PRICE)
    balance = w3.eth.get_balance(owner)
    receipt = send(fn.withdraw(ETH), owner)
    assert lease_events(receipt, "ProceedsWithdrawn") == [{"payee": owner, "token": ETH, "amount": 5 * PRICE}]
    assert w3.eth.get_balance(owner) == balance + 5 * PRICE - fee(receipt)
    assert fn.proceedsOf(owner, ETH).call() == 0
    assert w3.eth.get_balance(leases.address) == 0
    with reverts("LeaseNothingToWithdraw", owner, ETH):
        fn.withdraw(ETH).call({"from": owner})


def test_withdraw_with_nothing_to_withdraw(leases, assets, reverts, buyer, manager):
    for account in (buyer, manager):  # a manager has no proceeds: they go to the owner
        with reverts("LeaseNothingToWithdraw", account, ETH):
            leases.functions.withdraw(ETH).call({"from": account})


def test_the_contract_accepts_ether_only_through_buy(w3, leases, assets, owner):
    def fails(tx: dict) -> bool:
        try:
            tx_hash = w3.eth.send_transaction({"from": owner, "gas": 100_000, **tx})
        except Exception:  # eth-tester may refuse it outright
            return True
        return w3.eth.get_transaction_receipt(tx_hash)["status"] == 0

    assert fails({"to": leases.address, "value": 1})  # no receive()
    grant = leases.functions.grant(DATASET, assets, owner, HOUR)._encode_transaction_data()
    assert fails({"to": leases.address, "value": 1, "data": grant})  # not payable
    assert w3.eth.get_balance(leases.address) == 0
