"""``aiprov fetch`` end to end against a real gateway subprocess, on local and on Anvil."""

from __future__ import annotations

import json

import pytest
from gw_support import domain_of, raw_get, signed_headers

from helpers import run_aiprov

from aiprov import Client
from aiprov.errors import CheckFailed, ContentMismatch


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_fetch_verifies_resumes_and_refuses(leased, serve, tmp_path):
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    expected = _tree(leased.data)

    # as a subprocess, --json: every file verified against the on-chain root
    dest = tmp_path / "dest"
    proc = run_aiprov("fetch", server.url, "dataset:1", dest, "--account", "dev:1", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verified"] is True and {f["status"] for f in doc["files"]} == {"downloaded"}
    assert _tree(dest) == expected and not (dest / ".aiprov").exists()

    if leased.network == "anvil":  # a machine with no aiprov state at all: contracts found on-chain
        fresh = tmp_path / "fresh"
        proc = run_aiprov("fetch", server.url, "dataset:1", fresh, "--account", "dev:1", "--json",
                          env={"AIPROV_HOME": str(tmp_path / "no-state")})
        assert proc.returncode == 0, proc.stderr
        assert _tree(fresh) == expected

    # again: nothing downloaded, all present
    again = leased.cli.json("fetch", server.url, "dataset:1", str(dest), "--account", "dev:1")
    assert {f["status"] for f in again["files"]} == {"present"} and again["bytes"] == 0

    # one file only, and a resume from a partial download
    one = tmp_path / "one"
    import hashlib

    digest = hashlib.sha256(expected["train.csv"]).hexdigest()
    (one / ".aiprov" / "partial").mkdir(parents=True)
    (one / ".aiprov" / "partial" / f"{digest}.part").write_bytes(expected["train.csv"][:1000])
    with Client(account="dev:1") as c:
        result = c.fetch(server.url, "dataset:1", one, files=["train.csv"])
    assert [(f["path"], f["status"], f["downloaded"]) for f in result.files] == [
        ("train.csv", "resumed", len(expected["train.csv"]) - 1000)]
    assert _tree(one) == {"train.csv": expected["train.csv"]}

    # a partial with wrong bytes: the finished file does not verify, nothing is left
    bad = tmp_path / "bad"
    (bad / ".aiprov" / "partial").mkdir(parents=True)
    (bad / ".aiprov" / "partial" / f"{digest}.part").write_bytes(b"X" * 1000)
    with Client(account="dev:1") as c, pytest.raises(ContentMismatch):
        c.fetch(server.url, "dataset:1", bad, files=["train.csv"])
    assert _tree(bad) == {}

    # no lease: exit 1, nothing under DEST
    denied = tmp_path / "denied"
    res = leased.cli("fetch", server.url, "dataset:1", str(denied), "--account", "dev:2")
    assert res.exit_code == 1 and "no-access" in res.stderr
    assert not denied.exists() or _tree(denied) == {}

    # an unknown --file is bad input
    assert leased.cli("fetch", server.url, "dataset:1", str(tmp_path / "x"), "--file", "nope.txt",
                      "--account", "dev:1").exit_code == 2

    # a gateway serving a changed file: exit 1, the file never appears at DEST
    with open(leased.data / "README.md", "ab") as f:
        f.write(b"changed\n")
    changed = tmp_path / "changed"
    res = leased.cli("fetch", server.url, "dataset:1", str(changed), "--file", "README.md", "--account", "dev:1")
    assert res.exit_code == 1 and "README.md" in res.stderr
    assert not (changed / "README.md").exists()


def test_revoke_mid_download_refuses_the_next_request(leased, serve, tmp_path):
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    cli = leased.cli

    class RevokeAfterFirstFile:
        def __init__(self):
            self.done = 0

        def start(self, files, total):
            pass

        def advance(self, n):
            self.done += 1
            if self.done == 1:  # the first chunk of the first file has arrived
                assert cli("lease", "revoke", "dataset:1", "dev:1").exit_code == 0

    dest = tmp_path / "dest"
    with Client(account="dev:1") as c, pytest.raises(CheckFailed) as err:
        c.fetch(server.url, "dataset:1", dest, progress=RevokeAfterFirstFile())
    assert "no-access" in str(err.value)
    got = _tree(dest)
    assert list(got) == ["README.md"]  # the file under way when revoked completes; nothing after it
    assert got["README.md"] == (leased.data / "README.md").read_bytes()
    dom = domain_of(server)
    assert raw_get(server.port, "/v1/files/train.csv", signed_headers(dom, "train.csv")).status == 403
