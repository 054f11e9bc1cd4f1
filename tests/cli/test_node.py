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
    before = cli.json("node", "advance", "1h", "--yes")
    after = cli.json("node", "advance", "31d", "--yes")
    assert after["timestamp"] >= before["timestamp"] + 31 * 86400
    assert after["previous"] == before["timestamp"]
    bad = cli("node", "advance", "soon", "--yes")
    assert bad.exit_code == 2 and "31d" in bad.stderr


@pytest.mark.local_only
def test_node_start_status_stop_and_state_survives(home, tmp_path):
    """`aiprov node start|status|stop` as a user runs them; a registration survives a restart."""
    import json
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "chain"))
    from anvil_fixture import free_port
    from helpers import run_aiprov, write_files

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"AIPROV_NETWORK": "anvil", "AIPROV_RPC_URL": url}
    try:
        started = run_aiprov("node", "start", "--port", port, "--json")
        assert started.returncode == 0, started.stderr
        assert json.loads(started.stdout)["running"] is True
        assert run_aiprov("node", "start", "--port", port).returncode != 0  # only one
        assert run_aiprov("deploy", env=env).returncode == 0
        data = write_files(tmp_path / "d", {"a.csv": "x\n"})
        reg = json.loads(run_aiprov("register", "dataset", data, "--json", env=env).stdout)
        assert run_aiprov("node", "stop").returncode == 0
        assert json.loads(run_aiprov("node", "status", "--json").stdout)["running"] is False
        assert run_aiprov("node", "start", "--port", port).returncode == 0
        ver = run_aiprov("verify", "dataset", data, "--json", env=env)
        assert ver.returncode == 0, ver.stderr
        assert json.loads(ver.stdout)["id"] == reg["id"]
    finally:
        run_aiprov("node", "stop")
