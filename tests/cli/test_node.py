"""`aiprov node advance` and duration parsing."""

from __future__ import annotations

import pytest

from aiprov.durations import format_duration, parse_duration
from aiprov.errors import InvalidArgument


@pytest.mark.parametrize("text,seconds", [("31d", 31 * 86400), ("12h", 43200), ("90m", 5400), ("45s", 45),
                                          ("2w", 14 * 86400), ("600", 600), (" 7D ", 7 * 86400), (5, 5)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "0d", "-1d", "3x", "", "1.5d", "d", "101000d", True])
def test_bad_durations(text):
    with pytest.raises(InvalidArgument):
        parse_duration(text)


def test_format_duration():
    assert format_duration(45) == "45s"
    assert format_duration(31 * 86400 + 3600 * 4 + 5) == "31d 4h"


def test_node_advance_moves_chain_time_and_persists(cli):
    before = cli.json("node", "advance", "1h")
    after = cli.json("node", "advance", "31d")
    assert after["timestamp"] >= before["timestamp"] + 31 * 86400
    assert after["previous"] == before["timestamp"]
    bad = cli("node", "advance", "soon")
    assert bad.exit_code == 2 and "31d" in bad.stderr
