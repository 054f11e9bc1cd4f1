"""Access leases through the CLI and the library, on the embedded chain with the real contracts."""

from __future__ import annotations

import json
import subprocess

import pytest
from helpers import REPO_ROOT, write_files

from aiprov import Client
from aiprov.chain.accounts import dev_signer

DEV = {i: dev_signer(i).address for i in range(5)}


@pytest.fixture
def dataset_id(cli, tmp_path):
    return cli.json("register", "dataset", write_files(tmp_path / "d", {"a.csv": "x\n1\n"}))["id"]


def test_grant_check_use_and_log(cli, dataset_id):
    asset = f"dataset:{dataset_id}"
    g = cli.json("lease", "grant", asset, DEV[2], "--days", "30")
    assert g["action"] == "granted" and g["grantee"] == DEV[2]
    chk = cli.json("lease", "check", asset, DEV[2])
    assert chk["active"] is True and chk["expires_at"] == g["expires_at"]
    assert 30 * 86400 - 5 <= chk["expires_at"] - chk["now"] <= 30 * 86400
    assert cli("lease", "check", asset, DEV[3]).exit_code == 1  # a stranger
    assert cli("lease", "check", asset, DEV[0]).exit_code == 0  # the owner always may

    used = cli.json("lease", "use", asset, "--account", "dev:2")
    assert used["granted"] is True
    denied = cli("lease", "use", asset, "--account", "dev:3", "--json")
    assert denied.exit_code == 1 and json.loads(denied.stdout)["granted"] is False

    log = cli.json("lease", "log", asset)
    assert [(e["account"], e["granted"]) for e in log] == [(DEV[2], True), (DEV[3], False)]
    listing = cli.json("lease", "list", asset)
    assert [(x["grantee"], x["paid"], x["active"]) for x in listing] == [(DEV[2], False, True)]
    human = cli("lease", "list", asset)
    assert "granted" in human.stdout and "in 29 days" in human.stdout or "in 30 days" in human.stdout


def test_access_ends_by_itself_after_the_deadline(cli, dataset_id):
    cli.json("lease", "grant", str(dataset_id), "dev:2", "--days", "30")  # bare id = dataset, dev:N = address
    cli.json("node", "advance", "29d", "--yes")
    assert cli("lease", "use", str(dataset_id), "--account", "dev:2").exit_code == 0
    cli.json("node", "advance", "2d", "--yes")
    res = cli("lease", "use", str(dataset_id), "--account", "dev:2")
    assert res.exit_code == 1 and "denied" in res.stdout
    chk = cli.json("lease", "check", str(dataset_id), "dev:2", code=1)
    assert chk["active"] is False and chk["expires_at"] < chk["now"]
    assert "expired" in cli("lease", "check", str(dataset_id), "dev:2").stdout
    assert [e["granted"] for e in cli.json("lease", "log", str(dataset_id))] == [True, False]


def test_expiry_boundary_to_the_second(home, dataset_id):
    """One second before expiresAt: access. At expiresAt: none (block.timestamp < expiresAt)."""
    with Client() as client:
        lease = client.grant_lease(f"dataset:{dataset_id}", DEV[2], 30)
        with client.session() as s:
            s.backend.dev.set_time(lease.expires_at - 1)
            assert client.check_lease(f"dataset:{dataset_id}", DEV[2]).active is True
            s.backend.dev.set_time(lease.expires_at)
            assert client.check_lease(f"dataset:{dataset_id}", DEV[2]).active is False
    # and a recorded attempt exactly at the deadline is denied
    with Client(home=home) as client, client.session() as s:
        s.backend.dev.set_time(lease.expires_at + 5)
    assert Client(account="dev:2").use(f"dataset:{dataset_id}").granted is False


def test_managers_grant_strangers_do_not(cli, dataset_id):
    asset = f"dataset:{dataset_id}"
    stranger = cli("lease", "grant", asset, DEV[3], "--days", "1", "--account", "dev:1")
    assert stranger.exit_code == 1 and "neither the owner nor a manager" in stranger.stderr
    assert cli.json("manager", "add", asset, "dev:1")["tx"] is not None
    assert cli.json("manager", "add", asset, "dev:1")["tx"] is None  # idempotent
    ok = cli.json("lease", "grant", asset, DEV[3], "--days", "1", "--account", "dev:1")
    assert ok["grantee"] == DEV[3]
    assert cli("manager", "add", asset, "dev:4", "--account", "dev:1").exit_code == 1  # managers can't appoint
    cli.json("manager", "remove", asset, "dev:1")
    again = cli("lease", "grant", asset, DEV[4], "--days", "1", "--account", "dev:1")
    assert again.exit_code == 1


