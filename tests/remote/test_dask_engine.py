"""``--engine dask`` on a real cluster: a shared LocalCluster, one started by the command, and
``dask scheduler`` + ``dask worker`` subprocesses; local trees and S3 prefixes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from aiprov.errors import EnvironmentFailure, ManifestError
from aiprov.manifest import build_manifest
from aiprov.manifest.dask_engine import MAX_BATCH, batches
from anvil_fixture import free_port
from helpers import CLI, run_aiprov, write_files


@pytest.fixture
def tree(tmp_path):
    files = {f"shard-{i:03d}/part-{j}.txt": f"{i}-{j}\n" * (i + j) for i in range(40) for j in range(5)}
    files.update({"big/a.bin": os.urandom(3 << 20), "big/b.bin": os.urandom(5 << 20), ".git/HEAD": "x",
                  "ignored.tmp": "t", ".aiprovignore": "*.tmp\n"})
    return write_files(tmp_path / "tree", files)


def test_batches_group_files_by_bytes():
    small = batches([4096] * 20_000, threads=2)
    assert 2 <= len(small) <= 40  # a few dozen tasks, not 20,000
    assert sorted(i for b in small for i in b) == list(range(20_000))
    big = batches([32 << 20] * 64, threads=2)
    assert all(sum(32 << 20 for _ in b) <= MAX_BATCH for b in big) and len(big) >= 8
    mixed = batches([1 << 30, 10, 20], threads=2)
    assert mixed[0] == [0]  # the biggest file first, alone


def test_dask_engine_gives_the_in_process_manifest(dask_cluster, tree):
    local = build_manifest(tree)
    assert build_manifest(tree, engine="dask", scheduler=dask_cluster.scheduler_address) == local
    assert build_manifest(tree / "big" / "b.bin", engine="dask", scheduler=dask_cluster.scheduler_address) == \
        build_manifest(tree / "big" / "b.bin")


def test_dask_engine_on_an_s3_prefix(s3, dask_cluster, tree):
    url = s3.upload_tree(tree, s3.new_bucket(), "tree")
    assert build_manifest(url, engine="dask", scheduler=dask_cluster.scheduler_address) == build_manifest(tree)


def test_progress_comes_from_task_completions(dask_cluster, tree):
    class Count:
        def __init__(self):
            self.calls, self.started = [], None

        def start(self, files, size):
            self.started = (files, size)

        def advance(self, n):
            self.calls.append(n)

    progress = Count()
    manifest = build_manifest(tree, engine="dask", scheduler=dask_cluster.scheduler_address, progress=progress)
    assert progress.started == (manifest.file_count, manifest.total_size)
    assert sum(progress.calls) == manifest.total_size and 1 < len(progress.calls) < manifest.file_count


def test_file_changed_before_a_worker_hashes_it(dask_cluster, tree):
    victim = tree / "shard-007" / "part-3.txt"

    class Appender:  # runs once every file is stat-ed, before any task is submitted
        def start(self, files, size):
            with open(victim, "a") as f:
                f.write("more\n")

        def advance(self, n):
            pass

    with pytest.raises(ManifestError, match=f"file changed while being hashed: {victim}"):
        build_manifest(tree, engine="dask", scheduler=dask_cluster.scheduler_address, progress=Appender())


def test_s3_object_changed_while_dask_hashes_it(s3, dask_cluster, tree):
    bucket = s3.new_bucket()
    url = s3.upload_tree(tree, bucket, "tree")

    class Rewriter:
        def start(self, files, size):
            s3.client().put_object(Bucket=bucket, Key="tree/big/a.bin", Body=b"new")

        def advance(self, n):
            pass

    with pytest.raises(ManifestError, match=f"changed while being hashed: s3://{bucket}/tree/big/a.bin"):
        build_manifest(url, engine="dask", scheduler=dask_cluster.scheduler_address, progress=Rewriter())


def test_cli_scheduler_option_and_env(dask_cluster, tree, home, monkeypatch):
    cli = CLI()
    local = cli.json("hash", str(tree))
    assert cli.json("hash", str(tree), "--engine", "dask", "--scheduler", dask_cluster.scheduler_address) == local
    monkeypatch.setenv("AIPROV_DASK_SCHEDULER", dask_cluster.scheduler_address)
    assert cli.json("hash", str(tree), "--engine", "dask") == local
    assert cli.json("hash", str(tree)) == local  # the env var alone does not switch engines


def test_scheduler_without_dask_engine_is_a_usage_error(tree, home):
    result = CLI()("hash", str(tree), "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "--scheduler needs --engine dask" in result.output


def test_unreachable_scheduler_is_an_environment_failure(tree, home):
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(EnvironmentFailure, match=f"cannot reach the Dask scheduler at {address}"):
        build_manifest(tree, engine="dask", scheduler=address)


def test_memory_urls_are_refused_on_dask():
    import fsspec

    from aiprov.errors import InvalidArgument

    fsspec.filesystem("memory").pipe("/aiprov-dask/a", b"x")
    with pytest.raises(InvalidArgument, match="memory:// lives in this process"):
        build_manifest("memory://aiprov-dask", engine="dask", scheduler="tcp://127.0.0.1:1")


@pytest.mark.slow
def test_cli_starts_and_stops_a_local_cluster(tree, home):
    """No --scheduler: the command starts a LocalCluster and leaves no process behind."""
    import uuid
    from pathlib import Path

    expected = CLI().json("hash", str(tree))
    marker = f"AIPROV_TEST_RUN={uuid.uuid4().hex}".encode()  # inherited by every process it starts
    proc = run_aiprov("hash", str(tree), "--engine", "dask", "--json", env={"AIPROV_TEST_RUN": marker[16:].decode()})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected

    def left_behind():
        found = []
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                if marker in environ.read_bytes().split(b"\0"):
                    found.append(environ.parent.name)
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 10
    while left_behind() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left_behind()


@pytest.mark.slow
def test_dask_scheduler_and_worker_subprocesses(s3, tree, home):
    """A cluster as a platform team runs one: `dask scheduler` and `dask worker` processes."""
    dask = os.path.join(os.path.dirname(sys.executable), "dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "2", "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="2s") as client:
                    client.wait_for_workers(1, timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        url = s3.upload_tree(tree, s3.new_bucket(), "tree")
        expected = CLI().json("hash", str(tree))
        assert build_manifest(tree, engine="dask", scheduler=address).to_dict()["root"] == expected["root"]
        proc = run_aiprov("hash", url, "--engine", "dask", "--json", env={"AIPROV_DASK_SCHEDULER": address})
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == expected
    finally:
        for p in (worker, scheduler):
            p.terminate()
        for p in (worker, scheduler):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
