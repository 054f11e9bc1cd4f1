"""`aiprov status` (offline, stat cache), `verify --cached`, versions kept in receipts, `aiprov diff`."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from helpers import write_files


def _receipt(path: Path) -> dict:
    return json.loads(Path(str(path) + ".aiprov.json").read_text())


def test_receipts_keep_every_version_and_verify_lists_changes_for_any(cli, dataset):
    first = cli.json("register", "dataset", dataset, "--name", "v1")
    (dataset / "train.csv").write_text("id,text,label\n1,great product,1\n")
    (dataset / "extra.txt").write_text("new file")
    second = cli.json("register", "dataset", dataset, "--parent", first["id"], "--name", "v2")
    receipt = _receipt(dataset)
    assert [v["id"] for v in receipt["versions"]] == [first["id"], second["id"]]
    assert receipt["id"] == second["id"] and receipt["parent_id"] == first["id"]
    # verify against the first version still names the changed files (its manifest was kept)
    old = cli.json("verify", "dataset", dataset, "--id", first["id"], code=1)
    assert old["changes_known"] is True
    assert [m["path"] for m in old["changes"]["modified"]] == ["train.csv"]
    assert [a["path"] for a in old["changes"]["added"]] == ["extra.txt"]
    assert cli("verify", "dataset", dataset).exit_code == 0  # the latest version


def test_old_receipt_format_is_still_read(cli, dataset):
    reg = cli.json("register", "dataset", dataset)
    path = Path(str(dataset) + ".aiprov.json")
    receipt = _receipt(dataset)
    version = receipt["versions"][0]
    old = {"format": "aiprov-receipt/1", "kind": "dataset", **version}
    path.write_text(json.dumps(old))
    assert cli.json("verify", "dataset", dataset)["id"] == reg["id"]
    assert cli.json("status", dataset)["status"] == "clean"
    (dataset / "README.md").write_text("changed\n")
    cli.json("register", "dataset", dataset, "--parent", reg["id"])
    upgraded = _receipt(dataset)
    assert upgraded["format"] == "aiprov-receipt/2" and len(upgraded["versions"]) == 2


def test_status_is_offline_and_skips_unchanged_files(cli, dataset, home, monkeypatch):
    cli.json("register", "dataset", dataset)
    # no chain is touched: point every network setting at nothing
    monkeypatch.setenv("AIPROV_RPC_URL", "http://127.0.0.1:9")
    # like git, a file changed less than 0.1 s before it was hashed is not trusted from the
    # cache (it could change again within the same timestamp tick); on a fast machine the
    # fixture's files are that young when first hashed, so let them age past the margin
    time.sleep(0.25)
    first = cli.json("status", dataset)
    assert first["status"] == "clean" and first["files"] == 4
    again = cli.json("status", dataset)
    assert again["status"] == "clean" and again["files_read"] == 0  # all from the stat cache

    (dataset / "images" / "cat.png").rename(dataset / "cat.png")
    (dataset / "test.csv").unlink()
    (dataset / "notes.txt").write_text("new")
    with open(dataset / "train.csv", "r+b") as f:  # same size, same mtime: ctime still tells
        st = os.stat(dataset / "train.csv")
        f.write(b"X")
    os.utime(dataset / "train.csv", ns=(st.st_atime_ns, st.st_mtime_ns))
    changed = cli.json("status", dataset, code=1)
    assert changed["status"] == "changed" and changed["files_read"] == 3  # cat.png (new path), notes, train
    c = changed["changes"]
    assert [r["from"] + ">" + r["to"] for r in c["renamed"]] == ["images/cat.png>cat.png"]
    assert [e["path"] for e in c["removed"]] == ["test.csv"]
    assert [e["path"] for e in c["added"]] == ["notes.txt"]
    assert [m["path"] for m in c["modified"]] == ["train.csv"]
    human = cli("status", dataset)
    assert human.exit_code == 1 and "renamed" in human.stdout
    assert human.stdout.strip().splitlines()[-1].startswith("next: register this as a new version")

    fresh = cli("status", write_files(dataset.parent / "never", {"a": "a"}))
    assert fresh.exit_code == 2 and "no receipt" in fresh.stderr
    missing = cli("status", str(dataset.parent / "typo"))
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr


def test_verify_cached_uses_the_stat_cache_and_plain_verify_rereads(cli, dataset):
    cli.json("register", "dataset", dataset)
    cli.json("status", dataset)
    path = dataset / "test.csv"
    st = os.stat(path)
    data = bytearray(path.read_bytes())
    data[0] ^= 1
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cli.json("verify", "dataset", dataset, "--cached", code=1)["changes"]["modified"][0]["path"] == "test.csv"
    assert cli.json("verify", "dataset", dataset, code=1)["changes"]["modified"][0]["path"] == "test.csv"
    data[0] ^= 1
    path.write_bytes(bytes(data))
    assert cli.json("verify", "dataset", dataset, "--cached")["verified"] is True


def test_diff_between_two_registered_versions(cli, dataset, tmp_path):
    a = cli.json("register", "dataset", dataset)
    (dataset / "images" / "cat.png").rename(dataset / "images" / "kitten.png")
    (dataset / "README.md").write_text("# reviews v2\n")
    b = cli.json("register", "dataset", dataset, "--parent", a["id"])
    diff = cli.json("diff", "dataset", a["id"], b["id"])
    assert diff["status"] == "changed" and diff["from_id"] == a["id"] and diff["id"] == b["id"]
    assert diff["from_root"] == a["root"] and diff["root"] == b["root"]
    assert [r["to"] for r in diff["changes"]["renamed"]] == ["images/kitten.png"]
    assert [m["path"] for m in diff["changes"]["modified"]] == ["README.md"]
    same = cli.json("diff", "dataset", b["id"], b["id"])
    assert same["status"] == "same"
    human = cli("diff", "dataset", a["id"], b["id"])
    assert human.exit_code == 0 and "kitten.png" in human.stdout and "next:" in human.stdout.splitlines()[-1]


def test_diff_reads_manifests_from_a_receipt_on_another_machine(cli, dataset, tmp_path, monkeypatch):
    a = cli.json("register", "dataset", dataset)
    (dataset / "README.md").write_text("# v2\n")
    b = cli.json("register", "dataset", dataset, "--parent", a["id"])
    receipt = Path(str(dataset) + ".aiprov.json")
    import shutil

    for sub in ("manifests",):  # this machine forgets its manifests
        shutil.rmtree(Path(os.environ["AIPROV_HOME"]) / sub)
    missing = cli("diff", "dataset", a["id"], b["id"])
    assert missing.exit_code == 2 and "--receipt" in missing.stderr
    diff = cli.json("diff", "dataset", a["id"], b["id"], "--receipt", receipt)
    assert [m["path"] for m in diff["changes"]["modified"]] == ["README.md"]
