"""The aiprov-manifest/1 document: shape, round trip, tamper detection, proofs, diffs, imports."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiprov.errors import InvalidPath, InvalidReceipt, ManifestError
from aiprov.manifest import (
    DEFAULT_IGNORES,
    FORMAT,
    Changes,
    Entry,
    Manifest,
    UnknownPath,
    build_manifest,
    diff_manifests,
    verify_proof,
)

SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture
def manifest(tmp_path) -> Manifest:
    for rel, data in {"b.txt": "bee", "a/x.bin": b"\0" * 100, "a/y z.txt": "", "é.txt": "e"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data.encode() if isinstance(data, str) else data)
    return build_manifest(tmp_path)


def test_document_shape(manifest):
    d = manifest.to_dict()
    assert list(d) == ["format", "kind", "root", "symlinks", "ignore", "files", "size", "entries"]
    assert d["format"] == FORMAT == "aiprov-manifest/1"
    assert d["kind"] == "directory" and d["symlinks"] == "files" and d["ignore"] == list(DEFAULT_IGNORES)
    assert d["files"] == 4 and d["size"] == 104
    assert d["root"].startswith("0x") and len(d["root"]) == 66 and d["root"] == d["root"].lower()
    assert [e["path"] for e in d["entries"]] == ["a/x.bin", "a/y z.txt", "b.txt", "é.txt"]
    assert d["entries"][1] == {
        "path": "a/y z.txt",
        "size": 0,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    json.dumps(d)  # plain JSON types only


def test_round_trip(manifest):
    again = Manifest.from_dict(json.loads(json.dumps(manifest.to_dict())))
    assert again == manifest and again.root == manifest.root and again.entries == manifest.entries


def test_entry_order_in_the_document_does_not_matter(manifest):
    d = manifest.to_dict()
    d["entries"].reverse()
    assert Manifest.from_dict(d) == manifest


TAMPERS = {
    "sha256 changed": lambda d: d["entries"][0].__setitem__("sha256", "0" * 64),
    "size changed": lambda d: d["entries"][0].__setitem__("size", 101),
    "path renamed": lambda d: d["entries"][0].__setitem__("path", "a/renamed.bin"),
    "entry added": lambda d: d["entries"].append({"path": "new", "size": 1, "sha256": SHA_A}),
    "entry removed": lambda d: d["entries"].pop(),
    "root changed": lambda d: d.__setitem__("root", "0x" + "00" * 32),
    "root uppercase": lambda d: d.__setitem__("root", d["root"].upper().replace("0X", "0x")),
    "files count": lambda d: d.__setitem__("files", 5),
    "files as bool": lambda d: d.__setitem__("files", True),
    "total size": lambda d: d.__setitem__("size", 1),
    "format": lambda d: d.__setitem__("format", "aiprov-manifest/2"),
    "kind": lambda d: d.__setitem__("kind", "folder"),
    "symlinks": lambda d: d.__setitem__("symlinks", "none"),
    "ignore not list": lambda d: d.__setitem__("ignore", ".git/"),
    "duplicate path": lambda d: d["entries"].append(dict(d["entries"][0])),
    "NFD path": lambda d: d["entries"][3].__setitem__("path", "e\u0301.txt"),
    "dotdot path": lambda d: d["entries"][0].__setitem__("path", "../x.bin"),
    "absolute path": lambda d: d["entries"][0].__setitem__("path", "/a/x.bin"),
    "empty component": lambda d: d["entries"][0].__setitem__("path", "a//x.bin"),
    "uppercase hex": lambda d: d["entries"][0].__setitem__("sha256", d["entries"][0]["sha256"].upper()),
    "0x digest": lambda d: d["entries"][0].__setitem__("sha256", "0x" + d["entries"][0]["sha256"][2:]),
    "negative size": lambda d: d["entries"][0].__setitem__("size", -1),
    "string size": lambda d: d["entries"][0].__setitem__("size", "100"),
    "bool size": lambda d: d["entries"][2].__setitem__("size", True),
    "extra entry key": lambda d: d["entries"][0].__setitem__("mode", 644),
    "no entries": lambda d: d.__setitem__("entries", []),
    "file kind with two entries": lambda d: d.__setitem__("kind", "file"),
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_from_dict_rejects_tampering(manifest, tamper):
    d = copy.deepcopy(manifest.to_dict())
    tamper(d)
    with pytest.raises(InvalidReceipt):
        Manifest.from_dict(d)


def test_from_dict_rejects_non_objects():
    for bad in (None, [], "x", {"format": FORMAT}):
        with pytest.raises(InvalidReceipt):
            Manifest.from_dict(bad)


def test_tampered_entries_with_recomputed_totals_still_fail_on_root(manifest):
    d = manifest.to_dict()
    d["entries"][0]["sha256"] = SHA_A  # a careful forger keeps files/size consistent
    with pytest.raises(InvalidReceipt, match="'root'.*altered"):
        Manifest.from_dict(d)


def test_manifest_is_immutable(manifest):
    with pytest.raises(AttributeError):
        manifest.root = "0x" + "00" * 32
    with pytest.raises(AttributeError):
        manifest.entries += (Entry("z", 1, SHA_A),)
    with pytest.raises(AttributeError):
        manifest.entries[0].size = 5
    assert isinstance(manifest.entries, tuple)


def test_proofs_by_path_verify_against_the_root(manifest):
    root = bytes.fromhex(manifest.root[2:])
    for e in manifest.entries:
        proof = manifest.proof(e.path)
        assert all(p.startswith("0x") and len(p) == 66 for p in proof)
        assert verify_proof(root, bytes.fromhex(manifest.leaf(e.path)[2:]), [bytes.fromhex(p[2:]) for p in proof])
    assert manifest.proof("./b.txt") == manifest.proof("b.txt")


def test_unknown_path_is_invalid_path_and_key_error(manifest):
    for call in (manifest.proof, manifest.leaf, manifest.entry):
        with pytest.raises(UnknownPath, match="no file 'nope'"):
            call("nope")
    with pytest.raises(KeyError):
        manifest.proof("a")  # a directory, not a file
    with pytest.raises(InvalidPath):
        manifest.leaf("a/x.bin/")


def test_constructor_checks_entries():
    Manifest([Entry("b", 1, SHA_B), Entry("a", 2, SHA_A)])  # unsorted is fine: it sorts
    for bad in (
        [],
        [Entry("a", 1, SHA_A), Entry("a", 1, SHA_B)],
        [Entry("a", 1, "xyz")],
        [Entry("", 1, SHA_A)],
        [("a", 1, SHA_A)],
    ):
        with pytest.raises(ManifestError):
            Manifest(bad)
    with pytest.raises(ManifestError):
        Manifest([Entry("a/b", 1, SHA_A)], kind="file")


def test_root_is_independent_of_entry_order():
    entries = [Entry(f"f{i}", i, f"{i:064x}") for i in range(20)]
    assert Manifest(entries).root == Manifest(reversed(entries)).root


# -- diff ------------------------------------------------------------------------------


def test_diff_added_removed_modified(tmp_path):
    root = tmp_path / "d"
    root.mkdir()
    for name, data in {"keep": "k", "change": "old", "grow": "g", "gone": "x"}.items():
        (root / name).write_text(data)
    before = build_manifest(root)
    (root / "change").write_text("new")  # same size, different bytes
    (root / "grow").write_text("gg")
    (root / "gone").unlink()
    (root / "sub").mkdir()
    (root / "sub" / "added").write_text("a")
    after = build_manifest(root)

    changes = diff_manifests(before, after)
    assert not changes.ok
    assert [e.path for e in changes.added] == ["sub/added"]
    assert [e.path for e in changes.removed] == ["gone"]
    assert [(a.path, a.size, b.size) for a, b in changes.modified] == [("change", 3, 3), ("grow", 1, 2)]
    d = changes.to_dict()
    assert d["added"] == [{"path": "sub/added", "size": 1, "sha256": after.entry("sub/added").sha256}]
    assert d["removed"] == [{"path": "gone", "size": 1, "sha256": before.entry("gone").sha256}]
    assert d["modified"][1] == {
        "path": "grow",
        "expected": {"size": 1, "sha256": before.entry("grow").sha256},
        "actual": {"size": 2, "sha256": after.entry("grow").sha256},
    }
    json.dumps(d)


def test_diff_of_identical_manifests_is_ok(tmp_path):
    (tmp_path / "a").write_text("a")
    changes = diff_manifests(build_manifest(tmp_path), build_manifest(tmp_path))
    assert changes.ok and changes == Changes()
    assert changes.to_dict() == {"added": [], "removed": [], "modified": [], "renamed": []}


def test_a_moved_file_is_one_rename_not_an_add_and_a_remove(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.bin").write_bytes(b"same bytes")
    (tmp_path / "keep.txt").write_text("k")
    (tmp_path / "gone.txt").write_text("only here")
    before = build_manifest(tmp_path)
    (tmp_path / "a" / "x.bin").rename(tmp_path / "y.bin")
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "new.txt").write_text("brand new")
    changes = diff_manifests(before, build_manifest(tmp_path))
    assert [(old.path, new.path) for old, new in changes.renamed] == [("a/x.bin", "y.bin")]
    assert [e.path for e in changes.added] == ["new.txt"] and [e.path for e in changes.removed] == ["gone.txt"]
    assert changes.count == 3 and not changes.ok
    assert changes.to_dict()["renamed"] == [{"from": "a/x.bin", "to": "y.bin", "size": 10,
                                             "sha256": before.entry("a/x.bin").sha256}]


# -- start-up cost -------------------------------------------------------------------------


def test_import_pulls_in_no_chain_or_cli_libraries():
    code = (
        "import sys, aiprov.manifest; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'web3', 'eth_tester', 'eth_utils', 'eth_abi', 'eth_account', 'eth_hash', 'rich', 'click'} "
        "or m.startswith('eth_')); print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
    )
    assert out.stdout.strip() == "[]"
