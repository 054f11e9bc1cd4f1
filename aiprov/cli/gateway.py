"""``aiprov serve`` and ``aiprov fetch``: the lease-enforcing data gateway and its client."""

from __future__ import annotations

import click

from .options import Env, command_options
from .output import console, emit_json, hashing_progress, human_size


@click.command("serve")
@click.argument("path", type=click.Path(exists=False, file_okay=True, dir_okay=True))
@click.option("--asset", required=True, metavar="ASSET", help="dataset:ID or model:ID whose files PATH holds.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--batch-interval", default=60.0, show_default=True, type=click.FloatRange(0.05, 86400), metavar="SECONDS",
              help="Anchor the access log at least this often (when it has new entries).")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000), metavar="M",
              help="Anchor as soon as M entries wait.")
@click.option("--rate", default=50.0, show_default=True, type=click.FloatRange(0.1, 1e6), metavar="N",
              help="Requests per second allowed per account (bursts of 2N).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Access log file [default: $AIPROV_HOME/gateway/<chain>-<contract>/<asset>.sqlite].")
@click.option("--log-sync", type=click.Choice(["background", "each"]), default="background", show_default=True,
              help="When log entries reach the disk. Both commit an attempt's entry and nonce before any byte is "
                   "sent (a crash or kill -9 loses nothing); background fsyncs them within ~50 ms (a power loss "
                   "may drop that much), each waits for the fsync before every response.")
@command_options()
def serve(env: Env, path, asset, host, port, batch_interval, batch_size, rate, log_path, log_sync) -> int:
    """Serve ASSET's registered files from PATH to accounts with access now.

    Every request must carry an EIP-712 signature (aiprov fetch makes them) by an
    account with a live lease, or the asset's owner or a manager. Every attempt,
    allowed or denied, is logged and anchored on-chain in batches by --account
    (the owner or a manager). SIGTERM or Ctrl-C stops it after anchoring.

    \b
    Examples:
      aiprov serve ./data --asset dataset:3 --port 8000
      aiprov serve ./model --asset model:7 --batch-interval 30 --network anvil
      aiprov serve ./data --asset dataset:3 --log-sync each   # every response on disk first
    """
    from ..gateway.server import ServeOptions, prepare, run

    client = env.client()
    with hashing_progress(not env.json) as progress:
        prepared = prepare(client, path, asset, log_path=log_path, progress=progress)
    options = ServeOptions(host=host, port=port, batch_interval=batch_interval, batch_size=batch_size,
                           rate=rate, burst=2 * rate, log_path=prepared.log_path, log_sync=log_sync)

    def announce():
        doc = {"serving": prepared.asset, "url": f"http://{host}:{port}", "files": prepared.manifest.file_count,
               "root": prepared.manifest.root, "chain_id": prepared.chain_id, "contract": prepared.contract,
               "log": str(prepared.log_path), "account": prepared.signer.address}
        if env.json:
            emit_json(doc)
        else:
            console().print(f"serving {prepared.asset} ({prepared.manifest.file_count} files, root "
                            f"{prepared.manifest.root}) on http://{host}:{port}\n"
                            f"access log {prepared.log_path}, anchored by {prepared.signer.address}")
        import sys

        sys.stdout.flush()

    return run(client, prepared, options, announce=announce)


class _FetchProgress:
    def __init__(self, progress) -> None:
        self._progress, self._task = progress, None

    def start(self, total_files: int, total_bytes: int) -> None:
        self._task = self._progress.add_task(f"fetching {total_files} files", total=total_bytes)

    def advance(self, nbytes: int) -> None:
        self._progress.advance(self._task, nbytes)


@click.command("fetch")
@click.argument("url")
@click.argument("asset")
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--file", "files", multiple=True, metavar="REL", help="Fetch only this file (repeatable).")
@command_options(waits=False)
def fetch(env: Env, url, asset, dest, files) -> int:
    """Download ASSET from the gateway at URL into DEST, verified against the on-chain root.

    Each request is signed by --account. Exit 0 only when every file matches its
    registered digest; 1 when access is denied or anything does not verify
    (nothing half-written is left behind). Interrupted downloads resume.

    \b
    Examples:
      aiprov fetch http://127.0.0.1:8000 dataset:3 ./data --account dev:1
      aiprov fetch http://host:8000 model:7 ./model --file config.json --account alice
    """
    with hashing_progress(not env.json) as hp:
        progress = _FetchProgress(hp._progress) if hp is not None else None
        result = env.client().fetch(url, asset, dest, files=files, progress=progress)
    if env.json:
        emit_json(result.to_json())
        return 0
    fetched = sum(1 for f in result.files if f["status"] != "present")
    console().print(f"fetched {result.asset}: {len(result.files)} files verified against root {result.root} "
                    f"({fetched} downloaded, {human_size(result.bytes)}) into {result.dest}")
    return 0


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(fetch)


