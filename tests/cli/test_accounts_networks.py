"""Keystores, networks (aiprov.toml), and deterministic deployment on the embedded chain."""

from __future__ import annotations

import json
import os
import stat

import pytest
from helpers import write_files

from aiprov.chain.networks import resolve_network
from aiprov.contracts.deployments import CREATE2_DEPLOYER, create2_address
from aiprov.errors import InvalidArgument

KEY = "0x" + "4c" * 32

# keystores funded and deployments checked through the embedded chain directly
pytestmark = pytest.mark.local_only


def test_keystore_new_import_list_and_sign(cli, home, monkeypatch, tmp_path):
    monkeypatch.setenv("AIPROV_KEYSTORE_PASSWORD", "correct horse")
    new = cli.json("account", "new", "alice")
    assert new["name"] == "alice" and new["address"].startswith("0x")
    keyfile = tmp_path / "k.txt"
    keyfile.write_text(KEY + "\n")
    imported = cli("account", "import", "bob", "--private-key-file", keyfile, "--json")
    assert imported.exit_code == 0 and "4c4c" not in imported.output
    bob = json.loads(imported.stdout)["address"]
    files = sorted((home / "keystores").iterdir())
    assert [f.name for f in files] == ["alice.json", "bob.json"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert "4c4c4c" not in f.read_text()
    names = [a["name"] for a in cli.json("account", "list")]
    assert names[:2] == ["alice", "bob"] and "dev:0" in names
    assert cli("account", "new", "alice").exit_code == 2  # never overwrites

    # bob has no ETH on the local chain: fund him from dev:0, then he registers with his keystore
    from aiprov.chain.accounts import dev_signer
    from aiprov.chain.local import LocalChain
    from aiprov.chain.transactions import send_transaction

    with LocalChain(home) as chain:
        send_transaction(chain, dev_signer(0), bytes.fromhex(bob[2:]), b"", value=10**18)
    reg = cli.json("register", "dataset", write_files(tmp_path / "d", {"a": "a"}), "--account", "bob")
    assert cli.json("show", "dataset", reg["id"])["owner"] == bob
    deprecated = cli.json("deprecate", "dataset", reg["id"], "--account", bob)  # signs, found by address too
    assert deprecated["status"] == "deprecated"

    monkeypatch.setenv("AIPROV_KEYSTORE_PASSWORD", "wrong")
    res = cli("register", "dataset", write_files(tmp_path / "e", {"b": "b"}), "--account", "bob")
    assert res.exit_code == 3 and "wrong password" in res.stderr


def test_unfunded_account_is_exit_3(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("AIPROV_PRIVATE_KEY", KEY)
    res = cli("register", "dataset", write_files(tmp_path / "d", {"a": "a"}))
    assert res.exit_code == 3 and "too little ETH" in res.stderr and "4c4c" not in res.output


def test_deploy_is_deterministic_and_idempotent(cli, home):
    first = cli.json("deploy")
    assert [c["name"] for c in first["contracts"]] == ["DatasetRegistry", "ModelRegistry", "AccessLeases"]
    assert all(c["deployed_now"] for c in first["contracts"])
    second = cli.json("deploy")
    assert [c["address"] for c in second["contracts"]] == [c["address"] for c in first["contracts"]]
    assert not any(c["deployed_now"] for c in second["contracts"])
    # CREATE2 through the standard proxy: the address follows from the bytecode alone
    from aiprov.contracts.deployments import _initcode

    assert first["contracts"][0]["address"].lower() == "0x" + create2_address(_initcode("DatasetRegistry", ())).hex()
    assert CREATE2_DEPLOYER.hex() == "4e59b44847b379578588920ca78fbf26c0b4956c"
    # a fresh state directory pointed at the same chain finds the code and sends nothing
    os.remove(home / "deployments.json")
    third = cli.json("deploy")
    assert not any(c["deployed_now"] for c in third["contracts"])


def test_networks_from_aiprov_toml(tmp_path, monkeypatch):
    (tmp_path / "aiprov.toml").write_text(
        '[networks.staging]\nrpc_url = "http://127.0.0.1:9999"\nchain_id = 5\nconfirmations = 3\nmax_fee_gwei = 40\n'
    )
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)  # found in a parent folder
    net = resolve_network("staging", None)
    assert (net.rpc_url, net.chain_id, net.confirmations, net.max_fee_wei, net.dev) == ("http://127.0.0.1:9999", 5, 3, 40 * 10**9, False)
    assert resolve_network("anvil", None).chain_id == 31337
    assert resolve_network(None, "http://x:1").name == "custom"
    with pytest.raises(InvalidArgument, match="needs an RPC URL"):
        resolve_network("sepolia", None)
    assert resolve_network("sepolia", "https://rpc.example/KEY").confirmations == 2
    with pytest.raises(InvalidArgument, match="unknown network"):
        resolve_network("nope", None)
    (tmp_path / "aiprov.toml").write_text("[networks.x]\nrpcurl = 1\n")
    with pytest.raises(InvalidArgument, match="unknown keys"):
        resolve_network("x", None)


def test_unknown_network_and_dev_account_elsewhere(cli, tmp_path):
    assert cli("show", "dataset", "1", "--network", "mars").exit_code == 2
    assert cli("show", "dataset", "1", "--network", "sepolia").exit_code == 2  # no RPC URL
