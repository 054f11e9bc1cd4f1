"""Using the cores and the cluster: in-process engine and Dask engine, side by side in one run.

Targets (SPEC §10; the page cache warm for every tree):

1. in-process engine, many large files vs one file of the same total size
   (16 x 128 MiB vs 2 GiB): >= 1.7x the single-file rate (both cores busy); the
   CPU/wall ratio of the many-files runs is printed;
2. Dask engine, 2 workers vs 1 worker on a CPU-bound tree (64 x 32 MiB): >= 1.6x;
3. Dask engine vs in-process engine on 20,000 x 4 KiB: <= 2x the time.

The Dask clusters (``LocalCluster``, one thread per worker process) are started
before the timed runs, as a platform team's cluster would be running already;
the start-up of a 2-worker LocalCluster (what ``--engine dask`` without
``--scheduler`` adds) is printed beside them. Runs of the methods compared are
interleaved; the best of ``--repeat`` is used. On a shared machine, ratios are
what count: the load average and the parallel capacity (two busy processes vs
one) are printed so a reader can tell how many cores the run really had.

Usage::

    python benchmarks/bench_parallel.py            # full sizes: ~6.1 GiB in $TMPDIR (and page cache)
    python benchmarks/bench_parallel.py --quick    # small sizes, for a smoke run

Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_manifest import cpu_steal, make_tree, parallel_capacity  # noqa: E402

from aiprov.manifest import build_manifest  # noqa: E402
from aiprov.manifest.dask_engine import local_cluster  # noqa: E402

BLOCK = os.urandom(8 << 20)


def write_file(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, len(BLOCK))
            f.write(BLOCK[:n])
            left -= n


def warm(root: Path) -> None:
    for p in [root] if root.is_file() else sorted(root.rglob("*")):
        if p.is_file():
            with open(p, "rb") as f:
                while f.read(8 << 20):
                    pass


def timed(fn, cpu_of=None) -> tuple[float, float]:
    """(wall seconds, CPU/wall): CPU of this process, its children and the ``cpu_of()`` processes."""
    cpu0 = _cpu(cpu_of)
    t = time.perf_counter()
    fn()
    wall = time.perf_counter() - t
    return wall, (_cpu(cpu_of) - cpu0) / wall


def _cpu(cpu_of) -> float:
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    if cpu_of is not None:
        total += cpu_of()
    return total


def worker_cpu(cluster):
    """CPU seconds used so far by a LocalCluster's worker processes."""
    import psutil

    pids = [w.process.pid for w in cluster.workers.values() if getattr(w, "process", None) is not None]
    procs = [psutil.Process(p) for p in pids if p]

    def total() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in procs)

    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="16 x 8 MiB, 64 x 2 MiB, 2,000 small files")
    parser.add_argument("--repeat", type=int, help="timed runs per method (default 3)")
    args = parser.parse_args()
    repeat = args.repeat or 3
    big_n, big_size = 16, (8 if args.quick else 128) << 20
    cpu_n, cpu_size = 64, (2 if args.quick else 32) << 20
    small_n = 2000 if args.quick else 20_000
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    tmp = Path(tempfile.mkdtemp(prefix="aiprov-bench-parallel-"))
    checks = []
    try:
        one, many, cpu_tree, small = tmp / "one.bin", tmp / "many", tmp / "cpu", tmp / "small"
        write_file(one, big_n * big_size)
        for i in range(big_n):
            write_file(many / f"part-{i:02d}.bin", big_size)
        for i in range(cpu_n):
            write_file(cpu_tree / f"shard-{i:02d}.bin", cpu_size)
        make_tree(small, small_n, 4096)
        os.sync()
        for root in (one, many, cpu_tree, small):
            warm(root)
        load_before, capacity_before, steal_before = os.getloadavg(), parallel_capacity(), cpu_steal()

        # 1. in-process: many files vs one file (interleaved)
        runs_one, runs_many = [], []
        for _ in range(repeat):
            runs_one.append(timed(lambda: build_manifest(one)))
            runs_many.append(timed(lambda: build_manifest(many)))
        t_one, busy_one = min(runs_one)
        t_many, busy_many = min(runs_many)
        total = big_n * big_size

        # 2. and 3. Dask, clusters started beforehand
        t = time.perf_counter()
        two = local_cluster(2)
        startup = time.perf_counter() - t
        single = local_cluster(1)
        try:
            cpu_two, cpu_single = worker_cpu(two), worker_cpu(single)
            roots = {build_manifest(cpu_tree).root}
            for cluster in (two, single):  # warm the workers (imports) and check the root
                roots.add(build_manifest(cpu_tree, engine="dask", scheduler=cluster.scheduler_address).root)
                build_manifest(small, engine="dask", scheduler=cluster.scheduler_address)
            runs_2, runs_1, runs_dsmall, runs_small = [], [], [], []
            for _ in range(repeat):
                runs_2.append(timed(lambda: build_manifest(cpu_tree, engine="dask", scheduler=two.scheduler_address),
                                    cpu_two))
                runs_1.append(timed(lambda: build_manifest(cpu_tree, engine="dask", scheduler=single.scheduler_address),
                                    cpu_single))
                runs_small.append(timed(lambda: build_manifest(small)))
                runs_dsmall.append(timed(lambda: build_manifest(small, engine="dask", scheduler=two.scheduler_address),
                                         cpu_two))
        finally:
            single.close()
            two.close()
        t_2, busy_2 = min(runs_2)
        t_1, busy_1 = min(runs_1)
        t_small, busy_small = min(runs_small)
        t_dsmall, busy_dsmall = min(runs_dsmall)
        load_after, capacity_after, steal_after = os.getloadavg(), parallel_capacity(), cpu_steal()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    mib = 1 << 20
    cpu_total = cpu_n * cpu_size
    print(f"\nbest of {repeat} runs each, page cache warm; CPU/wall = CPU seconds (this process, its helpers "
          "and the Dask workers) / wall seconds")
    print(f"{'run':<44} {'seconds':>8} {'MiB/s':>8} {'CPU/wall':>9}")
    rows = [
        (f"in-process, 1 file of {total // mib} MiB", t_one, total, busy_one),
        (f"in-process, {big_n} files x {big_size // mib} MiB", t_many, total, busy_many),
        (f"dask, 1 worker, {cpu_n} files x {cpu_size // mib} MiB", t_1, cpu_total, busy_1),
        (f"dask, 2 workers, {cpu_n} files x {cpu_size // mib} MiB", t_2, cpu_total, busy_2),
        (f"in-process, {small_n:,} files x 4 KiB", t_small, small_n * 4096, busy_small),
        (f"dask, 2 workers, {small_n:,} files x 4 KiB", t_dsmall, small_n * 4096, busy_dsmall),
    ]
    for label, seconds, size, busy in rows:
        print(f"{label:<44} {seconds:8.3f} {size / mib / seconds:8.0f} {busy:9.2f}")
    print(f"LocalCluster start-up (2 workers), what --engine dask adds without --scheduler: {startup:.2f} s")
    steal = (steal_after[0] - steal_before[0]) / max(1, steal_after[1] - steal_before[1])
    print(f"machine: nproc {cores}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
          f"parallel capacity {capacity_before:.1f}/{capacity_after:.1f} cores; CPU steal {steal:.0%}")

    many_ratio, dask_ratio, small_ratio = t_one / t_many, t_1 / t_2, t_dsmall / t_small
    checks = [
        ("same root on every engine", len(roots) == 1, f"{len(roots)} distinct"),
        ("many files >= 1.7x one file (in-process)", many_ratio >= 1.7, f"{many_ratio:.2f}x"),
        ("dask 2 workers >= 1.6x 1 worker", dask_ratio >= 1.6, f"{dask_ratio:.2f}x"),
        ("dask <= 2x in-process on small files", small_ratio <= 2.0, f"{small_ratio:.2f}x"),
    ]
    print()
    for label, ok, measured in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label:<44} {measured}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
