#!/usr/bin/env python3
"""Audit of a long history on `local` (SPEC §10): ≤ 2 s for 1,000 versions and 10,000 access attempts.

Builds (once, cached under .bench/audit-<versions>-<attempts>/) a dataset with a
chain of V versions, each the parent of the next, and A access attempts on the
last one (a granted lease, so allowed and denied ones alternate with an
outsider), all real transactions on the embedded chain. Then times, side by
side in one run, whole processes:
- `aiprov audit dataset LAST --format json` (the whole document),
- the same with `--format html`,
- `aiprov show dataset LAST` (a command that reads one record, for scale).

Usage: python benchmarks/bench_audit.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_cli import timed  # median whole-process time of a command (benchmarks/ is on sys.path)

REPO = Path(__file__).resolve().parents[1]


def build(home: Path, versions: int, attempts: int) -> int:
    """The history, in one Client session (one lock, no process per transaction)."""
    from aiprov import Client
    from aiprov.chain.accounts import dev_signer

    owner, reader, outsider = dev_signer(0), dev_signer(1), dev_signer(2)
    with Client(home=home) as client, client.session() as s:
        parent = 0
        t = time.perf_counter()
        for i in range(versions):
            parent, _ = s.datasets.register(owner, os.urandom(32), b"\x00" * 32, "", parent)
        s.leases.grant(owner, "dataset", parent, reader.address, 3650 * 86400)
        for i in range(attempts):
            s.leases.record_access(reader if i % 2 == 0 else outsider, "dataset", parent)
        print(f"built {versions} versions and {attempts} attempts in {time.perf_counter() - t:.1f} s "
              f"({s.backend.block_number()} blocks)", file=sys.stderr)
    return parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100 versions and 1,000 attempts, fewer runs")
    args = ap.parse_args()
    versions, attempts, runs = (100, 1000, 3) if args.quick else (1000, 10000, 5)
    home = REPO / ".bench" / f"audit-{versions}-{attempts}" / "home"
    marker = home.parent / "last-id"
    if not marker.exists():
        home.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(build(home, versions, attempts)))
    last = marker.read_text().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIPROV_")}
    env["AIPROV_HOME"] = str(home)
    aiprov = [sys.executable, "-m", "aiprov"]

    doc = json.loads(subprocess.run([*aiprov, "audit", "dataset", last, "--format", "json"], env=env,
                                    check=True, capture_output=True, text=True).stdout)
    assert len(doc["versions"]) == versions and len(doc["access"]) == attempts, (len(doc["versions"]), len(doc["access"]))
    rows = [
        ("aiprov audit --format json (whole process)", timed([*aiprov, "audit", "dataset", last, "--format", "json"], env, runs), 2.0),
        ("aiprov audit --format html (whole process)", timed([*aiprov, "audit", "dataset", last, "--format", "html"], env, runs), 2.0),
        ("aiprov show dataset (whole process, for scale)", timed([*aiprov, "show", "dataset", last], env, runs), None),
    ]
    ok = True
    print(f"history: {versions} versions, {attempts} access attempts ({doc['header']['blocks']['to']} blocks)")
    print(f"{'figure':<50} {'measured':>9} {'target':>7}  result")
    for name, value, target in rows:
        passed = target is None or value <= target
        ok &= passed
        print(f"{name:<50} {value:>8.3f}s {'' if target is None else f'{target:>6}s'}  "
              f"{'' if target is None else ('PASS' if passed else 'FAIL')}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
