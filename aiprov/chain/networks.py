"""Named networks and how to open a backend for one.

Built in: ``local`` — the embedded chain under the state directory. Real
networks (Anvil, Sepolia, any JSON-RPC URL, ``aiprov.toml``) plug in here.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidArgument
from .backend import Backend

DEV_NETWORKS = frozenset({"local"})
KNOWN_NETWORKS = ("local",)


def is_dev_network(name: str) -> bool:
    return name in DEV_NETWORKS


def open_backend(network: str, home: Path, *, rpc_url: str | None = None) -> Backend:
    """Connect to ``network``. The caller closes the returned backend."""
    if rpc_url:
        raise InvalidArgument(
            "--rpc-url is not supported yet: this build of aiprov anchors on the embedded "
            "`local` chain only"
        )
    if network == "local":
        from .local import LocalChain

        return LocalChain(home)
    raise InvalidArgument(
        f"unknown network {network!r}; known networks: {', '.join(KNOWN_NETWORKS)}"
    )
