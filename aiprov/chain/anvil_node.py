"""A background Anvil node under the state directory (``aiprov node start|stop|status``).

Layout under ``$AIPROV_HOME/anvil/``::

    state.json   the chain (``anvil --state``: loaded on start, dumped every second and on exit)
    anvil.pid    the pid of the running node (plain number: ``kill $(cat anvil.pid)`` works)
    node.json    how it was started: pid, host, port, chain id
    anvil.log    its output (rotated to anvil.log.1 past 10 MB at start)
    node.lock    serialises start/stop between processes

Anvil is the pinned npm package's native binary when aiprov runs from its
repository (``node_modules/@foundry-rs/anvil-<platform>/bin/anvil``), else
``anvil`` on PATH (Foundry). Its prefunded accounts come from the same
mnemonic as ``local``'s, so ``dev:0`` is 0xf39F…2266 on both.

A ``kill -9`` of the node loses at most the last second of blocks
(``--state-interval 1``); ``stop`` sends SIGTERM, on which Anvil dumps its
state and exits, and waits for that.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import ChainError

ANVIL_NPM_PACKAGE = "@foundry-rs/anvil-linux-amd64"
DEFAULT_PORT = 8545
DEFAULT_CHAIN_ID = 31337
_LOG_ROTATE_BYTES = 10 * 1024 * 1024


def _package_roots() -> list[Path]:
    """Where a node_modules folder may sit: the repository (editable install), the package."""
    package = Path(__file__).resolve().parents[1]  # .../aiprov
    return [package.parent, package]


def find_anvil() -> Path:
    """The Anvil binary: the pinned npm package's native build, else ``anvil`` on PATH."""
    tried = []
    for root in _package_roots():
        modules = root / "node_modules" / "@foundry-rs"
        candidates = [modules / "anvil-linux-amd64" / "bin" / "anvil"]
        if modules.is_dir():  # another platform's native package, if one is installed
            candidates += sorted(modules.glob("anvil-*/bin/anvil"))
        for candidate in candidates:
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
        tried.append(str(candidates[0]))
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise ChainError(
        f"Anvil not found: not at {tried[0]} (npm package {ANVIL_NPM_PACKAGE}) and no `anvil` on PATH",
        hint="run `npm ci` in the aiprov repository, or install Foundry (https://getfoundry.sh)",
    )


@dataclass(frozen=True)
class NodeStatus:
    """What ``aiprov node status`` reports."""

    running: bool
    pid: int | None
    port: int | None
    url: str | None
    chain_id: int | None
    block: int | None
    state_file: Path
    log_file: Path | None = None

    def to_json(self) -> dict:
        return {
            "running": self.running,
            "pid": self.pid,
            "port": self.port,
            "url": self.url,
            "chain_id": self.chain_id,
            "block": self.block,
            "state_file": str(self.state_file),
            "log_file": str(self.log_file) if self.log_file else None,
        }


