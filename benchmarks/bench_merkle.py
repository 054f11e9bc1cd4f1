"""Merkle root over a million entries: time and peak memory, next to OpenZeppelin's library.

SPEC §7 targets, checked in one run:

* the root of 1,000,000 synthetic manifest entries (validation, leaf hashing,
  sort, tree) in <= 3 s (SPEC §10), with where the time goes: leaf hashing on
  one core and with half of it in a forked child on the second core
  (``aiprov.manifest.forked``), sort, tree, validation; CPU time beside wall
  time, since a shared machine slows the wall clock;
* peak RSS of that whole process (entries included) <= 1 GiB.

Side by side: ``@openzeppelin/merkle-tree`` (the reference, under node) and
aiprov on the same smaller set, with the roots compared.  Synthetic entry ``i``
is ``("data/shard-<i // 1000>/sample-<i>.jpg", i * 7919 % 1000000007,
sha256(str(i)))`` in both languages.

Usage::

    python benchmarks/bench_merkle.py            # 1,000,000 entries; 20,000 for the comparison
    python benchmarks/bench_merkle.py --quick    # 50,000 and 2,000, for a CI smoke run

Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OZ_PACKAGE = REPO / "node_modules" / "@openzeppelin" / "merkle-tree"

# Runs in a fresh interpreter so its peak RSS is this workload's alone.
PYTHON_CHILD = """
import hashlib, json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from aiprov.manifest import Entry, Manifest, MerkleTree
from aiprov.manifest.keccak import BACKEND
from aiprov.manifest.leaves import _file_leaves, file_leaves
from aiprov.manifest.manifest import _check_entries

n = int(sys.argv[1])
entries = [
    Entry(f"data/shard-{i // 1000:04d}/sample-{i:07d}.jpg", i * 7919 % 1000000007,
          hashlib.sha256(str(i).encode()).hexdigest())
    for i in range(n)
]
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime
t = time.perf_counter(); _check_entries(entries); check_s = time.perf_counter() - t
t = time.perf_counter(); serial = _file_leaves(entries); serial_s = time.perf_counter() - t
t = time.perf_counter(); leaves = file_leaves(entries); leaves_s = time.perf_counter() - t
assert leaves == serial
del serial
t = time.perf_counter(); ordered = sorted(leaves); sort_s = time.perf_counter() - t
del ordered
t = time.perf_counter(); tree = MerkleTree.from_leaves(leaves); tree_s = time.perf_counter() - t
del leaves, tree
c = cpu(); t = time.perf_counter(); manifest = Manifest(entries); manifest_s = time.perf_counter() - t
after = cpu()
manifest_cpu, child_cpu = after[0] - c[0], after[1] - c[1]
print(json.dumps({
    "root": manifest.root, "check_s": check_s, "serial_s": serial_s, "leaves_s": leaves_s, "sort_s": sort_s,
    "tree_s": tree_s, "manifest_s": manifest_s, "manifest_cpu": manifest_cpu, "child_cpu": child_cpu,
    "backend": BACKEND,
    "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

NODE_CHILD = """
const { createHash } = require("crypto");
const { StandardMerkleTree } = require(process.argv[2]);
const n = Number(process.argv[1]);
const values = [];
for (let i = 0; i < n; i++) {
  const shard = String(Math.floor(i / 1000)).padStart(4, "0");
  values.push([`data/shard-${shard}/sample-${String(i).padStart(7, "0")}.jpg`, String((i * 7919) % 1000000007),
               "0x" + createHash("sha256").update(String(i)).digest("hex")]);
}
const t = performance.now();
const tree = StandardMerkleTree.of(values, ["string", "uint256", "bytes32"]);
console.log(JSON.stringify({ root: tree.root, seconds: (performance.now() - t) / 1000 }));
"""


def ours(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PYTHON_CHILD, str(n), str(REPO)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def openzeppelin(n: int) -> dict | None:
    node = shutil.which("node")
    if node is None or not OZ_PACKAGE.is_dir():
        return None
    out = subprocess.run([node, "-e", NODE_CHILD, str(n), str(OZ_PACKAGE)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50,000 entries; 2,000 for the comparison")
    parser.add_argument("--entries", type=int, help="entries for the targets (default 1,000,000)")
    parser.add_argument("--compare", type=int, help="entries for the OpenZeppelin comparison (default 20,000)")
    args = parser.parse_args()
    n = args.entries or (50_000 if args.quick else 1_000_000)
    m = args.compare or (2_000 if args.quick else 20_000)

    big = ours(n)
    small = ours(m)
    oz = openzeppelin(m)

    print(f"\nMerkle root of synthetic manifests (keccak backend: {big['backend']})")
    print(f"{'implementation':<34} {'entries':>9} {'seconds':>8} {'entries/s':>10} {'peak RSS':>9}")
    print(f"(leaf hashing forked vs one core: {big['serial_s'] / big['leaves_s']:.2f}x)")
    rows = [
        ("aiprov Manifest() (all of it)", n, big["manifest_s"], f"{big['rss_mib']:.0f} MiB"),
        ("  CPU time of this process", n, big["manifest_cpu"], ""),
        ("  CPU time of the forked child", n, big["child_cpu"], ""),
        ("  entry validation", n, big["check_s"], ""),
        ("  leaf hashing, one core", n, big["serial_s"], ""),
        ("  leaf hashing, half forked", n, big["leaves_s"], ""),
        ("  sort of the leaves", n, big["sort_s"], ""),
        ("  sort + tree (from_leaves)", n, big["tree_s"], ""),
        ("aiprov Manifest()", m, small["manifest_s"], ""),
    ]
    if oz is not None:
        rows.append(("@openzeppelin/merkle-tree (node)", m, oz["seconds"], ""))
    for name, count, secs, rss in rows:
        rate = f"{count / secs:10,.0f}" if secs else " " * 9 + "-"
        print(f"{name:<34} {count:>9,} {secs:8.2f} {rate} {rss:>9}")
    if oz is not None:
        print(f"\naiprov is {oz['seconds'] / small['manifest_s']:.0f}x faster than the reference on {m:,} entries")

    checks = [
        (f"root of {n:,} entries <= 3 s", big["manifest_s"] <= 3, f"{big['manifest_s']:.2f} s"),
        ("peak RSS <= 1 GiB", big["rss_mib"] <= 1024, f"{big['rss_mib']:.0f} MiB"),
    ]
    same_root = "same root as @openzeppelin/merkle-tree"
    if oz is not None:
        checks.append((same_root, oz["root"] == small["root"], small["root"][:18] + "…"))
    else:
        checks.append((same_root, False, "node or node_modules missing (npm ci)"))
    print()
    for label, ok, measured in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label:<40} {measured}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
