"""Property test: random sequences of grant / extend / revoke / buy (in ETH or an ERC-20) /
setPrice / setPayees / time travel / recordAccess / withdraw per token (with ownership transfers
and manager changes in the registries) keep a plain-Python model of the AccessLeases rules equal
to the chain: error for error, event for event, wei for wei and token unit for token unit."""

from __future__ import annotations

import time
from dataclasses import dataclass

import hypothesis
from eth_abi import decode
from eth_utils import event_abi_to_log_topic, keccak, to_checksum_address
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

ZERO_ADDRESS = "0x" + "00" * 20
DATASET, MODEL = 0, 1
HOUR, DAY = 3_600, 86_400
MIN_DURATION, MAX_DURATION, MAX_DAYS = 60, 3_650 * DAY, 3_650
MAX_PRICE = 2**96 - 1
#: Buyers never pay more than this, so that nobody runs out of test ether.
BUDGET = 10**21
#: (kind, id): datasets 1 and 2 and model 1 are registered; dataset 3 and model 2 are not.
KNOWN_ASSETS = [(DATASET, 1), (DATASET, 2), (MODEL, 1)]
UNKNOWN_ASSETS = [(DATASET, 3), (MODEL, 2)]

# Hypothesis draws the first and the last element of a list more often than the others, so
# the values that let a call succeed sit at both ends and the refused ones in the middle.
DURATIONS = [HOUR, MIN_DURATION, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 3 * DAY, 10 * HOUR]
DURATIONS += [0, 1, MIN_DURATION - 1, MAX_DURATION + 1, 2**64 - 1]
DURATIONS += [30 * DAY, 400 * DAY, MAX_DURATION, 2 * HOUR, 5 * DAY, DAY, HOUR]
DAYS = [1, 2, 3, 5, 0, MAX_DAYS + 1, 2**256 - 1, 7, 30, MAX_DAYS, 4, 1]
PRICES = [10**15, 1, 10**12, 0, MAX_PRICE, MAX_PRICE + 1, 2**256 - 1, 7 * 10**14, 10**15]
MISTAKES = [0, 0, 0, 1, -1, "no payment", 0, 0]
#: Payee lists (indexes into the users) and weights; the refused ones in the middle.
PAYEE_LISTS = [[0], [1, 2], [2, 3, 4], [], [1, 1], [0, 2], [3]]
WEIGHTS = [1, 3, 7_000, 2, 0, 2**96 - 1, 1]

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    max_examples=20,
    stateful_step_count=100,
)


@dataclass
class Lease:
    expires_at: int = 0
    paid_until: int = 0
    revoked: bool = False

    def active(self, now: int) -> bool:
        return not self.revoked and now < self.expires_at


