"""Property: any tree uploaded to S3 hashes to the root (and entries) it has on local disk."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprov.manifest import build_manifest

_counter = itertools.count()
NAME_CHARS = "abcXYZ019-_. é€" + unicodedata.normalize("NFD", "ü")
names = st.text(NAME_CHARS, min_size=1, max_size=8).filter(lambda n: n not in (".", "..") and not n.endswith("."))
special = st.sampled_from([".git/config", "__pycache__/m.pyc", ".DS_Store", "x.aiprov.json", "notes.tmp", "tmp/a"])
paths = st.one_of(st.lists(names, min_size=1, max_size=3).map("/".join), special)
contents = st.tuples(st.binary(max_size=16), st.integers(1, 700)).map(lambda t: t[0] * t[1])  # up to ~11 KiB


def _consistent(files: dict[str, bytes]) -> dict[str, bytes]:
    """Drop paths that cannot coexist on a disk: a file that is also a directory, NFC twins."""
    kept: dict[str, bytes] = {}
    seen_nfc: set[str] = set()
    for path, data in sorted(files.items()):
        parts = path.split("/")
        nfc_parts = [unicodedata.normalize("NFC", p) for p in parts]
        prefixes = {"/".join(nfc_parts[:i]) for i in range(1, len(parts))}
        full = "/".join(nfc_parts)
        if full in seen_nfc or prefixes & seen_nfc or any(k.startswith(full + "/") for k in seen_nfc):
            continue
        if any(unicodedata.normalize("NFC", k) in prefixes for k in kept):
            continue
        seen_nfc.add(full)
        kept[path] = data
    return kept


trees = st.dictionaries(paths, contents, min_size=1, max_size=8).map(_consistent)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=trees, ignore=st.sampled_from(["", "*.tmp\n", "tmp/\n!keep\n"]))
def test_s3_root_equals_local_root(s3, files, ignore):
    bucket = getattr(test_s3_root_equals_local_root, "bucket", None) or s3.new_bucket()
    test_s3_root_equals_local_root.bucket = bucket
    if ignore:
        files = {**files, ".aiprovignore": ignore.encode()}
    root = Path(tempfile.mkdtemp()) / "t"
    try:
        for rel, data in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        try:
            local = build_manifest(root)
        except Exception as exc:  # noqa: BLE001 - e.g. everything ignored: the remote must say the same
            local = type(exc)
        url = s3.upload_tree(root, bucket, f"t{next(_counter)}")
        try:
            remote = build_manifest(url)
        except Exception as exc:  # noqa: BLE001
            remote = type(exc)
        assert remote == local
        if not isinstance(local, type):
            assert remote.to_dict() == local.to_dict()
    finally:
        shutil.rmtree(root.parent)
