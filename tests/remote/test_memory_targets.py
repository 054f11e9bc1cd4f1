"""``memory://`` (fsspec's in-process store): any installed fsspec filesystem works like S3."""

from __future__ import annotations

import unicodedata
import uuid

import fsspec
import pytest

from aiprov.errors import ManifestError
from aiprov.manifest import build_manifest
from helpers import CLI, write_files


@pytest.fixture
def store():
    fs = fsspec.filesystem("memory")
    prefix = f"/aiprov-{uuid.uuid4().hex[:8]}"
    yield fs, prefix
    fs.rm(prefix, recursive=True)


FILES = {
    "a.txt": b"hello",
    "sub/deeper/b.bin": bytes(range(256)) * 40,
    unicodedata.normalize("NFD", "naïve.txt"): b"nfd",
    ".git/HEAD": b"ref",
    ".DS_Store": b"mac",
    "skip/me": b"x",
    ".aiprovignore": b"skip/\n",
}


def test_memory_tree_hashes_like_local_disk(store, tmp_path, home):
    fs, prefix = store
    fs.pipe({f"{prefix}/ds/{k}": v for k, v in FILES.items()})
    local = write_files(tmp_path / "ds", FILES)
    assert build_manifest(f"memory://{prefix}/ds") == build_manifest(local)
    assert CLI().json("hash", f"memory://{prefix}/ds") == CLI().json("hash", str(local))


def test_memory_object_replaced_while_hashing(store):
    fs, prefix = store
    fs.pipe({f"{prefix}/ds/{k}": v for k, v in FILES.items()})

    class Replace:
        def start(self, files, size):
            fs.pipe(f"{prefix}/ds/a.txt", b"HELLO")  # same size, new object

        def advance(self, n):
            pass

    with pytest.raises(ManifestError, match=f"object changed while being hashed: memory://{prefix}/ds/a.txt"):
        build_manifest(f"memory://{prefix}/ds", progress=Replace())


def test_unknown_scheme_is_bad_input(home):
    result = CLI()("hash", "nosuchscheme://x/y")
    assert result.exit_code == 2 and "cannot open nosuchscheme://x/y" in result.stderr
