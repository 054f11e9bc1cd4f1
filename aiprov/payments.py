"""Selling access: prices in ETH or one ERC-20 token, purchases (with the token's approval),
payees who share the proceeds, and withdrawals per token.

Functions take a :class:`aiprov.session.Session`; :class:`aiprov.Client` wraps each in a
method. The rules live in the AccessLeases contract (contracts/README.md); here amounts are
parsed exactly in the token's smallest unit (its ``decimals()`` read from the chain), and
would-be reverts are turned into clear messages before anything is sent.

The share rule (``setPayees``): weights. A purchase of ``paid`` credits each payee
``paid * weight / total_weight`` (rounded down) and the first payee also the rounding
remainder, so every unit is credited. ``ADDR=1 ADDR=1 ADDR=1`` splits in thirds; basis
points (``=7000``, ``=3000``) work as weights too. No payees: the owner gets everything.
"""

from __future__ import annotations

import re

from .access import asset_name, lease_tx_result, parse_days
from .errors import ContractRefused, InvalidArgument, TransactionFailed
from .ownership import require_owner
from .results import LeaseTxResult, PayeeInfo, PayeesResult, PriceResult, WithdrawResult
from .chain.accounts import parse_address
from .units import format_wei, parse_amount

MAX_PAYEES = 16
MAX_WEIGHT = 2**96 - 1
MAX_PRICE = 2**96 - 1


# -- tokens ----------------------------------------------------------------------------------


def token_info(s, token: str | None) -> tuple[str, int]:
    """(symbol, decimals) of ``token``; ("ETH", 18) for None. Refuses an address that is not
    an ERC-20 (no code, or no ``decimals()``) with exit 2."""
    if token is None:
        return "ETH", 18
    from .contracts.erc20 import ERC20

    address = bytes.fromhex(token[2:])
    if not s.backend.get_code(address):
        raise InvalidArgument(f"{token} is not a token contract on {s.backend.network} (it has no code)")
    erc20 = ERC20(s.backend, address)
    try:
        decimals = erc20.decimals()
    except TransactionFailed:
        raise InvalidArgument(f"{token} is not an ERC-20 token (it has no decimals())") from None
    try:
        symbol = erc20.symbol()
    except (TransactionFailed, ValueError, TypeError):  # optional in EIP-20; some return bytes32
        symbol = ""
    return (symbol if symbol.isprintable() and 0 < len(symbol) <= 16 else "tokens"), decimals


def format_token(amount: int, symbol: str, decimals: int) -> str:
    """Every digit of ``amount`` smallest units, in whole tokens: ``2.5 TUSD``, ``0.01 ETH``."""
    if symbol == "ETH" and decimals == 18:
        return format_wei(amount)
    whole, frac = divmod(int(amount), 10**decimals)
    text = str(whole) + ("." + str(frac).rjust(decimals, "0").rstrip("0") if frac else "")
    return f"{text} {symbol}"


_TOKEN_AMOUNT_RE = re.compile(r"^([0-9]+)(?:\.([0-9]+))?\s*([A-Za-z]*)$")


