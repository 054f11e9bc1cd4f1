"""build_manifest over real directories equals the oracle over (path, size, sha256sum)."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from manifest_support import FILE_TYPES, sha256sum_tree

from aiprov.manifest import DEFAULT_IGNORES, build_manifest

# Name pieces: NFC and NFD spellings, combining marks, CJK, emoji, spaces, shell-hostile characters.
PIECES = [
    "é",
    "e\u0301",
    "Å",
    "A\u030a",
    "한",
    "中",
    "😀",
    " ",
    "ß",
    "ﬁ",
    "'",
    '"',
    "\\",
    "*",
    "?",
    "[x]",
    "#",
    "%",
    "a",
    "b",
    "Z",
]

name = (
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6)
    .map("".join)
    .filter(lambda s: s.strip(" ") and s not in (".", ".."))
)
rel_path = st.lists(name, min_size=1, max_size=4)
contents = st.one_of(
    st.just(b""), st.binary(max_size=300), st.integers(0, 200_000).map(lambda n: random.Random(n).randbytes(n))
)


@st.composite
def trees(draw):
    """{on-disk path parts: bytes}: paths unique after NFC, no file also used as a directory."""
    nfc = lambda parts: tuple(unicodedata.normalize("NFC", p) for p in parts)  # noqa: E731
    dir_spelling: dict[tuple[str, ...], str] = {}  # a directory keeps the first on-disk spelling drawn
    files: dict[tuple[str, ...], tuple[tuple[str, ...], bytes]] = {}
    for parts in draw(st.lists(rel_path, min_size=1, max_size=25)):
        key = nfc(parts)
        if key in files or key in dir_spelling or any(key[:i] in files for i in range(1, len(key))):
            continue
        on_disk = [dir_spelling.setdefault(key[: i + 1], parts[i]) for i in range(len(key) - 1)]
        files[key] = ((*on_disk, parts[-1]), draw(contents))
    return dict(files.values())


def _write(root: Path, files: dict[tuple[str, ...], bytes]) -> None:
    for parts, data in files.items():
        path = root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(trees(), st.sampled_from([1, 2, 4]))
def test_root_matches_oracle_over_sha256sum(oracle, files, workers):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        _write(root, files)
        manifest = build_manifest(root, workers=workers)

        expected = {unicodedata.normalize("NFC", rel): v for rel, v in sha256sum_tree(root).items()}
        ours = {e.path: (e.size, e.sha256) for e in manifest.entries}
        assert ours == expected
        assert [e.path.encode() for e in manifest.entries] == sorted(p.encode() for p in expected)

        oz = oracle.tree(FILE_TYPES, [(p, s, bytes.fromhex(h)) for p, (s, h) in expected.items()])
        assert manifest.root == oz["root"]
        assert manifest.kind == "directory" and manifest.ignore == DEFAULT_IGNORES
        assert manifest.file_count == len(files) and manifest.total_size == sum(map(len, files.values()))


def test_single_file_matches_sha256sum_and_oracle(oracle, tmp_path):
    f = tmp_path / "weights e\u0301.bin"
    f.write_bytes(os.urandom(3 << 20) + b"tail")  # several read chunks
    manifest = build_manifest(f)
    ((size, digest),) = sha256sum_tree(tmp_path).values()
    assert manifest.kind == "file" and manifest.ignore == ()
    assert [(e.path, e.size, e.sha256) for e in manifest.entries] == [("weights \u00e9.bin", size, digest)]
    assert manifest.root == oracle.tree(FILE_TYPES, [("weights \u00e9.bin", size, bytes.fromhex(digest))])["root"]


def test_many_files_in_parallel_equal_sequential(tmp_path):
    rng = random.Random(1)
    for i in range(600):
        p = tmp_path / f"d{i % 7}" / f"f{i}.bin"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(rng.randbytes(rng.choice([0, 10, 5000, 70_000])))
    big = tmp_path / "big.bin"
    big.write_bytes(rng.randbytes(9 << 20))  # larger than a batch: hashed on its own
    one = build_manifest(tmp_path, workers=1)
    many = build_manifest(tmp_path, workers=8)
    assert one == many
    assert one.entry("big.bin").sha256 == sha256sum_tree(tmp_path)["big.bin"][1]


def test_progress_reports_totals(tmp_path):
    sizes = [0, 1, 4096, (1 << 20) + 3, 3 << 20]
    for i, n in enumerate(sizes):
        (tmp_path / f"f{i}").write_bytes(b"x" * n)

    class Recorder:
        def __init__(self):
            self.started = None
            self.advanced = 0

        def start(self, total_files, total_bytes):
            self.started = (total_files, total_bytes)

        def advance(self, nbytes):
            self.advanced += nbytes

    rec = Recorder()
    build_manifest(tmp_path, progress=rec, workers=2)
    assert rec.started == (len(sizes), sum(sizes))
    assert rec.advanced == sum(sizes)


def test_same_tree_anywhere_gives_same_root(tmp_path):
    a = tmp_path / "a"
    _write(a, {("x", "y.txt"): b"1", ("z",): b"22"})
    b = tmp_path / "elsewhere" / "b"
    shutil.copytree(a, b)
    os.utime(b / "z", (0, 0))  # timestamps are not content
    assert build_manifest(a).root == build_manifest(b).root
    assert build_manifest(str(a) + "/").root == build_manifest(a).root
