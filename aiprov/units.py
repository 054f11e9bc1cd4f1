"""What users type for assets, ids and amounts: ``dataset:3``, ``7``, ``0.01ether``.

Addresses and account names (``0xAbC…``, ``dev:N``) are parsed in :mod:`aiprov.chain.accounts`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import InvalidArgument

#: The kinds of asset the registries hold.
KINDS = ("dataset", "model")
#: Ids are uint48 on-chain (ids start at 1).
MAX_ID = 2**48 - 1

_ASSET_RE = re.compile(r"^(?:(dataset|model):)?(\d+)$")
_AMOUNT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(wei|gwei|ether|eth)?\s*$", re.IGNORECASE)
_UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}


def parse_kind(kind: str) -> str:
    """``dataset`` or ``model``."""
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def parse_id(value, what: str = "id") -> int:
    """A dataset or model id: a whole number from 1 to :data:`MAX_ID`."""
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise InvalidArgument(f"{what} must be a positive integer, got {value!r}") from None
    if isinstance(n, bool) or not 1 <= n <= MAX_ID:
        raise InvalidArgument(f"{what} must be a positive integer below 2**48, got {value!r}")
    return n


def parse_record_index(value) -> int:
    """A record's index in a records-mode dataset: a whole number from 0 (below 2**64)."""
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise InvalidArgument(f"a record index is a whole number from 0, got {value!r}") from None
    if isinstance(n, bool) or not 0 <= n < 2**64:
        raise InvalidArgument(f"a record index is a whole number from 0 below 2**64, got {value!r}")
    return n


def parse_asset(text: str) -> tuple[str, int]:
    """``dataset:3`` / ``model:7`` / ``3`` (a bare number is a dataset) → (kind, id)."""
    m = _ASSET_RE.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= MAX_ID:
        raise InvalidArgument(f"asset {text!r} is not dataset:ID, model:ID or a dataset id")
    return (m.group(1) or "dataset"), int(m.group(2))


def parse_amount(text: str) -> int:
    """``0.01ether``, ``10gwei``, ``12345`` (wei) → wei; no fractions of a wei."""
    m = _AMOUNT_RE.match(str(text))
    if not m:
        raise InvalidArgument(f"amount {text!r} is not like 0.01ether, 10gwei or 12345 (wei)")
    try:
        value = Decimal(m.group(1)) * (Decimal(10) ** _UNITS[(m.group(2) or "wei").lower()])
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a number
        raise InvalidArgument(f"amount {text!r} is not a number") from None
    if value != value.to_integral_value():
        raise InvalidArgument(f"amount {text!r} is not a whole number of wei")
    if value >= 2**256:
        raise InvalidArgument(f"amount {text!r} is too large")
    return int(value)


def format_wei(wei: int) -> str:
    """``0.01 ETH``-style rendering, exact."""
    if wei == 0:
        return "0 ETH"
    text = f"{Decimal(wei) / Decimal(10**18):f}".rstrip("0").rstrip(".")
    return f"{text} ETH"
