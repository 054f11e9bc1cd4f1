"""A small JSON-RPC 2.0 client over HTTP(S) that retries transient failures only.

Why not web3's ``HTTPProvider``: importing web3 costs ~0.9 s per command, its
retries cover only an allow-list of read methods, and it raises on any non-2xx
HTTP status before looking at the body, so a JSON-RPC error carried by an HTTP
500 (a revert, say) would look like an outage and be retried. aiprov encodes
and signs everything itself; all it needs from a node is "send this request,
give me the result or the error". This is that, on ``http.client`` (keep-alive,
proxies from the environment, TLS verification: :mod:`.http`), where every
attempt has a hard deadline, so a silent or trickling server cannot hold a
command: an attempt gets at most ``timeout`` seconds, a request (its retries
included) at most ``deadline`` (the CLI sets both from ``--rpc-timeout`` /
``AIPROV_RPC_TIMEOUT``, default 20 s: 10 s per attempt).

What is retried (exponential backoff with jitter, ``retries`` times):
connection reset / dropped / timed out, HTTP 408/425/429/5xx without a JSON-RPC
answer, and JSON-RPC errors that mean "not now" (rate limits, a load-balanced
node that has not seen the block yet: "header not found"). Never retried: a
revert, any other JSON-RPC error, an ``eth_getLogs`` range the provider finds
too large (the caller splits it), and — before the node has ever answered — a
refused connection or an unknown host: that is "nothing is listening", and
saying so at once beats waiting out the backoff.

RPC URLs often carry API keys (``…/v3/<key>``, ``user:pass@``, ``?apikey=``):
messages name only ``scheme://host[:port]`` (:func:`redact_url`), and no
exception from the HTTP layer, whose text holds the full URL, is chained.
"""

from __future__ import annotations

import itertools
import json
import random
import ssl
import time
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

from ..errors import ChainError, InvalidArgument

#: HTTP statuses that mean "try again later" whatever the body says.
RETRY_HTTP_STATUSES = frozenset({408, 425, 429, 502, 503, 504})

#: JSON-RPC error messages (lower-cased substrings) that mean "not now".
TRANSIENT_MESSAGES = (
    "header not found",  # geth behind a load balancer: that node lags a block
    "unknown block",
    "rate limit",
    "too many requests",
    "request limit",
    "capacity exceeded",
    "temporarily unavailable",
    "service unavailable",
    "try again",
    "timed out",
    "timeout",
)
#: JSON-RPC error codes that mean "not now": 429 (some providers echo HTTP), -32005 (EIP-1474 limit exceeded).
TRANSIENT_CODES = frozenset({429, -32005})

#: ``eth_getLogs`` errors (lower-cased substrings) meaning "ask for a smaller block range".
LOG_RANGE_MESSAGES = (
    "query returned more than",  # Infura, geth: 10000 results
    "block range",  # Alchemy, Ankr, many others: "... up to a 2K block range"
    "range too large",
    "range is too large",
    "ranges over",
    "too many blocks",
    "exceed maximum block range",
    "response size",
    "too many results",
    "results exceed",
    "max results",
    "is limited to",
    "query exceeds",
)


