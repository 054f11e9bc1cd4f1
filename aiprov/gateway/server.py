"""``aiprov serve``: check the files against the chain, then run the app on uvicorn until SIGTERM.

Start-up (nothing is served unless all of it holds): the asset exists and is
not revoked; PATH hashes to exactly the asset's on-chain root; the account can
anchor the log (owner or manager). The chain connection is then closed — on
``local`` its lock is free for other aiprov commands — and reopened only for
short reads (see :mod:`aiprov.gateway.access_cache`) and for anchoring.

Stop: SIGTERM or Ctrl-C stops accepting connections, lets requests in flight
finish, anchors every entry not yet anchored, and exits 0 (130 for Ctrl-C).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass
from pathlib import Path


#: how uvicorn runs the app (the benchmark's baseline server uses the very same)
UVICORN_OPTIONS = dict(http="h11", lifespan="on", log_level="warning", access_log=False,
                       h11_max_incomplete_event_size=16 * 1024,  # bigger header blocks: refused by uvicorn
                       timeout_graceful_shutdown=10, server_header=False)


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    batch_interval: float = 60.0
    batch_size: int = 1000
    rate: float = 50.0
    burst: float = 100.0
    log_path: Path | None = None
    log_sync: str = "background"  # or "each" (see aiprov.gateway.logsync)


@dataclass
class PreparedGateway:
    asset: str
    kind: str
    asset_id: int
    root: Path
    manifest: object
    chain_id: int
    contract: str
    signer: object
    log_path: Path


def prepare(client, path, asset: str, log_path=None, progress=None) -> PreparedGateway:
    """Every start-up check; returns what the server needs (the chain connection is closed)."""
    from ..errors import AssetRevoked, ContentMismatch, InvalidPath
    from ..ownership import require_manager
    from ..units import parse_asset
    from .accesslog import default_log_path

    kind, asset_id = parse_asset(asset)
    name = f"{kind}:{asset_id}"
    root = Path(path)
    if not root.exists():
        raise InvalidPath(f"{path}: no such file or directory")
    manifest = client.hash(root, progress=progress)
    with client.session() as s:
        registry = s.registry(kind)
        record = registry.get(asset_id)
        if record.status == "revoked":
            raise AssetRevoked(f"{name} is revoked: its files are not served")
        on_chain = "0x" + bytes(record.root).hex() if isinstance(record.root, (bytes, bytearray)) else str(record.root)
        if on_chain.lower() != manifest.root.lower():
            raise ContentMismatch(
                f"{path} is not {name}: its root {manifest.root} differs from the on-chain root {on_chain}",
                hint=f"serve the registered files (`aiprov verify {kind} {path} --id {asset_id}` lists the changes)")
        require_manager(s, kind, asset_id)  # it signs the log's anchoring transactions
        signer = s.signer
        chain_id = s.backend.chain_id
        contract = s.leases.checksum_address
    log = Path(log_path) if log_path else default_log_path(client.home, chain_id, contract, name)
    return PreparedGateway(name, kind, asset_id, root, manifest, chain_id, contract, signer, log)


class _Server:
    """uvicorn's Server, minus re-raising the signal after a graceful stop (we exit ourselves)."""

    def __new__(cls, config):
        import uvicorn

        class Server(uvicorn.Server):
            stop_signal: int | None = None

            @contextlib.contextmanager
            def capture_signals(self):
                import threading

                if threading.current_thread() is not threading.main_thread():
                    yield
                    return
                originals = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
                try:
                    yield
                finally:
                    for sig, handler in originals.items():
                        signal.signal(sig, handler)
                    if self._captured_signals:
                        Server.stop_signal = self._captured_signals[0]

        return Server(config)


