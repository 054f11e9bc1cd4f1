#!/usr/bin/env python3
"""Start-up and flat history, whole process, side by side in one run (SPEC §10, issue 9).

- beside `python -c pass`: `aiprov --help`; `show`, `verify` and `register` on `local`
  (each ≤ 0.6 s whole process); `show` and `verify` over RPC against a real Anvil
  (≤ 0.4 s beyond hashing: `verify` minus `hash` of the same tiny folder), and whether
  an RPC read imported py-evm / eth-tester (it must not);
- `register`, `verify` and `show` on `local` with 10 and with 10,000 registrations
  (within 1.2×). The 10,000-registration chain is built once, directly through the
  backend (20 registrations per block), and cached under `.bench/` (`--rebuild` to redo).

Usage: python benchmarks/bench_startup.py [--quick] [--rebuild]
(--quick: 3 runs each and 1,000 registrations instead of 10,000.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH_DIR = REPO / ".bench"


def timed(cmd: list[str], env: dict, runs: int, *, before=None) -> float:
    samples = []
    for i in range(runs):
        if before is not None:
            cmd = before(i)
        t = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.decode()[-500:]}")
    return statistics.median(samples)


def imports_heavy(cmd: list[str], env: dict) -> list[str]:
    proc = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True)
    names = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in proc.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    return sorted(names & {"eth", "eth_tester", "web3"})


def build_history(home: Path, count: int) -> None:
    """``count`` dataset registrations on the local chain, 20 per block, straight through the backend."""
    from aiprov.chain.accounts import dev_signer
    from aiprov.chain.local import LocalChain
    from aiprov.contracts.contract import contract_abi
    from aiprov.session import Session

    signer = dev_signer(1)
    with LocalChain(home) as chain:
        registry = Session(chain, home, None).datasets
        abi = contract_abi("DatasetRegistry")
        vm_chain = chain.chain
        nonce = chain.get_nonce(signer.canonical_address)
        max_fee, tip = chain.fee_params()
        chain.kv.conn.execute("PRAGMA synchronous=OFF")
        for start in range(0, count, 20):
            for i in range(start, min(count, start + 20)):
                data = abi.encode_call("register", os.urandom(32), b"\x00" * 32, "", 0)
                raw = signer.sign_transaction({"type": 2, "chainId": chain.chain_id, "to": registry.address,
                                               "value": 0, "data": data, "gas": 200_000, "nonce": nonce,
                                               "maxFeePerGas": max_fee * 4, "maxPriorityFeePerGas": tip})
                nonce += 1
                tx = vm_chain.get_vm().get_transaction_builder().decode(raw)
                vm_chain.apply_transaction(tx)
            chain._mine_and_commit()
        chain.kv.conn.execute("PRAGMA synchronous=FULL")


def chain_with(count: int, rebuild: bool) -> Path:
    """A state directory whose local chain holds ``count`` + 2 registrations (cached under .bench/)."""
    home = BENCH_DIR / f"history-{count}"
    marker = home / "built"
    if marker.exists() and not rebuild:
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    env = dict(os.environ, AIPROV_HOME=str(home))
    data = home / "data"
    data.mkdir()
    (data / "a.csv").write_text("x\n")
    subprocess.run([sys.executable, "-m", "aiprov", "register", "dataset", str(data)], env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    build_history(home, count)
    marker.write_text(f"{count} registrations in {time.perf_counter() - started:.0f} s\n")
    return home


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 runs each; 1,000 registrations instead of 10,000")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached long chain")
    args = ap.parse_args()
    runs = 3 if args.quick else 7
    big = 1_000 if args.quick else 10_000
    aiprov = [sys.executable, "-m", "aiprov"]
    rows: list[tuple[str, float, float | None, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, AIPROV_HOME=str(tmp / "home"))
        for var in ("AIPROV_NETWORK", "AIPROV_RPC_URL", "AIPROV_ACCOUNT"):
            env.pop(var, None)
        data = tmp / "data"
        data.mkdir()
        (data / "a.csv").write_text("a\n")
        subprocess.run([*aiprov, "register", "dataset", str(data)], env=env, check=True, capture_output=True)
        base = timed([sys.executable, "-c", "pass"], env, runs)
        rows.append(("python -c pass", base, None, "for scale"))
        rows.append(("aiprov --help", timed([*aiprov, "--help"], env, runs), 0.15, ""))
        rows.append(("local: show dataset 1", timed([*aiprov, "show", "dataset", "1"], env, runs), 0.6, ""))
        rows.append(("local: verify dataset (1 file)", timed([*aiprov, "verify", "dataset", str(data)], env, runs), 0.6, ""))

        def fresh(i: int) -> list[str]:
            d = tmp / f"new{i}-{time.monotonic_ns()}"
            d.mkdir()
            (d / "f.txt").write_text(f"{d.name}\n")
            return [*aiprov, "register", "dataset", str(d)]

        rows.append(("local: register dataset (1 file)", timed([], env, runs, before=fresh), 0.6, ""))

        # over RPC: a real Anvil with the contracts deployed and one dataset registered
        sys.path.insert(0, str(REPO / "tests" / "chain"))
        from anvil_fixture import start_anvil

        node = start_anvil(tmp / "anvil-logs")
        try:
            rpc_env = dict(env, AIPROV_HOME=str(tmp / "rpc-home"), AIPROV_RPC_URL=node.url)
            subprocess.run([*aiprov, "deploy"], env=rpc_env, check=True, capture_output=True)
            subprocess.run([*aiprov, "register", "dataset", str(data), "--receipt", str(tmp / "rpc.aiprov.json")],
                           env=rpc_env, check=True, capture_output=True)
            fresh_env = dict(rpc_env, AIPROV_HOME=str(tmp / "fresh-home"))  # verify with no state
            hash_t = timed([*aiprov, "hash", str(data)], fresh_env, runs)
            verify_cmd = [*aiprov, "verify", "dataset", str(data), "--receipt", str(tmp / "rpc.aiprov.json")]
            verify_t = timed(verify_cmd, fresh_env, runs)
            show_t = timed([*aiprov, "show", "dataset", "1"], fresh_env, runs)
            heavy = imports_heavy(verify_cmd, fresh_env) + imports_heavy([*aiprov, "show", "dataset", "1"], fresh_env)
            rows.append(("rpc: hash (the hashing part)", hash_t, None, ""))
            rows.append(("rpc: verify beyond hashing", verify_t - hash_t, 0.4, f"verify {verify_t:.3f} s"))
            rows.append(("rpc: show beyond python -c pass", show_t - base, 0.4, f"show {show_t:.3f} s"))
            rows.append(("rpc: py-evm / eth-tester / web3 imported", float(len(set(heavy))), 0.0,
                         ", ".join(sorted(set(heavy))) or "none"))
        finally:
            node.stop()

        # flat history: 10 vs many registrations on local
        small, large = chain_with(10, args.rebuild), chain_with(big, args.rebuild)
        for name, make in (
            ("register", lambda home: (lambda i: fresh(i) + ["--json"])),
            ("verify", lambda home: (lambda i: [*aiprov, "verify", "dataset", str(home / "data")])),
            ("show", lambda home: (lambda i: [*aiprov, "show", "dataset", "1"])),
        ):
            times = []
            for home in (small, large):
                henv = dict(env, AIPROV_HOME=str(home))
                times.append(timed([], henv, runs, before=make(home)))
            rows.append((f"{name}: {big} vs 10 registrations", times[1] / times[0], 1.2,
                         f"{times[0]:.3f} s → {times[1]:.3f} s"))

    ok = True
    print(f"{'figure':<46} {'measured':>10} {'target':>8}  result  note")
    for name, value, target, note in rows:
        unit = "x" if " vs " in name else ("" if "imported" in name else "s")
        if target is None:
            print(f"{name:<46} {value:>9.3f}{unit} {'':>8}  {'':6}  {note}")
            continue
        passed = value <= target
        ok &= passed
        print(f"{name:<46} {value:>9.3f}{unit} {target:>7}{unit}  {'PASS' if passed else 'FAIL'}    {note}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
