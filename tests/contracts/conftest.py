"""Fixtures for the contract tests: the real compiled artifacts on an in-memory chain.

One eth-tester (py-evm) chain per test session, with one DatasetRegistry, one
ModelRegistry (pointing at it) and one AccessLeases (pointing at both) deployed; each test
runs between a chain snapshot and a revert, so it starts from freshly deployed contracts
without paying for new deployments (the revert also undoes any time travel). Hypothesis
tests use :func:`fresh_state` / :func:`fresh_registries` / :func:`fresh_leases` per example.

Helpers are handed out as fixtures (``reverts``, ``clock``, ``merkle``, ``oz_merkle``) rather
than imported, so the tests need no package layout of their own.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from eth_abi import decode
from eth_utils import keccak, to_checksum_address
from web3.logs import DISCARD

from aiprov.contracts import load_artifact
from tools.contracts.gas import new_chain, standard_leaf

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"

# --- the chain ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def w3():
    return new_chain()


@pytest.fixture(scope="session")
def accounts(w3) -> list[str]:
    """Ten funded, unlocked accounts; accounts[0] deploys."""
    return list(w3.eth.accounts)


@pytest.fixture
def owner(accounts) -> str:
    """The account that registers (and so owns) what a test is about."""
    return accounts[1]


@pytest.fixture
def other(accounts) -> str:
    return accounts[2]


@pytest.fixture
def manager(accounts) -> str:
    """Appointed by ``owner`` where a test needs a manager."""
    return accounts[3]


@pytest.fixture
def stranger(accounts) -> str:
    """Neither owner nor manager of anything."""
    return accounts[4]


@pytest.fixture(scope="session")
def registry_abi() -> list[dict[str, Any]]:
    return load_artifact("DatasetRegistry")["abi"]


@pytest.fixture(scope="session")
def _deployed_registry(w3, accounts, registry_abi):
    artifact = load_artifact("DatasetRegistry")
    factory = w3.eth.contract(abi=registry_abi, bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor().transact({"from": accounts[0]})
    )
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=registry_abi)


@pytest.fixture(scope="session")
def model_abi() -> list[dict[str, Any]]:
    return load_artifact("ModelRegistry")["abi"]


@pytest.fixture(scope="session")
def _deployed_models(w3, accounts, model_abi, _deployed_registry):
    artifact = load_artifact("ModelRegistry")
    factory = w3.eth.contract(abi=model_abi, bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(_deployed_registry.address).transact({"from": accounts[0]})
    )
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=model_abi)


@pytest.fixture(scope="session")
def leases_abi() -> list[dict[str, Any]]:
    return load_artifact("AccessLeases")["abi"]


@pytest.fixture(scope="session")
def _deployed_leases(w3, accounts, leases_abi, _deployed_registry, _deployed_models):
    artifact = load_artifact("AccessLeases")
    factory = w3.eth.contract(abi=leases_abi, bytecode=artifact["bytecode"])
    constructor = factory.constructor(_deployed_registry.address, _deployed_models.address)
    receipt = w3.eth.wait_for_transaction_receipt(constructor.transact({"from": accounts[0]}))
    assert receipt["status"] == 1
    return w3.eth.contract(address=receipt["contractAddress"], abi=leases_abi)


@contextlib.contextmanager
def _snapshot(w3) -> Iterator[None]:
    tester = w3.provider.ethereum_tester
    snapshot = tester.take_snapshot()
    try:
        yield
    finally:
        tester.revert_to_snapshot(snapshot)


@pytest.fixture
def registry(w3, _deployed_registry):
    """A DatasetRegistry with no registrations; every change is undone after the test."""
    with _snapshot(w3):
        yield _deployed_registry


@pytest.fixture
def fresh_state(w3, _deployed_registry):
    """``with fresh_state() as registry:`` — a registry with no registrations, for one
    Hypothesis example; changes are undone on exit."""

    @contextlib.contextmanager
    def fresh() -> Iterator[Any]:
        with _snapshot(w3):
            yield _deployed_registry

    return fresh


@pytest.fixture
def models(registry, _deployed_models):
    """A ModelRegistry with no registrations, reading datasets from ``registry`` (which has
    none either); every change to both is undone after the test."""
    return _deployed_models


@pytest.fixture
def fresh_registries(w3, _deployed_registry, _deployed_models):
    """``with fresh_registries() as (registry, models):`` — both registries with no
    registrations, for one Hypothesis example; changes are undone on exit."""

    @contextlib.contextmanager
    def fresh() -> Iterator[tuple[Any, Any]]:
        with _snapshot(w3):
            yield _deployed_registry, _deployed_models

    return fresh


@pytest.fixture
def leases(registry, _deployed_models, _deployed_leases):
    """An AccessLeases over ``registry`` and ``models``, all three empty; every change is
    undone after the test."""
    return _deployed_leases


@pytest.fixture
def fresh_leases(w3, _deployed_registry, _deployed_models, _deployed_leases):
    """``with fresh_leases() as (registry, models, leases):`` — the three contracts with no
    registrations and no leases, for one Hypothesis example; changes are undone on exit."""

    @contextlib.contextmanager
    def fresh() -> Iterator[tuple[Any, Any, Any]]:
        with _snapshot(w3):
            yield _deployed_registry, _deployed_models, _deployed_leases

    return fresh


class Clock:
    """Chain time on the in-memory chain (eth-tester mines one block per transaction, one
    second after the previous block, once the chain is ahead of the wall clock)."""

    def __init__(self, w3) -> None:
        self.w3 = w3
        self.tester = w3.provider.ethereum_tester

    def latest(self) -> int:
        """Timestamp of the latest block: what calls (``.call()``) see."""
        return self.w3.eth.get_block("latest")["timestamp"]

    def pending(self) -> int:
        """Timestamp the next transaction will run at (and ``block_identifier="pending"``)."""
        return self.tester.get_block_by_number("pending")["timestamp"]

    def next_transaction_at(self, timestamp: int) -> None:
        """Make the next transaction run at ``timestamp`` (calls then see ``timestamp - 1``)."""
        self.tester.time_travel(timestamp)
        assert self.pending() == timestamp

    def calls_at(self, timestamp: int) -> None:
        """Make calls see ``timestamp`` (the next transaction then runs one second later)."""
        self.next_transaction_at(timestamp + 1)
        assert self.latest() == timestamp


@pytest.fixture
def clock(w3) -> Clock:
    return Clock(w3)


# --- the roles of the AccessLeases payment tests (owner and manager are above) -----------


@pytest.fixture
def buyer(accounts):
    return accounts[2]


# --- transactions and custom errors ------------------------------------------------------


@pytest.fixture
def send(w3):
    """``send(contract_fn, sender, value=0)``: mine a transaction that must succeed; return its
    receipt."""

    def _send(call, sender: str, value: int = 0):
        tx_hash = call.transact({"from": sender, "gas": 1_000_000, "value": value})
        receipt = w3.eth.get_transaction_receipt(tx_hash)
        assert receipt["status"] == 1, "transaction reverted"
        return receipt

    return _send


def revert_data(exc: BaseException) -> bytes:
    """The raw revert data carried by a web3 / eth-tester exception."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        return message
    # web3 says "execution reverted: b'...'"; eth-tester's own API just "b'...'"
    match = re.fullmatch(r"(?:execution reverted: )?(b(['\"]).*\2)", str(message), re.DOTALL)
    if match is None:
        raise AssertionError(f"not a revert with data: {exc!r}")
    return ast.literal_eval(match.group(1))


