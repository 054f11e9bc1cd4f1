"""The signed request (EIP-712, as eth_account signs it) and the access log (append-only,
single-use nonces, group commit, OpenZeppelin-identical batch trees and proofs)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time

import pytest

from helpers import REPO_ROOT

from aiprov.chain.devkeys import dev_private_key
from aiprov.gateway.accesslog import LEAF_ENCODING, AccessLog, batch_tree
from aiprov.gateway.request import DataRequest, Domain, recover, sign, typed_data
from aiprov.manifest.merkle import verify_proof

DOMAIN = Domain(1337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")


def test_digest_and_signature_match_eth_account():
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    req = DataRequest("dataset:3", "images/cat.png", bytes(range(32)), 1_900_000_000)
    msg = encode_typed_data(full_message=typed_data(req, DOMAIN))
    key = dev_private_key(1)
    theirs = Account.sign_message(msg, key)
    assert bytes(theirs.message_hash) == req.digest(DOMAIN)
    from aiprov.manifest.keccak import keccak256  # the server's form, asset and path hashed once

    assert req.digest_with(DOMAIN.separator(), keccak256(b"dataset:3"), keccak256(b"images/cat.png")) == req.digest(DOMAIN)
    assert sign(req, DOMAIN, key) == bytes(theirs.signature)
    assert recover(req.digest(DOMAIN), bytes(theirs.signature)) == Account.from_key(key).address.lower()


def test_recover_refuses_malleable_and_garbage_signatures():
    req = DataRequest("dataset:3", "a", os.urandom(32), 1_900_000_000)
    sig = sign(req, DOMAIN, dev_private_key(1))
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(sig[32:64], "big")
    high_s = sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - sig[64]])  # same signer, other form
    assert recover(req.digest(DOMAIN), high_s) is None
    assert recover(req.digest(DOMAIN), bytes(65)) is None
    assert recover(req.digest(DOMAIN), sig[:64] + b"\x05") is None


def _log(tmp_path):
    return AccessLog(tmp_path / "log.sqlite", chain_id=1337, contract=DOMAIN.verifying_contract, asset="dataset:3")


def _fields(i, nonce=None, **kw):
    return {"time": 1_800_000_000 + i, "account": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "path": f"f{i}.bin",
            "granted": True, "reason": "ok", "bytes": 100 + i, "request": os.urandom(32), "nonce": nonce,
            "signature": b"s", "client": "127.0.0.1:1", "status": 200, **kw}


def test_nonces_are_single_use_and_the_log_is_append_only(tmp_path):
    log = _log(tmp_path)
    nonce = os.urandom(32)
    assert log.append(**_fields(1, nonce)) == (1, True, "ok")
    assert log.append(**_fields(2, nonce)) == (2, False, "nonce-reused")
    e = log.entry(2)
    assert not e.granted and e.bytes == 0 and e.reason == "nonce-reused"
    conn = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE entries SET granted = 1 WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM entries")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    log.close()
    with pytest.raises(Exception, match="not of dataset:4"):
        AccessLog(tmp_path / "log.sqlite", chain_id=1337, contract=DOMAIN.verifying_contract, asset="dataset:4")


def test_group_commit_under_concurrency_keeps_every_entry_and_one_winner_per_nonce(tmp_path):
    log = _log(tmp_path)
    log.start_writer()
    shared = os.urandom(32)
    results, lock = [], threading.Lock()

    def worker(k):
        for i in range(50):
            nonce = shared if i == 0 else os.urandom(32)
            done = threading.Event()

            def cb(seq, granted, reason):
                with lock:
                    results.append((seq, granted, reason, nonce == shared))
                done.set()

            log.submit([_fields(i, nonce)], lambda results: cb(*results[0]))
            done.wait()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.stop_writer()
    assert sorted(r[0] for r in results) == list(range(1, 401))
    assert sum(1 for r in results if r[3] and r[1]) == 1  # the shared nonce served once
    assert sum(1 for r in results if r[3] and r[2] == "nonce-reused") == 7


def test_entry_encoding_is_solidity_abi_encode():
    from eth_abi import encode

    from aiprov.gateway.accesslog import Entry, encode_entry

    for path, reason in [("", "unsigned"), ("données/é.csv", "ok"), ("a" * 33, "x" * 64), ("../../etc/passwd", "")]:
        e = Entry(7, 1_800_000_000, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", path, True, reason, 2**40,
                  bytes(range(32)))
        assert encode_entry(e) == encode(list(LEAF_ENCODING), list(e.values()))


def test_batches_cover_every_entry_once_and_match_openzeppelin(tmp_path):
    log = _log(tmp_path)
    for i in range(1, 8):
        log.append(**_fields(i, os.urandom(32), granted=i % 3 != 0, reason="ok" if i % 3 else "no-access",
                             path="données/é.csv" if i == 4 else f"f{i}"))
    b1 = log.plan_batch(5)
    assert (b1.first_seq, b1.last_seq, b1.state) == (1, 5, "pending")
    assert log.plan_batch(5) == b1  # not anchored yet: the same batch again, never a second one
    log.mark_anchored(b1.number, 1, "0xab", 10)
    b2 = log.plan_batch(5)
    assert (b2.first_seq, b2.last_seq) == (6, 7)
    log.mark_anchored(b2.number, 2, "0xcd", 11)
    assert log.plan_batch(5) is None
    proof = log.proof(4)
    assert proof["batch"]["batch_id"] == 1 and proof["leafEncoding"] == list(LEAF_ENCODING)
    tree = batch_tree(log.entries(1, 5))
    assert verify_proof(tree.root, bytes.fromhex(proof["leaf"][2:]), [bytes.fromhex(p[2:]) for p in proof["proof"]])

    # @openzeppelin/merkle-tree computes the same root and proofs from the same values
    values = [e.json_values() for e in log.entries(1, 5)]
    request = json.dumps({"trees": [{"types": list(LEAF_ENCODING), "values": values}]})
    out = subprocess.run(["node", str(REPO_ROOT / "tests" / "oracle" / "merkle_oracle.mjs")], input=request,
                         capture_output=True, text=True, timeout=60, check=True)
    theirs = json.loads(out.stdout)["trees"][0]
    assert theirs["root"] == proof["root"]
    assert theirs["proofs"][3] == proof["proof"]
