"""The Starlette app behind ``aiprov serve``: every request checked, logged, then answered.

Routes (all GET)::

    /v1/info            what is served (asset, chain id, AccessLeases address); no data
    /v1/manifest        the asset's manifest (aiprov-manifest/1), for holders; signs path ""
    /v1/files/{path}    one manifest entry's bytes (Range: one range), for holders

The checks of a data request, in order (the first failing one answers, with a
JSON ``{"error": {"status", "reason", "message"}, "log_seq"}`` and no data):

| status | reason                                   | when |
|--------|------------------------------------------|------|
| 431    | headers-too-large                        | more than 8 KiB or 64 header lines |
| 401    | unsigned / malformed                     | X-Aiprov-* headers missing or garbled |
| 401    | wrong-chain                              | signed for another chain id |
| 403    | wrong-asset                              | signed for another asset |
| 401    | expired / expiry-too-far                 | expiresAt passed, or more than 5 minutes ahead |
| 401    | replay-guard                             | after a possible power loss: expiresAt before start + 5 min (see logsync) |
| 401    | bad-signature                            | does not recover to X-Aiprov-Account (EIP-712 domain mismatch too) |
| 429    | rate-limited                             | the account is over its rate (or the client address, for refusals before an account is proven) |
| 403    | no-access                                | ``hasAccess`` is false now (no lease, expired, revoked) |
| 404    | not-in-manifest                          | not a manifest entry (``../``, ``%2e%2e``, absolute, unknown) |
| 403    | symlink-escape                           | the entry now resolves to another file than at start |
| 409    | digest-mismatch / file-missing           | the file no longer has its registered digest |
| 416    | bad-range                                | a Range header other than one satisfiable range |
| 401    | nonce-reused                             | this signed request was seen before (decided in the log's commit) |
| 503    | chain-unavailable                        | the chain could not be read: nothing is served |
| 503    | log-unavailable                          | the access log could not be written (or fsynced): nothing is served |

The log entry (and nonce) is committed to the log before the response starts
(fsynced before it too with ``--log-sync each``; see :mod:`aiprov.gateway.logsync`).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from ..manifest.keccak import keccak256
from .request import MAX_LIFETIME, BadRequest, Domain, from_headers, recover

MAX_HEADER_BYTES = 8192
MAX_HEADER_LINES = 64
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass
class GatewayConfig:
    asset: str  # canonical "dataset:3"
    domain: Domain
    rate: float = 50.0  # requests per second per account (token bucket)
    burst: float = 100.0


class RateLimiter:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return False
        if len(self._buckets) > 100_000:
            self._buckets.clear()
        self._buckets[key] = (tokens - 1, now)
        return True


class _Refused(Exception):
    def __init__(self, status: int, reason: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.extra = status, reason, message, extra


def _range_length(header: str | None, size: int) -> int:
    """Bytes a Range header asks of a ``size``-byte file (the whole file without one)."""
    if header is None:
        return size
    m = _RANGE.fullmatch(header.strip())
    if not m or (m.group(1) == "" and m.group(2) == ""):
        raise _Refused(416, "bad-range", "only one byte range (bytes=A-B, A- or -N) is served")
    if m.group(1) == "":
        n = int(m.group(2))
        if n == 0:
            raise _Refused(416, "bad-range", "an empty suffix range")
        return min(n, size)
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        raise _Refused(416, "bad-range", f"range {header} is not satisfiable for {size} bytes")
    return min(end, size - 1) - start + 1


class Gateway:
    """Holds what the app needs: the files, the log, the access cache, the limits."""

    def __init__(self, config: GatewayConfig, guard, log, access) -> None:
        self.config = config
        self.guard = guard
        self.log = log
        self.access = access
        self.limiter = RateLimiter(config.rate, config.burst)
        self.anon_limiter = RateLimiter(config.rate, config.burst)
        self._separator = config.domain.separator()
        self._asset_hash = keccak256(config.asset.encode())
        self._path_hashes: dict[str, bytes] = {}  # keccak256 of manifest paths, filled as they are asked for
        self._batch: list = []
        self._checksummed: dict[str, str] = {}
        self.served_bytes = 0
        self.replay_floor: float | None = None  # set at start after a possible power loss (logsync)

    async def _append(self, **fields) -> tuple[int | None, bool, str]:
        """Log one entry; returns once it is durable. Entries of one loop tick go as one batch."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._batch.append((fields, fut))
        if len(self._batch) == 1:
            loop.call_soon(self._flush, loop)
        return await fut

    def _flush(self, loop) -> None:
        batch, self._batch = self._batch, []
        futures = [fut for _, fut in batch]

        def resolve(results):
            for fut, result in zip(futures, results):
                if not fut.done():
                    fut.set_result(result)

        rows = [fields for fields, _ in batch]
        if self.log.inline:  # a commit without fsync: cheaper here than a hop to a thread and back
            resolve(self.log.write(rows))
        else:
            self.log.submit(rows, lambda results: loop.call_soon_threadsafe(resolve, results))

    async def handle(self, request, path: str | None):
        """Check, log, answer. ``path`` None: the manifest index."""
        from starlette.responses import Response

        client = f"{request.client.host}:{request.client.port}" if request.client else ""
        signed_path = "" if path is None else path
        fields = {"time": int(time.time()), "path": signed_path, "client": client}
        try:
            target = await self._check(request, signed_path, path, fields)
        except _Refused as r:
            if "account" not in fields and not self.anon_limiter.allow(client.rsplit(":", 1)[0]):
                # refused before any account was proven (unsigned, expired, bad signature …): per address
                r = _Refused(429, "rate-limited", "too many refused requests from this address")
            fields.update(granted=False, reason=r.reason, bytes=0, status=r.status)
            seq, _, _ = await self._append(**fields)
            if seq is None:
                return _error(503, "log-unavailable", "the access log cannot be written; nothing is served", None)
            return _error(r.status, r.reason, r.message, seq, **r.extra)
        fields.update(granted=True, reason="ok", status=200 if target[2] is None else 206)
        seq, granted, reason = await self._append(**fields)
        if seq is None:
            return _error(503, "log-unavailable", "the access log cannot be written; nothing is served", None)
        if not granted:
            if reason == "log-unavailable":
                return _error(503, reason, "the access log is not reaching the disk; nothing is served", seq)
            return _error(401, reason, "this signed request was already used: sign a new one (fresh nonce)", seq)
        self.served_bytes += fields["bytes"]
        if path is None:
            return Response(_manifest_bytes(self.guard), media_type="application/json",
                            headers={"X-Aiprov-Log-Seq": str(seq), "Cache-Control": "no-store"})
        real, entry, _, st = target
        return _file_response(real, entry, seq, st)

    async def _check(self, request, signed_path: str, path: str | None, fields: dict):
        raw = request.headers.raw
        if len(raw) > MAX_HEADER_LINES or sum(len(k) + len(v) for k, v in raw) > MAX_HEADER_BYTES:
            raise _Refused(431, "headers-too-large", f"request headers over {MAX_HEADER_BYTES} bytes or "
                                                     f"{MAX_HEADER_LINES} lines")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw}  # names come lower-cased
        if len(headers) != len(raw):
            names = [k for k, _ in raw]
            if any(names.count(k) > 1 for k in set(names) if k.startswith(b"x-aiprov-") or k == b"range"):
                raise _Refused(401, "malformed", "an X-Aiprov-* or Range header appears twice")
        try:
            signed = from_headers(headers, signed_path)
        except BadRequest as exc:
            raise _Refused(401, exc.reason, str(exc)) from None
        req = signed.request
        cfg = self.config
        if signed.chain_id != cfg.domain.chain_id:
            raise _Refused(401, "wrong-chain", f"signed for chain {signed.chain_id}; this gateway is on chain "
                                               f"{cfg.domain.chain_id}")
        if req.asset != cfg.asset:
            raise _Refused(403, "wrong-asset", f"signed for {req.asset}; this gateway serves {cfg.asset}")
        now = time.time()
        if req.expires_at <= now:
            raise _Refused(401, "expired", "the signed request has expired: sign a new one")
        if req.expires_at > now + MAX_LIFETIME:
            raise _Refused(401, "expiry-too-far", f"expiresAt is more than {MAX_LIFETIME} s ahead")
        floor = self.replay_floor
        if floor is not None and req.expires_at <= floor:
            if now > floor:
                self.replay_floor = None  # every request of the previous run has expired
            else:
                raise _Refused(401, "replay-guard", f"this gateway restarted after a possible power loss: until "
                                                    f"{floor:.0f} only requests with expiresAt after {floor:.0f} "
                                                    "are served (sign with a later expiresAt)", expires_after=int(floor))
        path_hash = self._path_hashes.get(signed_path)
        if path_hash is None:
            path_hash = keccak256(signed_path.encode("utf-8"))
            if signed_path == "" or self.guard.entry(signed_path) is not None:  # bounded by the manifest
                self._path_hashes[signed_path] = path_hash
        digest = req.digest_with(self._separator, self._asset_hash, path_hash)
        signer = recover(digest, signed.signature)
        if signer is None or signer != signed.account:
            raise _Refused(401, "bad-signature", "the signature does not match the request and account "
                                                 "(wrong key, chain, contract or field)")
        account = self._checksummed.get(signer)
        if account is None:
            from eth_utils import to_checksum_address

            if len(self._checksummed) > 100_000:
                self._checksummed.clear()
            account = self._checksummed[signer] = to_checksum_address(signer)
        fields.update(account=account, request=digest, nonce=req.nonce, signature=signed.signature)
        if not self.limiter.allow(account):
            raise _Refused(429, "rate-limited", "too many requests from this account; slow down")
        try:
            allowed = await self.access.allowed(account)
        except Exception as exc:  # noqa: BLE001 - chain unreachable or failing: refuse, say why
            raise _Refused(503, "chain-unavailable", f"cannot read access rights from the chain now "
                                                     f"({type(exc).__name__}); try again") from None
        if not allowed:
            raise _Refused(403, "no-access", f"{account} has no access to {cfg.asset} now "
                                             "(no lease, expired or revoked)")
        if path is None:
            fields["bytes"] = len(_manifest_bytes(self.guard))
            return (None, None, None, None)
        from .files import Refusal

        try:
            found = self.guard.check(path, rehash=False)
            if found is None:
                found = await asyncio.to_thread(self.guard.check, path)
        except Refusal as r:
            raise _Refused(r.status, r.reason, r.message) from None
        real, size, st = found
        rng = headers.get("range")
        fields["bytes"] = _range_length(rng, size)
        return (real, self.guard.entry(path), rng, st)