def test_random_sequences_follow_the_rules(fresh_leases, accounts, w3, send, reverts, clock):
    from tools.contracts.fixtures import compiled

    """About 2,000 steps in all. Calls and transactions go straight to eth-tester (web3's
    contract layer costs more than the EVM here); web3 only encodes them and decodes events."""
    users = accounts[1:6]
    senders = st.sampled_from(["owner"] * 4 + ["manager"] * 2 + users + ["manager", "owner"])
    assets = st.sampled_from([*KNOWN_ASSETS, *UNKNOWN_ASSETS, *KNOWN_ASSETS, (DATASET, 1)])
    # Few lease holders, so that leases pile up: grants, purchases, extensions and revocations
    # of the same lease.
    holders = st.sampled_from([users[2], users[3], users[4], users[0], users[3], users[2]])
    grantees = st.sampled_from([users[2], users[3], users[4], ZERO_ADDRESS, users[3], users[2]])
    tester = w3.provider.ethereum_tester
    events = {}  # topic 0 -> the event's ABI

    def decode_log(log) -> tuple[str, dict]:
        """(name, args) of an AccessLeases event in a py-evm log."""
        assert to_checksum_address(log.address) == leases.address
        item = events[log.topics[0].to_bytes(32, "big")]
        topics = iter(log.topics[1:])
        plain = [i for i in item["inputs"] if not i["indexed"]]
        values = iter(decode([i["type"] for i in plain], log.data))
        args = {}
        for i in item["inputs"]:
            raw = decode([i["type"]], next(topics).to_bytes(32, "big")) if i["indexed"] else None
            value = raw[0] if raw else next(values)
            if i["type"] == "address":
                value = to_checksum_address(value)
            elif i["type"] == "address[]":
                value = tuple(to_checksum_address(v) for v in value)
            args[i["name"]] = value
        return item["name"], args

    # Filled in once the assets are registered, and dataset 1 and model 1 put on sale, and the
    # test token deployed (every holder has plenty and has approved AccessLeases for all of it).
    initial_owners: dict[tuple[int, int], str] = {}
    initial_prices: dict[tuple[int, int, str], tuple[int, str]] = {}
    tokens: dict[str, object] = {}

    class LeasesMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.snapshot = tester.take_snapshot()
            self.fn = leases.functions
            self.owners = dict(initial_owners)
            self.managers: set[tuple[tuple[int, int], str, str]] = set()  # (asset, owner, manager)
            self.leases: dict[tuple[tuple[int, int], str], Lease] = {}  # (asset, holder)
            self.prices = dict(initial_prices)  # (kind, id, owner who set it) -> (a day, token)
            self.payees: dict[tuple[int, int, str], list[tuple[str, int]]] = {}  # same keys
            self.proceeds: dict[tuple[str, str], int] = {}  # (account, token) -> amount
            self.token = tokens["token"]

        def teardown(self) -> None:
            try:
                self.check_everything()
            finally:
                tester.revert_to_snapshot(self.snapshot)

        # --- the chain ------------------------------------------------------------------

        def now(self) -> int:
            """The timestamp the next transaction runs at, and pending calls see."""
            return clock.pending()

        def call(self, call, sender: str, value: int = 0) -> bytes:
            """Run `call` in the pending block, at the time a transaction would run."""
            tx = {"from": sender, "to": call.address, "gas": 1_000_000, "value": value}
            result = tester.call({**tx, "data": call._encode_transaction_data()}, "pending")
            return bytes.fromhex(result[2:])

        def transact(self, call, sender: str, value: int = 0):
            """Mine `call` (it must succeed); return py-evm's receipt.

            The receipt is read from py-evm: eth-tester's look-up recovers the sender from the
            signature in pure Python, which would cost a third of this test's time."""
            tx = {"from": sender, "to": call.address, "gas": 1_000_000, "value": value}
            tx_hash = tester.send_transaction({**tx, "data": call._encode_transaction_data()})
            chain = tester.backend.chain
            block = chain.get_canonical_block_by_number(chain.get_canonical_head().block_number)
            assert [tx.hash.hex() for tx in block.transactions] == [tx_hash.removeprefix("0x")]
            (receipt,) = block.get_receipts(chain.chaindb)
            assert receipt.state_root == b"\x01"  # success
            return receipt

        def attempt(self, call, sender, error, event, args, value: int = 0, more=()):
            """Expect `error`, or a transaction emitting exactly one `event` with `args` and
            then the events `more` ((name, args) pairs); the token's own events are left out.
            Returns the receipt, or None after an error."""
            hypothesis.event(f"{event}: {error[0] if error else 'ok'}")
            if error is not None:
                with reverts(*error):
                    self.call(call, sender, value)
                return None
            receipt = self.transact(call, sender, value)
            ours = [log for log in receipt.logs if to_checksum_address(log.address) == leases.address]
            assert [decode_log(log) for log in ours] == [(event, args), *more]
            return receipt

        def token_balance(self, account: str) -> int:
            result = self.call(self.token.functions.balanceOf(account), users[0])
            return decode(["uint256"], result)[0]

        # --- the model ------------------------------------------------------------------

        def who(self, sender: str, asset: tuple[int, int]) -> str:
            """Resolve "owner" / "manager" to an account for `asset`."""
            owner = self.owners.get(asset)
            if sender == "owner":
                return owner or users[0]
            if sender == "manager":
                appointed = sorted(m for a, o, m in self.managers if a == asset and o == owner)
                return appointed[0] if appointed else users[4]
            return sender

        def can_manage(self, asset: tuple[int, int], account: str) -> bool:
            owner = self.owners.get(asset)
            return owner is not None and (
                account == owner or (asset, owner, account) in self.managers
            )

        def lease(self, asset: tuple[int, int], holder: str) -> Lease:
            """The lease on record, or a new empty one (recorded by `keep`)."""
            return self.leases.get((asset, holder)) or Lease()

        def keep(self, asset: tuple[int, int], holder: str, lease: Lease) -> None:
            self.leases[(asset, holder)] = lease

        def manager_error(self, asset, sender) -> tuple | None:
            if asset not in self.owners:
                return ("LeaseAssetNotFound", *asset)
            if not self.can_manage(asset, sender):
                return ("LeaseUnauthorized", *asset, sender)
            return None

        def check_everything(self) -> None:
            """Every lease, the prices of the known assets, everyone's proceeds."""
            for asset, holder in self.leases:
                self.check_lease(asset, holder)
            for asset in KNOWN_ASSETS:
                key = (*asset, self.owners[asset])
                price = self.prices.get(key, (0, ZERO_ADDRESS))
                answer = decode(["uint256", "address"], self.call(self.fn.priceOf(*asset), users[0]))
                assert (answer[0], to_checksum_address(answer[1])) == price
                stored = decode(["(address,uint96)[]"], self.call(self.fn.payeesOf(*asset), users[0]))[0]
                assert [(to_checksum_address(a), w) for a, w in stored] == self.payees.get(key, [])
            for account in users:
                for token in (ZERO_ADDRESS, self.token.address):
                    result = self.call(self.fn.proceedsOf(account, token), account)
                    assert decode(["uint256"], result) == (self.proceeds.get((account, token), 0),)

        def owed(self, token: str) -> int:
            return sum(v for (_, t), v in self.proceeds.items() if t == token)

        @invariant()
        def the_contract_holds_exactly_the_proceeds(self):
            """In ETH and in the token: nothing else ever reaches the contract."""
            assert tester.get_balance(leases.address) == self.owed(ZERO_ADDRESS)
            assert self.token_balance(leases.address) == self.owed(self.token.address)

        # --- registries -----------------------------------------------------------------

        @rule(
            asset=st.sampled_from(KNOWN_ASSETS),
            account=st.sampled_from(users),
            change=st.sampled_from(["appoint", "transfer", "dismiss", "appoint"]),
        )
        def change_registry(self, asset, account, change):
            """The owner transfers the asset to `account`, or appoints or dismisses it as a
            manager (one rule, so that leases get more of the steps)."""
            owner = self.owners[asset]
            fn = (registry if asset[0] == DATASET else models).functions
            if change == "transfer":
                self.transact(fn.transferOwnership(asset[1], account), owner)
                self.owners[asset] = account
            else:
                self.transact(fn.setManager(asset[1], account, change == "appoint"), owner)
                update = self.managers.add if change == "appoint" else self.managers.discard
                update((asset, owner, account))

        # --- leases ---------------------------------------------------------------------

        def argument_error(self, grantee, duration) -> tuple | None:
            if grantee == ZERO_ADDRESS:
                return ("LeaseZeroAddress",)
            if not MIN_DURATION <= duration <= MAX_DURATION:
                return ("LeaseInvalidDuration", duration)
            return None

        @rule(
            data=st.data(),
            which=st.sampled_from(["any", "a lease", "any"]),
            sender=senders,
            asset=assets,
            grantee=grantees,
            duration=st.sampled_from(DURATIONS),
        )
        def grant(self, data, which, sender, asset, grantee, duration):
            """To anyone, or again to the holder of a lease on record (active, expired or
            revoked)."""
            sender, asset, grantee = self.pick(data, which, sender, asset, grantee, active=False)
            error = self.argument_error(grantee, duration) or self.manager_error(asset, sender)
            lease = self.lease(asset, grantee)
            end = max(self.now() + duration, lease.expires_at)
            args = {"kind": asset[0], "assetId": asset[1], "grantee": grantee}
            args |= {"expiresAt": end, "by": sender}
            call = self.fn.grant(*asset, grantee, duration)
            if self.attempt(call, sender, error, "LeaseGranted", args):
                lease.expires_at, lease.revoked = end, False
                self.keep(asset, grantee, lease)
                self.check_lease(asset, grantee)

        def pick(self, data, which, sender, asset, holder, active=True):
            """`(sender, asset, holder)` as drawn, or, for which="a lease", one of the leases
            on record (an active one if there is one and `active`), mostly acted on by its
            asset's owner or a manager. Roles are resolved to accounts."""
            if which == "a lease" and self.leases:
                now = self.now()
                live = sorted(k for k, lease in self.leases.items() if lease.active(now))
                choices = (active and live) or sorted(self.leases)
                asset, holder = data.draw(st.sampled_from(choices), label="lease")
                sender = data.draw(st.sampled_from(["owner", "manager", sender, "owner"]))
            return self.who(sender, asset), asset, holder

        def check_lease(self, asset: tuple[int, int], holder: str) -> None:
            lease = self.lease(asset, holder)
            stored = self.call(self.fn.getLease(*asset, holder), holder)
            expected = (lease.expires_at, lease.paid_until, lease.revoked)
            assert decode(["uint64", "uint64", "bool"], stored) == expected

        @rule(
            data=st.data(),
            which=st.sampled_from(["a lease", "any", "a lease"]),
            sender=senders,
            asset=assets,
            grantee=grantees,
            duration=st.sampled_from(DURATIONS),
        )
        def extend(self, data, which, sender, asset, grantee, duration):
            sender, asset, grantee = self.pick(data, which, sender, asset, grantee)
            lease = self.lease(asset, grantee)
            error = self.argument_error(grantee, duration) or self.manager_error(asset, sender)
            if error is None and (lease.expires_at == 0 or lease.revoked):
                error = ("LeaseNotActive", *asset, grantee)
            end = max(lease.expires_at, self.now()) + duration
            args = {"kind": asset[0], "assetId": asset[1], "grantee": grantee}
            args |= {"expiresAt": end, "by": sender}
            call = self.fn.extend(*asset, grantee, duration)
            if self.attempt(call, sender, error, "LeaseExtended", args):
                lease.expires_at = end
                self.check_lease(asset, grantee)

        def granted_past_paid_end(self) -> list[tuple[tuple[int, int], str]]:
            """Leases still in their paid part that run on, granted, after it."""
            now = self.now()
            return sorted(
                key
                for key, lease in self.leases.items()
                if lease.active(now) and now < lease.paid_until < lease.expires_at
            )

        @rule(
            data=st.data(),
            which=st.sampled_from(["a lease", "any", "at the paid end", "a lease"]),
            sender=senders,
            asset=assets,
            grantee=grantees,
        )
        def revoke(self, data, which, sender, asset, grantee):
            """Anyone's lease, one on record, or one at the very end of its paid part (a second
            early, or right on time)."""
            if which == "at the paid end" and self.granted_past_paid_end():
                asset, grantee = data.draw(st.sampled_from(self.granted_past_paid_end()))
                early = data.draw(st.sampled_from([0, 1]), label="seconds early")
                tester.time_travel(self.leases[(asset, grantee)].paid_until - early)
                sender = self.who("owner", asset)
            else:
                sender, asset, grantee = self.pick(data, which, sender, asset, grantee)
            lease = self.lease(asset, grantee)
            now = self.now()
            error = self.manager_error(asset, sender)
            if error is None and not lease.active(now):
                error = ("LeaseNotActive", *asset, grantee)
            elif error is None and now < lease.paid_until:
                error = ("LeasePaidNotRevocable", *asset, grantee, lease.paid_until)
            args = {"kind": asset[0], "assetId": asset[1], "grantee": grantee, "by": sender}
            if self.attempt(self.fn.revoke(*asset, grantee), sender, error, "LeaseRevoked", args):
                lease.expires_at, lease.revoked = now, True
                self.check_lease(asset, grantee)

        @rule(
            sender=senders,
            asset=assets,
            price=st.sampled_from(PRICES),
            currency=st.sampled_from(["eth", "token", "an account", "token", "eth"]),
        )
        def set_price(self, sender, asset, price, currency):
            sender = self.who(sender, asset)
            token = {"eth": ZERO_ADDRESS, "token": self.token.address, "an account": users[3]}[currency]
            error = None
            if asset not in self.owners:
                error = ("LeaseAssetNotFound", *asset)
            elif sender != self.owners[asset]:
                error = ("LeaseUnauthorized", *asset, sender)
            elif price > MAX_PRICE:
                error = ("LeaseInvalidPrice", price)
            elif currency == "an account":
                error = ("LeaseInvalidToken", token)
            args = {"kind": asset[0], "assetId": asset[1], "token": token, "pricePerDay": price}
            if self.attempt(self.fn.setPrice(*asset, price, token), sender, error, "PriceSet", args):
                self.prices[(*asset, sender)] = (price, token)

        @rule(
            sender=senders,
            asset=assets,
            chosen=st.sampled_from(PAYEE_LISTS),
            weights=st.lists(st.sampled_from(WEIGHTS), min_size=3, max_size=3),
        )
        def set_payees(self, sender, asset, chosen, weights):
            sender = self.who(sender, asset)
            accounts = [users[i] for i in chosen]
            shares = weights[: len(accounts)]
            error = None
            if asset not in self.owners:
                error = ("LeaseAssetNotFound", *asset)
            elif sender != self.owners[asset]:
                error = ("LeaseUnauthorized", *asset, sender)
            else:
                for k, (account, weight) in enumerate(zip(accounts, shares)):
                    if weight == 0 or account in accounts[:k]:
                        error = ("LeaseInvalidPayees", account, weight)
                        break
            args = {"kind": asset[0], "assetId": asset[1], "owner": sender}
            args |= {"accounts": tuple(accounts), "shares": tuple(shares)}
            call = self.fn.setPayees(*asset, accounts, shares)
            if self.attempt(call, sender, error, "PayeesSet", args):
                self.payees[(*asset, sender)] = list(zip(accounts, shares))

        def credits(self, asset, owner, token, total) -> list[tuple[str, int]]:
            """The share rule: (payee, amount) in the order the contract credits them."""
            payees = self.payees.get((*asset, owner), [])
            if not payees:
                return [(owner, total)] if total else []
            weight = sum(w for _, w in payees)
            parts = [(a, total * w // weight) for a, w in payees[1:]]
            parts.append((payees[0][0], total - sum(p for _, p in parts)))
            return [(a, p) for a, p in parts if p]

        @rule(
            buyer=holders,
            asset=st.sampled_from([(DATASET, 1), *KNOWN_ASSETS, *UNKNOWN_ASSETS, (DATASET, 1)]),
            days=st.sampled_from(DAYS),
            mistake=st.sampled_from(MISTAKES),
            pay_in=st.sampled_from(["the price's", "eth", "token", "the price's"]),
        )
        def buy(self, buyer, asset, days, mistake, pay_in):
            """With ETH (buy) or the token (buyWithToken): the price's currency, or the other."""
            owner = self.owners.get(asset)
            price, price_token = self.prices.get((*asset, owner), (0, ZERO_ADDRESS))
            token = {"eth": ZERO_ADDRESS, "token": self.token.address}.get(pay_in, price_token)
            expected = price * days
            value = (
                0 if mistake == "no payment" or expected > BUDGET else max(0, expected + mistake)
            )
            lease = self.lease(asset, buyer)
            now = self.now()
            error = None
            if owner is None:
                error = ("LeaseAssetNotFound", *asset)
            elif price == 0:
                error = ("LeaseNotForSale", *asset)
            elif token != price_token:
                error = ("LeaseWrongToken", price_token, token)
            elif not 1 <= days <= MAX_DAYS:
                error = ("LeaseInvalidDays", days)
            elif value != expected:
                error = ("LeaseWrongPayment", expected, value)
            end = (lease.expires_at if lease.active(now) else now) + days * DAY
            args = {"kind": asset[0], "assetId": asset[1], "buyer": buyer, "numDays": days}
            args |= {"token": token, "paid": value, "expiresAt": end}
            credits = self.credits(asset, owner, token, value) if error is None else []
            more = [("ProceedsCredited", {"kind": asset[0], "assetId": asset[1], "payee": payee,
                                          "token": token, "amount": amount}) for payee, amount in credits]
            if token == ZERO_ADDRESS:
                call, eth = self.fn.buy(*asset, days), value
            else:
                call, eth = self.fn.buyWithToken(*asset, days, token, value), 0
                paid_before = self.token_balance(buyer)
            if self.attempt(call, buyer, error, "LeasePurchased", args, value=eth, more=more):
                lease.expires_at = lease.paid_until = end
                lease.revoked = False
                self.keep(asset, buyer, lease)
                self.check_lease(asset, buyer)
                for payee, amount in credits:
                    self.proceeds[(payee, token)] = self.proceeds.get((payee, token), 0) + amount
                if token != ZERO_ADDRESS:
                    assert self.token_balance(buyer) == paid_before - value

        @precondition(lambda self: self.proceeds)
        @rule(data=st.data(), in_token=st.booleans())
        def withdraw(self, data, in_token):
            """By an account that was paid at some point (perhaps already withdrawn), or by
            anyone; in ETH or in the token."""
            token = self.token.address if in_token else ZERO_ADDRESS
            paid = sorted(a for a, t in self.proceeds if t == token)
            account = data.draw(st.sampled_from([*paid, *users]), "account")
            amount = self.proceeds.get((account, token), 0)
            error = None if amount else ("LeaseNothingToWithdraw", account, token)
            balance = self.token_balance(account) if in_token else tester.get_balance(account)
            args = {"payee": account, "token": token, "amount": amount}
            receipt = self.attempt(self.fn.withdraw(token), account, error, "ProceedsWithdrawn", args)
            if receipt and in_token:
                assert self.token_balance(account) == balance + amount
                self.proceeds[(account, token)] = 0
            elif receipt:
                head = tester.backend.chain.get_canonical_head()
                (tx,) = tester.backend.chain.get_canonical_block_by_number(
                    head.block_number
                ).transactions
                price = head.base_fee_per_gas + min(
                    tx.max_priority_fee_per_gas, tx.max_fee_per_gas - head.base_fee_per_gas
                )
                fee = receipt.gas_used * price
                assert tester.get_balance(account) == balance + amount - fee
                self.proceeds[(account, token)] = 0

        # --- access -----------------------------------------------------------------------

        def has_access(self, asset, account) -> bool:
            return self.lease(asset, account).active(self.now()) or self.can_manage(asset, account)

        @rule(account=holders, asset=assets, log=st.sampled_from([False, True, False]))
        def access(self, account, asset, log):
            """hasAccess; then, with `log`, recordAccess too: same answer, and the attempt is
            logged whatever it is."""
            granted = self.has_access(asset, account)
            answer = decode(["bool"], self.call(self.fn.hasAccess(*asset, account), account))
            assert answer == (granted,)
            if log:
                args = {"kind": asset[0], "assetId": asset[1], "account": account}
                args |= {"granted": granted, "expiresAt": self.lease(asset, account).expires_at}
                self.attempt(self.fn.recordAccess(*asset), account, None, "AccessRecorded", args)

        # --- time -----------------------------------------------------------------------

        @rule(
            data=st.data(),
            seconds=st.sampled_from([HOUR, 59, DAY, 45 * DAY, 7 * DAY, 1, 12 * HOUR]),
            offset=st.sampled_from([None, -1, 0, 1, None]),
        )
        def wait(self, data, seconds, offset):
            """Let `seconds` pass, or, given an offset, jump to just before, at or just after
            an end or a paid end still ahead."""
            now = self.now()
            ends = {
                t for lease in self.leases.values() for t in (lease.expires_at, lease.paid_until)
            }
            ahead = sorted(
                t + offset for t in ends if offset is not None and t and t + offset > now
            )
            target = data.draw(st.sampled_from(ahead), label="target") if ahead else now + seconds
            tester.time_travel(target)
            assert self.now() == target

    with fresh_leases() as (registry, models, leases):
        events.update({event_abi_to_log_topic(e): e for e in leases.abi if e["type"] == "event"})
        # Ahead of the wall clock, so that every block is one second after the last.
        clock.next_transaction_at(max(clock.pending(), int(time.time())) + DAY)
        root = keccak(b"data")
        send(registry.functions.register(root, b"\0" * 32, "", 0), users[0])
        send(registry.functions.register(root, b"\0" * 32, "", 0), users[1])
        send(models.functions.register(root, b"\0" * 32, "", [1], []), users[0])
        artifact = compiled()["TestToken"]
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        tx_hash = factory.constructor("Test USD", "TUSD", 6).transact({"from": users[0], "gas": 5_000_000})
        token = w3.eth.contract(address=w3.eth.get_transaction_receipt(tx_hash)["contractAddress"],
                                abi=artifact["abi"])
        tokens["token"] = token
        for holder in users:
            send(token.functions.mint(holder, 10**40), holder)
            send(token.functions.approve(leases.address, 2**256 - 1), holder)
        send(leases.functions.setPrice(DATASET, 1, 10**15, ZERO_ADDRESS), users[0])
        send(leases.functions.setPrice(MODEL, 1, 1, token.address), users[0])
        initial_owners.update(
            {(DATASET, 1): users[0], (DATASET, 2): users[1], (MODEL, 1): users[0]}
        )
        initial_prices.update({(DATASET, 1, users[0]): (10**15, ZERO_ADDRESS),
                               (MODEL, 1, users[0]): (1, token.address)})
        run_state_machine_as_test(LeasesMachine, settings=SETTINGS)
