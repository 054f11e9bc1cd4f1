"""register / verify / show / history / revoke / deprecate, through the real CLI on the embedded chain."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from aiprov import Client


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_register_then_verify_round_trip(cli, dataset, backend_name):
    reg = cli.json("register", "dataset", dataset, "--name", "reviews", "--license", "CC-BY-4.0")
    assert reg["id"] == 1 and reg["already_registered"] is False
    assert reg["chain_id"] == {"local": 1337, "anvil": 31337}[backend_name] and reg["tx"].startswith("0x") and reg["block"] >= 1
    assert reg["root"] == cli.json("hash", dataset)["root"]

    receipt = json.loads(Path(str(dataset) + ".aiprov.json").read_text())
    assert receipt["format"] == "aiprov-receipt/2"
    assert receipt["id"] == 1 and receipt["root"] == reg["root"] and receipt["tx"] == reg["tx"]
    (version,) = receipt["versions"]
    assert version["id"] == 1 and version["metadata"]["name"] == "reviews"
    assert {e["path"] for e in version["manifest"]["entries"]} == {"train.csv", "test.csv", "images/cat.png", "README.md"}

    ver = cli.json("verify", "dataset", dataset)
    assert ver["verified"] is True and ver["id"] == 1 and ver["status"] == "active"
    assert ver["changes"] == {"added": [], "removed": [], "modified": [], "renamed": []}
    assert cli("verify", "dataset", dataset, "--id", "1").exit_code == 0


def test_one_flipped_byte_fails_and_names_the_file(cli, dataset):
    cli.json("register", "dataset", dataset)
    path = dataset / "images" / "cat.png"
    before = path.read_bytes()
    after = bytearray(before)
    after[100] ^= 1
    path.write_bytes(bytes(after))

    ver = cli.json("verify", "dataset", dataset, code=1)
    assert ver["verified"] is False
    (mod,) = ver["changes"]["modified"]
    assert mod["path"] == "images/cat.png"
    assert mod["expected"]["sha256"] == sha(before) and mod["actual"]["sha256"] == sha(bytes(after))
    assert ver["changes"]["added"] == [] and ver["changes"]["removed"] == []

    human = cli("verify", "dataset", dataset)
    assert human.exit_code == 1
    assert "modified" in human.stdout and "images/cat.png" in human.stdout
    assert sha(before) in human.stdout and sha(bytes(after)) in human.stdout


def test_added_and_removed_files_are_listed(cli, dataset):
    cli.json("register", "dataset", dataset)
    (dataset / "test.csv").unlink()
    (dataset / "extra.txt").write_text("new\n")
    ver = cli.json("verify", "dataset", dataset, code=1)
    assert [e["path"] for e in ver["changes"]["added"]] == ["extra.txt"]
    assert [e["path"] for e in ver["changes"]["removed"]] == ["test.csv"]
    assert ver["changes"]["modified"] == []


def test_reregistering_same_content_sends_nothing(cli, dataset, home):
    first = cli.json("register", "dataset", dataset)
    height_before = _height(home)
    again = cli.json("register", "dataset", dataset)
    assert again["already_registered"] is True
    assert again["id"] == first["id"] and again["tx"] == first["tx"]
    assert _height(home) == height_before  # no transaction was sent


def test_lost_receipt_is_recovered_from_the_chain(cli, dataset):
    """A crash after the tx but before the receipt: the next run finds the registration."""
    first = cli.json("register", "dataset", dataset)
    receipt = Path(str(dataset) + ".aiprov.json")
    receipt.unlink()
    again = cli.json("register", "dataset", dataset)
    assert again["already_registered"] is True and again["id"] == first["id"]
    assert json.loads(receipt.read_text())["id"] == first["id"]


def test_another_account_registering_same_root_gets_its_own_id(cli, dataset):
    a = cli.json("register", "dataset", dataset)
    b = cli.json("register", "dataset", dataset, "--account", "dev:1", "--receipt", dataset.parent / "b.json")
    assert b["id"] != a["id"] and b["already_registered"] is False
    # without a receipt, verify finds the earliest registration of the root
    Path(str(dataset) + ".aiprov.json").unlink()
    ver = cli.json("verify", "dataset", dataset)
    assert ver["verified"] is True and ver["id"] == a["id"]


def test_verify_unregistered_content_is_exit_1(cli, dataset):
    ver = cli.json("verify", "dataset", dataset, code=1)
    assert ver["verified"] is False and ver["status"] == "not-registered" and ver["id"] is None


def test_verify_against_wrong_id(cli, dataset, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("x")
    cli.json("register", "dataset", other)
    cli.json("register", "dataset", dataset)
    ver = cli.json("verify", "dataset", dataset, "--id", "1", code=1)
    assert ver["verified"] is False and ver["id"] == 1
    missing = cli.json("verify", "dataset", dataset, "--id", "99", code=1)
    assert missing["status"] == "not-registered"


def test_revoked_fails_verify_deprecated_passes_with_note(cli, dataset, tmp_path):
    cli.json("register", "dataset", dataset)
    dep = cli.json("deprecate", "dataset", "1", "--reason", "superseded by v2")
    assert dep["status"] == "deprecated" and dep["unchanged"] is False
    assert cli.json("deprecate", "dataset", "1")["unchanged"] is True  # idempotent, nothing sent
    ok = cli("verify", "dataset", dataset)
    assert ok.exit_code == 0 and "deprecated" in ok.stdout

    rev = cli.json("revoke", "dataset", "1", "--reason", "contains PII", "--yes")
    assert rev["status"] == "revoked"
    ver = cli.json("verify", "dataset", dataset, code=1)
    assert ver["verified"] is False and ver["status"] == "revoked"
    shown = cli.json("show", "dataset", "1")
    assert shown["status"] == "revoked" and shown["status_reason"] == "contains PII"
    # revoking again is a no-op; revoked is final
    assert cli.json("revoke", "dataset", "1", "--reason", "again", "--yes")["unchanged"] is True
    again = cli("deprecate", "dataset", "1")
    assert again.exit_code == 1 and "final" in again.stderr  # the contract's rules refuse: exit 1


def test_only_the_owner_changes_status(cli, dataset):
    cli.json("register", "dataset", dataset)
    res = cli("revoke", "dataset", "1", "--reason", "x", "--yes", "--account", "dev:2")
    assert res.exit_code == 1
    assert "owner" in res.stderr and "Traceback" not in res.output
    assert cli.json("show", "dataset", "1")["status"] == "active"


def test_show_and_history_with_versions(cli, dataset, tmp_path):
    v1 = cli.json("register", "dataset", dataset, "--name", "reviews")
    (dataset / "more.csv").write_text("id\n9\n")
    v2 = cli.json("register", "dataset", dataset, "--parent", str(v1["id"]), "--name", "reviews")
    assert v2["id"] == 2
    shown = cli.json("show", "dataset", "2")
    assert shown["parent_id"] == 1 and shown["root"] == v2["root"]
    assert shown["owner"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    cli.json("deprecate", "dataset", "1", "--reason", "v2 is out")
    hist = cli.json("history", "dataset", "1")
    assert [v["id"] for v in hist["versions"]] == [1, 2]
    assert [e["event"] for e in hist["events"]] == ["DatasetRegistered", "StatusChanged"]
    assert hist["events"][1]["args"]["status"] == "deprecated"
    human = cli("history", "dataset", "2")
    assert human.exit_code == 0 and "DatasetRegistered" in human.stdout


def test_parent_must_exist(cli, dataset):
    res = cli("register", "dataset", dataset, "--parent", "7")
    assert res.exit_code == 1 and "dataset 7 does not exist" in res.stderr
    assert not Path(str(dataset) + ".aiprov.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "dataset", "/no/such/dir"],
        ["register", "dataset", "/no/such/dir"],
        ["hash", "/no/such/dir"],
        ["show", "dataset", "abc"],
        ["show", "dataset", "0"],
        ["show", "dataset", "-3"],
        ["verify", "dataset", ".", "--id", "x"],
        ["register", "dataset", ".", "--parent", "nope"],
        ["register", "dataset", ".", "--bogus"],
        ["revoke", "dataset", "1"],  # --reason is required
        ["deprecate", "dataset", "1", "--account", "bad account!"],
        ["show", "dataset", "1", "--account", "dev:1"],  # a read-only command signs nothing
    ],
)
def test_bad_input_is_exit_2_without_traceback(cli, args):
    res = cli(*args)
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    assert len([line for line in res.stderr.splitlines() if line.strip()]) <= 4


def test_empty_dataset_is_exit_2_and_nothing_anchored(cli, tmp_path, home):
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli("register", "dataset", empty)
    assert res.exit_code == 2 and "empty" in res.stderr.lower()
    assert not (home / "local").exists()  # the chain was never even opened


def test_show_missing_id_is_exit_1(cli, dataset):
    cli.json("register", "dataset", dataset)
    res = cli("show", "dataset", "5")
    assert res.exit_code == 1 and "dataset 5 does not exist" in res.stderr


def test_read_only_folder_falls_back_to_state_dir(tmp_path):
    """The target's folder is read-only: the receipt goes to the state directory, and verify finds it.

    Runs the real CLI as an unprivileged user (root ignores permissions), so it runs in CI too.
    """
    import shutil
    import subprocess
    import sys


    import tempfile

    # pytest's tmp_path lives under a 0700 folder; an unprivileged user needs a path it can reach
    work = Path(tempfile.mkdtemp(prefix="aiprov-ro-"))
    work.chmod(0o755)
    parent = work / "ro"
    data = parent / "data"
    data.mkdir(parents=True)
    (data / "a.txt").write_text("a")
    home = work / "home"
    home.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        assert shutil.which("setpriv"), "setpriv (util-linux) is needed to drop root for this test"
        home.chmod(0o777)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    env = dict(os.environ, AIPROV_HOME=str(home), HOME=str(home))
    env.pop("AIPROV_PRIVATE_KEY", None)
    try:
        def run(*args):
            return subprocess.run([*prefix, sys.executable, "-m", "aiprov", *args], capture_output=True,
                                  text=True, env=env, timeout=120)
        res = run("register", "dataset", str(data))
        assert res.returncode == 0, res.stderr
        assert "read-only" in res.stderr
        assert not Path(str(data) + ".aiprov.json").exists()
        ver = run("verify", "dataset", str(data), "--json")
        assert ver.returncode == 0, ver.stderr
        doc = json.loads(ver.stdout)
        assert doc["verified"] and doc["receipt"].startswith(str(home))
    finally:
        parent.chmod(stat.S_IRWXU)
        shutil.rmtree(work, ignore_errors=True)


def test_receipt_option_and_verify_with_it(cli, dataset, tmp_path):
    rpath = tmp_path / "elsewhere" / "r.json"
    assert cli("register", "dataset", dataset, "--receipt", rpath).exit_code == 2  # no folder is made up
    assert not rpath.parent.exists()
    rpath.parent.mkdir()
    reg = cli.json("register", "dataset", dataset, "--receipt", rpath)
    assert reg["receipt"] == str(rpath) and rpath.is_file()
    assert not Path(str(dataset) + ".aiprov.json").exists()
    (dataset / "train.csv").write_text("changed\n")
    ver = cli.json("verify", "dataset", dataset, "--receipt", rpath, code=1)
    assert [m["path"] for m in ver["changes"]["modified"]] == ["train.csv"]


def test_corrupt_receipt_is_exit_2(cli, dataset, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    res = cli("verify", "dataset", dataset, "--receipt", bad)
    assert res.exit_code == 2 and "bad.json" in res.stderr


def test_tampered_receipt_manifest_is_rejected(cli, dataset):
    cli.json("register", "dataset", dataset)
    rpath = Path(str(dataset) + ".aiprov.json")
    doc = json.loads(rpath.read_text())
    doc["versions"][-1]["manifest"]["entries"][0]["sha256"] = "0" * 64
    rpath.write_text(json.dumps(doc))
    res = cli("verify", "dataset", dataset)
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_account_list(cli):
    accounts = cli.json("account", "list")
    assert accounts[0] == {"name": "dev:0", "address": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"}
    assert [a["name"] for a in accounts] == [f"dev:{i}" for i in range(10)]


def test_private_key_account_is_listed_but_never_printed(cli, monkeypatch):
    key = "0x" + "ab" * 32
    monkeypatch.setenv("AIPROV_PRIVATE_KEY", key)
    res = cli("account", "list", "--json")
    assert res.exit_code == 0
    assert "ab" * 32 not in res.output
    assert json.loads(res.stdout)[0]["name"] == "AIPROV_PRIVATE_KEY"


def test_json_output_is_exactly_one_document(cli, dataset):
    for args in (["hash", dataset], ["register", "dataset", dataset], ["verify", "dataset", dataset],
                 ["show", "dataset", "1"], ["history", "dataset", "1"], ["account", "list"]):
        res = cli(*args, "--json")
        assert res.exit_code == 0
        json.loads(res.stdout)  # raises if there is anything else on stdout


def test_library_api_three_lines(home, dataset):
    with Client() as aiprov:
        reg = aiprov.register_dataset(dataset, name="reviews")
        assert aiprov.verify("dataset", dataset, id=reg.id).verified
    assert Client().show("dataset", reg.id).root == reg.root


def _height(home: Path) -> int:
    """Block height of whichever chain the test runs on (env says local or anvil)."""
    with Client() as client, client.session() as s:
        return s.backend.block_number()
