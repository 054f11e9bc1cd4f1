"""One HTTP(S) POST with a hard deadline: what a JSON-RPC node is asked through.

Why not ``requests``: its timeouts bound each socket read, not the request, so
a server that accepts the connection and then sends one byte every few
seconds keeps it waiting forever (and importing it costs ~80 ms per command).
Here every attempt has one deadline for everything — connecting (at most
``connect_timeout`` of it), sending, the status line, the headers, the body:
a watchdog shuts the socket down when the deadline passes, which ends a read
that is blocked or trickling at once.

- Keep-alive: one connection per :class:`HttpTransport`, reopened after any error.
- Proxies: ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``NO_PROXY`` from the environment,
  never for loopback URLs; ``https`` through a proxy tunnels with CONNECT.
- TLS: the system trust store, or ``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``.

Failures are :class:`HttpFailure` with ``kind`` ``"refused"``, ``"unknown host"``,
``"connect timeout"`` (nothing answered: the node is not there), ``"timeout"``
(no complete answer in time), ``"reset"``, ``"dropped"`` or ``"broken"``.
Messages never hold the URL (it may carry an API key).
"""

from __future__ import annotations

import base64
import http.client
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class HttpFailure(Exception):
    """One attempt that got no HTTP answer; ``kind`` says how."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _proxy_for(scheme: str, host: str) -> str | None:
    if _loopback(host):
        return None
    from urllib.request import getproxies_environment, proxy_bypass_environment

    proxies = getproxies_environment()
    if not proxies.get(scheme) or proxy_bypass_environment(host, proxies):
        return None
    return proxies[scheme]


def _tls_context() -> ssl.SSLContext:
    cafile = os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE") or None
    return ssl.create_default_context(cafile=cafile)


class HttpTransport:
    """POSTs to one URL over a kept-alive connection; each call bounded by its own deadline."""

    def __init__(self, url: str, *, connect_timeout: float = 5.0, user_agent: str = "aiprov") -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        path = parts.path or "/"
        self.path = path + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Content-Type": "application/json", "User-Agent": user_agent, "Accept": "application/json"}
        if parts.username is not None:  # https://user:key@host — basic auth, as browsers and requests do
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        self.connect_timeout = connect_timeout
        self._proxy = _proxy_for(self.scheme, self.host)
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _open(self, deadline: float) -> http.client.HTTPConnection:
        timeout = max(0.001, min(self.connect_timeout, deadline - time.monotonic()))
        target_host, target_port, path = self.host, self.port, self.path
        headers = dict(self.headers)
        if self._proxy is not None:
            proxy = urlsplit(self._proxy if "://" in self._proxy else f"http://{self._proxy}")
            host, port = proxy.hostname or "", proxy.port or 80
            if proxy.username is not None:
                token = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
                proxy_auth = {"Proxy-Authorization": "Basic " + base64.b64encode(token).decode()}
            else:
                proxy_auth = {}
            if self.scheme == "https":
                conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=_tls_context())
                conn.set_tunnel(target_host, target_port, headers=proxy_auth)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                path = f"http://{target_host}:{target_port}{self.path}"
                headers.update(proxy_auth)
        elif self.scheme == "https":
            conn = http.client.HTTPSConnection(target_host, target_port, timeout=timeout, context=_tls_context())
        else:
            conn = http.client.HTTPConnection(target_host, target_port, timeout=timeout)
        try:
            conn.connect()
        except socket.gaierror:
            conn.close()
            raise HttpFailure("unknown host", "unknown host") from None
        except ConnectionRefusedError:
            conn.close()
            raise HttpFailure("refused", "connection refused") from None
        except (socket.timeout, TimeoutError):
            conn.close()
            raise HttpFailure("connect timeout", f"no connection within {timeout:.3g} s") from None
        except ssl.SSLError as exc:  # before OSError: it is one
            conn.close()
            verify = getattr(exc, "verify_message", None) or exc.reason or type(exc).__name__
            raise HttpFailure("refused", f"TLS failed: {verify} (certificate, or not an HTTPS server)") from None
        except OSError as exc:
            conn.close()
            raise HttpFailure("refused", f"cannot connect ({exc.strerror or type(exc).__name__})") from None
        conn._aiprov_path = path  # type: ignore[attr-defined]
        conn._aiprov_headers = headers  # type: ignore[attr-defined]
        return conn

    def post(self, body: bytes, timeout: float) -> HttpAnswer:
        """POST ``body``; the whole exchange (connect included) ends within ``timeout`` seconds."""
        started = time.monotonic()
        deadline = started + timeout
        fresh = self._conn is None
        conn = self._conn or self._open(deadline)
        self._conn = conn
        sock = conn.sock
        expired = threading.Event()

        def cut() -> None:  # the deadline passed: end any blocked or trickling read now
            expired.set()
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        left = deadline - time.monotonic()
        if left <= 0:
            self.close()
            raise HttpFailure("timeout", f"no answer within {timeout:g} s")
        watchdog = threading.Timer(left, cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            sock.settimeout(left)
            conn.request("POST", conn._aiprov_path, body=body, headers=conn._aiprov_headers)  # type: ignore[attr-defined]
            response = conn.getresponse()
            data = response.read()
            if expired.is_set():  # cut off mid-answer: what was read is not the whole answer
                raise TimeoutError
            answer = HttpAnswer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
            if response.will_close:
                self.close()
            return answer
        except BaseException as exc:
            self.close()
            if expired.is_set() or isinstance(exc, (socket.timeout, TimeoutError)):
                raise HttpFailure("timeout", f"no complete answer within {timeout:g} s") from None
            if isinstance(exc, http.client.RemoteDisconnected) or isinstance(exc, BrokenPipeError):
                # a kept-alive connection the server had closed: worth one more try at once
                raise HttpFailure("dropped" if fresh else "stale", "connection dropped") from None
            if isinstance(exc, ConnectionResetError):
                raise HttpFailure("reset", "connection reset") from None
            if isinstance(exc, (http.client.HTTPException, OSError)):
                raise HttpFailure("broken", f"broken response ({type(exc).__name__})") from None
            raise
        finally:
            watchdog.cancel()
