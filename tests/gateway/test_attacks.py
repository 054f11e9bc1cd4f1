"""The attack matrix against a real ``aiprov serve`` subprocess, on local and on Anvil.

Every refused request must get its documented status and reason, a JSON body,
not one byte of file data, and a log entry saying so (granted false, bytes 0).
Then: a revoke and a grant by another process take effect for the very next
request, and so does the end of a lease (day 29 served, day 31 refused).
"""

from __future__ import annotations

import os
import signal

import pytest

from gw_support import domain_of, foreign_request, raw_get, signed_headers

from helpers import run_aiprov

from aiprov.gateway.accesslog import AccessLog


def _log(home, server):
    info = server.info()
    from aiprov.gateway.accesslog import default_log_path

    return AccessLog.open_existing(default_log_path(home, info["chain_id"], info["contract"], info["asset"]))


def test_attack_matrix_serves_zero_unauthorised_bytes(leased, serve, home, tmp_path):
    data = leased.data
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"TOP-SECRET-" * 100)
    server = serve(data, "dataset:1", "--batch-interval", "3600")
    dom = domain_of(server)
    port = server.port
    train = (data / "train.csv").read_bytes()
    os.symlink(secret, data / "link.txt")  # a symlink added after registration: not an entry

    def files(path):
        return "/v1/files/" + path

    big = {"X-Filler": "a" * 9000}
    cases = [
        ("unsigned", files("train.csv"), {}, 401, "unsigned"),
        ("malformed nonce", files("train.csv"), {**signed_headers(dom, "train.csv"), "X-Aiprov-Nonce": "0x12"}, 401,
         "malformed"),
        ("expired", files("train.csv"), signed_headers(dom, "train.csv", expires_in=-1), 401, "expired"),
        ("expiry too far", files("train.csv"), signed_headers(dom, "train.csv", expires_in=3600), 401,
         "expiry-too-far"),
        ("wrong chain", files("train.csv"), signed_headers(dom.__class__(1, dom.verifying_contract), "train.csv"),
         401, "wrong-chain"),
        ("other chain's signature, our chain id claimed", files("train.csv"),
         foreign_request(dom, "train.csv", chain_id=1), 401, "bad-signature"),
        ("other contract's signature", files("train.csv"),
         foreign_request(dom, "train.csv", contract="0x" + "11" * 20), 401, "bad-signature"),
        ("wrong asset", files("train.csv"), signed_headers(dom, "train.csv", asset="dataset:2"), 403, "wrong-asset"),
        ("dev:2 signs, claims dev:1", files("train.csv"),
         signed_headers(dom, "train.csv", dev=2, claim="0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), 401,
         "bad-signature"),
        ("signed for another path", files("train.csv"), signed_headers(dom, "README.md"), 401, "bad-signature"),
        ("no lease", files("train.csv"), signed_headers(dom, "train.csv", dev=2), 403, "no-access"),
        ("traversal ../", files("../../../etc/passwd"), signed_headers(dom, "../../../etc/passwd"), 404,
         "not-in-manifest"),
        ("traversal %2e%2e", files("%2e%2e/%2e%2e/etc/passwd"), signed_headers(dom, "../../etc/passwd"), 404,
         "not-in-manifest"),
        ("absolute path", files("/etc/passwd"), signed_headers(dom, "/etc/passwd"), 404, "not-in-manifest"),
        ("symlink not in manifest", files("link.txt"), signed_headers(dom, "link.txt"), 404, "not-in-manifest"),
        ("oversized headers", files("train.csv"), {**signed_headers(dom, "train.csv"), **big}, 431,
         "headers-too-large"),
        ("too many header lines", files("train.csv"),
         {**signed_headers(dom, "train.csv"), **{f"X-H{i}": "x" for i in range(70)}}, 431, "headers-too-large"),
        ("two ranges", files("train.csv"), {**signed_headers(dom, "train.csv"), "Range": "bytes=0-1,5-9"}, 416,
         "bad-range"),
    ]
    log = _log(home, server)
    failures = []
    for name, target, headers, status, reason in cases:
        r = raw_get(port, target, headers)
        body = r.body
        ok = r.status == status and r.json()["error"]["reason"] == reason and train[:40] not in body \
            and b"TOP-SECRET" not in body and b"root:" not in body
        seq = int(r.headers.get("x-aiprov-log-seq", 0))
        entry = log.entry(seq) if seq else None
        ok = ok and entry is not None and not entry.granted and entry.bytes == 0 and entry.reason == reason
        if not ok:
            failures.append((name, r.status, body[:200], entry))
    assert not failures, failures

    # beyond what uvicorn buffers (16 KiB): refused before the app, still no data
    r = raw_get(port, files("train.csv"), {**signed_headers(dom, "train.csv"), "X-Huge": "b" * 40_000})
    assert r.status in (400, 431) and train[:40] not in r.body

    # a good request, then the very same bytes again: the replay is refused and logged
    good = signed_headers(dom, "train.csv")
    first = raw_get(port, files("train.csv"), good)
    assert first.status == 200 and first.body == train
    assert first.headers["x-aiprov-sha256"] == __import__("hashlib").sha256(train).hexdigest()
    replay = raw_get(port, files("train.csv"), good)
    assert replay.status == 401 and replay.json()["error"]["reason"] == "nonce-reused" and train[:40] not in replay.body
    assert log.entry(int(first.headers["x-aiprov-log-seq"])).bytes == len(train)
    assert log.entry(int(replay.headers["x-aiprov-log-seq"])).bytes == 0

    # a range is served and logged with its length
    r = raw_get(port, files("train.csv"), {**signed_headers(dom, "train.csv"), "Range": "bytes=10-19"})
    assert r.status == 206 and r.body == train[10:20]
    assert log.entry(int(r.headers["x-aiprov-log-seq"])).bytes == 10

    # the owner may read too; the index lists the manifest for holders only
    assert raw_get(port, files("README.md"), signed_headers(dom, "README.md", dev=0)).status == 200
    index = raw_get(port, "/v1/manifest", signed_headers(dom, ""))
    assert index.status == 200 and {e["path"] for e in index.json()["entries"]} == {"README.md", "images/cat.png",
                                                                                     "train.csv"}
    assert raw_get(port, "/v1/manifest", signed_headers(dom, "", dev=2)).status == 403

    # a registered file swapped for a link to a secret outside: refused, no secret
    os.replace(data / "images" / "cat.png", tmp_path / "cat.png")
    os.symlink(secret, data / "images" / "cat.png")
    r = raw_get(port, files("images/cat.png"), signed_headers(dom, "images/cat.png"))
    assert r.status == 403 and r.json()["error"]["reason"] == "symlink-escape" and b"TOP-SECRET" not in r.body

    # a file changed on disk: 409, and the operator is told on stderr
    with open(data / "train.csv", "ab") as f:
        f.write(b"tampered\n")
    r = raw_get(port, files("train.csv"), signed_headers(dom, "train.csv"))
    assert r.status == 409 and r.json()["error"]["reason"] == "digest-mismatch" and b"tampered" not in r.body
    assert server.stop(signal.SIGTERM) == 0
    assert "train.csv changed on disk" in server.stderr()
    assert "Traceback" not in server.stderr()


@pytest.mark.slow
def test_revoke_grant_and_expiry_take_effect_for_the_next_request(leased, serve):
    cli = leased.cli
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    dom = domain_of(server)

    def get():
        return raw_get(server.port, "/v1/files/README.md", signed_headers(dom, "README.md"))

    assert get().status == 200
    assert get().status == 200  # cached decision (same block)
    cli.json("lease", "revoke", "dataset:1", "dev:1")  # another process's transaction, server running
    r = get()
    assert r.status == 403 and r.json()["error"]["reason"] == "no-access"
    cli.json("lease", "grant", "dataset:1", "dev:1", "--days", "30")
    assert get().status == 200
    assert cli("node", "advance", "29d", "--yes").exit_code == 0
    assert get().status == 200  # day 29
    assert cli("node", "advance", "2d", "--yes").exit_code == 0
    r = get()  # day 31
    assert r.status == 403 and r.json()["error"]["reason"] == "no-access"

    # a second gateway on the same port: exit 3, saying so
    busy = run_aiprov("serve", leased.data, "--asset", "dataset:1", "--port", server.port)
    assert busy.returncode == 3 and f"127.0.0.1:{server.port}" in busy.stderr and "Traceback" not in busy.stderr

    if leased.node is not None:  # the node goes away: refused, never served unchecked
        cli.json("lease", "grant", "dataset:1", "dev:1", "--days", "30")
        leased.node.stop()
        r = get()
        assert r.status == 503 and r.json()["error"]["reason"] == "chain-unavailable"
        assert server.stop() == 0  # and it still stops cleanly (what it could not anchor, it says)
        assert "could not anchor" in server.stderr()
        return
    assert server.stop() == 0
