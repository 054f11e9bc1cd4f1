"""Verification with no state and no key: another machine registered, a fresh one checks.

Two state directories (two "machines") talk to one real Anvil through ``--rpc-url``
only: the first deploys and registers, the second has never run aiprov and has
no key. Contracts are found at their canonical CREATE2 addresses (or the
receipt's) and trusted only after a code check.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from anvil_fixture import anvil  # noqa: F401  (fixture)
from helpers import write_files

pytestmark = pytest.mark.anvil


def machine(home: Path, url: str):
    """Run aiprov (the real Click app, in-process) as a machine whose state directory is ``home``.

    No key and no network variables: only ``AIPROV_RPC_URL``.
    """
    from click.testing import CliRunner

    from aiprov.cli import cli

    env = {"AIPROV_HOME": str(home), "AIPROV_RPC_URL": url,
           "AIPROV_NETWORK": None, "AIPROV_ACCOUNT": None, "AIPROV_PRIVATE_KEY": None}

    def run(*args, code=None):
        res = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
        res.returncode = res.exit_code
        if code is not None:
            assert res.exit_code == code, (args, res.exit_code, res.stdout, res.stderr)
        return res

    return run


@pytest.fixture
def registered(tmp_path, anvil):
    """Machine A deployed on a fresh Anvil (through --rpc-url alone) and registered a dataset and a model."""
    a = machine(tmp_path / "home-a", anvil.url)
    deployed = json.loads(a("deploy", "--json", code=0).stdout)  # chain 31337: a dev chain, 1 confirmation
    assert all(c["deployed_now"] for c in deployed["contracts"])
    data = write_files(tmp_path / "reviews", {"train.csv": "id,text\n1,good\n", "test.csv": "id,text\n2,bad\n"})
    release = write_files(tmp_path / "release", {"model.bin": bytes(range(256)) * 8, "config.json": '{"layers": 2}'})
    a("register", "dataset", data, "--name", "reviews", code=0)
    a("register", "model", release, "--dataset", "1", "--name", "sentiment", "--no-environment", code=0)
    return {"anvil": anvil, "a": a, "data": data, "release": release, "deployed": deployed}


def test_fresh_machine_verifies_with_no_state_and_no_key(tmp_path, registered):
    fresh_home = tmp_path / "home-b"
    b = machine(fresh_home, registered["anvil"].url)
    release = registered["release"]
    ok = json.loads(b("verify", "model", release, "--id", "1", "--json", code=0).stdout)
    assert ok["verified"] is True and ok["problems"] == []
    for args in (("show", "model", "1"), ("show", "dataset", "1"), ("history", "dataset", "1"),
                 ("lineage", "model", "1"), ("lease", "check", "model:1", "0x" + "11" * 20),
                 ("lease", "log", "dataset:1")):
        proc = b(*args, "--json")
        assert proc.returncode in (0, 1) and "error" not in json.loads(proc.stdout), (args, proc.stdout, proc.stderr)
    assert not (fresh_home / "keystores").exists()

    # without --id: the receipt beside the model names it; the owner is shown
    human = b("verify", "model", release, code=0)
    assert "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" in human.stdout

    (release / "config.json").write_text('{"layers": 3}')
    bad = json.loads(b("verify", "model", release, "--id", "1", "--json", code=1).stdout)
    assert [m["path"] for m in bad["changes"]["modified"]] == ["config.json"]


def test_without_a_receipt_the_root_is_looked_up_and_its_owner_shown(tmp_path, registered):
    copy = tmp_path / "copy"
    shutil.copytree(registered["data"], copy)
    b = machine(tmp_path / "home-b", registered["anvil"].url)
    result = json.loads(b("verify", "dataset", copy, "--json", code=0).stdout)
    assert result["id"] == 1 and result["owner"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert result["receipt"] is None


def test_receipt_naming_another_contract_or_chain_is_a_warning_with_both_values(tmp_path, registered):
    data = registered["data"]
    receipt_path = Path(str(data) + ".aiprov.json")
    receipt = json.loads(receipt_path.read_text())
    canonical = receipt["contract"]
    b = machine(tmp_path / "home-b", registered["anvil"].url)

    other = "0x" + "42" * 20
    for doc in (receipt, receipt["versions"][-1]):
        doc["contract"] = other
    receipt_path.write_text(json.dumps(receipt))
    proc = b("verify", "dataset", data, "--json", code=0)
    problems = " ".join(json.loads(proc.stdout)["problems"])
    assert other.lower() in problems.lower() and "no contract code" in problems

    for doc in (receipt, receipt["versions"][-1]):
        doc["contract"], doc["chain_id"] = canonical, 5
    receipt_path.write_text(json.dumps(receipt))
    proc = b("verify", "dataset", data, "--json", code=0)
    problems = " ".join(json.loads(proc.stdout)["problems"])
    assert "chain 5" in problems and "31337" in problems


def test_code_that_is_not_the_shipped_code_is_not_trusted(tmp_path, anvil):
    """Something else at the canonical address: exit 3 naming the failed check, never a wrong answer."""
    from aiprov.contracts.discovery import canonical_address

    address = "0x" + canonical_address("DatasetRegistry").hex()
    anvil.rpc("anvil_setCode", [address, "0x6000600055"])
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    b = machine(tmp_path / "home-b", anvil.url)
    proc = b("verify", "dataset", data, "--id", "1", code=3)
    assert "is not the shipped DatasetRegistry" in proc.stderr and address[2:12].lower() in proc.stderr.lower()
    nothing = machine(tmp_path / "home-c", anvil.url)("show", "model", "1", code=3)
    assert "no contract code" in nothing.stderr or "not the shipped" in nothing.stderr


def test_history_reads_only_new_blocks_the_second_time(tmp_path, registered):
    """The incremental event cache: the second scan asks the node only for blocks added since."""
    from aiprov.chain.events import EventCache
    from aiprov.session import Session

    anvil = registered["anvil"]
    home = tmp_path / "home-b"
    registered["a"]("register", "dataset", write_files(tmp_path / "v2", {"train.csv": "x"}), "--parent", "1", code=0)
    backend = anvil.backend()
    session = Session(backend, home, None)
    first = session.datasets.registrations()
    assert [r.id for r in first] == [1, 2]
    deployed_at = session.datasets.deploy_block
    assert deployed_at >= 1 and session.events.last_fetch == (deployed_at, backend.block_number())
    again = session.datasets.registrations()
    assert again == first and session.events.last_fetch is None  # nothing new: no eth_getLogs at all
    anvil.rpc("evm_mine", [])
    anvil.rpc("evm_mine", [])
    head = backend.block_number()
    session.datasets.registrations()
    assert session.events.last_fetch == (head - 1, head)

    # a reorg on the dev chain (snapshot / revert): the cache notices and rescans from the last common block
    snap = anvil.rpc("evm_snapshot", [])
    registered["a"]("register", "dataset", write_files(tmp_path / "v3", {"x.csv": "3"}), code=0)
    assert [r.id for r in session.datasets.registrations()] == [1, 2, 3]
    anvil.rpc("evm_revert", [snap])
    registered["a"]("register", "dataset", write_files(tmp_path / "v3b", {"y.csv": "other"}), code=0)
    regs = session.datasets.registrations()
    assert [r.id for r in regs] == [1, 2, 3] and regs[-1].root != first[0].root
    fresh = EventCache(None).logs(backend, session.datasets.address, [], from_block=0)
    assert [(log.block_number, log.log_index, log.block_hash) for log in fresh] == [
        (log.block_number, log.log_index, log.block_hash)
        for log in EventCache(home).logs(backend, session.datasets.address, [], from_block=0)
    ]
    session.close()
