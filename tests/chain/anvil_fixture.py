"""A real Anvil node for tests: the pinned native binary on a free loopback port.

Reusable from any test module::

    from anvil_fixture import anvil, anvil_factory  # noqa: F401  (tests/chain on sys.path)
    # or, from anywhere under tests/:  pytest_plugins = ["chain.anvil_fixture"]

    def test_something(anvil):          # a fresh node per test (it starts in ~0.1 s)
        backend = anvil.backend()        # an RpcBackend on it (dev=True)

    def test_two_nodes(anvil_factory):
        a, b = anvil_factory(), anvil_factory("--block-time", "1")

The node is started directly with ``subprocess`` (not through
``aiprov.chain.anvil_node``, which is under test elsewhere), polled with the
standard library until it answers ``eth_chainId``, and stopped by pid at
teardown (SIGTERM, then SIGKILL). A missing binary fails the test: CI has
node_modules, and these tests must never be skipped silently.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ANVIL_CHAIN_ID = 31337
_START_TIMEOUT = 15.0


def anvil_binary() -> Path:
    from aiprov.chain.anvil_node import find_anvil

    return find_anvil()  # the npm package's native build first, then PATH; raises if neither


def free_port() -> int:
    """A free loopback port below the ephemeral range.

    Ports the kernel hands out for port 0 are also the local ports of outgoing
    connections, so one freed by a stopped node can be taken by any client on
    the machine before the node restarts on it; ports below the range cannot.
    """
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(50):
        port = random.randrange(max(1024, low - 20_000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rpc(url: str, method: str, params: list | None = None, timeout: float = 2.0):
    """One JSON-RPC call with the standard library; the result, or raises RuntimeError."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via $HTTP_PROXY
    with opener.open(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if answer.get("error"):
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


@dataclass
class AnvilProcess:
    """One running Anvil started by the fixture."""

    process: subprocess.Popen
    port: int
    log: Path
    chain_id: int = ANVIL_CHAIN_ID
    _backends: list = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rpc(self, method: str, params: list | None = None):
        return rpc(self.url, method, params)

    def backend(self, **kwargs):
        """An RpcBackend on this node (``dev=True``, network ``anvil``), closed at teardown."""
        from aiprov.chain.rpc import RpcBackend

        kwargs.setdefault("network", "anvil")
        kwargs.setdefault("dev", True)
        kwargs.setdefault("expected_chain_id", self.chain_id)
        backend = RpcBackend(kwargs.pop("url", self.url), **kwargs)
        self._backends.append(backend)
        return backend

    def stop(self) -> None:
        for backend in self._backends:
            backend.close()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def start_anvil(log_dir: Path, *args: str, chain_id: int = ANVIL_CHAIN_ID) -> AnvilProcess:
    """Start Anvil on a free port and wait until it answers (retries if the port got taken)."""
    binary = anvil_binary()
    log_dir.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _ in range(5):
        port = free_port()
        log = log_dir / f"anvil-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id), *args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        node = AnvilProcess(process=process, port=port, log=log, chain_id=chain_id)
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if int(rpc(node.url, "eth_chainId", timeout=0.5), 16) == chain_id:
                    return node
            except OSError:
                time.sleep(0.02)
        node.stop()
        last_error = log.read_text(errors="replace")[-500:]
        if "in use" not in last_error:
            break
    raise RuntimeError(f"Anvil did not start: {last_error}")


@pytest.fixture
def anvil_factory(tmp_path_factory):
    """Call it to start a fresh Anvil (extra CLI args allowed); all are stopped at teardown."""
    started: list[AnvilProcess] = []
    log_dir = tmp_path_factory.mktemp("anvil-logs")

    def start(*args: str, chain_id: int = ANVIL_CHAIN_ID) -> AnvilProcess:
        node = start_anvil(log_dir, *args, chain_id=chain_id)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


@pytest.fixture
def anvil(anvil_factory) -> AnvilProcess:
    """A fresh Anvil node (automine, chain 31337, the standard dev accounts)."""
    return anvil_factory()
