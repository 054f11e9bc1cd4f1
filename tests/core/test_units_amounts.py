"""Amounts are exact integers of wei end to end: parsed from text, shown with every digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiprov.units import MAX_UINT256, format_amount, format_wei, parse_amount
from aiprov.errors import InvalidArgument


@pytest.mark.parametrize("text, wei", [
    ("10ether", 10 * 10**18),
    ("0.01ether", 10**16),
    ("20 ETH", 20 * 10**18),
    ("10gwei", 10**10),
    ("12345", 12345),
    ("12345678901234567890123456789012", 12345678901234567890123456789012),  # 32 digits, not rounded to 28
    ("1.000000000000000001ether", 10**18 + 1),
    ("0.000000001gwei", 1),
    (str(MAX_UINT256), MAX_UINT256),
    ("1.50ether", 15 * 10**17),
])
def test_parse_exact(text, wei):
    assert parse_amount(text) == wei


@pytest.mark.parametrize("text", [
    "1.0000000000000000000000000001ether",  # finer than 1 wei (Decimal's 28 digits used to drop it)
    "1.5wei", "0.0000000001gwei", str(2**256), "-1", "1e18", "abc", "", "0x10", "\u0663", "10 foo",
    "1.", ".5ether", "9" * 100,
])
def test_parse_refuses(text):
    with pytest.raises(InvalidArgument):
        parse_amount(text)


@pytest.mark.parametrize("wei, shown", [
    (10 * 10**18, "10 ETH"), (20 * 10**18, "20 ETH"), (100 * 10**18, "100 ETH"), (0, "0 ETH"),
    (10**16, "0.01 ETH"), (1, "0.000000000000000001 ETH"), (10**18 + 1, "1.000000000000000001 ETH"),
    (12345678901234567890123456789012, "12345678901234.567890123456789012 ETH"),
])
def test_format_keeps_every_digit(wei, shown):
    assert format_wei(wei) == shown


def test_tokens_with_other_decimals():
    assert format_amount(1, decimals=6, symbol="USDC") == "0.000001 USDC"
    assert format_amount(5 * 10**6, decimals=6, symbol="USDC") == "5 USDC"
    assert parse_amount("1.5usdc", units={"usdc": 6}) == 1_500_000
    with pytest.raises(InvalidArgument):
        parse_amount("1.0000001usdc", units={"usdc": 6})


@given(st.integers(0, MAX_UINT256))
def test_format_then_parse_round_trips(wei):
    text = format_wei(wei)
    assert parse_amount(text.replace(" ETH", "ether")) == wei