def error_table(abi: list[dict[str, Any]]) -> dict[bytes, tuple[str, list[str]]]:
    """Selector -> (name, argument types) of every custom error in `abi`."""
    table = {}
    for item in abi:
        if item["type"] == "error":
            types = [i["type"] for i in item["inputs"]]
            selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
            table[selector] = (item["name"], types)
    return table


def decode_error(table: dict[bytes, tuple[str, list[str]]], data: bytes) -> tuple[str, tuple]:
    """(error name, args) of a custom error's revert data, given ``error_table(abi)``;
    ("", ()) for empty data."""
    if not data:
        return "", ()
    name, types = table[data[:4]]
    values = decode(types, data[4:])
    return name, tuple(
        to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True)
    )


@pytest.fixture
def revert_of():
    """``revert_of(call, sender)`` — the raw revert data of a call that must revert (for
    errors of other contracts than ours, such as a token's)."""

    def _revert_of(call, sender: str) -> bytes:
        try:
            call.call({"from": sender})
        except Exception as exc:  # web3 / eth-tester raise several kinds
            return revert_data(exc)
        raise AssertionError("did not revert")

    return _revert_of


@pytest.fixture
def reverts(registry_abi, model_abi, leases_abi):
    """``with reverts("DatasetNotFound", 7): fn.call(...)`` — the call must revert with that
    custom error (of any of the three contracts, OpenZeppelin's included) and exactly those
    args (``reverts("")`` = empty revert data)."""
    errors = error_table(registry_abi + model_abi + leases_abi)

    @contextlib.contextmanager
    def _reverts(name: str, *args: Any) -> Iterator[None]:
        try:
            yield
        except AssertionError:
            raise
        except Exception as exc:  # web3 / eth-tester raise several kinds
            got = decode_error(errors, revert_data(exc))
            assert got == (name, args), f"reverted with {got}, expected {(name, args)}"
        else:
            raise AssertionError(f"did not revert (expected {name}{args})")

    return _reverts


