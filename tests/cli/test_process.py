"""The CLI as a real subprocess: exit codes, start-up imports, concurrency."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import run_aiprov, write_files

HEAVY = ("web3", "eth_account", "eth_tester", "eth", "eth_abi", "rich")


def _imported(stderr: str) -> set[str]:
    """Top-level packages imported, from ``python -X importtime`` output."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_and_hash_do_not_import_web3_or_the_chain(tmp_path, home):
    write_files(tmp_path / "d", {"a.txt": "a", "b/c.txt": "c"})
    for args in (["--help"], ["hash", str(tmp_path / "d"), "--json"], ["register", "--help"]):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "aiprov", *args],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr[-2000:]
        loaded = _imported(proc.stderr)
        assert not loaded & {"web3", "eth_account", "eth_tester", "eth"}, (args, loaded & set(HEAVY))
    # and --json hash prints the root
    out = run_aiprov("hash", tmp_path / "d", "--json")
    assert json.loads(out.stdout)["root"].startswith("0x")


def test_exit_codes_as_a_ci_job_sees_them(tmp_path, home):
    data = write_files(tmp_path / "release", {"model.bin": b"\x00\x01" * 5000, "config.json": "{}"})
    assert run_aiprov("register", "dataset", data).returncode == 0
    assert run_aiprov("verify", "dataset", data).returncode == 0
    (data / "config.json").write_text("{ }")
    bad = run_aiprov("verify", "dataset", data)
    assert bad.returncode == 1 and "config.json" in bad.stdout
    missing = run_aiprov("verify", "dataset", tmp_path / "nope")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) <= 2


def test_environment_failure_is_exit_3_without_traceback(tmp_path, home):
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    not_a_dir = tmp_path / "home-is-a-file"
    not_a_dir.write_text("")
    res = run_aiprov("register", "dataset", data, env={"AIPROV_HOME": str(not_a_dir)})
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    verbose = run_aiprov("register", "dataset", data, "-v", env={"AIPROV_HOME": str(not_a_dir)})
    assert verbose.returncode == 3 and "Traceback" in verbose.stderr


def test_four_parallel_registers_all_succeed(tmp_path, home):
    dirs = [write_files(tmp_path / f"d{i}", {"f.txt": f"content {i}"}) for i in range(4)]
    procs = [
        subprocess.Popen([sys.executable, "-m", "aiprov", "register", "dataset", str(d), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for d in dirs
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    assert sorted(r["id"] for r in results) == [1, 2, 3, 4]
    for d, r in zip(dirs, results):
        ver = run_aiprov("verify", "dataset", d, "--json")
        assert json.loads(ver.stdout)["id"] == r["id"]
