"""Fixtures for the gateway: a registered dataset with a lease, on local and on a real Anvil,
and ``aiprov serve`` as a real subprocess on a free loopback port (stopped by pid)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chain"))
from anvil_fixture import anvil_factory, free_port  # noqa: E402,F401  (fixture re-exported)

from helpers import CLI, write_files  # noqa: E402

DEV1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev:1, the lease holder
DEV2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"  # dev:2, no lease


@dataclass
class Asset:
    cli: CLI
    data: Path
    asset: str
    network: str
    node: object = None  # the Anvil process (anvil only)


@pytest.fixture
def leased(home, tmp_path, backend_name, request, monkeypatch) -> Asset:
    """dataset:1 registered by dev:0 (three files), dev:1 holding a 30-day lease."""
    node = None
    if backend_name == "anvil":
        node = request.getfixturevalue("anvil_factory")()
        monkeypatch.setenv("AIPROV_NETWORK", "anvil")
        monkeypatch.setenv("AIPROV_RPC_URL", node.url)
    cli = CLI()
    if backend_name == "anvil":
        assert cli("deploy", "--json").exit_code == 0
    data = write_files(tmp_path / "data", {
        "train.csv": "id,text\n" + "".join(f"{i},row {i}\n" for i in range(2000)),
        "images/cat.png": bytes(range(256)) * 64,
        "README.md": "# reviews\n",
    })
    assert cli.json("register", "dataset", str(data))["id"] == 1
    cli.json("lease", "grant", "dataset:1", DEV1, "--days", "30")
    return Asset(cli, data, "dataset:1", backend_name, node)


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, out: Path, err: Path) -> None:
        self.proc, self.port, self.out, self.err = proc, port, out, err
        self.url = f"http://127.0.0.1:{port}"

    def info(self) -> dict:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(self.url + "/v1/info", timeout=2) as r:
            return json.loads(r.read())

    def stop(self, sig=signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def stderr(self) -> str:
        return self.err.read_text()


def start_server(data: Path, asset: str, tmp_path: Path, *args: str, env: dict | None = None) -> Server:
    port = free_port()
    out, err = tmp_path / f"serve-{port}.out", tmp_path / f"serve-{port}.err"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiprov", "serve", str(data), "--asset", asset, "--port", str(port), *args],
        stdout=out.open("wb"), stderr=err.open("wb"), env={**os.environ, **(env or {})},
    )
    server = Server(proc, port, out, err)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"aiprov serve exited {proc.returncode}: {err.read_text()}")
        try:
            server.info()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop(signal.SIGKILL)
    raise AssertionError("aiprov serve did not start in 60 s")


@pytest.fixture
def serve(tmp_path):
    """``serve(data, asset, *args)`` starts a gateway subprocess; all are stopped at teardown."""
    started: list[Server] = []

    def start(data: Path, asset: str, *args: str, env=None) -> Server:
        server = start_server(data, asset, tmp_path, *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop(signal.SIGKILL)