def redact_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: no credentials, path, query or fragment.

    Providers put API keys in all of those places (Infura ``/v3/<key>``,
    ``https://user:key@host``, ``?apikey=``), so only the host is ever shown.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid URL>"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}{port}"
    if (parts.path not in ("", "/")) or parts.query:
        shown += "/…"
    return shown


def is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host in ("localhost", "::1") or host.startswith("127.")


def is_log_range_error(message: str) -> bool:
    text = message.lower()
    return any(p in text for p in LOG_RANGE_MESSAGES)


def is_revert(code: Any, message: str) -> bool:
    return code == 3 or "revert" in message.lower()


class RpcError(ChainError):
    """The node answered with a JSON-RPC error (not retried; exit 3 unless handled)."""

    def __init__(self, where: str, method: str, code: Any, message: str, data: Any = None) -> None:
        super().__init__(f"the node at {where} refused {method}: {message} (JSON-RPC error {code})")
        self.method = method
        self.code = code
        self.rpc_message = message
        self.data = data


class _Transient(Exception):
    """One failed attempt worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Unreachable(_Transient):
    """Nothing answered at all: connection refused, unknown host, connect timeout."""


class JsonRpcClient:
    """JSON-RPC over one HTTP(S) URL; ``request`` returns the result or raises.

    ``retries`` is the number of extra attempts after the first; waits grow
    ``backoff * 2**n`` seconds up to ``max_backoff``, each drawn uniformly from
    its upper half (jitter), and honour a server's ``Retry-After`` up to 30 s.
    ``timeout`` bounds each attempt, whole (connect: at most ``connect_timeout``
    of it); ``deadline`` bounds one request with its retries (default 2 × timeout).
    """

    def __init__(
        self,
        url: str,
        *,
        retries: int = 5,
        timeout: float = 10.0,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018  (raises ValueError on a bad port)
        except ValueError:
            ok = False
        if not ok:
            raise InvalidArgument(
                f"not an HTTP(S) JSON-RPC URL: {redact_url(url)}",
                hint="use a URL like http://127.0.0.1:8545 or https://sepolia.infura.io/v3/KEY",
            )
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.url = url
        self.where = redact_url(url)
        self.retries = retries
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else 2 * timeout
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._ids = itertools.count(1)
        self._connect_timeout = connect_timeout
        self._session = None
        #: whether the node ever answered; until then a refused connection fails at once
        self.reached = False

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- the retry loop ------------------------------------------------------

    def request(self, method: str, params: Sequence[Any] = (), *, retries: int | None = None) -> Any:
        """Call ``method``; the JSON ``result``. Raises :class:`RpcError` or ``ChainError``."""
        attempts = 1 + (self.retries if retries is None else retries)
        last: _Transient | None = None
        give_up = time.monotonic() + self.deadline
        out_of_time = False
        for attempt in range(attempts):
            if last is not None:
                wait = self.delay(attempt - 1, last.retry_after)
                if time.monotonic() + wait >= give_up:
                    out_of_time = True
                    break
                self._sleep(wait)
            left = give_up - time.monotonic()
            if left <= 0:
                out_of_time = True
                break
            try:
                return self._attempt(method, params, min(self.timeout, left))
            except _Unreachable as exc:
                if not self.reached:
                    raise self.unreachable(exc.reason) from None
                last = exc
            except _Transient as exc:
                last = exc
        assert last is not None
        if out_of_time or time.monotonic() >= give_up - 0.05:
            raise ChainError(
                f"the node at {self.where} did not answer {method} within {self.deadline:g} s "
                f"(last: {last.reason})",
                hint=f"the node may be down or overloaded: raise the limit with --rpc-timeout or "
                f"AIPROV_RPC_TIMEOUT (now {self.deadline:g} s), or use another RPC URL",
            )
        raise ChainError(
            f"the node at {self.where} did not answer {method} after {attempts} attempts "
            f"(last: {last.reason})",
            hint="the node may be down, overloaded or rate-limiting: try again in a while, "
            "or use another RPC URL",
        )

    def delay(self, n: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``n`` (0-based): exponential, jittered, capped."""
        cap = min(self.max_backoff, self.backoff * (2**n))
        wait = cap / 2 + random.uniform(0, cap / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, 30.0))
        return wait

    def unreachable(self, reason: str) -> ChainError:
        hint = (
            "start it with `aiprov node start`, or pass the right --rpc-url"
            if is_loopback_url(self.url)
            else "check the URL and your network connection"
        )
        return ChainError(f"cannot reach the node at {self.where} ({reason}); is it running?", hint=hint)

    # -- one attempt -----------------------------------------------------------

    def _http(self):
        if self._session is None:
            from .http import HttpTransport

            self._session = HttpTransport(self.url, connect_timeout=self._connect_timeout)
        return self._session

    def _attempt(self, method: str, params: Sequence[Any], timeout: float | None = None) -> Any:
        from .http import HttpFailure

        timeout = self.timeout if timeout is None else timeout
        payload = json.dumps(
            {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": list(params)}
        ).encode("utf-8")
        try:
            response = self._http().post(payload, timeout)
        except HttpFailure as exc:
            if exc.kind in ("refused", "unknown host", "connect timeout"):
                raise _Unreachable(exc.reason if exc.kind != "connect timeout" else "connection timed out") from None
            raise _Transient(exc.reason) from None
        self.reached = True
        return self._answer(method, response)

    def _answer(self, method: str, response) -> Any:
        status = response.status
        try:
            body = json.loads(response.body)
        except ValueError:
            body = None
        is_rpc = isinstance(body, dict) and ("result" in body or "error" in body)
        if status in RETRY_HTTP_STATUSES:
            raise _Transient(f"HTTP {status}", _retry_after(response))
        if is_rpc and body.get("error") is not None:
            self._raise_rpc_error(method, body["error"])
        if is_rpc and 200 <= status < 300:
            return body.get("result")
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        if status in (401, 403):
            raise ChainError(
                f"the node at {self.where} refused access (HTTP {status})",
                hint="check the API key or credentials in the RPC URL",
            )
        raise ChainError(
            f"the node at {self.where} did not answer {method} with JSON-RPC (HTTP {status})",
            hint="check that the RPC URL points at an Ethereum JSON-RPC endpoint",
        )

    def _raise_rpc_error(self, method: str, error: Any) -> None:
        if not isinstance(error, dict):
            error = {"message": str(error)}
        code = error.get("code")
        message = str(error.get("message", ""))
        data = error.get("data")
        if method == "eth_getLogs" and is_log_range_error(message):
            raise RpcError(self.where, method, code, message, data)
        if is_revert(code, message):
            raise RpcError(self.where, method, code, message, data)
        if code in TRANSIENT_CODES or any(p in message.lower() for p in TRANSIENT_MESSAGES):
            raise _Transient(f"{message} (JSON-RPC error {code})")
        raise RpcError(self.where, method, code, message, data)


def _retry_after(response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
