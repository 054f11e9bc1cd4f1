"""Signed requests and raw HTTP for the gateway tests (raw, so no client library tidies a path)."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass

from aiprov.chain.devkeys import dev_private_key
from aiprov.gateway.request import DataRequest, Domain, SignedRequest, new_request, sign, to_headers


def domain_of(server) -> Domain:
    info = server.info()
    return Domain(info["chain_id"], info["contract"])


def signed_headers(domain: Domain, path: str, *, dev: int = 1, asset: str = "dataset:1", claim: str | None = None,
                   expires_in: int = 120, header_chain: int | None = None) -> dict:
    from aiprov.chain.accounts import dev_signer

    signer = dev_signer(dev)
    signed = new_request(asset, path, domain, dev_private_key(dev), signer.address, lifetime=expires_in)
    headers = to_headers(signed)
    if claim is not None:
        headers["X-Aiprov-Account"] = claim
    if header_chain is not None:
        headers["X-Aiprov-Chain-Id"] = str(header_chain)
    return headers


@dataclass
class RawResponse:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


def raw_get(port: int, target: str, headers: dict | None = None, *, extra: bytes = b"") -> RawResponse:
    """``GET target`` exactly as written (no normalisation), Connection: close."""
    lines = [f"GET {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    data = ("\r\n".join(lines)).encode() + b"\r\n" + extra + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in header_lines:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return RawResponse(int(status_line.split()[1]), hdrs, body)


def _unchunk(body: bytes) -> bytes:
    out, rest = [], body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        n = int(size_line.split(b";")[0], 16)
        if n == 0:
            break
        out.append(rest[:n])
        rest = rest[n + 2:]
    return b"".join(out)


def foreign_request(domain: Domain, path: str, *, chain_id: int | None = None, contract: str | None = None,
                    dev: int = 1, asset: str = "dataset:1") -> dict:
    """Headers signed in another EIP-712 domain (another chain or contract), claiming ours."""
    import os

    from aiprov.chain.accounts import dev_signer

    other = Domain(chain_id or domain.chain_id, contract or domain.verifying_contract)
    req = DataRequest(asset, path, os.urandom(32), int(time.time()) + 60)
    signed = SignedRequest(req, dev_signer(dev).address.lower(), domain.chain_id, sign(req, other, dev_private_key(dev)))
    return to_headers(signed)
