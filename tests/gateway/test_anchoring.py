"""The access log anchored on-chain: batches every N entries / seconds and on shutdown,
across a kill -9; ``lease log`` shows the entries, ``--prove`` proves one, a rewrite is caught."""

from __future__ import annotations

import signal
import sqlite3
import time

import pytest

from gw_support import domain_of, raw_get, signed_headers

from aiprov import Client


def _requests(server, n):
    dom = domain_of(server)
    for i in range(n):
        dev = 1 if i % 3 else 2  # every third one is refused (dev:2 holds no lease)
        raw_get(server.port, "/v1/files/README.md", signed_headers(dom, "README.md", dev=dev))


def _log_file(home):
    (path,) = home.glob("gateway/*/dataset-1.sqlite")
    return path


@pytest.mark.slow
def test_batches_anchor_on_size_time_and_shutdown_and_survive_kill(leased, serve, home):
    cli = leased.cli
    server = serve(leased.data, "dataset:1", "--batch-size", "3", "--batch-interval", "0.5")
    _requests(server, 7)
    deadline = time.monotonic() + 30
    conn = sqlite3.connect(_log_file(home))
    while time.monotonic() < deadline:
        anchored = conn.execute("SELECT COALESCE(MAX(last_seq), 0) FROM batches WHERE state = 'anchored'").fetchone()[0]
        if anchored == 7:
            break
        time.sleep(0.2)
    assert anchored == 7  # by size (3, 3) and by time (the 7th)
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL

    # entries logged by a gateway that is then killed are anchored by the next one's shutdown
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    _requests(server, 4)
    server.stop(signal.SIGKILL)
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    _requests(server, 2)
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.stderr()

    local = conn.execute("SELECT first_seq, last_seq, root, batch_id FROM batches ORDER BY number").fetchall()
    assert local[-1][1] == 13 and all(state == "anchored" for (state,) in conn.execute("SELECT state FROM batches"))
    with Client() as c:
        on_chain = c.access_batches("dataset:1")
    assert on_chain.verified
    assert [(b.batch_id, b.batch_root, b.count) for b in on_chain.batches] == [
        (bid, "0x" + bytes(root).hex(), last - first + 1) for first, last, root, bid in local]

    log = cli.json("lease", "log", "dataset:1")
    gateway = [e for e in log if e["source"] == "gateway"]
    assert [e["seq"] for e in gateway] == list(range(1, 14)) and all(e["anchored"] for e in gateway)
    assert [e["granted"] for e in gateway[:3]] == [False, True, True]
    assert gateway[0]["reason"] == "no-access" and gateway[1]["bytes"] > 0
    human = cli("lease", "log", "dataset:1")
    assert "gateway #1 README.md no-access" in human.stdout

    proof = cli.json("lease", "log", "dataset:1", "--prove", "5")
    assert proof["valid"] and proof["anchored"] and proof["format"] == "aiprov-access-proof/1"
    holder = next(row for row in local if row[0] <= 5 <= row[1])
    assert proof["value"][0] == "5" and proof["batch"]["batch_id"] == holder[3]
    assert proof["root"] == "0x" + bytes(holder[2]).hex()

    # rewriting an anchored entry (here: turning a refusal into a grant) is caught
    conn.execute("DROP TRIGGER entries_append_only_u")
    assert conn.execute("SELECT granted FROM entries WHERE seq = 4").fetchone() == (0,)
    conn.execute("UPDATE entries SET granted = 1, reason = 'ok' WHERE seq = 4")
    conn.commit()
    res = cli("lease", "log", "dataset:1", "--prove", "4")
    assert res.exit_code == 1 and "altered" in res.stderr
    assert cli("lease", "log", "dataset:1", "--prove", "99").exit_code == 2
