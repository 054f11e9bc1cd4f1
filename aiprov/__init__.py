"""aiprov — tamper-evident, auditable provenance for AI datasets and models on Ethereum.

    from aiprov import Client
    with Client() as aiprov:
        reg = aiprov.register_dataset("./data")

Importing this package is cheap: ``Client`` and the chain machinery load on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Client", "__version__"]


def __getattr__(name: str):
    if name == "Client":
        from .client import Client

        return Client
    raise AttributeError(f"module 'aiprov' has no attribute {name!r}")
