"""Hashing from an S3 API on loopback vs downloading the same objects with boto3, in one run.

A moto S3 server (the one the tests use, ``tests/remote/moto_fixture.py``) is
started on a free loopback port and filled with ``--objects`` objects of
``--size-mib`` MiB. Then, interleaved, best of ``--repeat``:

* **aiprov**: ``build_manifest("s3://bucket/prefix")`` — list, stream every
  object through SHA-256 (8 at a time, 16 MiB ranged reads), re-list to check
  nothing changed, Merkle root;
* **boto3 download-everything**, the way ``aws s3 cp --recursive`` does it: one
  s3transfer ``TransferManager`` (10 concurrent requests, 8 MiB parts, the CLI's
  defaults) downloading every listed object to a local temporary directory (the
  copy DVC-style workflows make before they can hash); the same transfer to
  ``/dev/null`` (no disk, no hashing) is printed beside it, for information.

Target (issue 14): aiprov's throughput >= 0.8x boto3's. Both are bounded by the
same server process on the same cores, so the ratio, not the MiB/s, is the
figure; on a shared machine the load average is printed beside it.

Usage::

    python benchmarks/bench_s3.py             # 32 x 16 MiB (512 MiB)
    python benchmarks/bench_s3.py --quick     # 8 x 4 MiB

Exit status 1 if the target is missed.
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
sys.path.insert(0, str(REPO / "tests" / "remote"))
sys.path.insert(0, str(REPO / "tests"))

from moto_fixture import TEST_ENV, start_moto  # noqa: E402


def boto3_download_all(client, bucket: str, prefix: str, dest: Path | None) -> int:
    """What ``aws s3 cp --recursive s3://bucket/prefix dest`` does, with the same library and settings."""
    from boto3.s3.transfer import TransferConfig, create_transfer_manager

    keys, total = [], 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for obj in page.get("Contents", []):
            keys.append(obj["Key"])
            total += obj["Size"]
    config = TransferConfig(max_concurrency=10, multipart_chunksize=8 << 20)
    if dest is not None:
        dest.mkdir(parents=True, exist_ok=True)
    sinks = []
    with create_transfer_manager(client, config) as manager:
        futures = []
        for key in keys:
            if dest is None:  # the transfer alone: no disk
                sinks.append(open(os.devnull, "wb"))
                futures.append(manager.download(bucket, key, sinks[-1]))
            else:
                futures.append(manager.download(bucket, key, str(dest / key.replace("/", "_"))))
        for f in futures:
            f.result()
    for sink in sinks:
        sink.close()
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8 objects of 4 MiB")
    parser.add_argument("--objects", type=int, help="number of objects (default 32, or 8 with --quick)")
    parser.add_argument("--size-mib", type=int, help="MiB per object (default 16, or 4 with --quick)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per method (default 3)")
    args = parser.parse_args()
    n = args.objects or (8 if args.quick else 32)
    size = (args.size_mib or (4 if args.quick else 16)) << 20

    server = start_moto()
    scratch = None
    try:
        os.environ.update(TEST_ENV)
        os.environ["AWS_ENDPOINT_URL"] = server.url
        from aiprov.manifest import build_manifest

        client = server.client()
        bucket = server.new_bucket()
        for i in range(n):
            client.put_object(Bucket=bucket, Key=f"corpus/shard-{i:04d}.bin", Body=os.urandom(size))
        url = f"s3://{bucket}/corpus"
        manifest = build_manifest(url)  # warm: imports, connections
        scratch = Path(tempfile.mkdtemp(prefix="aiprov-bench-s3-"))
        boto3_download_all(client, bucket, "corpus", scratch / "warm")
        shutil.rmtree(scratch / "warm")
        load_before = os.getloadavg()
        ours, theirs, bare = [], [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            build_manifest(url)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            total = boto3_download_all(client, bucket, "corpus", scratch / "copy")
            theirs.append(time.perf_counter() - t)
            shutil.rmtree(scratch / "copy")
            t = time.perf_counter()
            boto3_download_all(client, bucket, "corpus", None)
            bare.append(time.perf_counter() - t)
        load_after = os.getloadavg()
    finally:
        server.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    assert total == manifest.total_size == n * size
    mib = total / (1 << 20)
    a, b = min(ours), min(theirs)
    print(f"\n{n} objects x {size >> 20} MiB from a moto S3 server on loopback, best of {args.repeat}")
    print(f"{'method':<50} {'seconds':>8} {'MiB/s':>8}")
    print(f"{'aiprov hash (SHA-256 + root, re-list)':<50} {a:8.3f} {mib / a:8.1f}")
    print(f"{'boto3 download everything to disk (s3 cp)':<50} {b:8.3f} {mib / b:8.1f}")
    print(f"{'(boto3 transfer to /dev/null: no disk, no hash)':<50} {min(bare):8.3f} {mib / min(bare):8.1f}")
    print(f"machine: nproc {os.cpu_count()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    ratio = b / a
    ok = ratio >= 0.8
    print(f"\n{'PASS' if ok else 'FAIL'}  aiprov >= 0.8x boto3 download throughput    {ratio:.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
