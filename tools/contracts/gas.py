"""Measure the gas of every public contract function; keep it in ``contracts/gas-snapshot.json``.

    python -m tools.contracts.gas            # print the measurements
    python -m tools.contracts.gas --write    # write the snapshot (make gas-snapshot)
    python -m tools.contracts.gas --check    # exit 1 and print the differences

A developer tool (it needs web3 and eth-tester, the ``test`` extra); not part of the
installed package.

Each measurement runs the shipped artifact on a fresh in-memory chain (eth-tester + py-evm,
Prague rules) with fixed, realistic inputs, so the numbers are the same on every run.

Keys are ``<Contract>.<function>`` (plus a ``[variant]`` where one function is measured
twice) and mean the gas of the whole transaction: the 21,000 base, calldata, execution and
refunds, as the receipt's ``gasUsed`` says for state-changing functions. For views, the
whole-transaction figure is what a Prague node's ``eth_estimateGas`` answers (the larger
of 21,000 + calldata + execution and the EIP-7623 calldata floor, which decides for calls
carrying a long proof), and ``<key>.execution`` is the execution alone: the smallest gas
limit the call succeeds with, less the intrinsic 21,000 + calldata cost.

Proof checks (``verifyLeaf``, ``verifyFile``, ``verifyRecord``) use a valid proof of depth 20
(a tree of about a million leaves); their gas depends only on the depth, not on the values.
ModelRegistry is measured beside a DatasetRegistry holding 64 datasets, so that
``register`` can be measured from one dataset up to the caps (64 datasets, 64 parents).
AccessLeases is measured beside both registries, on a dataset and a model registered by the
same owner; its default keys are the SPEC §7 cases (a new 30-day lease granted by the owner,
``recordAccess`` by a grantee whose lease is active).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiprov.contracts import CONTRACT_NAMES, load_artifact

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_PATH = REPO_ROOT / "contracts" / "gas-snapshot.json"

#: Limits from SPEC §7, checked by the tests.
REGISTER_LIMIT = 80_000
MODEL_REGISTER_LIMIT = 160_000  # a model trained on two datasets, no parent
PROOF_DEPTH = 20
PROOF_EXECUTION_LIMIT = 10_000
GRANT_LIMIT = 55_000  # a new lease, granted by the asset's owner
RECORD_ACCESS_LIMIT = 35_000  # by a grantee whose lease is active
ANCHOR_LIMIT = 60_000  # an access-log batch, any size, first or later, by owner or manager
CONSENT_REVOKE_LIMIT = 50_000  # by the owner, the first revocation in a 256-record word

TX_BASE = 21_000
#: EIP-7623 (Prague): a transaction pays at least 21,000 + 10 per calldata token,
#: where a zero byte is 1 token and any other byte 4.
FLOOR_PER_TOKEN = 10

# Fixed, realistic inputs.
METADATA_URI = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuz"  # 50 characters
METADATA_HASH = hashlib.sha256(b'{"name": "imagenet-mini", "version": "1"}').digest()
FILE_PATH = "data/train/part-00042.parquet"
FILE_SIZE = 268_435_456
FILE_SHA256 = hashlib.sha256(b"part-00042").digest()
RECORD_INDEX = 123_456
RECORD_COMMITMENT = hashlib.sha256(b"salt" + b'{"text": "hello"}').digest()
REASON = "superseded by a corrected version"
#: What `aiprov consent revoke --reason` puts on-chain: the keccak256 of the reason's text.
REASON_HASH = bytes.fromhex("6b163f5222f504e36bbe20561a4998f0e8d00c8dd8f3e15274f7daa574a5d773")  # keccak256(b"erasure request")
#: Multiproof checks: 3 of the 16 leaves of a tree (OpenZeppelin's getMultiProof shape).
MULTIPROOF_LEAVES = 16
MULTIPROOF_PICKS = (2, 7, 11)
#: ModelRegistry's cap on the dataset ids, and on the parent model ids, of one registration.
MAX_REFERENCES = 64
DAY = 86_400
LEASE_DURATION = 30 * DAY  # `aiprov lease grant 3 0xResearcher --days 30`
PRICE_PER_DAY = 10**15  # 0.001 ether
TOKEN_PRICE_PER_DAY = 5 * 10**6  # 5 units of a 6-decimal token
ETH = "0x" + "00" * 20  # the token address of ETH in AccessLeases
DATASET, MODEL = 0, 1  # AccessLeases.AssetKind


def intrinsic_gas(data: bytes) -> int:
    """21,000 plus the calldata cost: 4 per zero byte, 16 per other byte."""
    zeros = data.count(0)
    return TX_BASE + 4 * zeros + 16 * (len(data) - zeros)


def floor_gas(data: bytes) -> int:
    """The EIP-7623 minimum a transaction with this calldata pays."""
    zeros = data.count(0)
    return TX_BASE + FLOOR_PER_TOKEN * (zeros + 4 * (len(data) - zeros))


def _keccak(data: bytes) -> bytes:
    from aiprov.manifest.keccak import keccak256

    return keccak256(data)


def standard_leaf(types: list[str], values: list[Any]) -> bytes:
    """An OpenZeppelin ``StandardMerkleTree`` leaf: keccak256(keccak256(abi.encode(values)))."""
    from eth_abi import encode

    return _keccak(_keccak(encode(types, values)))


def fold_proof(leaf: bytes, proof: list[bytes]) -> bytes:
    """The root a proof leads to (sorted-pair keccak256, as ``MerkleProof`` computes it)."""
    node = leaf
    for sibling in proof:
        node = _keccak(min(node, sibling) + max(node, sibling))
    return node


def multiproof(leaves: list[bytes], picks: list[int]) -> tuple[bytes, list[bytes], list[bool], list[int]]:
    """(root, proof, proofFlags, order) of an OpenZeppelin multiproof for ``leaves[i]``, i in
    ``picks``, in a ``StandardMerkleTree`` layout (leaves sorted, array-based complete tree);
    ``order`` is the order of the picked indexes that the proof expects (its ``leaves``)."""
    ordered = sorted(range(len(leaves)), key=lambda i: leaves[i])
    size = 2 * len(leaves) - 1
    tree = [b""] * size
    slot = {}
    for position, value_index in enumerate(ordered):
        tree[size - 1 - position] = leaves[value_index]
        slot[value_index] = size - 1 - position
    for i in range(size - 1 - len(leaves), -1, -1):
        a, b = tree[2 * i + 1], tree[2 * i + 2]
        tree[i] = _keccak(min(a, b) + max(a, b))
    # @openzeppelin/merkle-tree's getMultiProof, step for step.
    stack = sorted((slot[i] for i in picks), reverse=True)
    indices = list(stack)
    proof: list[bytes] = []
    flags: list[bool] = []
    while stack and stack[0] > 0:
        j = stack.pop(0)
        s = j - 1 if j % 2 == 0 else j + 1  # sibling
        p = (j - 1) // 2
        if stack and s == stack[0]:
            flags.append(True)
            stack.pop(0)
        else:
            flags.append(False)
            proof.append(tree[s])
        stack.append(p)
    by_slot = {v: k for k, v in slot.items()}
    return tree[0], proof, flags, [by_slot[j] for j in indices]


def multiproof_inputs() -> tuple[dict[str, Any], dict[str, Any]]:
    """Fixed multiproof inputs for checkFiles and checkRecords: 3 of 16 files, 3 of 16 records."""
    file_values = [
        (f"data/train/part-{i:05d}.parquet", FILE_SIZE + i, _keccak(b"file %d" % i))
        for i in range(MULTIPROOF_LEAVES)
    ]
    record_values = [
        (RECORD_INDEX + i, _keccak(b"record %d" % i)) for i in range(MULTIPROOF_LEAVES)
    ]
    out = []
    for types, values in (
        (["string", "uint256", "bytes32"], file_values),
        (["uint256", "bytes32"], record_values),
    ):
        leaves = [standard_leaf(types, list(v)) for v in values]
        root, proof, flags, order = multiproof(leaves, list(MULTIPROOF_PICKS))
        columns = [list(column) for column in zip(*(values[i] for i in order))]
        out.append({"root": root, "proof": proof, "flags": flags, "values": columns})
    return out[0], out[1]


def new_chain() -> Web3:
    """A fresh in-memory chain (eth-tester + py-evm) with ten funded, unlocked accounts."""
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider, Web3

    return Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))


def _deploy_fixture(w3: Web3, name: str, sender: str, *args: Any) -> Contract:
    """Deploy a test double of tests/contracts/fixtures (compiled by fixtures.py)."""
    from .fixtures import compiled

    artifact = compiled()[name]
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx_hash = factory.constructor(*args).transact({"from": sender, "gas": 5_000_000})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


def deploy(w3: Web3, name: str, sender: str, *args: Any) -> tuple[Contract, int]:
    """Deploy the shipped artifact of ``name`` with constructor ``args``; return the contract
    and the deployment gas."""
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(*args).transact({"from": sender})
    )
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    return contract, receipt["gasUsed"]


class _Meter:
    """Runs calls and transactions on one chain and records their gas under a key."""

    def __init__(self, w3: Web3, contract_name: str) -> None:
        self.w3 = w3
        self.prefix = contract_name
        self.results: dict[str, int] = {}

    def transact(
        self, key: str, call: Any, sender: str, gas: int = 1_000_000, value: int = 0
    ) -> Any:
        tx_hash = call.transact({"from": sender, "gas": gas, "value": value})
        receipt = self.w3.eth.get_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise RuntimeError(f"{self.prefix}.{key} reverted")
        self.results[f"{self.prefix}.{key}"] = receipt["gasUsed"]
        return receipt

    def view(self, key: str, call: Any, sender: str) -> None:
        data = bytes.fromhex(call._encode_transaction_data()[2:])
        tx = {"from": sender, "to": call.address, "data": "0x" + data.hex()}
        needed = self._min_gas(tx, intrinsic_gas(data))
        self.results[f"{self.prefix}.{key}"] = max(needed, floor_gas(data))
        self.results[f"{self.prefix}.{key}.execution"] = needed - intrinsic_gas(data)

    def _min_gas(self, tx: dict[str, Any], low: int) -> int:
        """Smallest gas limit the call succeeds with (a binary search over eth_call)."""

        def succeeds(gas: int) -> bool:
            try:
                self.w3.eth.call({**tx, "gas": gas})
            except Exception:  # out of gas (or below intrinsic): eth-tester raises several kinds
                return False
            return True

        high = 1_000_000
        if not succeeds(high):
            raise RuntimeError(f"{tx} fails even with {high} gas")
        # Invariant: `low` fails (at first the intrinsic cost, which leaves no gas to run
        # anything), `high` succeeds.
        while high - low > 1:
            middle = (low + high) // 2
            if succeeds(middle):
                high = middle
            else:
                low = middle
        return high


def measure_dataset_registry() -> dict[str, int]:
    """Gas of every DatasetRegistry function, on a fresh chain."""
    w3 = new_chain()
    owner, other, manager = w3.eth.accounts[:3]
    registry, deploy_gas = deploy(w3, "DatasetRegistry", owner)
    meter = _Meter(w3, "DatasetRegistry")
    meter.results["DatasetRegistry.deploy"] = deploy_gas
    fn = registry.functions

    # A depth-20 proof for a file leaf and one for a record leaf, with deterministic siblings.
    siblings = [_keccak(b"sibling %d" % i) for i in range(PROOF_DEPTH)]
    file_leaf = standard_leaf(["string", "uint256", "bytes32"], [FILE_PATH, FILE_SIZE, FILE_SHA256])
    record_leaf = standard_leaf(["uint256", "bytes32"], [RECORD_INDEX, RECORD_COMMITMENT])
    file_root = fold_proof(file_leaf, siblings)
    record_root = fold_proof(record_leaf, siblings)

    # register: id 1 (files), id 2 (a new version of 1), ids 3 and 4 (records; the same root
    # twice: 3 gets consent revocations and erasures, 4 none).
    meter.transact("register", fn.register(file_root, METADATA_HASH, METADATA_URI, 0), owner)
    meter.transact(
        "register[parent]", fn.register(file_root, METADATA_HASH, METADATA_URI, 1), owner
    )
    fn.register(record_root, METADATA_HASH, METADATA_URI, 0).transact({"from": owner})
    fn.register(record_root, METADATA_HASH, METADATA_URI, 0).transact({"from": owner})  # 4

    meter.transact("setManager", fn.setManager(3, manager, True), owner)
    meter.transact("setStatus", fn.setStatus(1, 1, REASON), owner)  # Active -> Deprecated
    # Consent: the first revocation in a 256-record word creates it (the SPEC figure, by the
    # owner); by a manager the registry also reads the manager's slot; then one in a used word.
    meter.transact("revokeConsent", fn.revokeConsent(3, RECORD_INDEX, REASON_HASH), owner)
    meter.transact(
        "revokeConsent[manager]", fn.revokeConsent(3, RECORD_INDEX + 256, REASON_HASH), manager
    )
    meter.transact(
        "revokeConsent[same word]", fn.revokeConsent(3, RECORD_INDEX + 1, REASON_HASH), owner
    )
    # Erasure of a record whose consent stands (sets both bits, two events), then of one whose
    # consent was revoked before.
    meter.transact("eraseRecord", fn.eraseRecord(3, RECORD_INDEX + 512, REASON_HASH), owner)
    meter.transact(
        "eraseRecord[consent revoked]", fn.eraseRecord(3, RECORD_INDEX + 1, REASON_HASH), owner
    )
    meter.transact("transferOwnership", fn.transferOwnership(2, other), owner)

    meter.view("datasetCount", fn.datasetCount(), other)
    meter.view("exists", fn.exists(1), other)
    meter.view("getDataset", fn.getDataset(2), other)
    meter.view("rootOf", fn.rootOf(1), other)
    meter.view("ownerOf", fn.ownerOf(1), other)
    meter.view("statusOf", fn.statusOf(1), other)
    meter.view("isManager", fn.isManager(3, manager), other)
    meter.view("canManage", fn.canManage(3, manager), other)  # a manager: owner check + lookup
    meter.view("isConsentRevoked", fn.isConsentRevoked(3, RECORD_INDEX), other)
    meter.view("isErased", fn.isErased(3, RECORD_INDEX + 1), other)
    meter.view("verifyLeaf", fn.verifyLeaf(1, siblings, file_leaf), other)
    meter.view("verifyFile", fn.verifyFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256), other)
    meter.view("verifyRecord", fn.verifyRecord(4, siblings, RECORD_INDEX, RECORD_COMMITMENT), other)
    meter.view("checkFile", fn.checkFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256), other)
    # checkRecord on a record whose consent stands (the verifier's usual case) and on one that
    # was erased (one more slot read).
    meter.view(
        "checkRecord", fn.checkRecord(4, siblings, RECORD_INDEX, RECORD_COMMITMENT), other
    )
    meter.view(
        "checkRecord[erased]", fn.checkRecord(3, siblings, RECORD_INDEX, RECORD_COMMITMENT), other
    )
    files, records = multiproof_inputs()
    file_tree_root = files["root"]
    fn.register(file_tree_root, METADATA_HASH, METADATA_URI, 0).transact({"from": owner})  # 5
    fn.register(records["root"], METADATA_HASH, METADATA_URI, 0).transact({"from": owner})  # 6
    meter.view(
        "checkFiles",
        fn.checkFiles(5, files["proof"], files["flags"], *files["values"]),
        other,
    )
    meter.view(
        "checkRecords",
        fn.checkRecords(6, records["proof"], records["flags"], *records["values"]),
        other,
    )

    # The fixed inputs must be the happy path, or the numbers mean nothing.
    assert fn.verifyFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256).call()
    assert fn.verifyRecord(3, siblings, RECORD_INDEX, RECORD_COMMITMENT).call()
    assert fn.checkRecord(4, siblings, RECORD_INDEX, RECORD_COMMITMENT).call() == [True, 0, False, False]
    assert fn.checkRecord(3, siblings, RECORD_INDEX, RECORD_COMMITMENT).call() == [True, 0, True, False]
    assert fn.checkFiles(5, files["proof"], files["flags"], *files["values"]).call()[0]
    assert fn.checkRecords(6, records["proof"], records["flags"], *records["values"]).call()[0]
    assert fn.canManage(3, manager).call() and fn.isConsentRevoked(3, RECORD_INDEX).call()
    assert fn.isErased(3, RECORD_INDEX + 1).call()
    return meter.results


def measure_model_registry() -> dict[str, int]:
    """Gas of every ModelRegistry function, on a fresh chain with a DatasetRegistry."""
    w3 = new_chain()
    owner, other, manager = w3.eth.accounts[:3]
    datasets, _ = deploy(w3, "DatasetRegistry", owner)
    registry, deploy_gas = deploy(w3, "ModelRegistry", owner, datasets.address)
    meter = _Meter(w3, "ModelRegistry")
    meter.results["ModelRegistry.deploy"] = deploy_gas
    fn = registry.functions

    # Datasets 1..64 (by another account: a model may name anyone's datasets); all Active but
    # 3, which is Deprecated (allowed, and it costs the same: the status is read either way).
    dataset_roots = [_keccak(b"dataset %d" % i) for i in range(1, MAX_REFERENCES + 1)]
    for dataset_root in dataset_roots:
        datasets.functions.register(dataset_root, METADATA_HASH, METADATA_URI, 0).transact(
            {"from": other, "gas": 1_000_000}
        )
    datasets.functions.setStatus(3, 1, REASON).transact({"from": other})

    siblings = [_keccak(b"sibling %d" % i) for i in range(PROOF_DEPTH)]
    file_leaf = standard_leaf(["string", "uint256", "bytes32"], [FILE_PATH, FILE_SIZE, FILE_SHA256])
    model_root = fold_proof(file_leaf, siblings)

    # register: model 1 on two datasets (the SPEC §7 figure), 2 on one, 3 fine-tuned from 1.
    meter.transact(
        "register", fn.register(model_root, METADATA_HASH, METADATA_URI, [1, 2], []), owner
    )
    meter.transact(
        "register[1 dataset]", fn.register(model_root, METADATA_HASH, METADATA_URI, [3], []), owner
    )
    meter.transact(
        "register[2 datasets, 1 parent]",
        fn.register(model_root, METADATA_HASH, METADATA_URI, [3, 4], [1]),
        owner,
    )
    # The worst case the cap allows: 64 datasets and 64 parents (models 1..64).
    for _ in range(4, MAX_REFERENCES + 1):
        fn.register(model_root, METADATA_HASH, "", [5], []).transact(
            {"from": owner, "gas": 1_000_000}
        )
    all_ids = list(range(1, MAX_REFERENCES + 1))
    meter.transact(
        f"register[{MAX_REFERENCES} datasets, {MAX_REFERENCES} parents]",
        fn.register(model_root, METADATA_HASH, METADATA_URI, all_ids, all_ids),
        owner,
        gas=5_000_000,
    )

    meter.transact("setManager", fn.setManager(1, manager, True), owner)
    meter.transact("setStatus", fn.setStatus(2, 1, REASON), owner)  # Active -> Deprecated
    meter.transact("transferOwnership", fn.transferOwnership(3, other), owner)

    meter.view("datasetRegistry", fn.datasetRegistry(), other)
    meter.view("modelCount", fn.modelCount(), other)
    meter.view("exists", fn.exists(1), other)
    meter.view("getModel", fn.getModel(1), other)
    meter.view("rootOf", fn.rootOf(1), other)
    meter.view("ownerOf", fn.ownerOf(1), other)
    meter.view("statusOf", fn.statusOf(1), other)
    meter.view("lineageHashOf", fn.lineageHashOf(1), other)
    lineage = ([1, 2], dataset_roots[:2], [])
    meter.view("checkLineage", fn.checkLineage(1, *lineage), other)
    meter.view("isManager", fn.isManager(1, manager), other)
    meter.view("canManage", fn.canManage(1, manager), other)  # a manager: owner check + lookup
    meter.view("verifyLeaf", fn.verifyLeaf(1, siblings, file_leaf), other)
    meter.view("verifyFile", fn.verifyFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256), other)
    meter.view("checkFile", fn.checkFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256), other)
    files, _ = multiproof_inputs()
    fn.register(files["root"], METADATA_HASH, "", [1], []).transact({"from": owner})
    files_model = MAX_REFERENCES + 2
    meter.view(
        "checkFiles", fn.checkFiles(files_model, files["proof"], files["flags"], *files["values"]), other
    )

    # The fixed inputs must be the happy path, or the numbers mean nothing.
    assert fn.checkFiles(files_model, files["proof"], files["flags"], *files["values"]).call()[0]
    assert fn.modelCount().call() == MAX_REFERENCES + 2
    assert fn.checkLineage(1, *lineage).call() and fn.canManage(1, manager).call()
    assert fn.verifyFile(1, siblings, FILE_PATH, FILE_SIZE, FILE_SHA256).call()
    return meter.results


def measure_access_leases() -> dict[str, int]:
    """Gas of every AccessLeases function, on a fresh chain with both registries."""
    w3 = new_chain()
    tester = w3.provider.ethereum_tester
    owner, grantee, manager, buyer, stranger, nobody = w3.eth.accounts[:6]
    datasets, _ = deploy(w3, "DatasetRegistry", owner)
    models, _ = deploy(w3, "ModelRegistry", owner, datasets.address)
    leases, deploy_gas = deploy(w3, "AccessLeases", owner, datasets.address, models.address)
    meter = _Meter(w3, "AccessLeases")
    meter.results["AccessLeases.deploy"] = deploy_gas
    fn = leases.functions

    # Dataset 1 and model 1, both owned by `owner`, with `manager` appointed on the dataset.
    datasets.functions.register(_keccak(b"dataset"), METADATA_HASH, METADATA_URI, 0).transact(
        {"from": owner}
    )
    models.functions.register(_keccak(b"model"), METADATA_HASH, METADATA_URI, [1], []).transact(
        {"from": owner, "gas": 1_000_000}
    )
    datasets.functions.setManager(1, manager, True).transact({"from": owner})

    # grant: new leases (a fresh slot each), by the owner (the SPEC §7 figure) and by a manager
    # (the registry then also reads the manager's slot); then one over a revoked lease.
    meter.transact("grant", fn.grant(DATASET, 1, grantee, LEASE_DURATION), owner)
    meter.transact("grant[manager]", fn.grant(DATASET, 1, stranger, LEASE_DURATION), manager)
    meter.transact("grant[model]", fn.grant(MODEL, 1, grantee, LEASE_DURATION), owner)
    meter.transact("extend", fn.extend(DATASET, 1, grantee, LEASE_DURATION), owner)
    meter.transact("revoke", fn.revoke(MODEL, 1, grantee), owner)
    meter.transact("grant[after revoke]", fn.grant(MODEL, 1, grantee, LEASE_DURATION), owner)

    meter.transact("recordAccess", fn.recordAccess(DATASET, 1), grantee)  # active lease
    meter.transact("recordAccess[manager]", fn.recordAccess(DATASET, 1), manager)  # no lease
    meter.transact("recordAccess[denied]", fn.recordAccess(DATASET, 1), buyer)
    meter.transact("recordAccess[unknown asset]", fn.recordAccess(DATASET, 2), grantee)

    # buy: the first purchase also creates the owner's proceeds slot; the second extends the
    # buyer's lease and adds to the proceeds.
    meter.transact("setPrice", fn.setPrice(DATASET, 1, PRICE_PER_DAY, ETH), owner)
    meter.transact("buy", fn.buy(DATASET, 1, 30), buyer, value=30 * PRICE_PER_DAY)
    meter.transact("buy[extend active]", fn.buy(DATASET, 1, 30), buyer, value=30 * PRICE_PER_DAY)
    meter.transact("withdraw", fn.withdraw(ETH), owner)

    # The same in an ERC-20 (OpenZeppelin's, tests/contracts/fixtures/TestToken.sol, 6 decimals)
    # on the model: the buyer approves exactly (not measured: the token's cost), then buys;
    # balanceOf twice and transferFrom are part of every token purchase.
    token = _deploy_fixture(w3, "TestToken", owner, "Test USD", "TUSD", 6)
    token.functions.mint(buyer, 10**12).transact({"from": buyer})
    total = 30 * TOKEN_PRICE_PER_DAY
    meter.transact("setPrice[token]", fn.setPrice(MODEL, 1, TOKEN_PRICE_PER_DAY, token.address), owner)
    token.functions.approve(leases.address, 2 * total).transact({"from": buyer})
    meter.transact("buyWithToken", fn.buyWithToken(MODEL, 1, 30, token.address, total), buyer)
    meter.transact("buyWithToken[extend active]", fn.buyWithToken(MODEL, 1, 30, token.address, total), buyer)
    meter.transact("withdraw[token]", fn.withdraw(token.address), owner)

    # Proceeds split among three payees: a purchase then credits three balances.
    payees = [owner, manager, stranger]
    meter.transact("setPayees", fn.setPayees(DATASET, 1, payees, [5_000, 3_000, 2_000]), owner)
    meter.transact("buy[3 payees]", fn.buy(DATASET, 1, 30), buyer, value=30 * PRICE_PER_DAY)
    meter.view("payeesOf", fn.payeesOf(DATASET, 1), stranger)
    meter.view("MAX_PAYEES", fn.MAX_PAYEES(), stranger)

    # anchorAccessBatch by the gateway's operator (a manager): the first batch of an asset
    # writes its fresh log slot, later ones rewrite it. The entries never reach the chain, so
    # the batch size changes only two calldata bytes.
    models.functions.setManager(1, manager, True).transact({"from": owner})
    root = _keccak(b"batch")
    meter.transact("anchorAccessBatch", fn.anchorAccessBatch(DATASET, 1, root, 1), manager)
    meter.transact("anchorAccessBatch[10000 entries]", fn.anchorAccessBatch(MODEL, 1, root, 10_000), manager)
    meter.transact("anchorAccessBatch[next]", fn.anchorAccessBatch(DATASET, 1, root, 1), manager)
    meter.transact("anchorAccessBatch[next, 10000 entries]", fn.anchorAccessBatch(MODEL, 1, root, 10_000), manager)
    meter.transact("anchorAccessBatch[owner, next]", fn.anchorAccessBatch(DATASET, 1, root, 1), owner)
    meter.view("accessLogHead", fn.accessLogHead(DATASET, 1), stranger)

    meter.view("MIN_DURATION", fn.MIN_DURATION(), stranger)
    meter.view("MAX_DURATION", fn.MAX_DURATION(), stranger)
    meter.view("MAX_DAYS", fn.MAX_DAYS(), stranger)
    meter.view("datasetRegistry", fn.datasetRegistry(), stranger)
    meter.view("modelRegistry", fn.modelRegistry(), stranger)
    meter.view("expiresAt", fn.expiresAt(DATASET, 1, grantee), stranger)
    meter.view("getLease", fn.getLease(DATASET, 1, buyer), stranger)
    meter.view("hasAccess", fn.hasAccess(DATASET, 1, grantee), stranger)  # an active lease
    meter.view("hasAccess[manager]", fn.hasAccess(DATASET, 1, manager), stranger)  # no lease
    meter.view("hasAccess[denied]", fn.hasAccess(DATASET, 1, nobody), stranger)
    meter.view("priceOf", fn.priceOf(DATASET, 1), stranger)
    meter.view("proceedsOf", fn.proceedsOf(owner, ETH), stranger)

    # Forty days on, the grantee's 60-day lease is still active, the model lease (30 days) has
    # expired, and so has `stranger`'s: grant again over the expired slots.
    tester.time_travel(w3.eth.get_block("latest")["timestamp"] + 40 * DAY)
    meter.transact("grant[replace expired]", fn.grant(MODEL, 1, grantee, LEASE_DURATION), owner)
    meter.transact("extend[expired]", fn.extend(DATASET, 1, stranger, LEASE_DURATION), manager)

    # The fixed inputs must be the happy path, or the numbers mean nothing.
    assert fn.recordAccess(DATASET, 1).call({"from": grantee})
    assert fn.recordAccess(DATASET, 1).call({"from": manager})
    assert not fn.recordAccess(DATASET, 1).call({"from": nobody})
    assert fn.hasAccess(DATASET, 1, buyer).call() and fn.proceedsOf(owner, ETH).call() == 3 * PRICE_PER_DAY * 5
    return meter.results


MEASUREMENTS = {
    "DatasetRegistry": measure_dataset_registry,
    "ModelRegistry": measure_model_registry,
    "AccessLeases": measure_access_leases,
}


def measure() -> dict[str, int]:
    """Gas of every function of every shipped contract, sorted by key."""
    results: dict[str, int] = {}
    for name in CONTRACT_NAMES:
        results.update(MEASUREMENTS[name]())
    return dict(sorted(results.items()))


def unmeasured_functions(results: dict[str, int]) -> list[str]:
    """Public functions of the shipped contracts that have no measurement."""
    missing = []
    for name in CONTRACT_NAMES:
        for item in load_artifact(name)["abi"]:
            if item["type"] == "function" and f"{name}.{item['name']}" not in results:
                missing.append(f"{name}.{item['name']}")
    return missing


def render(results: dict[str, int]) -> str:
    """The snapshot file's exact text."""
    return json.dumps(results, indent=2, sort_keys=True) + "\n"


