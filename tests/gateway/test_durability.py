"""When the access log reaches the disk (``--log-sync``): every entry survives a ``kill -9``
right after its response; ``each`` fsyncs before every response (seen with strace); a stalled
disk stops serving; after a possible power loss, no request of the previous run can be replayed."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from gw_support import domain_of, raw_get, signed_headers

from aiprov.chain.accounts import dev_signer
from aiprov.chain.devkeys import dev_private_key
from aiprov.gateway.accesslog import AccessLog, default_log_path
from aiprov.gateway.request import new_request, to_headers

from anvil_fixture import free_port  # noqa: E402  (tests/chain, on the path by conftest)


def _log_path(home, server) -> Path:
    info = server.info()
    return default_log_path(home, info["chain_id"], info["contract"], info["asset"])


@pytest.mark.local_only
def test_kill_9_right_after_responses_keeps_every_entry_and_nonce(leased, serve, home):
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")  # --log-sync background
    dom, log_path = domain_of(server), _log_path(home, server)
    answered = []
    for i in range(12):
        headers = signed_headers(dom, "README.md", dev=1 if i % 4 else 2)  # every 4th: no lease
        r = raw_get(server.port, "/v1/files/README.md", headers)
        answered.append((int(r.headers["x-aiprov-log-seq"]), r.status, headers))
    replayed = answered[1][2]
    assert raw_get(server.port, "/v1/files/README.md", replayed).status == 401
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL  # at once: the syncer may not have run

    conn = sqlite3.connect(log_path)
    logged = dict(conn.execute("SELECT seq, status FROM entries"))
    assert {seq: logged.get(seq) for seq, _, _ in answered} == {seq: status for seq, status, _ in answered}
    assert [s for s, _, _ in answered][0] == 1 and len(logged) == 13
    nonce = bytes.fromhex(replayed["X-Aiprov-Nonce"][2:])
    assert conn.execute("SELECT status FROM entries WHERE nonce = ?", (nonce,)).fetchall() == [(200,)]
    conn.close()

    # same boot: nothing could be lost, so no replay guard; the nonce is still spent
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    again = raw_get(server.port, "/v1/files/README.md", replayed)
    assert again.status == 401 and again.json()["error"]["reason"] == "nonce-reused" and b"reviews" not in again.body
    assert raw_get(server.port, "/v1/files/README.md", signed_headers(dom, "README.md")).status == 200
    assert server.stop() == 0
    assert "replay" not in server.stderr() and "Traceback" not in server.stderr()


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


@pytest.mark.local_only
def test_log_sync_each_fsyncs_the_log_before_every_response(leased, tmp_path, home):
    """strace -f of the real server: each 200 is sent only after an fsync of the log's WAL completed."""
    port = free_port()
    trace = tmp_path / "strace.out"
    err = tmp_path / "serve.err"
    proc = subprocess.Popen(
        ["strace", "-f", "-qq", "-y", "-s", "400", "-e", "trace=fsync,fdatasync,sendto", "-o", str(trace),
         sys.executable, "-m", "aiprov", "serve", str(leased.data), "--asset", "dataset:1", "--port", str(port),
         "--batch-interval", "3600", "--log-sync", "each"],
        stdout=subprocess.DEVNULL, stderr=err.open("wb"))
    class Traced:
        def info(self):
            import urllib.request

            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"http://127.0.0.1:{port}/v1/info", timeout=2) as r:
                return json.loads(r.read())

    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, err.read_text()
            try:
                dom = domain_of(Traced())
                break
            except OSError:
                assert time.monotonic() < deadline, "the traced gateway did not start"
                time.sleep(0.1)
        for _ in range(4):
            assert raw_get(port, "/v1/files/README.md", signed_headers(dom, "README.md")).status == 200
    finally:
        (gateway_pid,) = _children(proc.pid)
        os.kill(gateway_pid, signal.SIGTERM)  # the gateway itself (strace exits with it)
        proc.wait(60)

    wal_fsync_done, pending, responses = False, {}, 0
    for line in trace.read_text().splitlines():
        tid, _, call = line.partition(" ")
        call = call.lstrip()
        if call.startswith(("fsync(", "fdatasync(")) and "-wal>" in call:
            if "<unfinished" in call:
                pending[tid] = True
            else:
                wal_fsync_done = True
        elif "resumed>" in call and pending.pop(tid, False):
            wal_fsync_done = True
        elif call.startswith("sendto(") and "HTTP/1.1 200" in call and "octet-stream" in call:
            assert wal_fsync_done, f"response {responses + 1} was sent before its log entry was fsynced"
            wal_fsync_done, responses = False, responses + 1
    assert responses == 4