def _manifest_bytes(guard) -> bytes:
    cached = getattr(guard, "_manifest_json", None)
    if cached is None:
        import json

        cached = guard._manifest_json = json.dumps(guard.manifest.to_dict(), ensure_ascii=False,
                                                   separators=(",", ":")).encode()
    return cached


def _error(status: int, reason: str, message: str, seq: int | None, **extra):
    from starlette.responses import JSONResponse

    headers = {"Cache-Control": "no-store"}
    if seq is not None:
        headers["X-Aiprov-Log-Seq"] = str(seq)
    if status == 429:
        headers["Retry-After"] = "1"
    return JSONResponse({"error": {"status": status, "reason": reason, "message": message, **extra}, "log_seq": seq},
                        status_code=status, headers=headers)


_SERVED = None


def _file_response(real: str, entry, seq: int, st):
    global _SERVED
    if _SERVED is None:
        from starlette.responses import FileResponse

        class Served(FileResponse):
            async def __call__(self, scope, receive, send):
                # If-Range could turn a range into the whole file behind the log's back: ignore it
                scope = dict(scope, headers=[h for h in scope["headers"] if h[0] != b"if-range"])
                await super().__call__(scope, receive, send)

        _SERVED = Served
    return _SERVED(real, media_type="application/octet-stream", stat_result=st,
                   headers={"X-Aiprov-Log-Seq": str(seq), "X-Aiprov-Sha256": entry.sha256, "Cache-Control": "no-store"})


def build_app(gateway: Gateway, *, lifespan=None, info: dict | None = None):
    """The Starlette app over ``gateway``."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def info_route(request):
        return JSONResponse(info or {})

    async def manifest_route(request):
        return await gateway.handle(request, None)

    async def file_route(request):
        return await gateway.handle(request, request.path_params["path"])

    return Starlette(routes=[
        Route("/v1/info", info_route),
        Route("/v1/manifest", manifest_route),
        Route("/v1/files/{path:path}", file_route),
    ], lifespan=lifespan)
