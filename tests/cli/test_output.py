"""Output a script or a log can trust: exact ETH amounts, nothing truncated off a terminal, dev names,
headers; and the CLI basics: completion scripts, aiprov.toml defaults, ignored paths reported by verify."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import run_aiprov, write_files

DEV3 = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


def test_eth_amounts_are_exact_end_to_end(cli, dataset):
    cli.json("register", "dataset", dataset)
    price = cli.json("lease", "price", "dataset:1", "--per-day", "10ether")
    assert price["price_per_day"] == 10 * 10**18 and price["price_per_day_text"] == "10 ETH"  # was "1 ETH"
    odd = cli.json("lease", "price", "dataset:1", "--per-day", "12345678901234567890123456789")
    assert odd["price_per_day"] == 12345678901234567890123456789  # all 29 digits, not rounded to 28
    assert odd["price_per_day_text"] == "12345678901.234567890123456789 ETH"
    assert cli("lease", "price", "dataset:1", "--per-day", "1.0000000000000000000000000001ether").exit_code == 2
    assert cli("lease", "price", "dataset:1", "--per-day", str(2**256)).exit_code == 2  # not a revert, exit 3
    cli.json("lease", "price", "dataset:1", "--per-day", "10ether")
    bought = cli("lease", "buy", "dataset:1", "--days", "2", "--account", "dev:3")
    assert bought.exit_code == 0 and "paid 20 ETH" in bought.stdout, bought.output  # ETH, not wei
    withdrew = cli("lease", "withdraw")
    assert "withdrew 20 ETH" in withdrew.stdout, withdrew.output  # was "2 ETH"


def test_nothing_is_truncated_off_a_terminal(cli, dataset, tmp_path):
    ds = cli.json("register", "dataset", dataset)
    model = write_files(tmp_path / "model", {"w.bin": "w"})
    cli.json("register", "model", model, "--dataset", ds["id"])
    cli.json("lease", "grant", "dataset:1", DEV3, "--days", "3")
    lineage = cli("lineage", "model", "1")
    assert ds["root"] in lineage.stdout, lineage.stdout  # the whole root, not cut mid-hex
    shown = cli("show", "model", "1")
    assert ds["root"] in shown.stdout
    listed = cli("lease", "list", "dataset:1")
    assert f"{DEV3} (dev:3)" in listed.stdout and "grantee" in listed.stdout and "state" in listed.stdout
    cli.json("lease", "use", "dataset:1", "--account", "dev:3")
    log = cli("lease", "log", "dataset:1")
    assert "decision" in log.stdout and f"{DEV3} (dev:3)" in log.stdout and "granted" in log.stdout


def test_lease_use_on_a_missing_asset_sends_nothing(cli):
    res = cli("lease", "use", "dataset:99999")
    assert res.exit_code == 1 and "does not exist" in res.stderr and "tx" not in res.stdout


def test_verify_reports_ignored_paths_that_appeared(cli, tmp_path):
    model = write_files(tmp_path / "release", {"model.py": "print(1)\n", "w.bin": "w"})
    cli.json("register", "dataset", model)
    write_files(model, {"__pycache__/model.cpython-311.pyc": b"\x00code", "x.aiprov.json": "{}"})
    res = cli("verify", "dataset", model)
    assert res.exit_code == 0
    assert "__pycache__/" in res.stderr and "x.aiprov.json" in res.stderr and "not there at registration" in res.stderr
    doc = cli.json("verify", "dataset", model)
    assert any("__pycache__/" in p for p in doc["problems"])


def test_completion_scripts_work(tmp_path, home):
    for shell in ("bash", "zsh", "fish"):
        res = run_aiprov("completion", shell)
        assert res.returncode == 0 and "_AIPROV_COMPLETE" in res.stdout, (shell, res.stderr)
    proc = subprocess.run([sys.executable, "-m", "aiprov"], capture_output=True, text=True,
                          env={**__import__("os").environ, "_AIPROV_COMPLETE": "bash_complete",
                               "COMP_WORDS": "aiprov lease gr", "COMP_CWORD": "2"})
    assert "grant" in proc.stdout, proc.stdout + proc.stderr
    assert run_aiprov("completion", "tcsh").returncode == 2


def test_aiprov_toml_sets_default_network_and_account(tmp_path, home):
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "aiprov.toml").write_text('account = "dev:2"\n')
    data = write_files(tmp_path / "d", {"a": "a"})
    reg = json.loads(run_aiprov("register", "dataset", data, "--json", cwd=project / "sub").stdout)
    assert reg["owner"] == "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # dev:2, found from a subfolder
    other = write_files(tmp_path / "e", {"b": "b"})
    flag = json.loads(run_aiprov("register", "dataset", other, "--json", "--account", "dev:1", cwd=project).stdout)
    assert flag["owner"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # a flag still wins: dev:1
    assert json.loads(run_aiprov("show", "dataset", "1", "--json", cwd=project).stdout)["id"] == 1  # reads need no signer
    (project / "aiprov.toml").write_text('network = "nosuch"\n')
    res = run_aiprov("show", "dataset", "1", cwd=project)
    assert res.returncode == 2 and "nosuch" in res.stderr
