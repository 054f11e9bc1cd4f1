"""Start-up costs: RPC reads never load py-evm; the local chain loads BLS12-381 only when a contract needs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from anvil_fixture import anvil  # noqa: F401  (fixture)
from helpers import run_aiprov, write_files

EVM = {"eth", "eth_tester", "web3", "py_ecc"}


def _imported(args: list[str], env: dict) -> set[str]:
    import os

    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "aiprov", *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, **env))
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.mark.anvil
def test_commands_that_only_read_over_rpc_never_import_py_evm_or_eth_tester(tmp_path, anvil, home):
    env = {"AIPROV_RPC_URL": anvil.url}
    data = write_files(tmp_path / "d", {"a.txt": "a"})
    assert run_aiprov("deploy", env=env).returncode == 0
    assert run_aiprov("register", "dataset", data, env=env).returncode == 0
    fresh = {**env, "AIPROV_HOME": str(tmp_path / "fresh")}
    for args in (["verify", "dataset", str(data)], ["show", "dataset", "1"], ["history", "dataset", "1"],
                 ["lease", "check", "dataset:1", "0x" + "22" * 20], ["status", str(data)]):
        loaded = {name.split(".")[0] for name in _imported(args, fresh)}
        assert not loaded & EVM, (args, sorted(loaded & EVM))


def test_the_local_chain_defers_bls12_381_until_a_contract_calls_it(tmp_path):
    """py_ecc's BLS tables are not built for ordinary commands, and the precompile still works when called."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from aiprov.chain.local import LocalChain
        with LocalChain(Path({str(tmp_path)!r})) as chain:
            before = any(m.startswith("py_ecc.optimized_bls12_381") for m in sys.modules)
            # BLS12_G1ADD (0x0b) of two points at infinity: the point at infinity (128 zero bytes)
            out = chain.call(b"\\x00" * 19 + b"\\x0b", bytes(256))
            after = any(m.startswith("py_ecc.optimized_bls12_381") for m in sys.modules)
        print(before, after, out == bytes(128))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["False", "True", "True"]