def parse_token_amount(text, symbol: str, decimals: int) -> int:
    """A price in a token, exactly: ``2500000`` (smallest units), ``2.5TUSD`` or ``2.5 tokens``
    (whole tokens, scaled by ``decimals``). No fraction of the smallest unit."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    m = _TOKEN_AMOUNT_RE.match(str(text).strip())
    unit = m.group(3).lower() if m else ""
    if not m or unit not in ("", symbol.lower(), "tokens") or len(m.group(1)) > 80:
        raise InvalidArgument(f"--per-day {text!r} is not a number of smallest units, or like 2.5{symbol} "
                              f"or 2.5tokens ({symbol} has {decimals} decimals)")
    whole, frac = m.group(1), (m.group(2) or "").rstrip("0")
    if not unit and m.group(2):
        raise InvalidArgument(f"--per-day {text!r}: a bare number is in smallest units; write 2.5{symbol}")
    scale = decimals if unit else 0
    if len(frac) > scale:
        raise InvalidArgument(f"--per-day {text!r} is finer than 1 smallest unit ({symbol} has {decimals} decimals)")
    return int(whole) * 10**scale + (int(frac) * 10 ** (scale - len(frac)) if frac else 0)


def _price_text(amount: int, token: str | None, symbol: str, decimals: int) -> str:
    return format_token(amount, symbol, decimals) if token else format_wei(amount)


# -- prices and purchases ----------------------------------------------------------------------


def set_price(s, kind: str, asset_id: int, per_day, token: str | None = None) -> PriceResult:
    """Sell access to the asset at ``per_day`` (text or an int in smallest units) of ``token``
    (an ERC-20 address; None = ETH). Owner only; 0 takes it off sale."""
    require_owner(s, kind, asset_id, "sets its price", error_name="LeaseUnauthorized")
    symbol, decimals = token_info(s, token)
    amount = parse_token_amount(per_day, symbol, decimals) if token else parse_amount(per_day)
    if amount > MAX_PRICE:
        raise InvalidArgument(f"a price of {format_token(amount, symbol, decimals)} a day is above the "
                              f"contract's limit of {MAX_PRICE} smallest units")
    receipt = s.leases.set_price(s.signer, kind, asset_id, amount, token)
    return PriceResult(asset=asset_name(kind, asset_id), price_per_day=amount, token=token, symbol=symbol,
                       decimals=decimals, price_per_day_text=_price_text(amount, token, symbol, decimals),
                       tx="0x" + receipt.tx_hash.hex())


def price(s, kind: str, asset_id: int) -> PriceResult:
    """The asset's current price (its current owner's), and its token."""
    s.registry(kind).get(asset_id)
    amount, token = s.leases.price(kind, asset_id)
    symbol, decimals = token_info(s, token)
    return PriceResult(asset=asset_name(kind, asset_id), price_per_day=amount, token=token, symbol=symbol,
                       decimals=decimals, price_per_day_text=_price_text(amount, token, symbol, decimals), tx=None)


def buy(s, kind: str, asset_id: int, days: int) -> LeaseTxResult:
    """Buy ``days`` of access for the signer at the current price. In ETH the exact value is
    sent; in a token the signer first approves AccessLeases for exactly the total (one
    transaction, skipped when that allowance is already in place), then buys."""
    s.registry(kind).get(asset_id)
    n = parse_days(days)
    per_day, token = s.leases.price(kind, asset_id)
    if per_day == 0:
        raise ContractRefused(f"{asset_name(kind, asset_id)} is not for sale (its owner has set no price)",
                              error_name="LeaseNotForSale")
    total = per_day * n
    if token is None:
        receipt = s.leases.buy(s.signer, kind, asset_id, n, value=total)
    else:
        from .contracts.erc20 import ERC20

        symbol, decimals = token_info(s, token)
        erc20 = ERC20(s.backend, bytes.fromhex(token[2:]))
        spender = s.leases.checksum_address
        balance = erc20.balance_of(s.signer.address)
        if balance < total:
            raise TransactionFailed(
                f"{n} days of {asset_name(kind, asset_id)} cost {format_token(total, symbol, decimals)}; "
                f"{s.signer.name} ({s.signer.address}) has {format_token(balance, symbol, decimals)}",
                hint=f"get more {symbol} ({token}), or buy fewer days", error_name="ERC20InsufficientBalance",
            )
        previous = erc20.allowance(s.signer.address, spender)
        if previous != total:
            erc20.approve(s.signer, spender, total)  # exactly what this purchase takes
        try:
            receipt = s.leases.buy_with_token(s.signer, kind, asset_id, n, token, total)
        except (TransactionFailed, ContractRefused):
            if previous != total:  # refused (e.g. a fee-on-transfer token): leave no allowance behind
                erc20.approve(s.signer, spender, previous)
            raise
    result = lease_tx_result(s, "purchased", kind, asset_id, s.signer.address, receipt)
    return LeaseTxResult(**{**result.__dict__, "paid": total, "token": token})


# -- payees ------------------------------------------------------------------------------------


def parse_payees(pairs) -> list[tuple[str, int]]:
    """``["0xA…=3", "dev:2=1"]`` (or (address, weight) pairs) → [(checksummed address, weight)]."""
    out: list[tuple[str, int]] = []
    for pair in pairs:
        if isinstance(pair, str):
            address, sep, weight = pair.rpartition("=")
            if not sep:
                raise InvalidArgument(f"payee {pair!r} is not ADDRESS=SHARE (for example dev:2=1 or 0x…=7000)")
        else:
            address, weight = pair
        account = parse_address(address)
        try:
            w = int(str(weight).strip(), 10) if not isinstance(weight, int) or isinstance(weight, bool) else weight
        except ValueError:
            w = -1
        if isinstance(w, bool) or not 1 <= w <= MAX_WEIGHT:
            raise InvalidArgument(f"the share of {address} must be a whole number from 1 to 2**96 - 1, got {weight!r}")
        if any(account == a for a, _ in out):
            raise InvalidArgument(f"{account} is listed twice")
        out.append((account, w))
    if len(out) > MAX_PAYEES:
        raise InvalidArgument(f"at most {MAX_PAYEES} payees, got {len(out)}")
    return out


def _payees_result(kind, asset_id, owner, payees, tx) -> PayeesResult:
    total = sum(w for _, w in payees)
    infos = [PayeeInfo(address=a, shares=w, percent=round(100 * w / total, 4)) for a, w in payees]
    return PayeesResult(asset=asset_name(kind, asset_id), owner=owner, payees=infos, tx=tx)


def set_payees(s, kind: str, asset_id: int, payees: list[tuple[str, int]]) -> PayeesResult:
    """Split later purchases of the asset among ``payees`` by weight (owner only); an empty
    list gives everything to the owner again. Nothing is sent when it already is so."""
    record = require_owner(s, kind, asset_id, "sets its payees", error_name="LeaseUnauthorized")
    if s.leases.payees(kind, asset_id) == payees:
        return _payees_result(kind, asset_id, record.owner, payees, None)
    receipt = s.leases.set_payees(s.signer, kind, asset_id, payees)
    return _payees_result(kind, asset_id, record.owner, payees, "0x" + receipt.tx_hash.hex())


def payees(s, kind: str, asset_id: int) -> PayeesResult:
    record = s.registry(kind).get(asset_id)
    return _payees_result(kind, asset_id, record.owner, s.leases.payees(kind, asset_id), None)


# -- withdrawals -------------------------------------------------------------------------------


def withdraw(s, token: str | None = None) -> WithdrawResult:
    """Withdraw the signer's whole balance of ``token`` (None = ETH); nothing is sent when
    nothing is owed."""
    symbol, decimals = token_info(s, token)
    owed = s.leases.proceeds(s.signer.address, token)
    if owed == 0:
        return WithdrawResult(account=s.signer.address, amount=0, token=token, symbol=symbol,
                              amount_text=format_token(0, symbol, decimals), tx=None)
    amount, receipt = s.leases.withdraw(s.signer, token)
    return WithdrawResult(account=s.signer.address, amount=amount, token=token, symbol=symbol,
                          amount_text=format_token(amount, symbol, decimals), tx="0x" + receipt.tx_hash.hex())
