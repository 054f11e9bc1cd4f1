"""What users type for assets, ids and amounts: ``dataset:3``, ``7``, ``0.01ether``.

Addresses and account names (``0xAbC…``, ``dev:N``) are parsed in :mod:`aiprov.chain.accounts`.
Numbers are ASCII digits only (``٣`` or ``３`` are not 3).

Amounts are exact integers of the token's smallest unit (wei for ETH) from the command
line to the chain and back: parsed on the digits as text (no floats, no ``Decimal``
context rounding), shown with every significant digit. Finer than one smallest unit,
negative, or beyond ``2**256 - 1`` is :class:`~aiprov.errors.InvalidArgument` (exit 2).

    >>> parse_amount("0.01ether")
    10000000000000000
    >>> format_wei(10 * 10**18)
    '10 ETH'
    >>> format_amount(1, decimals=6, symbol="USDC")
    '0.000001 USDC'
"""

from __future__ import annotations

import re

from .errors import InvalidArgument

#: The kinds of asset the registries hold.
KINDS = ("dataset", "model")
#: Ids are uint48 on-chain (ids start at 1).
MAX_ID = 2**48 - 1

_ASSET_RE = re.compile(r"^(?:(dataset|model):)?([0-9]+)$")  # ASCII digits only ([0-9], not \d)
_INT_RE = re.compile(r"^-?[0-9]{1,80}$")


def parse_int(value, what: str, *, low: int = 1, high: int = MAX_ID) -> int:
    """A whole number in ``[low, high]`` written with ASCII digits (no ``٣``, ``1_0``, ``1.0``); else exit 2."""
    if isinstance(value, bool):
        raise InvalidArgument(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip()
        if not _INT_RE.match(text):
            raise InvalidArgument(f"{what} must be a whole number (digits 0-9), got {value!r}")
        n = int(text)
    if not low <= n <= high:
        raise InvalidArgument(f"{what} must be between {low} and {high}, got {value!r}")
    return n


def parse_kind(kind: str) -> str:
    """``dataset`` or ``model``."""
    if kind not in KINDS:
        raise InvalidArgument(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def parse_id(value, what: str = "id") -> int:
    """A dataset or model id: a whole number from 1 to :data:`MAX_ID`."""
    if isinstance(value, bool) or not (isinstance(value, int) or _INT_RE.match(str(value).strip())):
        raise InvalidArgument(f"{what} must be a positive integer, got {value!r}")
    n = int(str(value).strip()) if not isinstance(value, int) else value
    if not 1 <= n <= MAX_ID:
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


# ---------------------------------------------------------------- amounts

#: Largest value a uint256 holds; amounts must fit.
MAX_UINT256 = 2**256 - 1
#: Unit suffixes for ETH amounts and their power of ten.
ETH_UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}
# ASCII digits only ([0-9], not \d, which also matches Arabic-Indic and other digits).
_AMOUNT_RE = re.compile(r"^([0-9]+)(?:\.([0-9]+))?\s*([A-Za-z]*)$")


def parse_amount(text: str | int, *, decimals: int = 18, units: dict[str, int] | None = None,
                 what: str = "amount") -> int:
    """``0.01ether`` / ``10gwei`` / ``12345`` (smallest units) → an exact integer.

    ``units`` maps suffixes to powers of ten (default: the ETH units; for a token,
    e.g. ``{"": 0, "usdc": 6}``). A bare number is in smallest units (wei).
    ``decimals`` is only used in messages about the token's precision.
    """
    if isinstance(text, bool):
        raise InvalidArgument(f"{what} {text!r} is not an amount")
    if isinstance(text, int):
        value = text
    else:
        table = ETH_UNITS if units is None else units
        example = "like 0.01ether, 10gwei or 12345 (wei)" if units is None else f"a number, optionally with {', '.join(u for u in table if u)}"
        m = _AMOUNT_RE.match(str(text).strip())
        if not m:
            raise InvalidArgument(f"{what} {text!r} is not {example}")
        whole, frac, unit = m.group(1), m.group(2) or "", m.group(3).lower()
        if unit and unit not in table:
            raise InvalidArgument(f"{what} {text!r}: unknown unit {unit!r} (use {', '.join(u for u in table if u)})")
        scale = table.get(unit, 0)  # a bare number is in smallest units
        if len(whole) > 90 or len(frac) > 90:  # far beyond 2**256 in any unit; refuse before big arithmetic
            raise InvalidArgument(f"{what} {text!r} is out of range (at most 2**256 - 1 wei)")
        significant = frac.rstrip("0")
        if len(significant) > scale:
            smallest = "wei" if units is None else "smallest unit"
            raise InvalidArgument(f"{what} {text!r} is finer than 1 {smallest}",
                                  hint=f"at most {scale} decimal places with {unit or 'no unit'}")
        value = int(whole) * 10**scale + (int(significant) * 10 ** (scale - len(significant)) if significant else 0)
    if value < 0:
        raise InvalidArgument(f"{what} must not be negative, got {text!r}")
    if value > MAX_UINT256:
        raise InvalidArgument(f"{what} {text!r} is out of range (at most 2**256 - 1 wei)")
    return value


def format_amount(value: int, *, decimals: int = 18, symbol: str = "ETH") -> str:
    """Every significant digit of ``value`` smallest units, in whole tokens: ``10 ETH``, ``0.5 ETH``."""
    value = int(value)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    text = str(whole)
    if frac and decimals:
        text += "." + str(frac).rjust(decimals, "0").rstrip("0")
    return f"{sign}{text} {symbol}".rstrip()


def format_wei(wei: int) -> str:
    """``format_amount`` for ETH: ``10 ETH``, ``0.000000000000000001 ETH``."""
    return format_amount(wei)
