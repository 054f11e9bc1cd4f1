"""RpcBackend against a real Anvil: every Backend method, reverts, time, nonces."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from anvil_fixture import anvil, anvil_factory, free_port  # noqa: F401  (fixtures)

from aiprov.chain.accounts import dev_signer
from aiprov.chain.devkeys import DEV_ACCOUNT_COUNT, dev_address
from aiprov.chain.rpc import RpcBackend, revert_data
from aiprov.chain.transactions import send_transaction
from aiprov.chain.types import CallReverted
from aiprov.contracts.dataset_registry import DatasetRegistry
from aiprov.contracts.deployments import deploy_contract, find_contract
from aiprov.errors import ChainError, ContractRefused, StateLocked, TransactionFailed

pytestmark = pytest.mark.anvil

ZERO32 = b"\x00" * 32
#: runtime ``TIMESTAMP PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN``: returns block.timestamp
CLOCK_INITCODE = bytes.fromhex("684260005260206000f3" "600052" "6009" "6017" "f3")


def _registry(backend, home) -> DatasetRegistry:
    return DatasetRegistry(backend, deploy_contract(backend, home, dev_signer(0), "DatasetRegistry"))


def _clock(backend) -> bytes:
    receipt = send_transaction(backend, dev_signer(0), None, CLOCK_INITCODE, what="deploy clock")
    return receipt.contract_address


def _clock_reads(backend, clock: bytes) -> int:
    return int.from_bytes(backend.call(clock, b""), "big")


def test_reads_on_a_fresh_node(anvil):
    b = anvil.backend()
    assert b.chain_id == 31337 and b.network == "anvil" and b.dev is b
    assert b.block_number() == 0
    genesis = b.get_block(0)
    assert genesis.number == 0 and len(genesis.hash) == 32 and b.get_block() == genesis
    assert b.now() >= genesis.timestamp
    assert b.get_balance(dev_address(9)) == 10_000 * 10**18
    assert b.get_code(dev_address(0)) == b""
    assert b.get_nonce(dev_address(0)) == 0
    max_fee, tip = b.fee_params()
    base = int(anvil.rpc("eth_feeHistory", ["0x1", "latest", []])["baseFeePerGas"][-1], 16)
    assert tip == 10**9 and max_fee == 2 * base + tip
    with pytest.raises(ChainError, match="does not exist"):
        b.get_block(10**6)


def test_anvil_dev_accounts_are_ours(anvil):
    keys = anvil.backend().dev_private_keys()
    assert len(keys) == DEV_ACCOUNT_COUNT
    accounts = anvil.rpc("eth_accounts")
    assert [a.lower() for a in accounts] == ["0x" + dev_address(i).hex() for i in range(DEV_ACCOUNT_COUNT)]
    assert dev_signer(0).address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_transactions_receipts_and_logs(anvil, tmp_path):
    b = anvil.backend()
    registry = _registry(b, tmp_path)
    assert find_contract(b, tmp_path, "DatasetRegistry") == registry.address
    assert b.get_code(registry.address)
    roots = [bytes([i]) * 32 for i in range(1, 6)]
    ids = [registry.register(dev_signer(i % 2), r, b"\x01" * 32, f"ipfs://{i}", 0)[0] for i, r in enumerate(roots)]
    assert ids == [1, 2, 3, 4, 5] and registry.count() == 5
    assert [r.id for r in registry.registrations()] == ids
    assert [r.id for r in registry.registrations(owner=dev_signer(1).address)] == [2, 4]
    (reg,) = registry.registrations(root=roots[2])
    assert reg.id == 3 and reg.metadata_uri == "ipfs://2"
    receipt = b.wait_for_receipt(bytes.fromhex(reg.tx[2:]))
    assert receipt.status == 1 and receipt.block_number == reg.block
    assert receipt.sender == dev_address(0) and receipt.to == registry.address
    assert receipt.gas_used > 0 and receipt.effective_gas_price > 0
    assert registry.events(receipt, "DatasetRegistered")[0].args["id"] == 3
    # raw get_logs: block bounds and topic filters
    topic = registry.abi.topic("DatasetRegistered")
    all_logs = b.get_logs(registry.address, [topic])
    assert [log.block_number for log in all_logs] == sorted(log.block_number for log in all_logs)
    assert len(b.get_logs(registry.address, [topic], from_block=reg.block, to_block=reg.block)) == 1
    assert len(b.get_logs(registry.address, [topic], from_block=reg.block + 1)) == 2
    assert b.get_logs(registry.address, [b"\x99" * 32]) == []
    assert b.get_nonce(dev_address(0)) == 4  # deploy + 3 registrations


def test_reverts_decode_into_custom_errors(anvil, tmp_path):
    b = anvil.backend()
    registry = _registry(b, tmp_path)
    height = b.block_number()
    with pytest.raises(ContractRefused, match="parent dataset 42 does not exist") as err:
        registry.register(dev_signer(0), b"\x07" * 32, ZERO32, "", 42)
    assert err.value.error_name == "DatasetParentNotFound" and err.value.exit_code == 1  # the contract's rules
    assert "DatasetParentNotFound(parentId=42)" in err.value.hint
    assert b.block_number() == height  # found by the estimate: nothing sent
    with pytest.raises(ContractRefused, match="dataset 99 does not exist"):
        registry.call("getDataset", 99)
    # the raw bytes: selector + abi-encoded argument, as the contract reverted them
    data = registry.abi.encode_call("register", b"\x07" * 32, ZERO32, "", 42)
    with pytest.raises(CallReverted) as raw:
        b.estimate_gas(dev_address(0), registry.address, data)
    name, args = registry.abi.decode_error(raw.value.data)
    assert (name, args) == ("DatasetParentNotFound", {"parentId": 42})
    with pytest.raises(CallReverted) as raw_call:
        b.call(registry.address, data, sender=dev_address(0))
    assert raw_call.value.data == raw.value.data


def test_revert_data_is_found_however_nodes_nest_it():
    assert revert_data("0xdeadbeef") == bytes.fromhex("deadbeef")
    assert revert_data({"message": "x", "data": "0x01"}) == b"\x01"  # Hardhat
    assert revert_data({"0x" + "ab" * 32: {"error": "revert", "return": "0x02"}}) == b"\x02"  # Ganache
    assert revert_data("Reverted 0x0304") == b"\x03\x04"  # Nethermind
    assert revert_data(None) == b"" and revert_data("0x") == b""


def test_wrong_chain_id_is_refused(anvil):
    with pytest.raises(ChainError) as err:
        RpcBackend(anvil.url, network="sepolia", expected_chain_id=11155111)
    assert "31337" in str(err.value) and "11155111" in str(err.value) and err.value.exit_code == 3


def test_unreachable_node_fails_fast_without_leaking_the_url():
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ChainError) as err:
        RpcBackend(f"http://127.0.0.1:{port}", network="anvil")
    assert time.monotonic() - started < 2
    assert f"cannot reach the node at http://127.0.0.1:{port}" in str(err.value)
    assert "aiprov node start" in err.value.hint and err.value.exit_code == 3
    with pytest.raises(ChainError) as err:
        RpcBackend(f"http://user:s3cret@127.0.0.1:{port}/v3/APIKEY?token=T0K", network="sepolia")
    text = f"{err.value} {err.value.hint}"
    assert "s3cret" not in text and "APIKEY" not in text and "T0K" not in text
    assert f"127.0.0.1:{port}" in text


def test_same_signed_bytes_twice_is_not_an_error(anvil):
    b = anvil.backend()
    tx = {"type": 2, "chainId": 31337, "nonce": 0, "to": dev_address(1), "value": 5, "data": b"",
          "gas": 21_000, "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    raw = dev_signer(0).sign_transaction(tx)
    first = b.send_raw_transaction(raw)
    assert b.send_raw_transaction(raw) == first  # mined already: "nonce too low", but it is ours
    assert b.wait_for_receipt(first).status == 1
    assert b.get_nonce(dev_address(0)) == 1
    other = dev_signer(0).sign_transaction(dict(tx, value=6))  # a different tx with a used nonce
    with pytest.raises(TransactionFailed, match="nonce"):
        b.send_raw_transaction(other)


def test_receipt_timeout_and_confirmations(anvil):
    b = anvil.backend(receipt_timeout=0.4)
    anvil.rpc("evm_setAutomine", [False])
    tx_hash = send_raw_transfer(b)
    with pytest.raises(TransactionFailed) as err:
        b.wait_for_receipt(tx_hash)
    assert f"not mined after 0.4 s (tx 0x{tx_hash.hex()})" in str(err.value)
    assert "re-run the command" in err.value.hint and "idempotent" in err.value.hint
    anvil.rpc("evm_mine")
    assert b.wait_for_receipt(tx_hash).status == 1
    # two confirmations: returns only once a second block is on top
    deep = anvil.backend(confirmations=2, receipt_timeout=10)
    tx2 = send_raw_transfer(deep)
    anvil.rpc("evm_mine")
    threading.Timer(0.3, anvil.rpc, ("evm_mine",)).start()
    started = time.monotonic()
    receipt = deep.wait_for_receipt(tx2)
    assert time.monotonic() - started >= 0.25 and deep.block_number() == receipt.block_number + 1


def send_raw_transfer(b) -> bytes:
    max_fee, tip = b.fee_params()
    tx = {"type": 2, "chainId": b.chain_id, "nonce": b.get_nonce(dev_address(3)), "to": dev_address(4),
          "value": 1, "data": b"", "gas": 21_000, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip}
    return b.send_raw_transaction(dev_signer(3).sign_transaction(tx))


def test_fee_caps(anvil):
    b = anvil.backend()
    max_fee, tip = b.fee_params()
    base = (max_fee - tip) // 2
    assert anvil.backend(priority_fee_cap=10**8).fee_params() == (2 * base + 10**8, 10**8)
    clamped = anvil.backend(max_fee_cap=base + tip + 1).fee_params()
    assert clamped == (base + tip + 1, tip)  # still includable now: lowered to the cap
    with pytest.raises(TransactionFailed, match="max fee cap") as err:
        anvil.backend(max_fee_cap=base).fee_params()
    assert err.value.exit_code == 3


def test_reads_see_the_pending_block_and_time_can_be_pinned(anvil):
    b = anvil.backend()
    clock = _clock(b)
    # unpinned: a read sees the next block's time (wall clock), not the head's
    time.sleep(1.1)
    head = b.get_block().timestamp
    seen = _clock_reads(b, clock)
    assert seen > head and abs(seen - b.now()) <= 1  # (a second may tick between the two)
    # pinned: reads at exactly ts however long we wait; the next block is stamped ts
    ts = head + 1000
    b.set_time(ts)
    assert b.now() == ts and _clock_reads(b, clock) == ts
    time.sleep(1.1)
    assert _clock_reads(b, clock) == ts
    receipt = send_transaction(b, dev_signer(1), dev_address(2), b"", value=1)
    assert b.get_block(receipt.block_number).timestamp == ts
    assert b.now() == ts + 1 == _clock_reads(b, clock)  # frozen: one second per block, like local
    with pytest.raises(ValueError, match="already at"):
        b.set_time(ts)
    # advancing moves a pinned clock too; a new process (backend) sees the same time
    assert b.advance_time(86_400) == ts + 1 + 86_400
    assert anvil.backend().now() == ts + 2 + 86_400
    b.set_time(None)  # the clock runs again, from the head
    unpinned = b.now()
    assert unpinned >= ts + 1 + 86_400
    time.sleep(1.1)
    assert b.now() > unpinned


def test_nonce_lock_times_out_with_state_locked(anvil, tmp_path):
    one = anvil.backend(lock_dir=tmp_path)
    two = anvil.backend(lock_dir=tmp_path, lock_timeout=0.2)
    with one.nonce_lock(dev_address(0)):
        with pytest.raises(StateLocked, match="sending from"):
            with two.nonce_lock(dev_address(0)):
                pass
        with two.nonce_lock(dev_address(1)):  # other accounts are not blocked
            pass
    with two.nonce_lock(dev_address(0)):
        pass


SENDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from aiprov.chain.accounts import dev_signer
    from aiprov.chain.rpc import RpcBackend
    from aiprov.contracts.dataset_registry import DatasetRegistry
    url, address, lock_dir, start, count = sys.argv[1:6]
    with RpcBackend(url, network="anvil", dev=True, lock_dir=Path(lock_dir)) as backend:
        registry = DatasetRegistry(backend, bytes.fromhex(address))
        time.sleep(max(0.0, float(start) - time.time()))  # all processes go at once
        for _ in range(int(count)):
            _, receipt = registry.register(dev_signer(0), os.urandom(32), b"\\0" * 32, "", 0)
            print(receipt.tx_hash.hex(), flush=True)
    """
)


def test_processes_sharing_an_account_get_distinct_nonces(anvil, tmp_path):
    b = anvil.backend()
    registry = _registry(b, tmp_path)
    first_nonce = b.get_nonce(dev_address(0))
    procs, per_process = 4, 5
    start = time.time() + 2.0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, anvil.url, registry.address.hex(), str(tmp_path / "locks"),
             str(start), str(per_process)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(procs)
    ]
    hashes = []
    for w in workers:
        out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
        hashes += out.split()
    assert len(hashes) == procs * per_process
    nonces = sorted(int(anvil.rpc("eth_getTransactionByHash", ["0x" + h])["nonce"], 16) for h in hashes)
    assert nonces == list(range(first_nonce, first_nonce + procs * per_process))
    assert registry.count() == procs * per_process
    assert all(anvil.rpc("eth_getTransactionReceipt", ["0x" + h])["status"] == "0x1" for h in hashes)
    assert os.listdir(tmp_path / "locks") == [f"nonce-31337-0x{dev_address(0).hex()}.lock"]
