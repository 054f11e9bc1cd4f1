"""Helper processes and threads hash alike, report progress alike, and fail alike.

Helpers start from ``PROCESS_MIN_FILES`` files on; the tests lower that
threshold (and ``BIG_FILE``) so small trees take every path.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from manifest_support import run_without_read_permission_override, sha256sum_tree

import aiprov.manifest.hashing as hashing
from aiprov.errors import InvalidPath, ManifestError
from aiprov.manifest import build_manifest
from aiprov.manifest.walk import FoundFile


@pytest.fixture
def low_thresholds(monkeypatch):
    monkeypatch.setattr(hashing, "PROCESS_MIN_FILES", 20)
    monkeypatch.setattr(hashing, "BIG_FILE", 200_000)


def make_tree(root: Path, n: int, *, big: int = 0) -> Path:
    rng = random.Random(n)
    for i in range(n):
        p = root / f"d{i % 5}" / f"f{i:04}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rng.randbytes(rng.choice([0, 1, 100, 4096, 30_000])))
    for i in range(big):
        (root / f"big{i}.bin").write_bytes(rng.randbytes(300_000 + i))
    return root


class Recorder:
    def __init__(self):
        self.starts: list[tuple[int, int]] = []
        self.advanced = 0

    def start(self, total_files, total_bytes):
        self.starts.append((total_files, total_bytes))

    def advance(self, nbytes):
        assert self.starts, "advance before start"
        self.advanced += nbytes


def helper_processes() -> list[str]:
    """Command lines of this process's filehash helpers still around (none should be)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and b"filehash.py" in cmd:
            found.append(cmd.decode(errors="replace"))
    return found


@pytest.mark.parametrize("workers", [2, 3])
def test_helpers_and_threads_give_the_same_manifest(tmp_path, low_thresholds, workers):
    root = make_tree(tmp_path / "data", 150, big=3)  # big files: left to threads in this process
    rec = Recorder()
    with_helpers = build_manifest(root, workers=workers, progress=rec)
    threads_only = build_manifest(root, workers=1)
    assert with_helpers == threads_only
    expected = {p: h for p, (_, h) in sha256sum_tree(root).items()}
    assert {e.path: e.sha256 for e in with_helpers.entries} == expected
    assert rec.starts == [(153, with_helpers.total_size)] and rec.advanced == with_helpers.total_size
    assert not helper_processes()


def test_hash_files_keeps_input_order(tmp_path, low_thresholds):
    root = make_tree(tmp_path, 60)
    files = [FoundFile(str(p.relative_to(root)), str(p)) for p in sorted(root.rglob("*.bin"), reverse=True)]
    result = hashing.hash_files(files, workers=2)
    expected = sha256sum_tree(root)
    assert result == [expected[f.path] for f in files]


def test_unreadable_file_reported_by_a_helper(tmp_path):
    data = make_tree(tmp_path / "data", 60)
    (data / "d3" / "f0013.bin").chmod(0)
    code = """
        import aiprov.manifest.hashing as hashing
        from aiprov.errors import InvalidPath
        from aiprov.manifest import build_manifest
        hashing.PROCESS_MIN_FILES = 20
        try:
            build_manifest("data", workers=2)
        except InvalidPath as e:
            print(e)
    """
    result = run_without_read_permission_override(code, cwd=tmp_path)
    assert result.stdout.strip() == "cannot read data/d3/f0013.bin: Permission denied", result.stderr


SYSFS_FILE = next(
    (
        p
        for p in (
            "/sys/kernel/mm/transparent_hugepage/enabled",
            "/sys/devices/system/cpu/online",
            "/sys/kernel/profiling",
        )
        if os.path.isfile(p) and os.access(p, os.R_OK)
    ),
    None,
)


@pytest.mark.skipif(SYSFS_FILE is None, reason="needs a readable sysfs file (stat says 4096 bytes, holds fewer)")
@pytest.mark.parametrize("workers", [1, 2])
def test_size_mismatch_is_reported_as_changed(tmp_path, low_thresholds, workers):
    # A sysfs file claims 4096 bytes and yields fewer: to the hasher that is a file
    # whose bytes do not match its stat, the same check that catches files changing.
    data = make_tree(tmp_path / "data", 40)
    (data / "d2" / "sysfs").symlink_to(SYSFS_FILE)
    with pytest.raises(ManifestError, match=r"file changed while being hashed: .*d2/sysfs"):
        build_manifest(data, workers=workers)
    assert not helper_processes()


def test_big_file_growing_while_parent_hashes_it(tmp_path, low_thresholds):
    data = make_tree(tmp_path / "data", 40)
    big = data / "big.bin"
    big.write_bytes(os.urandom(3 << 20))  # >= BIG_FILE: hashed by a thread here, read in 1 MiB chunks

    class AppendOnFirstAdvanceOfBig(Recorder):
        def advance(self, nbytes):
            super().advance(nbytes)
            if nbytes >= 1 << 20 and not getattr(self, "done", False):
                self.done = True
                with open(big, "ab") as f:
                    f.write(b"x")

    with pytest.raises(ManifestError, match=r"changed while being hashed: .*big\.bin"):
        build_manifest(data, workers=2, progress=AppendOnFirstAdvanceOfBig())


def test_walk_error_after_helpers_started_leaves_no_process(tmp_path, low_thresholds):
    data = make_tree(tmp_path / "data", 100)
    (data / "zz").mkdir()
    (data / "zz" / "broken").symlink_to("nowhere")  # found after the helpers are running
    with pytest.raises(ManifestError, match="broken symlink"):
        build_manifest(data, workers=2)
    assert not helper_processes()


def test_without_helpers_threads_do_it(tmp_path, low_thresholds, monkeypatch):
    data = make_tree(tmp_path / "data", 50)
    expected = build_manifest(data, workers=2)
    monkeypatch.setattr(hashing.sys, "executable", "")  # e.g. an embedded interpreter
    assert build_manifest(data, workers=2) == expected


def test_missing_file_between_walk_and_stat_is_invalid_path(tmp_path):
    f = tmp_path / "gone.bin"
    with pytest.raises(InvalidPath, match=r"cannot read .*gone\.bin: No such file"):
        hashing.hash_files([FoundFile("gone.bin", str(f))], workers=1)
