"""Exit codes scripts rely on (SPEC §5): contract refusals are 1 with a sentence, Ctrl-C is 130,
final actions ask on a terminal and need --yes elsewhere, and --json failures print one error document."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest

from helpers import run_aiprov

DEV2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def _run_on_tty(args, answer: bytes, env=None, timeout=60):
    """Run aiprov with stdin/stderr on a pseudo-terminal, type ``answer`` at the prompt; (code, output)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "aiprov", *map(str, args)], stdin=slave, stdout=subprocess.PIPE,
                            stderr=slave, env={**os.environ, **(env or {})}, close_fds=True)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    answered = False
    while proc.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
        if not answered and b"[y/N]" in seen:
            os.write(master, answer)
            answered = True
    out, _ = proc.communicate(timeout=timeout)
    os.close(master)
    return proc.returncode, seen.decode(errors="replace") + out.decode(errors="replace")


def test_contract_rule_refusals_are_exit_1_with_a_sentence(cli, dataset):
    cli.json("register", "dataset", dataset)
    # extend with no lease: the contract reverts LeaseNotActive; no pre-check in front of it
    res = cli("lease", "extend", "dataset:1", DEV2, "--days", "1")
    assert res.exit_code == 1, res.output
    first = res.stderr.splitlines()[0]
    assert first == f"error: {DEV2} holds no active lease on dataset:1", first
    assert "LeaseNotActive" in res.stderr  # the technical form is kept, as the hint
    doc = cli.json("lease", "extend", "dataset:1", DEV2, "--days", "1", code=1)
    assert doc["error"] == {"type": "ContractRefused", "message": f"{DEV2} holds no active lease on dataset:1",
                            "hint": doc["error"]["hint"], "exit_code": 1}
    # the other rules: not owner, not for sale, nothing to revoke
    assert cli("lease", "price", "dataset:1", "--per-day", "1gwei", "--account", "dev:2").exit_code == 1
    assert cli("lease", "buy", "dataset:1", "--days", "1", "--account", "dev:2").exit_code == 1
    assert cli("lease", "revoke", "dataset:1", DEV2).exit_code == 1


def test_every_json_failure_is_one_error_document(cli, dataset):
    cases = [
        (["show", "dataset", "abc"], 2, "UsageError"),  # Click's own parsing
        (["lease", "grant", "dataset:1"], 2, "UsageError"),  # missing argument
        (["show", "dataset", "1", "--bogus"], 2, "UsageError"),  # unknown option
        (["lease", "price", "dataset:1", "--per-day", "1.5wei"], 2, "InvalidArgument"),
        (["show", "dataset", "7"], 1, "NotRegistered"),
        (["history", "dataset", "7"], 1, "NotRegistered"),
        (["lineage", "model", "7"], 1, "NotRegistered"),
        (["lease", "list", "dataset:7"], 1, "NotRegistered"),
        (["lease", "log", "dataset:7"], 1, "NotRegistered"),
    ]
    for args, code, kind in cases:
        res = cli(*args, "--json")
        assert res.exit_code == code, (args, res.output)
        doc = json.loads(res.stdout)  # exactly one document
        assert set(doc["error"]) == {"type", "message", "hint", "exit_code"}, args
        assert doc["error"]["type"] == kind and doc["error"]["exit_code"] == code, (args, doc)


def test_revoke_needs_yes_off_a_terminal(cli, dataset):
    cli.json("register", "dataset", dataset)
    res = cli("revoke", "dataset", "1", "--reason", "PII")
    assert res.exit_code == 2 and "--yes" in res.stderr
    assert cli("revoke", "dataset", "1", "--reason", "", "--yes").exit_code == 2  # a reason must say why
    assert cli.json("show", "dataset", "1")["status"] == "active"
    assert cli.json("revoke", "dataset", "1", "--reason", "PII", "--yes")["status"] == "revoked"


@pytest.mark.local_only
def test_revoke_and_node_advance_ask_on_a_terminal(cli, dataset, home):
    cli.json("register", "dataset", dataset)
    code, out = _run_on_tty(["revoke", "dataset", "1", "--reason", "PII"], b"n\n")
    assert code == 2 and "cannot be undone" in out and "not confirmed" in out, out
    assert cli.json("show", "dataset", "1")["status"] == "active"
    code, out = _run_on_tty(["revoke", "dataset", "1", "--reason", "PII"], b"y\n")
    assert code == 0 and "revoked" in out, out
    before = cli.json("show", "dataset", "1")
    assert before["status"] == "revoked"
    # node advance on local: asks, refuses without --yes off a terminal
    assert cli("node", "advance", "1d").exit_code == 2
    code, out = _run_on_tty(["node", "advance", "1d"], b"y\n")
    assert code == 0 and "can never be moved back" in out, out


def test_ctrl_c_while_hashing_is_130(tmp_path, home):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        f.truncate(4 * 1024**3)  # sparse: hashing takes seconds, the disk holds nothing
    proc = subprocess.Popen([sys.executable, "-m", "aiprov", "hash", str(big)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "interrupted" in err and "Traceback" not in err and "Aborted" not in err
    json_run = subprocess.Popen([sys.executable, "-m", "aiprov", "hash", str(big), "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(1.5)
    os.killpg(json_run.pid, signal.SIGINT)
    out, err = json_run.communicate(timeout=60)
    assert json_run.returncode == 130 and json.loads(out)["error"]["exit_code"] == 130


def test_quiet_prints_nothing_but_errors(cli, dataset):
    res = cli("register", "dataset", dataset, "--quiet")
    assert res.exit_code == 0 and res.stdout == ""
    res = cli("show", "dataset", "9", "-q")
    assert res.exit_code == 1 and res.stdout == "" and "does not exist" in res.stderr
    assert json.loads(cli("show", "dataset", "1", "--quiet", "--json").stdout)["id"] == 1  # --json wins


def test_subprocess_json_error_document(tmp_path, home):
    res = run_aiprov("show", "dataset", "x", "--json")
    assert res.returncode == 2 and json.loads(res.stdout)["error"]["exit_code"] == 2