def build(client, prepared: PreparedGateway, options: ServeOptions, *, announce=None):
    """The app and its lifespan (log writer, anchoring task, final anchoring)."""
    from ..session import Session
    from .access_cache import AccessCache, ChainAccess
    from .accesslog import AccessLog
    from .anchor import Anchorer
    from .app import Gateway, GatewayConfig, build_app
    from .files import FileGuard
    from .request import Domain

    log = AccessLog(prepared.log_path, chain_id=prepared.chain_id, contract=prepared.contract, asset=prepared.asset,
                    sync=options.log_sync)
    guard = FileGuard(prepared.root, prepared.manifest)
    chain = ChainAccess(client.network, client.home, prepared.kind, prepared.asset_id, rpc_url=client.rpc_url)
    access = AccessCache(chain)
    config = GatewayConfig(prepared.asset, Domain(prepared.chain_id, prepared.contract),
                           rate=options.rate, burst=options.burst)
    gateway = Gateway(config, guard, log, access)

    def open_session():
        from ..chain.networks import open_backend

        return Session(open_backend(client.network, client.home, rpc_url=client.rpc_url,
                                    confirmations=client.confirmations), client.home, None)

    anchorer = Anchorer(log, open_session, prepared.signer, prepared.kind, prepared.asset_id,
                        interval=options.batch_interval, max_entries=options.batch_size, chain=chain)
    gateway.anchorer = anchorer
    info = {"format": "aiprov-gateway/1", "asset": prepared.asset, "chain_id": prepared.chain_id,
            "contract": prepared.contract, "root": prepared.manifest.root, "files": prepared.manifest.file_count}

    async def announce_when_listening():
        while not getattr(gateway.server, "started", False):
            await asyncio.sleep(0.01)
        if announce:
            announce()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        gateway.replay_floor = log.begin_run()
        if gateway.replay_floor is not None:
            print("aiprov serve: warning: the previous run of this gateway did not stop cleanly and the machine "
                  "may have lost power since: for 5 minutes only requests expiring after "
                  f"{gateway.replay_floor:.0f} are served (no request of the previous run can be replayed)",
                  file=sys.stderr, flush=True)
        log.start_writer()
        stopping = asyncio.Event()
        task = asyncio.create_task(anchorer.run(stopping))
        announcing = asyncio.create_task(announce_when_listening())
        try:
            yield
        finally:
            announcing.cancel()
            stopping.set()
            await task
            log.stop_writer()  # every queued entry is committed first
            try:
                await asyncio.to_thread(anchorer.anchor_pending)
            except Exception as exc:  # noqa: BLE001 - say so; the next start anchors them
                first, last = log.unbatched()
                print(f"aiprov serve: warning: could not anchor entries {first}-{last} on shutdown ({exc}); "
                      "the next `aiprov serve` of this asset anchors them", file=sys.stderr, flush=True)
            try:
                log.end_run()
            except Exception as exc:  # noqa: BLE001 - the next start then guards against replays
                print(f"aiprov serve: warning: could not record the clean stop in the access log ({exc})",
                      file=sys.stderr, flush=True)
            chain.close()

    gateway.server = None  # set by run(); the TestClient has none and announces nothing
    return build_app(gateway, lifespan=lifespan, info=info), gateway


def run(client, prepared: PreparedGateway, options: ServeOptions, *, announce=None) -> int:
    """Serve until SIGTERM / Ctrl-C; the exit code (0, or 130 after Ctrl-C)."""
    import uvicorn

    from ..errors import EnvironmentFailure

    app, gateway = build(client, prepared, options, announce=announce)
    config = uvicorn.Config(app, host=options.host, port=options.port, **UVICORN_OPTIONS)
    server = gateway.server = _Server(config)
    try:
        asyncio.run(server.serve())
    except SystemExit:  # uvicorn's answer to a socket it cannot bind
        pass
    if not server.started and server.stop_signal is None:
        raise EnvironmentFailure(f"could not listen on {options.host}:{options.port} (in use?)",
                                 hint="pick another --port")
    return 130 if server.stop_signal == signal.SIGINT else 0