def _row(i: int, nonce: bytes) -> dict:
    return {"time": int(time.time()), "account": dev_signer(1).address, "path": "a", "granted": True, "reason": "ok",
            "bytes": 1, "request": os.urandom(32), "nonce": nonce, "signature": b"s", "client": "c", "status": 200}


def test_background_log_commits_without_waiting_and_stops_serving_when_the_disk_stalls(tmp_path):
    log = AccessLog(tmp_path / "log.sqlite", chain_id=1337, contract="0x" + "11" * 20, asset="dataset:1",
                    sync="background")
    assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: the syncer fsyncs
    log.start_writer()
    try:
        assert log.write([_row(1, os.urandom(32))]) == [(1, True, "ok")]
        deadline = time.monotonic() + 5
        while log._syncer._synced < 1:  # fsynced by the syncer thread within its interval
            assert time.monotonic() < deadline
            time.sleep(0.01)

        stalled = threading.Event()
        release = threading.Event()

        def stall():  # the disk hangs: the syncer cannot fsync
            with log._syncer._sync_lock:
                stalled.set()
                release.wait(10)

        t = threading.Thread(target=stall)
        t.start()
        stalled.wait(5)
        assert log.write([_row(2, os.urandom(32))]) == [(2, True, "ok")]  # committed, not waited for
        time.sleep(1.2)  # > MAX_SYNC_LAG
        assert log.write([_row(3, os.urandom(32))]) == [(3, False, "log-unavailable")]  # logged, not served
        release.set()
        t.join()
        deadline = time.monotonic() + 5
        while log.write([_row(4, os.urandom(32))])[0][1] is not True:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert log.entry(3).reason == "log-unavailable" and log.entry(3).bytes == 0
    finally:
        log.close()
    each = AccessLog(tmp_path / "each.sqlite", chain_id=1337, contract="0x" + "11" * 20, asset="dataset:1")
    assert each._conn.execute("PRAGMA synchronous").fetchone()[0] == 2 and not each.inline  # FULL
    each.close()


@pytest.mark.local_only
def test_after_a_possible_power_loss_no_request_of_the_previous_run_is_served(leased, serve, home, tmp_path):
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    dom, log_path = domain_of(server), _log_path(home, server)
    captured = signed_headers(dom, "README.md", expires_in=290)
    assert raw_get(server.port, "/v1/files/README.md", captured).status == 200
    server.stop(signal.SIGKILL)
    # as if the machine lost power: the run never stopped, and this is another boot
    conn = sqlite3.connect(log_path)
    assert dict(conn.execute("SELECT name, value FROM meta WHERE name LIKE 'run_%'"))["run_state"] == "serving"
    conn.execute("UPDATE meta SET value = 'an-earlier-boot' WHERE name = 'run_boot'")
    # … and the power loss took the last entry with it (the WAL's tail was never fsynced)
    conn.execute("DROP TRIGGER entries_append_only_d")
    conn.execute("DELETE FROM entries")
    conn.commit()
    conn.close()

    started = int(time.time())
    server = serve(leased.data, "dataset:1", "--batch-interval", "3600")
    assert "may have lost power" in server.stderr()
    r = raw_get(server.port, "/v1/files/README.md", captured)  # the lost nonce, presented again
    assert r.status == 401 and r.json()["error"]["reason"] == "replay-guard" and b"reviews" not in r.body
    floor = r.json()["error"]["expires_after"]
    assert started + 300 <= floor <= int(time.time()) + 300
    fresh = signed_headers(dom, "README.md")  # 120 s: a fresh request, but it could be an old one
    assert raw_get(server.port, "/v1/files/README.md", fresh).json()["error"]["reason"] == "replay-guard"
    time.sleep(max(0.0, floor + 1 - 300 - time.time()))  # expiresAt = floor + 1 is then at most 5 min ahead
    later = new_request("dataset:1", "README.md", dom, dev_private_key(1), dev_signer(1).address,
                        lifetime=floor + 1 - int(time.time()))
    assert raw_get(server.port, "/v1/files/README.md", to_headers(later)).status == 200
    # aiprov fetch reads expires_after and signs for later
    doc = leased.cli.json("fetch", server.url, "dataset:1", str(tmp_path / "dest"), "--account", "dev:1")
    assert doc["verified"] is True
    assert server.stop() == 0
    conn = sqlite3.connect(log_path)
    assert conn.execute("SELECT value FROM meta WHERE name = 'run_state'").fetchone() == ("stopped",)
    assert conn.execute("SELECT COUNT(*) FROM entries WHERE reason = 'replay-guard'").fetchone()[0] >= 3  # all logged
    conn.close()