def read_snapshot(path: Path | None = None) -> dict[str, int]:
    """The committed snapshot ({} if there is none)."""
    path = SNAPSHOT_PATH if path is None else path
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def diff(old: dict[str, int], new: dict[str, int]) -> list[str]:
    """One line per key whose gas changed, appeared or disappeared."""
    lines = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None:
            lines.append(f"{key}: new, {after}")
        elif after is None:
            lines.append(f"{key}: removed (was {before})")
        else:
            lines.append(f"{key}: {before} -> {after} ({after - before:+d})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.contracts.gas",
        description="Measure the gas of every contract function on an in-memory chain.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {SNAPSHOT_PATH.name}")
    group.add_argument(
        "--check", action="store_true", help="exit 1 if it differs from the snapshot"
    )
    args = parser.parse_args(argv)

    results = measure()
    if missing := unmeasured_functions(results):
        print(f"error: no measurement for {', '.join(missing)}", file=sys.stderr)
        return 3
    if args.write:
        SNAPSHOT_PATH.write_text(render(results), encoding="utf-8", newline="\n")
        print(f"wrote {SNAPSHOT_PATH.relative_to(REPO_ROOT)} ({len(results)} entries)")
        return 0
    if args.check:
        changes = diff(read_snapshot(), results)
        for line in changes:
            print(line)
        if changes:
            print(
                "gas changed; if intended: make gas-snapshot", file=sys.stderr
            )
            return 1
        print(f"gas snapshot matches ({len(results)} entries)")
        return 0
    width = max(map(len, results))
    for key, gas in results.items():
        print(f"{key:<{width}}  {gas:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
