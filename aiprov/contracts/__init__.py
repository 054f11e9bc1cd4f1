"""Compiled aiprov contracts: ABI and bytecode, shipped as generated JSON artifacts.

The artifacts in ``artifacts/`` are written by ``make contracts`` (``tools/contracts/build.py``) from the
Solidity sources in the repository's ``contracts/`` folder and must never be edited by hand.
Users of the package need no compiler. Importing this module imports nothing heavy (no web3).

    >>> from aiprov.contracts import load_artifact
    >>> artifact = load_artifact("DatasetRegistry")
    >>> artifact["abi"], artifact["bytecode"]
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["CONTRACT_NAMES", "load_artifact"]

#: The contracts shipped as artifacts (one ``artifacts/<name>.json`` each).
CONTRACT_NAMES: tuple[str, ...] = ("DatasetRegistry", "ModelRegistry", "AccessLeases")


@cache
def _load(name: str) -> dict[str, Any]:
    text = (
        resources.files(__name__).joinpath("artifacts", f"{name}.json").read_text(encoding="utf-8")
    )
    return json.loads(text)


def load_artifact(name: str) -> dict[str, Any]:
    """The artifact of contract ``name``: ``abi``, ``bytecode``, ``deployedBytecode``, ...

    The result is cached and shared: treat it as read-only.
    Raises ``KeyError`` for a name not in :data:`CONTRACT_NAMES`.
    """
    if name not in CONTRACT_NAMES:
        raise KeyError(f"unknown contract {name!r}; known: {', '.join(CONTRACT_NAMES)}")
    return _load(name)
