"""Faults between aiprov and a real Anvil: retried when transient, exit 3 when not, never a duplicate.

:class:`FaultProxy` is a small HTTP proxy (standard library, threads, loopback
only, bounded) that sits in front of the node and, per JSON-RPC method, drops
the connection, resets it, delays, answers 5xx/429 or a JSON-RPC error — or
forwards the request and then drops the answer: the node took the transaction,
the client saw a failure. Registrations go through ``DatasetRegistry.register``
(``send_transaction``) and ``datasetCount`` says whether anything was doubled.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from anvil_fixture import anvil, anvil_factory  # noqa: F401  (fixtures)

from aiprov.chain.accounts import dev_signer
from aiprov.chain.devkeys import dev_address
from aiprov.chain.jsonrpc import RpcError
from aiprov.contracts.dataset_registry import DatasetRegistry
from aiprov.contracts.deployments import deploy_contract
from aiprov.errors import ChainError, ContractRefused

pytestmark = pytest.mark.anvil
ZERO32 = b"\x00" * 32


@dataclass
class Fault:
    method: str  # JSON-RPC method, or "*"
    kind: str  # drop | reset | status | delay | drop_after | rpc_error | range_limit | no_pending
    times: int | None = 1  # None: forever
    options: dict = field(default_factory=dict)


class FaultProxy:
    """An HTTP JSON-RPC proxy on 127.0.0.1 that injects faults by method."""

    MAX_CONNECTIONS = 32

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.faults: list[Fault] = []
        self.log: list[tuple[str, list, str]] = []  # (method, params, what the proxy did)
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(self.MAX_CONNECTIONS)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def inject(self, method: str, kind: str, times: int | None = 1, **options) -> None:
        with self.lock:
            self.faults.append(Fault(method, kind, times, options))

    def pending(self) -> list[Fault]:
        with self.lock:
            return [f for f in self.faults if f.times]

    def calls(self, method: str) -> list[tuple[list, str]]:
        with self.lock:
            return [(params, outcome) for m, params, outcome in self.log if m == method]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the proxy ---------------------------------------------------------------

    def _pick(self, method: str, params: list) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times == 0 or fault.method not in (method, "*"):
                    continue
                if fault.kind == "range_limit" and not _range_over(params, fault.options["blocks"]):
                    continue
                if fault.kind == "no_pending" and "pending" not in json.dumps(params):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        conn = HTTPConnection(*self.upstream, timeout=10)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real providers do
            timeout = 10  # idle keep-alive connections end: the proxy stays bounded

            def log_message(self, *args) -> None:
                pass

            def handle(self) -> None:
                if not proxy.slots.acquire(blocking=False):
                    return  # over the bound: close at once
                try:
                    super().handle()
                finally:
                    proxy.slots.release()

            def reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = json.loads(body)
                method, params = request.get("method", ""), request.get("params", [])
                fault = proxy._pick(method, params)
                outcome = fault.kind if fault else "forwarded"
                with proxy.lock:
                    proxy.log.append((method, params, outcome))
                if fault is None:
                    return self.reply(*proxy._forward(body))
                opts = fault.options
                if fault.kind == "drop":
                    self.close_connection = True
                elif fault.kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                elif fault.kind == "status":
                    self.reply(opts.get("code", 503), b"upstream unavailable")
                elif fault.kind == "delay":
                    time.sleep(opts.get("seconds", 1.0))
                    try:
                        self.reply(*proxy._forward(body))
                    except OSError:
                        self.close_connection = True  # the client gave up meanwhile
                elif fault.kind == "drop_after":
                    proxy._forward(body)  # the node gets it; the client never hears back
                    self.close_connection = True
                elif fault.kind in ("rpc_error", "range_limit", "no_pending"):
                    defaults = {
                        "rpc_error": (-32000, "header not found"),
                        "range_limit": (-32005, "query returned more than 10000 results"),
                        "no_pending": (-32000, "pending block is not available"),
                    }[fault.kind]
                    error = {"code": opts.get("code", defaults[0]), "message": opts.get("message", defaults[1])}
                    self.reply(200, json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "error": error}).encode())
                else:  # pragma: no cover
                    raise AssertionError(fault.kind)

        return Handler


def _range_over(params: list, blocks: int) -> bool:
    query = params[0] if params else {}
    start, stop = query.get("fromBlock", "0x0"), query.get("toBlock", "latest")
    if not (isinstance(stop, str) and stop.startswith("0x")):
        return True
    return int(stop, 16) - int(start, 16) + 1 > blocks


@pytest.fixture
def chain(anvil, tmp_path):
    """(anvil, DatasetRegistry address, proxy) — the registry deployed directly, the proxy in front."""
    direct = anvil.backend()
    address = deploy_contract(direct, tmp_path, dev_signer(0), "DatasetRegistry")
    proxy = FaultProxy(anvil.url)
    yield anvil, address, proxy
    proxy.close()


def _via_proxy(anvil, proxy, path: str = "", **kwargs):
    kwargs.setdefault("backoff", 0.01)
    kwargs.setdefault("timeout", 5.0)
    return anvil.backend(url=proxy.url + path, **kwargs)


def _count(anvil, address) -> int:
    return DatasetRegistry(anvil.backend(), address).count()


def test_transient_failures_are_retried_until_the_work_is_done(chain):
    anvil, address, proxy = chain
    proxy.inject("eth_chainId", "drop")
    proxy.inject("eth_blockNumber", "status", times=2, code=503)
    proxy.inject("eth_estimateGas", "status", code=429)
    proxy.inject("eth_getTransactionCount", "rpc_error")  # "header not found"
    proxy.inject("eth_maxPriorityFeePerGas", "status", code=500)
    proxy.inject("eth_sendRawTransaction", "reset")
    proxy.inject("eth_getTransactionReceipt", "delay", seconds=1.0)
    backend = _via_proxy(anvil, proxy, timeout=0.5)
    assert backend.block_number() == 1
    registry = DatasetRegistry(backend, address)
    dataset_id, receipt = registry.register(dev_signer(0), os.urandom(32), ZERO32, "", 0)
    assert dataset_id == 1 and receipt.status == 1
    assert proxy.pending() == [] and _count(anvil, address) == 1


def test_answer_lost_after_the_node_took_the_transaction(chain):
    """The nasty case: the node has the tx, the client saw an error; re-sent bytes are not doubled."""
    anvil, address, proxy = chain
    proxy.inject("eth_sendRawTransaction", "drop_after")
    backend = _via_proxy(anvil, proxy)
    nonce = backend.get_nonce(dev_address(0))
    registry = DatasetRegistry(backend, address)
    dataset_id, _ = registry.register(dev_signer(0), os.urandom(32), ZERO32, "", 0)
    assert dataset_id == 1 and _count(anvil, address) == 1
    assert [outcome for _, outcome in proxy.calls("eth_sendRawTransaction")] == ["drop_after", "forwarded"]
    assert backend.get_nonce(dev_address(0)) == nonce + 1


def test_answers_lost_for_good_exit_3_and_nothing_is_doubled(chain):
    anvil, address, proxy = chain
    proxy.inject("eth_sendRawTransaction", "drop_after", times=None)
    backend = _via_proxy(anvil, proxy, "/v3/SECRETKEY?apikey=K3Y", retries=2)
    registry = DatasetRegistry(backend, address)
    # every answer to the send is lost, but the node can be asked whether it has the tx: done
    assert registry.register(dev_signer(0), os.urandom(32), ZERO32, "", 0)[0] == 1
    assert len(proxy.calls("eth_sendRawTransaction")) == 3  # the same signed bytes each time
    # now the look-up fails too: exit 3, saying the transaction may be on-chain
    proxy.inject("eth_getTransactionByHash", "drop", times=None)
    root = os.urandom(32)
    with pytest.raises(ChainError) as err:
        registry.register(dev_signer(0), root, ZERO32, "", 0)
    text = f"{err.value}\n{err.value.hint}"
    assert err.value.exit_code == 3
    assert "did not answer eth_sendRawTransaction after 3 attempts" in text and "may have reached it" in text
    assert "re-run" in text and "idempotent" in text
    assert "SECRETKEY" not in text and "K3Y" not in text and f"{proxy.url}/…" in text
    assert _count(anvil, address) == 2
    # a re-run looks the root up first (register is idempotent) and finds the one registration
    (found,) = DatasetRegistry(anvil.backend(), address).registrations(root=root)
    assert found.id == 2


def test_a_slow_answer_times_out_and_the_retry_does_not_double(chain):
    anvil, address, proxy = chain
    proxy.inject("eth_sendRawTransaction", "delay", seconds=1.0)
    backend = _via_proxy(anvil, proxy, timeout=0.4)
    registry = DatasetRegistry(backend, address)
    registry.register(dev_signer(0), os.urandom(32), ZERO32, "", 0)
    time.sleep(1.0)  # let the delayed copy reach the node too
    assert _count(anvil, address) == 1
    assert anvil.backend().get_nonce(dev_address(0)) == 2  # deploy + one registration


def test_a_lasting_outage_exits_3_quickly_with_a_clear_message(chain):
    anvil, _, proxy = chain
    backend = _via_proxy(anvil, proxy, retries=2)
    proxy.inject("eth_blockNumber", "status", times=None, code=503)
    started = time.monotonic()
    with pytest.raises(ChainError) as err:
        backend.block_number()
    assert time.monotonic() - started < 2
    assert "did not answer eth_blockNumber after 3 attempts (last: HTTP 503)" in str(err.value)
    assert err.value.exit_code == 3 and len(proxy.calls("eth_blockNumber")) == 3


def test_real_errors_and_reverts_are_not_retried(chain):
    anvil, address, proxy = chain
    backend = _via_proxy(anvil, proxy)
    proxy.inject("eth_blockNumber", "rpc_error", code=-32601, message="the method eth_blockNumber does not exist")
    with pytest.raises(RpcError, match="does not exist") as err:
        backend.block_number()
    assert err.value.exit_code == 3 and len(proxy.calls("eth_blockNumber")) == 1
    with pytest.raises(ContractRefused, match="parent dataset 9 does not exist") as refused:
        DatasetRegistry(backend, address).register(dev_signer(0), os.urandom(32), ZERO32, "", 9)
    assert "DatasetParentNotFound(parentId=9)" in refused.value.hint
    assert len(proxy.calls("eth_estimateGas")) == 1
    proxy.inject("eth_chainId", "status", code=401)
    with pytest.raises(ChainError, match="refused access") as denied:
        _via_proxy(anvil, proxy)
    assert "API key" in denied.value.hint and len(proxy.calls("eth_chainId")) == 2  # one per backend


def test_logs_are_fetched_in_chunks_when_the_provider_refuses_big_ranges(chain):
    anvil, address, proxy = chain
    direct = DatasetRegistry(anvil.backend(), address)
    roots = [os.urandom(32) for _ in range(6)]
    for root in roots:
        direct.register(dev_signer(0), root, ZERO32, "", 0)
    proxy.inject("eth_getLogs", "range_limit", times=None, blocks=2)
    backend = _via_proxy(anvil, proxy)
    registrations = DatasetRegistry(backend, address).registrations()
    assert [r.id for r in registrations] == [1, 2, 3, 4, 5, 6]
    assert [r.root for r in registrations] == ["0x" + r.hex() for r in roots]
    calls = proxy.calls("eth_getLogs")
    assert calls[0][1] == "range_limit"
    assert all(not _range_over(params, 2) for params, outcome in calls if outcome == "forwarded")
    # the span that worked is kept: the next query goes straight to small chunks
    before = len(proxy.calls("eth_getLogs"))
    assert len(DatasetRegistry(backend, address).registrations(root=roots[3])) == 1
    assert all(outcome == "forwarded" for _, outcome in proxy.calls("eth_getLogs")[before:])


def test_nodes_that_refuse_pending_reads_are_asked_at_latest(chain):
    anvil, address, proxy = chain
    proxy.inject("eth_call", "no_pending", times=None)
    registry = DatasetRegistry(_via_proxy(anvil, proxy), address)
    assert registry.count() == 0 and registry.count() == 0
    tags = [params[1] for params, _ in proxy.calls("eth_call")]
    assert tags == ["pending", "latest", "latest"]


def test_a_nonce_taken_by_another_sender_is_retried_with_a_fresh_one(chain):
    """Two state folders, one account: the other process's transaction takes our nonce first."""
    anvil, address, proxy = chain
    backend = _via_proxy(anvil, proxy)
    other = anvil.backend()  # the other process, straight to the node
    taken = {"type": 2, "chainId": 31337, "nonce": other.get_nonce(dev_address(0)), "to": dev_address(1),
             "value": 1, "data": b"", "gas": 21_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9}
    # the node answers our first send as it would once the other transaction is in
    proxy.inject("eth_sendRawTransaction", "rpc_error", code=-32003, message="nonce too low")
    other.send_raw_transaction(dev_signer(0).sign_transaction(taken))
    new_id, _ = DatasetRegistry(backend, address).register(dev_signer(0), os.urandom(32), ZERO32, "", 0)
    assert new_id == 1 and _count(anvil, address) == 1
    assert [outcome for _, outcome in proxy.calls("eth_sendRawTransaction")] == ["rpc_error", "forwarded"]
