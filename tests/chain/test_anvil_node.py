"""AnvilNode: a background Anvil with persisted state, a pid file and a log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest
from anvil_fixture import free_port

from aiprov.chain import anvil_node
from aiprov.chain.accounts import dev_signer
from aiprov.chain.anvil_node import AnvilNode, find_anvil
from aiprov.chain.rpc import RpcBackend
from aiprov.contracts.dataset_registry import DatasetRegistry
from aiprov.contracts.deployments import find_contract, require_contract
from aiprov.errors import ChainError

pytestmark = pytest.mark.anvil


@pytest.fixture
def node(tmp_path):
    n = AnvilNode(tmp_path / "home")
    yield n
    n.stop()  # never leave a node behind, whatever the test did


def _backend(status) -> RpcBackend:
    return RpcBackend(status.url, network="anvil", dev=True, expected_chain_id=status.chain_id)


def _register(status, home, root: bytes) -> int:
    with _backend(status) as b:
        registry = DatasetRegistry(b, require_contract(b, home, "DatasetRegistry", deployer=dev_signer(0)))
        return registry.register(dev_signer(0), root, b"\x00" * 32, "", 0)[0]


def _record_root(status, home, dataset_id: int) -> str:
    with _backend(status) as b:
        address = find_contract(b, home, "DatasetRegistry")
        assert address is not None, "the deployment record no longer matches the chain"
        return DatasetRegistry(b, address).get(dataset_id).root


def test_find_anvil_prefers_the_pinned_npm_binary():
    path = find_anvil()
    assert path.is_file() and os.access(path, os.X_OK)
    assert "node_modules/@foundry-rs/anvil-" in str(path)
    assert subprocess.run([str(path), "--version"], capture_output=True, text=True).stdout.startswith("anvil")


def test_find_anvil_names_both_places_when_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(anvil_node, "_package_roots", lambda: [tmp_path])
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChainError) as err:
        find_anvil()
    text = f"{err.value} {err.value.hint}"
    assert str(tmp_path / "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil") in text
    assert "PATH" in text and "npm ci" in text and err.value.exit_code == 3


def test_start_status_stop(node):
    port = free_port()
    assert node.status().running is False and node.stop() is False
    status = node.start(port=port, chain_id=31337)
    assert status.running and status.port == port and status.url == f"http://127.0.0.1:{port}"
    assert status.chain_id == 31337 and status.block == 0
    assert status.state_file == node.dir / "state.json"
    assert int(node.pid_file.read_text()) == status.pid
    assert node.log_file.exists()
    assert node.status() == status
    with pytest.raises(ChainError, match="already running") as err:
        node.start(port=free_port())
    assert f"pid {status.pid}" in str(err.value)
    assert node.stop() is True
    assert not node.pid_file.exists() and not node.info_file.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(status.pid, 0)  # exited and reaped
    assert node.status().running is False and node.stop() is False
    assert node.state_file.exists()  # dumped on SIGTERM


def test_state_survives_stop_and_start(node, tmp_path):
    home = tmp_path / "home"
    port = free_port()
    status = node.start(port=port)
    root = os.urandom(32)
    dataset_id = _register(status, home, root)
    node.stop()
    again = node.start(port=port)
    assert again.pid != status.pid and again.block == status.block + 2  # deploy + register
    assert _record_root(again, home, dataset_id) == "0x" + root.hex()
    assert _register(again, home, os.urandom(32)) == dataset_id + 1


def test_kill_9_loses_at_most_the_last_second(node, tmp_path):
    home = tmp_path / "home"
    status = node.start(port=free_port())
    root = os.urandom(32)
    dataset_id = _register(status, home, root)
    time.sleep(1.5)  # --state-interval 1
    os.kill(status.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while node.status().running and time.monotonic() < deadline:  # the kill takes a moment
        time.sleep(0.02)
    assert node.status().running is False and not node.pid_file.exists()  # dead pid noticed
    again = _restart(node, status.port)
    assert _record_root(again, home, dataset_id) == "0x" + root.hex()


def _restart(node, port: int):
    """Start again on the killed node's port; the kernel may hold it for a moment after kill -9.

    Under parallel test runs another test's client can also sit on it briefly, so a few
    tries within 10 s; the state (what this test checks) does not depend on the port."""
    from aiprov.errors import ChainError

    deadline = time.monotonic() + 10
    while True:
        try:
            return node.start(port=port)
        except ChainError as exc:
            if "already in use" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def test_stale_pid_files_are_cleaned_and_never_killed(node):
    node.dir.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    node.pid_file.write_text(f"{dead.pid}\n")
    assert node.status().running is False and not node.pid_file.exists()
    # a live pid that is not our Anvil (pid reuse): not ours, not killed
    node.pid_file.write_text(f"{os.getpid()}\n")
    assert node.stop() is False and not node.pid_file.exists()
    node.pid_file.write_text("garbage\n")
    status = node.start(port=free_port())
    assert status.running and int(node.pid_file.read_text()) == status.pid


def test_a_port_in_use_is_a_clear_error(node):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ChainError, match=f"port {port} on 127.0.0.1 is already in use") as err:
            node.start(port=port)
        assert "--port" in err.value.hint
    assert node.status().running is False and not node.pid_file.exists()