class AnvilNode:
    """The Anvil node of one state directory."""

    def __init__(self, home: Path) -> None:
        self.dir = Path(home).absolute() / "anvil"
        self.state_file = self.dir / "state.json"
        self.pid_file = self.dir / "anvil.pid"
        self.info_file = self.dir / "node.json"
        self.log_file = self.dir / "anvil.log"

    # -- status ----------------------------------------------------------------

    def _lock(self):
        from filelock import FileLock

        self.dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.dir / "node.lock"), timeout=60)

    def _recorded(self) -> tuple[int | None, dict]:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None, {}
        try:
            info = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        if info.get("pid") != pid:
            info = {}
        return pid, info

    def _alive(self, pid: int) -> bool:
        """Is ``pid`` a live process (not a zombie) that is our Anvil?"""
        if _gone(pid):
            return False
        proc = Path(f"/proc/{pid}")
        if proc.is_dir():
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                return False
            # the pid was reused by another program if it is not anvil with our state file
            # (an exiting process has an empty cmdline before it is a zombie: not ours any more)
            return any(b"anvil" in part for part in cmdline[:1]) and str(self.state_file).encode() in cmdline
        return True

    def _clear(self) -> None:
        for path in (self.pid_file, self.info_file):
            try:
                path.unlink()
            except FileNotFoundError:
                pass

    def status(self) -> NodeStatus:
        """Is the node running, where, on which chain and block; a stale pid file is removed."""
        pid, info = self._recorded()
        if pid is not None and not self._alive(pid):
            with self._lock():
                if self._recorded()[0] == pid:
                    self._clear()
            pid, info = None, {}
        if pid is None:
            return NodeStatus(False, None, None, None, None, None, self.state_file, self.log_file)
        host = info.get("host", "127.0.0.1")
        port = info.get("port")
        url = f"http://{_url_host(host)}:{port}" if port else None
        chain_id = block = None
        if url:
            chain_id, block = _probe(url)
        return NodeStatus(True, pid, port, url, chain_id, block, self.state_file, self.log_file)

    # -- start / stop ----------------------------------------------------------

    def start(
        self,
        port: int = DEFAULT_PORT,
        chain_id: int = DEFAULT_CHAIN_ID,
        host: str = "127.0.0.1",
        *,
        timeout: float = 30.0,
    ) -> NodeStatus:
        """Start Anvil in the background and wait until it answers; refuses a second one."""
        binary = find_anvil()
        with self._lock():
            current = self.status()
            if current.running:
                raise ChainError(
                    f"Anvil is already running for {self.dir.parent} (pid {current.pid}, {current.url})",
                    hint="use it, or `aiprov node stop` first",
                )
            if not _port_free(host, port):
                raise ChainError(
                    f"port {port} on {host} is already in use by another program",
                    hint="pick another port (--port), or stop what listens there",
                )
            self._rotate_log()
            argv = [
                str(binary), "--host", host, "--port", str(port), "--chain-id", str(chain_id),
                "--state", str(self.state_file), "--state-interval", "1",
            ]
            pid = _spawn(argv, self.log_file)
            from ..fsutil import atomic_write_text

            info = {"pid": pid, "host": host, "port": port, "chain_id": chain_id, "started": int(time.time())}
            atomic_write_text(self.info_file, json.dumps(info, indent=2) + "\n")
            atomic_write_text(self.pid_file, f"{pid}\n")
            url = f"http://{_url_host(host)}:{port}"
            try:
                answered = self._wait_until_up(pid, url, timeout)
            except BaseException:
                self._kill(pid, grace=2.0)
                self._clear()
                raise
            if answered != chain_id:
                self._kill(pid, grace=5.0)
                self._clear()
                raise ChainError(
                    f"Anvil came up on chain {answered}, not {chain_id} (state file {self.state_file})",
                    hint="start it with the chain id of its state, or move the state file aside",
                )
        return self.status()

    def _wait_until_up(self, pid: int, url: str, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._alive(pid):
                raise self._start_failure()
            chain_id, _ = _probe(url, with_block=False)
            if chain_id is not None:
                return chain_id
            time.sleep(0.05)
        raise ChainError(
            f"Anvil did not answer at {url} within {timeout:g} s",
            hint=f"see its log: {self.log_file}; on a slow machine raise AIPROV_NODE_START_TIMEOUT "
            f"(now {timeout:g} s)",
        )

    def _start_failure(self) -> ChainError:
        tail = self._log_tail()
        if "address already in use" in tail.lower():
            return ChainError(
                "Anvil could not listen: the port is already in use by another program",
                hint="pick another port (--port), or stop what listens there",
            )
        last = tail.strip().splitlines()[-1] if tail.strip() else "no output"
        return ChainError(f"Anvil exited at start: {last}", hint=f"see its log: {self.log_file}")

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the node (SIGTERM, then SIGKILL after ``timeout``); False if none was running."""
        with self._lock():
            pid, _ = self._recorded()
            if pid is None:
                return False
            running = self._alive(pid)
            if running:
                self._kill(pid, grace=timeout)
            self._clear()
            return running

    def _kill(self, pid: int, grace: float) -> None:
        """SIGTERM (Anvil dumps its state and exits), wait, then SIGKILL."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            if sig == signal.SIGKILL and not self._alive(pid):
                return  # exiting, or the pid is someone else's now: not ours to kill
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if _gone(pid):
                    return
                time.sleep(0.02)
        if self._alive(pid):
            raise ChainError(f"Anvil (pid {pid}) did not exit after SIGKILL")

    # -- helpers -----------------------------------------------------------------

    def _rotate_log(self) -> None:
        try:
            if self.log_file.stat().st_size > _LOG_ROTATE_BYTES:
                os.replace(self.log_file, self.log_file.with_name("anvil.log.1"))
        except FileNotFoundError:
            pass

    def _log_tail(self, size: int = 4000) -> str:
        try:
            with open(self.log_file, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - size))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


def _spawn(argv: list[str], log_file: Path) -> int:
    """Start ``argv`` detached (own session, stdin /dev/null, output appended to ``log_file``)."""
    if not hasattr(os, "posix_spawn"):  # pragma: no cover - Windows
        import subprocess

        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(subprocess, "DETACHED_PROCESS", 0)
        with open(log_file, "ab") as log:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    creationflags=flags).pid
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log_file), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    return os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=actions, setsid=True)


def _reap(pid: int) -> None:
    """Collect ``pid`` if it is our exited child, so it does not linger as a zombie."""
    if sys.platform == "win32":  # pragma: no cover
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _gone(pid: int) -> bool:
    """Has ``pid`` exited: left the process table (reaped here if it is our child), or a zombie?

    Not the same as "no longer our Anvil": while a process exits its cmdline is already
    empty, so :meth:`AnvilNode._alive` says no before the process is actually gone.
    """
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return True  # the pid now belongs to another user's process
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state == "Z":  # exited after the first look; collected now if it is our child
        _reap(pid)
        return True
    return False


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # like Anvil: TIME_WAIT is fine
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise ChainError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return True


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _probe(url: str, *, with_block: bool = True) -> tuple[int | None, int | None]:
    """(chain id, block number) of the node at ``url``, or Nones if it does not answer now."""
    from .jsonrpc import JsonRpcClient

    client = JsonRpcClient(url, retries=0, timeout=2.0)
    try:
        chain_id = int(client.request("eth_chainId"), 16)
        block = int(client.request("eth_blockNumber"), 16) if with_block else None
        return chain_id, block
    except ChainError:
        return None, None
    finally:
        client.close()
