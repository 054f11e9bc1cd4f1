"""What users type for assets, addresses and amounts: ``dataset:3``, ``0xAbC…``, ``0.01ether``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import InvalidArgument

_ASSET_RE = re.compile(r"^(?:(dataset|model):)?(\d+)$")
_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
_AMOUNT_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(wei|gwei|ether|eth)?\s*$", re.IGNORECASE)
_UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}


def parse_asset(text: str) -> tuple[str, int]:
    """``dataset:3`` / ``model:7`` / ``3`` (a bare number is a dataset) → (kind, id)."""
    m = _ASSET_RE.match(str(text).strip())
    if not m or int(m.group(2)) == 0 or int(m.group(2)) >= 2**48:
        raise InvalidArgument(f"asset {text!r} is not dataset:ID, model:ID or a dataset id")
    return (m.group(1) or "dataset"), int(m.group(2))


def parse_address(text: str) -> str:
    """A checksummed address; mixed-case input must carry a valid EIP-55 checksum."""
    from eth_utils import is_checksum_address, to_checksum_address

    value = str(text).strip()
    dev = re.match(r"^dev:(\d+)$", value)
    if dev:  # the well-known dev accounts, by name (handy on local networks)
        from .chain.devkeys import DEV_ACCOUNT_COUNT, dev_address

        if int(dev.group(1)) >= DEV_ACCOUNT_COUNT:
            raise InvalidArgument(f"{value}: dev accounts are dev:0 to dev:{DEV_ACCOUNT_COUNT - 1}")
        value = "0x" + dev_address(int(dev.group(1))).hex()
    if not _ADDRESS_RE.match(value):
        raise InvalidArgument(f"{text!r} is not an address (0x followed by 40 hex digits, or dev:N)")
    if value[2:] != value[2:].lower() and value[2:] != value[2:].upper() and not is_checksum_address(value):
        raise InvalidArgument(f"{text!r} has a wrong EIP-55 checksum (a typo?)")
    if int(value, 16) == 0:
        raise InvalidArgument("the zero address cannot hold a lease")
    return to_checksum_address(value)


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
