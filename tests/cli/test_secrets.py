"""No private key and no RPC credential ever reaches output, logs, tracebacks or the state directory.

A fresh key is imported into a keystore and used; commands run with ``-v`` against RPC
URLs carrying credentials (``user:pass@``, ``?apikey=``, an Infura-style path key), on a
real Anvil and against a server that fails the TLS handshake. Everything captured, and
every file under the state directory, is then searched for the key and the credentials.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading

import pytest

from anvil_fixture import anvil  # noqa: F401  (fixture)
from helpers import run_aiprov, write_files

PASSWORD = "correct horse battery staple"
CREDENTIALS = ("s3cr3tUser", "s3cr3tPass", "APIKEYSECRET0123456789", "pathkey0123456789abcdef")


def _url(host_port: str, scheme: str = "http", path_key: bool = True) -> str:
    path = f"/v3/{CREDENTIALS[3]}" if path_key else "/"  # Anvil answers on / only
    return f"{scheme}://{CREDENTIALS[0]}:{CREDENTIALS[1]}@{host_port}{path}?apikey={CREDENTIALS[2]}"


class _NotTLS:
    """A loopback TCP server that answers any connection with plain-text garbage (TLS fails)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            finally:
                conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def not_tls():
    server = _NotTLS()
    yield server
    server.close()


def _leaks(text: str, key_hex: str | None) -> list[str]:
    found = [c for c in CREDENTIALS if c in text]
    if key_hex and key_hex in text.lower():
        found.append("private key")
    return found


def test_tls_failure_is_exit_3_and_secrets_stay_out(not_tls, home, tmp_path):
    url = _url(f"127.0.0.1:{not_tls.port}", "https")
    for args in (["show", "dataset", "1", "-v"], ["show", "dataset", "1", "--json"], ["deploy", "-v"]):
        res = run_aiprov(*args, "--rpc-url", url, env={"AIPROV_RPC_URL": ""}, timeout=120)
        assert res.returncode == 3, (args, res.stdout, res.stderr)
        assert "TLS" in res.stderr or "TLS" in res.stdout, res.stderr
        assert "has no attribute" not in res.stderr and "bug" not in res.stderr
        assert not _leaks(res.stdout + res.stderr, None), (args, res.stderr[-2000:])


@pytest.mark.slow
def test_nothing_leaks_key_or_credentials(anvil, home, tmp_path):
    key = secrets.token_bytes(32)
    key_hex = key.hex()
    key_file = tmp_path / "key.txt"
    key_file.write_text("0x" + key_hex + "\n")
    env = {"AIPROV_KEYSTORE_PASSWORD": PASSWORD, "AIPROV_NETWORK": "anvil"}
    captured = []

    def run(*args, **extra):
        res = run_aiprov(*args, env={**env, **extra}, timeout=120)
        captured.append(res.stdout + res.stderr)
        return res

    imported = run("account", "import", "fresh", "--private-key-file", key_file, "-v")
    assert imported.returncode == 0, imported.stderr
    address = imported.stdout.split()[-1]
    key_file.unlink()
    # fund the fresh account from dev:0 through the real node (anvil_setBalance)
    anvil.rpc("anvil_setBalance", [address, hex(10**20)])
    url = _url(f"127.0.0.1:{anvil.port}", path_key=False)
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    assert run("deploy", "--rpc-url", url, "-v").returncode == 0, captured[-1][-2000:]
    reg = run("register", "dataset", data, "--account", "fresh", "--rpc-url", url, "-v")
    assert reg.returncode == 0, reg.stderr
    run("show", "dataset", "1", "--rpc-url", url, "-v")
    run("show", "dataset", "99", "--rpc-url", url, "-v", "--json")  # a failure, with -v
    run("lease", "price", "dataset:1", "--per-day", "1gwei", "--account", "dev:3", "--rpc-url", url, "-v")
    run("lease", "grant", "dataset:1", "dev:2", "--days", "1", "--account", "fresh", "-v", AIPROV_RPC_URL=url)
    run("show", "dataset", "1", "-v", AIPROV_RPC_URL=url, AIPROV_PRIVATE_KEY="0x" + key_hex)
    run("deprecate", "dataset", "1", "-v", "--rpc-url", "http://127.0.0.1:1/v3/" + CREDENTIALS[3],
        AIPROV_PRIVATE_KEY="0x" + key_hex)  # unreachable, key in the env
    run("account", "list", "-v", "--json", AIPROV_PRIVATE_KEY="0x" + key_hex)
    for text in captured:
        assert not _leaks(text, key_hex), text[-3000:]
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert key not in content, path
            text = content.decode("latin-1")
            assert not _leaks(text, key_hex), path
    assert os.stat(home / "keystores" / "fresh.json").st_mode & 0o077 == 0
