"""Every wait has a deadline: a silent or trickling node, a transaction never mined or never deep enough.

The servers here are real sockets on loopback free ports, started and stopped
by the test: one accepts connections and never answers, one answers one byte
per second forever. aiprov must give up within 30 s with exit 3, saying what
it waited for and which setting changes the limit.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import pytest
from anvil_fixture import anvil, anvil_factory  # noqa: F401  (fixtures)
from helpers import run_aiprov, write_files


class BadServer:
    """A TCP server on 127.0.0.1 that accepts and then stays silent (``trickle=False``) or trickles bytes."""

    def __init__(self, *, trickle: bool, lifetime: float = 60.0) -> None:
        self.trickle = trickle
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.stop_at = time.monotonic() + lifetime  # bounded, whatever happens
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while time.monotonic() < self.stop_at:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                if self.sock.fileno() == -1:
                    return
                continue
            self.clients.append(conn)
            if self.trickle:
                threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        payload = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"." * 10_000
        for byte in payload:
            if time.monotonic() > self.stop_at:
                break
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up
            time.sleep(0.5)

    def close(self) -> None:
        self.stop_at = 0
        self.sock.close()
        for conn in self.clients:
            conn.close()
        self.thread.join(timeout=5)


@pytest.fixture
def bad_servers():
    servers = [BadServer(trickle=False), BadServer(trickle=True)]
    yield servers
    for server in servers:
        server.close()


def _show(url: str, env: dict | None = None) -> subprocess.Popen:
    import os

    full = dict(os.environ, AIPROV_RPC_URL=url, **(env or {}))
    full.pop("AIPROV_NETWORK", None)
    return subprocess.Popen([sys.executable, "-m", "aiprov", "show", "dataset", "1"], env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, started: float) -> tuple[int, str, float]:
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err, time.monotonic() - started


@pytest.mark.slow
def test_silent_and_trickling_servers_are_given_up_on_within_30_s(bad_servers, home):
    """With the default limits: both run at once, each must end in exit 3 in under 30 s."""
    started = time.monotonic()
    procs = [_show(server.url) for server in bad_servers]
    results = [_finish(p, started) for p in procs]
    for (code, err, elapsed), server in zip(results, bad_servers):
        assert code == 3, err
        assert elapsed < 30, (server.trickle, elapsed)
        assert "did not answer eth_chainId within 20 s" in err, err
        assert "--rpc-timeout" in err and "AIPROV_RPC_TIMEOUT" in err and "Traceback" not in err
    print(f"gave up after: silent {results[0][2]:.1f} s, trickling {results[1][2]:.1f} s")


def test_the_rpc_limit_is_a_setting(bad_servers, home):
    started = time.monotonic()
    procs = [_show(server.url, {"AIPROV_RPC_TIMEOUT": "1.5"}) for server in bad_servers]
    for code, err, elapsed in (_finish(p, started) for p in procs):
        assert code == 3 and elapsed < 6 and "within 1.5 s" in err, (elapsed, err)
    res = run_aiprov("show", "dataset", "1", "--rpc-url", bad_servers[1].url, "--rpc-timeout", "1")
    assert res.returncode == 3 and "within 1 s" in res.stderr and "--rpc-timeout" in res.stderr


def test_a_transaction_never_mined_or_never_deep_enough_is_exit_3_naming_the_setting(tmp_path, anvil, home):
    env = {"AIPROV_RPC_URL": anvil.url, "AIPROV_RECEIPT_TIMEOUT": "1"}
    assert run_aiprov("deploy", env=env).returncode == 0
    deep = run_aiprov("register", "dataset", write_files(tmp_path / "a", {"a.txt": "a"}), "--confirmations", "2",
                      env=env)
    assert deep.returncode == 3, deep.stderr
    assert "not 2 blocks deep after 1 s" in deep.stderr and "AIPROV_RECEIPT_TIMEOUT" in deep.stderr
    assert "--confirmations" in deep.stderr
    anvil.rpc("evm_setAutomine", [False])
    started = time.monotonic()
    stuck = run_aiprov("register", "dataset", write_files(tmp_path / "b", {"b.txt": "b"}), env=env)
    assert stuck.returncode == 3 and time.monotonic() - started < 15, stuck.stderr
    assert "not mined after 1 s" in stuck.stderr and "AIPROV_RECEIPT_TIMEOUT" in stuck.stderr
