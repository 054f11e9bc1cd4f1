"""Property tests: random call sequences keep a Python model of the rules equal to the chain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import hypothesis
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.logs import DISCARD
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

FILE_TYPES = ["string", "uint256", "bytes32"]
ZERO_ADDRESS = "0x" + "00" * 20
ACTIVE, DEPRECATED, REVOKED = 0, 1, 2
ROOTS = [b"\0" * 32] + [keccak(b"root %d" % i) for i in range(3)]
RECORD_INDICES = [0, 1, 255, 256, 2**200, 2**256 - 1]
MAX_ID = 6  # the highest id tried; runs seldom register that many
REASON = keccak(b"asked by the data subject")  # what goes on-chain: the reason's hash

FIXTURE_OK = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@dataclass
class Model:
    root: bytes
    owner: str
    status: int
    parent: int


def test_random_sequences_follow_the_rules(fresh_state, accounts, send, reverts):
    """Only the owner transfers, appoints managers and sets the status; owner or manager
    revokes consent and erases records (an erasure revokes consent too; each happens once
    per record); Revoked is final; ids count from 1; parents must exist."""
    users = accounts[:4]
    # Who sends a call: often the dataset's owner or one of its managers, else anyone.
    senders = st.sampled_from(["owner", "owner", "manager", *users])
    ids = st.sampled_from([1, 1, 2, 2, 3, 4, 0, MAX_ID])
    TOUCHED_IDS = {1, 2, 3, 4, MAX_ID}
    roots = st.sampled_from([*ROOTS[1:], *ROOTS[1:], ROOTS[0]])  # zero 1 time in 7
    parents = st.sampled_from([0, 0, 1, 2, 3, MAX_ID])

    class RegistryMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._state = fresh_state()
            self.registry = self._state.__enter__()
            self.fn = self.registry.functions
            self.datasets: dict[int, Model] = {}
            self.managers: set[tuple[int, str, str]] = set()  # (id, appointing owner, manager)
            self.consents: set[tuple[int, int]] = set()  # (id, record index) revoked
            self.erased: set[tuple[int, int]] = set()  # always a subset of `consents`

        def teardown(self) -> None:
            try:
                self.check_everything()
            finally:
                self._state.__exit__(None, None, None)

        # --- helpers --------------------------------------------------------------------

        def who(self, sender: str, id_: int) -> str:
            """Resolve "owner" / "manager" to an account for dataset `id_`."""
            if sender == "owner":
                return self.datasets[id_].owner if id_ in self.datasets else users[0]
            if sender == "manager":
                owner = self.datasets[id_].owner if id_ in self.datasets else None
                appointed = sorted(m for i, o, m in self.managers if i == id_ and o == owner)
                return appointed[0] if appointed else users[3]
            return sender

        def attempt(self, call, sender: str, error: tuple | None, event: str, args: dict) -> bool:
            """Expect `error`, or success with exactly one `event` carrying `args`."""
            hypothesis.event(f"{event}: {error[0] if error else 'ok'}")
            if error is not None:
                with reverts(*error):
                    call.call({"from": sender})
                return False
            receipt = send(call, sender)
            logs = getattr(self.registry.events, event)().process_receipt(receipt)
            assert [dict(log["args"]) for log in logs] == [args]
            return True

        def owner_error(self, id_: int, sender: str) -> tuple | None:
            if id_ not in self.datasets:
                return ("DatasetNotFound", id_)
            if self.datasets[id_].owner != sender:
                return ("AssetUnauthorized", id_, sender)
            return None

        def can_manage(self, id_: int, account: str) -> bool:
            owner = self.datasets[id_].owner
            return account == owner or (id_, owner, account) in self.managers

        def check_dataset(self, id_: int) -> None:
            m = self.datasets[id_]
            assert self.fn.getDataset(id_).call()[:4] == (m.root, m.owner, m.status, m.parent)

        def check_everything(self) -> None:
            count = len(self.datasets)
            assert self.fn.datasetCount().call() == count
            assert [self.fn.exists(i).call() for i in (0, 1, count, count + 1)] == [
                False,
                count >= 1,
                count >= 1,
                False,
            ]
            for id_ in TOUCHED_IDS & self.datasets.keys():  # others are checked when registered
                self.check_dataset(id_)
                for user in users:
                    assert self.fn.canManage(id_, user).call() == self.can_manage(id_, user)
            assert self.erased <= self.consents
            for id_, index in self.consents:
                assert self.fn.isConsentRevoked(id_, index).call()
                assert self.fn.isErased(id_, index).call() == ((id_, index) in self.erased)

        def check_records(self, id_: int) -> None:
            """Every probed record of `id_`, through the views and through checkRecord."""
            for index in RECORD_INDICES:
                revoked, erased = (id_, index) in self.consents, (id_, index) in self.erased
                assert self.fn.isConsentRevoked(id_, index).call() == revoked
                assert self.fn.isErased(id_, index).call() == erased
                status = self.datasets[id_].status
                assert self.fn.checkRecord(id_, [], index, b"\1" * 32).call() == [
                    False, status, revoked, erased
                ]

        # --- rules ----------------------------------------------------------------------

        @initialize(owners=st.lists(st.sampled_from(users), min_size=1, max_size=3))
        def start_with_datasets(self, owners):
            for owner in owners:
                self.register(owner, ROOTS[1], len(self.datasets))  # a chain of versions

        @rule(sender=st.sampled_from(users), root=roots, parent=parents)
        def register(self, sender, root, parent):
            new_id = len(self.datasets) + 1
            error = None
            if root == ROOTS[0]:
                error = ("AssetEmptyRoot",)
            elif parent != 0 and parent not in self.datasets:
                error = ("DatasetParentNotFound", parent)
            args = {
                "id": new_id,
                "owner": sender,
                "root": root,
                "parentId": parent,
                "metadataHash": keccak(root),
                "metadataURI": "ipfs://x",
            }
            call = self.fn.register(root, keccak(root), "ipfs://x", parent)
            if self.attempt(call, sender, error, "DatasetRegistered", args):
                self.datasets[new_id] = Model(root, sender, ACTIVE, parent)
                self.check_dataset(new_id)

        @rule(sender=senders, id_=ids, new_owner=st.sampled_from([*users, ZERO_ADDRESS]))
        def transfer(self, sender, id_, new_owner):
            sender = self.who(sender, id_)
            error = self.owner_error(id_, sender)
            if error is None and new_owner == ZERO_ADDRESS:
                error = ("AssetZeroAddress",)
            args = {"id": id_, "previousOwner": sender, "newOwner": new_owner}
            if self.attempt(
                self.fn.transferOwnership(id_, new_owner),
                sender,
                error,
                "OwnershipTransferred",
                args,
            ):
                self.datasets[id_].owner = new_owner
                self.check_dataset(id_)

        @rule(
            sender=senders,
            id_=ids,
            account=st.sampled_from([*users, ZERO_ADDRESS]),
            allowed=st.booleans(),
        )
        def set_manager(self, sender, id_, account, allowed):
            sender = self.who(sender, id_)
            error = self.owner_error(id_, sender)
            if error is None and account == ZERO_ADDRESS:
                error = ("AssetZeroAddress",)
            args = {"id": id_, "manager": account, "allowed": allowed, "by": sender}
            if self.attempt(
                self.fn.setManager(id_, account, allowed), sender, error, "ManagerSet", args
            ):
                (self.managers.add if allowed else self.managers.discard)((id_, sender, account))
                assert self.fn.isManager(id_, account).call() == allowed

        @rule(sender=senders, id_=ids, status=st.sampled_from([ACTIVE, DEPRECATED, REVOKED]))
        def set_status(self, sender, id_, status):
            sender = self.who(sender, id_)
            error = self.owner_error(id_, sender)
            if error is None and self.datasets[id_].status == REVOKED:
                error = ("AssetAlreadyRevoked", id_)
            elif error is None and self.datasets[id_].status == status:
                error = ("AssetInvalidStatus", status)
            args = {"id": id_, "status": status, "reason": "because"}
            if self.attempt(
                self.fn.setStatus(id_, status, "because"),
                sender,
                error,
                "StatusChanged",
                args,
            ):
                self.datasets[id_].status = status
                self.check_dataset(id_)

        def record_error(self, id_: int, sender: str) -> tuple | None:
            if id_ not in self.datasets:
                return ("DatasetNotFound", id_)
            if not self.can_manage(id_, sender):
                return ("AssetUnauthorized", id_, sender)
            return None

        @rule(sender=senders, id_=ids, index=st.sampled_from(RECORD_INDICES))
        def revoke_consent(self, sender, id_, index):
            sender = self.who(sender, id_)
            error = self.record_error(id_, sender)
            if error is None and (id_, index) in self.consents:
                error = ("DatasetConsentAlreadyRevoked", id_, index)
            args = {"id": id_, "recordIndex": index, "by": sender, "reasonHash": REASON}
            if self.attempt(
                self.fn.revokeConsent(id_, index, REASON),
                sender,
                error,
                "RecordConsentRevoked",
                args,
            ):
                self.consents.add((id_, index))
                self.check_records(id_)

        @rule(sender=senders, id_=ids, index=st.sampled_from(RECORD_INDICES))
        def erase_record(self, sender, id_, index):
            sender = self.who(sender, id_)
            error = self.record_error(id_, sender)
            if error is None and (id_, index) in self.erased:
                error = ("DatasetRecordAlreadyErased", id_, index)
            args = {"id": id_, "recordIndex": index, "by": sender, "reasonHash": REASON}
            hypothesis.event(f"RecordErased: {error[0] if error else 'ok'}")
            if error is not None:
                with reverts(*error):
                    self.fn.eraseRecord(id_, index, REASON).call({"from": sender})
                return
            receipt = send(self.fn.eraseRecord(id_, index, REASON), sender)
            events = self.registry.events
            revoked = [dict(e["args"]) for e in events.RecordConsentRevoked().process_receipt(receipt, errors=DISCARD)]
            erased = [dict(e["args"]) for e in events.RecordErased().process_receipt(receipt, errors=DISCARD)]
            # consent is revoked with the erasure, unless it already was
            assert revoked == ([] if (id_, index) in self.consents else [args])
            assert erased == [args]
            self.consents.add((id_, index))
            self.erased.add((id_, index))
            self.check_records(id_)

    run_state_machine_as_test(
        RegistryMachine,
        settings=settings(FIXTURE_OK, max_examples=20, stateful_step_count=14),
    )


@settings(FIXTURE_OK, max_examples=10)
@given(indices=st.sets(st.integers(0, 2**256 - 1) | st.integers(0, 1024), min_size=1, max_size=6))
def test_consent_bitmap_marks_exactly_the_revoked_records(fresh_state, send, accounts, indices):
    owner = accounts[1]
    with fresh_state() as registry:
        send(registry.functions.register(keccak(b"records"), b"\0" * 32, "", 0), owner)
        for index in indices:
            send(registry.functions.revokeConsent(1, index, b"\0" * 32), owner)
        probe = {
            j for i in indices for j in (i - 1, i, i + 1, i ^ 0x80, i + 256) if 0 <= j < 2**256
        }
        for j in sorted(probe):
            assert registry.functions.isConsentRevoked(1, j).call() == (j in indices), j


paths = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40
)
files = st.lists(
    st.tuples(paths, st.integers(0, 2**64), st.binary(min_size=32, max_size=32)),
    min_size=1,
    max_size=20,
    unique_by=lambda f: f[0],
)


@settings(FIXTURE_OK, max_examples=10)
@given(entries=files, data=st.data())
def test_every_file_of_a_random_tree_verifies(fresh_state, send, accounts, merkle, entries, data):
    owner = accounts[1]
    values = [list(e) for e in entries]
    tree = merkle(values, FILE_TYPES)
    with fresh_state() as registry:
        send(registry.functions.register(tree.root, b"\0" * 32, "", 0), owner)
        for i, (path, size, digest) in enumerate(entries):
            assert registry.functions.verifyFile(1, tree.proof(i), path, size, digest).call()
        i = data.draw(st.integers(0, len(entries) - 1), label="tampered file")
        path, size, digest = entries[i]
        tampered = hashlib.sha256(digest).digest()
        assert not registry.functions.verifyFile(1, tree.proof(i), path, size, tampered).call()