def test_revoke_and_extend(cli, dataset_id):
    asset = f"dataset:{dataset_id}"
    g = cli.json("lease", "grant", asset, DEV[2], "--days", "10")
    e = cli.json("lease", "extend", asset, DEV[2], "--days", "5")
    assert e["expires_at"] == g["expires_at"] + 5 * 86400
    cli.json("lease", "revoke", asset, DEV[2])
    chk = cli.json("lease", "check", asset, DEV[2], code=1)
    assert chk["revoked"] is True
    assert cli("lease", "use", asset, "--account", "dev:2").exit_code == 1
    again = cli("lease", "revoke", asset, DEV[2])
    assert again.exit_code == 1 and "no active lease" in again.stderr


def test_paid_leases(cli, dataset_id):
    asset = f"dataset:{dataset_id}"
    assert "not for sale" in cli("lease", "buy", asset, "--days", "3", "--account", "dev:3").stderr
    p = cli.json("lease", "price", asset, "--per-day", "0.01ether")
    assert p["price_per_day"] == 10**16
    with Client() as client, client.session() as s:
        before = s.backend.get_balance(bytes.fromhex(DEV[3][2:]))
    bought = cli.json("lease", "buy", asset, "--days", "3", "--account", "dev:3")
    assert bought["paid"] == 3 * 10**16 and bought["paid_until"] == bought["expires_at"]
    with Client() as client, client.session() as s:
        spent = before - s.backend.get_balance(bytes.fromhex(DEV[3][2:]))
    assert 3 * 10**16 < spent < 3 * 10**16 + 10**16  # price plus some gas
    # buying again while active extends from the end
    more = cli.json("lease", "buy", asset, "--days", "2", "--account", "dev:3")
    assert more["expires_at"] == bought["expires_at"] + 2 * 86400
    # a paid lease cannot be revoked before it ends ...
    res = cli("lease", "revoke", asset, DEV[3])
    assert res.exit_code == 1 and "cannot be revoked before it ends" in res.stderr
    assert cli.json("lease", "list", asset)[0]["paid"] is True
    # ... and the owner pulls the proceeds
    w = cli.json("lease", "withdraw")
    assert w["amount"] == 5 * 10**16 and w["tx"]
    assert cli.json("lease", "withdraw")["amount"] == 0  # nothing left, nothing sent


def test_leases_on_models(cli, dataset_id, tmp_path):
    model = cli.json("register", "model", write_files(tmp_path / "m", {"w.bin": b"w"}), "--dataset", dataset_id)["id"]
    cli.json("lease", "grant", f"model:{model}", "dev:2", "--days", "7")
    assert cli("lease", "use", f"model:{model}", "--account", "dev:2").exit_code == 0
    assert cli("lease", "use", f"dataset:{dataset_id}", "--account", "dev:2").exit_code == 1  # different asset


@pytest.mark.parametrize("args", [
    ["lease", "grant", "dataset:x", "dev:2", "--days", "3"],
    ["lease", "grant", "file:3", "dev:2", "--days", "3"],
    ["lease", "grant", "3", "0x123", "--days", "3"],
    ["lease", "grant", "3", "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--days", "3"],  # bad checksum
    ["lease", "grant", "3", "dev:2", "--days", "0"],
    ["lease", "grant", "3", "dev:2", "--days", "99999"],
    ["lease", "grant", "3", "dev:2", "--days", "soon"],
    ["lease", "grant", "3", "dev:2"],
    ["lease", "price", "3", "--per-day", "lots"],
    ["lease", "price", "3", "--per-day", "0.5wei"],
    ["lease", "check", "0", "dev:2"],
])
def test_malformed_input_is_exit_2(cli, args):
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output


def test_unknown_asset_is_exit_1(cli, dataset_id):
    res = cli("lease", "grant", "model:9", "dev:2", "--days", "1")
    assert res.exit_code == 1 and "model 9 does not exist" in res.stderr


def test_lease_example_script_runs(home, tmp_path):
    env = {"PATH": f"{REPO_ROOT / '.venv' / 'bin'}:/usr/bin:/bin", "AIPROV_HOME": str(home), "WORK": str(tmp_path)}
    import os
    import sys
    env["PATH"] = f"{os.path.dirname(sys.executable)}:{env['PATH']}"
    out = subprocess.run(["bash", str(REPO_ROOT / "examples" / "lease_30_days.sh")], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "granted" in out.stdout and "denied" in out.stdout
    log = json.loads(subprocess.run([sys.executable, "-m", "aiprov", "lease", "log", "dataset:1", "--json"],
                                    capture_output=True, text=True, env={**os.environ, "AIPROV_HOME": str(home)}).stdout)
    assert [e["granted"] for e in log] == [True, False]
