"""``aiprov fetch``: signed downloads from ``aiprov serve``, verified against the on-chain root.

1. From the chain (then the connection is closed): the asset's root and status,
   the chain id and AccessLeases address (the EIP-712 domain), the signer.
2. ``GET /v1/manifest`` (signed): the manifest must hash to the on-chain root.
3. Each file (signed, one fresh nonce per request) streams into
   ``DEST/.aiprov/partial/<sha256>.part``; its size and SHA-256 must match the
   manifest entry, then it is renamed to ``DEST/<path>`` (atomic). A file
   already at DEST with the right digest is kept. An interrupted download
   resumes with a Range request; a refused or wrong one leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..errors import AssetRevoked, CheckFailed, ContentMismatch, EnvironmentFailure, InvalidArgument
from .request import INDEX_PATH, MAX_LIFETIME, Domain, new_request, to_headers

PARTIAL_DIR = Path(".aiprov") / "partial"
CHUNK = 1 << 20


class AccessDenied(CheckFailed):
    """The gateway refused the request (no lease, expired, revoked, bad signature …)."""


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


class GatewayClient:
    def __init__(self, url: str, asset: str, domain: Domain, signer, *, timeout: float = 30.0) -> None:
        import requests

        self.url = url.rstrip("/")
        self.asset = asset
        self.domain = domain
        self.signer = signer
        self.timeout = timeout
        self.http = requests.Session()

    def close(self) -> None:
        self.http.close()

    def get(self, path: str | None, *, extra_headers=None, stream=False):
        """A signed GET of the manifest (path None) or a file; retries on 429."""
        import requests

        url = f"{self.url}/v1/manifest" if path is None else f"{self.url}/v1/files/{_quote(path)}"
        expires_after = None
        for attempt in range(6):
            now = int(time.time())
            lifetime = 120 if expires_after is None else max(120, expires_after + 1 - now)
            signed = new_request(self.asset, INDEX_PATH if path is None else path, self.domain,
                                 self.signer._key, self.signer.address, lifetime=lifetime, now=now)
            headers = dict(to_headers(signed), **(extra_headers or {}))
            try:
                resp = self.http.get(url, headers=headers, stream=stream, timeout=self.timeout)
            except requests.RequestException as exc:
                raise EnvironmentFailure(f"cannot reach the gateway at {self.url}: {exc.__class__.__name__}",
                                         hint="is `aiprov serve` running there?") from None
            if resp.status_code == 429 and attempt < 5:
                resp.close()
                time.sleep(float(resp.headers.get("Retry-After", "1")))
                continue
            if resp.status_code in (200, 206):
                return resp
            reason, message, extra = _error_of(resp)
            if reason == "replay-guard" and expires_after is None and isinstance(extra.get("expires_after"), int):
                expires_after = extra["expires_after"]  # a gateway restarted after a power loss: sign for later
                time.sleep(min(5.0, max(0.0, expires_after + 1 - MAX_LIFETIME - time.time())))  # (its first second)
                continue
            what = "the manifest" if path is None else path
            if resp.status_code in (401, 403, 404, 416, 429):
                raise AccessDenied(f"the gateway refused {what} ({resp.status_code} {reason}): {message}")
            if resp.status_code == 409:
                raise ContentMismatch(f"the gateway holds a changed copy of {what} ({reason}): {message}")
            raise EnvironmentFailure(f"the gateway answered {resp.status_code} for {what}: {message}")
        raise AssetRevoked("unreachable")  # pragma: no cover


def _error_of(resp) -> tuple[str, str, dict]:
    try:
        err = resp.json()["error"]
        return str(err.get("reason")), str(err.get("message")), err
    except Exception:  # noqa: BLE001 - not our gateway, or not JSON
        return "error", resp.text[:200], {}
    finally:
        resp.close()


def fetch(client, url: str, asset: str, dest, *, files=(), progress=None):
    from ..manifest import Manifest
    from ..results import FetchResult
    from ..units import parse_asset

    kind, asset_id = parse_asset(asset)
    name = f"{kind}:{asset_id}"
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise InvalidArgument(f"DEST {dest} exists and is not a directory")
    with client.session() as s:  # closed before any download: the gateway may need the local chain
        record = s.registry(kind).get(asset_id)
        if record.status == "revoked":
            raise AssetRevoked(f"{name} is revoked: its files are not fetched")
        domain = Domain(s.backend.chain_id, s.leases.checksum_address)
        signer = s.signer
        on_chain_root = record.root
    gw = GatewayClient(url, name, domain, signer)
    try:
        resp = gw.get(None)
        try:
            manifest = Manifest.from_dict(resp.json())
        except Exception as exc:  # noqa: BLE001 - any malformed document is a failed check
            raise ContentMismatch(f"the gateway's manifest is not a valid aiprov manifest: {exc}") from None
        if manifest.root.lower() != on_chain_root.lower():
            raise ContentMismatch(f"the gateway's manifest has root {manifest.root}, not {name}'s on-chain root "
                                  f"{on_chain_root}: refusing its files")
        wanted = list(manifest.entries)
        if files:
            chosen = []
            for rel in files:
                try:
                    chosen.append(manifest.entry(rel))
                except KeyError:
                    raise InvalidArgument(f"--file {rel}: not a file of {name}") from None
            wanted = list(dict.fromkeys(chosen))
        if progress is not None:
            progress.start(len(wanted), sum(e.size for e in wanted))
        done = [_fetch_one(gw, dest, e, progress) for e in wanted]
    finally:
        gw.close()
    partial = dest / PARTIAL_DIR
    with _suppress():
        partial.rmdir()
        partial.parent.rmdir()
    return FetchResult(asset=name, url=url, dest=str(dest), root=manifest.root, verified=True,
                       files=done, bytes=sum(f["downloaded"] for f in done))


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _fetch_one(gw: GatewayClient, dest: Path, entry, progress) -> dict:
    import requests

    final = dest / entry.path
    if not final.resolve().is_relative_to(dest.resolve()):  # e.g. a symlinked folder under DEST
        raise ContentMismatch(f"{entry.path}: would be written outside {dest}")
    if final.is_file() and final.stat().st_size == entry.size and _sha256(final) == entry.sha256:  # already there
        if progress is not None:
            progress.advance(entry.size)
        return {"path": entry.path, "size": entry.size, "sha256": entry.sha256, "status": "present", "downloaded": 0}
    part_dir = dest / PARTIAL_DIR
    part_dir.mkdir(parents=True, exist_ok=True)
    part = part_dir / f"{entry.sha256}.part"
    h = hashlib.sha256()
    have = 0
    if part.exists():
        have = part.stat().st_size
        if have > entry.size:
            part.unlink()
            have = 0
        else:
            with open(part, "rb") as f:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
    status = "resumed" if have else "downloaded"
    downloaded = 0
    if have < entry.size or entry.size == 0:
        extra = {"Range": f"bytes={have}-"} if have else None
        try:
            resp = gw.get(entry.path, extra_headers=extra, stream=True)
        except CheckFailed:
            part.unlink(missing_ok=True)  # refused: nothing of it stays under DEST
            raise
        with resp:
            if have and resp.status_code != 206:  # the server sent the whole file: start over
                h, have, status = hashlib.sha256(), 0, "downloaded"
            mode = "ab" if have else "wb"
            with open(part, mode) as out:
                try:
                    for chunk in resp.iter_content(CHUNK):
                        if have + downloaded + len(chunk) > entry.size:
                            downloaded = entry.size + 1  # more than registered: a wrong file
                            break
                        out.write(chunk)
                        h.update(chunk)
                        downloaded += len(chunk)
                        if progress is not None:
                            progress.advance(len(chunk))
                except requests.RequestException:
                    pass  # connection lost: what arrived stays in the partial file for a resume
                out.flush()
                os.fsync(out.fileno())
    size = have + downloaded
    if size < entry.size:
        raise EnvironmentFailure(f"{entry.path}: the download stopped at {size} of {entry.size} bytes",
                                 hint="run the same fetch again: it resumes")
    if size != entry.size or h.hexdigest() != entry.sha256:
        part.unlink(missing_ok=True)
        raise ContentMismatch(f"{entry.path}: the bytes received do not match the registered sha256 "
                              f"{entry.sha256}; nothing was written")
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, final)
    return {"path": entry.path, "size": entry.size, "sha256": entry.sha256, "status": status,
            "downloaded": downloaded}


def _sha256(path: Path) -> str | None:
    from ..errors import AiprovError
    from ..manifest.hashing import sha256_file

    try:
        return sha256_file(str(path))
    except (OSError, AiprovError):
        return None