@pytest.fixture
def events(registry):
    """``events(receipt, "DatasetRegistered")`` — the decoded args of that event, in order."""

    def _events(receipt, name: str) -> list[dict[str, Any]]:
        logs = getattr(registry.events, name)().process_receipt(receipt, errors=DISCARD)  # others
        return [dict(e["args"]) for e in logs]

    return _events


@pytest.fixture
def model_events(_deployed_models):
    """``model_events(receipt, "ModelRegistered")`` — the decoded args of that ModelRegistry
    event, in order (array args as lists)."""

    def _events(receipt, name: str) -> list[dict[str, Any]]:
        logs = getattr(_deployed_models.events, name)().process_receipt(receipt)
        return [
            {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in e["args"].items()}
            for e in logs
        ]

    return _events


@pytest.fixture
def lease_events(_deployed_leases):
    """``lease_events(receipt, "LeaseGranted")`` — the decoded args of that AccessLeases
    event, in order."""

    def _events(receipt, name: str) -> list[dict[str, Any]]:
        from web3.logs import DISCARD

        # DISCARD: the receipt holds other events too (ProceedsCredited beside LeasePurchased)
        logs = getattr(_deployed_leases.events, name)().process_receipt(receipt, errors=DISCARD)
        return [dict(e["args"]) for e in logs]

    return _events


# --- Merkle trees ------------------------------------------------------------------------


class PyStandardMerkleTree:
    """OpenZeppelin's ``StandardMerkleTree`` (format ``standard-v1``), for the tests.

    Same algorithm as ``@openzeppelin/merkle-tree`` 1.0.8: hashed leaves sorted, laid out at
    the end of an array-based complete binary tree, sorted-pair keccak256 nodes.
    """

    def __init__(self, values: Sequence[Sequence[Any]], types: Sequence[str]) -> None:
        if not values:
            raise ValueError("no values")
        leaves = [standard_leaf(list(types), list(v)) for v in values]
        order = sorted(range(len(values)), key=lambda i: leaves[i])
        size = 2 * len(leaves) - 1
        self.tree: list[bytes] = [b""] * size
        self.tree_index: list[int] = [0] * len(values)
        for position, value_index in enumerate(order):
            self.tree[size - 1 - position] = leaves[value_index]
            self.tree_index[value_index] = size - 1 - position
        for i in range(size - 1 - len(leaves), -1, -1):
            a, b = self.tree[2 * i + 1], self.tree[2 * i + 2]
            self.tree[i] = keccak(min(a, b) + max(a, b))
        self.leaves = leaves

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def proof(self, value_index: int) -> list[bytes]:
        i, proof = self.tree_index[value_index], []
        while i > 0:
            proof.append(self.tree[i + 1 if i % 2 else i - 1])
            i = (i - 1) // 2
        return proof


@pytest.fixture(scope="session")
def merkle():
    """The Python ``StandardMerkleTree`` class."""
    return PyStandardMerkleTree


_OZ_SCRIPT = """
const { StandardMerkleTree } = require(process.argv[1] + "/@openzeppelin/merkle-tree");
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const { values, types } = JSON.parse(input);
  const tree = StandardMerkleTree.of(values, types);
  console.log(JSON.stringify({ root: tree.root, proofs: values.map((_, i) => tree.getProof(i)) }));
});
"""


@pytest.fixture(scope="session")
def oz_merkle():
    """``oz_merkle(values, types)`` -> (root, proofs) from ``@openzeppelin/merkle-tree`` itself
    (under node), the reference implementation. Values: str / int / bytes."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "@openzeppelin" / "merkle-tree").is_dir():
        pytest.skip("needs node and node_modules (npm ci) for the @openzeppelin/merkle-tree oracle")

    def _json(value: Any) -> Any:
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, int):
            return str(value)
        return value

    def _oz(
        values: Sequence[Sequence[Any]], types: Sequence[str]
    ) -> tuple[bytes, list[list[bytes]]]:
        payload = json.dumps(
            {"values": [[_json(x) for x in v] for v in values], "types": list(types)}
        )
        proc = subprocess.run(
            [node, "-e", _OZ_SCRIPT, str(NODE_MODULES)],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
        )
        out = json.loads(proc.stdout)
        return bytes.fromhex(out["root"][2:]), [
            [bytes.fromhex(h[2:]) for h in p] for p in out["proofs"]
        ]

    return _oz
