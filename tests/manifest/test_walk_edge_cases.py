"""Which files a manifest holds: ignores, Unicode, symlinks, special files, errors."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from manifest_support import run_without_read_permission_override

from aiprov.errors import InvalidPath, ManifestError
from aiprov.manifest import DEFAULT_IGNORES, build_manifest, diff_manifests


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def paths(manifest) -> list[str]:
    return [e.path for e in manifest.entries]


@pytest.fixture(autouse=True)
def never_hang():
    """A walk must never block (e.g. on a FIFO): fail after 20 s instead of hanging CI."""

    def _timeout(signum, frame):
        raise TimeoutError("build_manifest blocked")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# -- targets ----------------------------------------------------------------------


def test_single_file_target_is_named_by_its_file_name(tmp_path):
    f = write(tmp_path, {"sub/model.safetensors": b"w" * 10}) / "sub" / "model.safetensors"
    m = build_manifest(f)
    assert m.kind == "file" and paths(m) == ["model.safetensors"] and m.ignore == ()
    assert m.to_dict()["files"] == 1 and m.total_size == 10


def test_single_file_target_through_a_symlink_and_ignored_name(tmp_path):
    real = write(tmp_path, {"real.bin": b"abc"}) / "real.bin"
    (tmp_path / "x.aiprov.json").symlink_to(real)  # named explicitly: ignore rules do not apply
    m = build_manifest(tmp_path / "x.aiprov.json")
    assert paths(m) == ["x.aiprov.json"] and m.entries[0].sha256 == build_manifest(real).entries[0].sha256


def test_missing_path_is_invalid_path(tmp_path):
    with pytest.raises(InvalidPath, match="no such file or directory: .*nope"):
        build_manifest(tmp_path / "nope")


def test_empty_directory_is_an_error(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(InvalidPath, match="nothing to hash in .*empty"):
        build_manifest(tmp_path / "empty")


def test_only_ignored_files_is_an_error(tmp_path):
    write(tmp_path, {".git/HEAD": "ref", ".DS_Store": "x", "r.aiprov.json": "{}", "__pycache__/m.pyc": "x"})
    with pytest.raises(InvalidPath, match="no files left after the ignore rules"):
        build_manifest(tmp_path)


# -- ignore rules -------------------------------------------------------------------


def test_default_ignores(tmp_path):
    write(
        tmp_path,
        {
            "keep.txt": "k",
            ".gitignore": "not ignored",
            ".aiprovignore": "",
            ".git/config": "x",
            "sub/.git/objects/ab": "x",
            ".aiprov/state": "x",
            "pkg/__pycache__/m.cpython-311.pyc": "x",
            "pkg/.DS_Store": "x",
            "data.aiprov.json": "{}",
            "data.aiprov-salts.json": "{}",
            "sub/deep.aiprov.json": "{}",
            "git/ok": "a dir named git is fine",
        },
    )
    m = build_manifest(tmp_path)
    assert paths(m) == [".aiprovignore", ".gitignore", "git/ok", "keep.txt"]
    assert m.ignore == DEFAULT_IGNORES


def test_aiprovignore_patterns_negation_dirs_anchors(tmp_path):
    write(
        tmp_path,
        {
            ".aiprovignore": "# comment\n\n*.tmp\n!keep.tmp\nlogs/\n/top.txt\ncache/**\n!cache/wanted\nbuild\r\n",
            "a.tmp": "x",
            "keep.tmp": "x",
            "sub/b.tmp": "x",
            "sub/keep.tmp": "x",
            "logs/1.log": "x",
            "sub/logs/2.log": "x",
            "logs.txt": "x",
            "top.txt": "x",
            "sub/top.txt": "x",
            "cache/junk": "x",
            "cache/wanted": "x",
            "build/out": "x",
            "data.csv": "x",
        },
    )
    m = build_manifest(tmp_path)
    assert paths(m) == [
        ".aiprovignore",
        "cache/wanted",
        "data.csv",
        "keep.tmp",
        "logs.txt",
        "sub/keep.tmp",
        "sub/top.txt",
    ]
    assert m.ignore == (
        *DEFAULT_IGNORES,
        "*.tmp",
        "!keep.tmp",
        "logs/",
        "/top.txt",
        "cache/**",
        "!cache/wanted",
        "build",
    )


def test_excluded_directory_cannot_be_reincluded(tmp_path):
    write(tmp_path, {".aiprovignore": "secret/\n!secret/public.txt\n", "secret/public.txt": "x", "a": "x"})
    assert paths(build_manifest(tmp_path)) == [".aiprovignore", "a"]


def test_recorded_rules_reproduce_the_selection_and_aiprovignore_edits_show(tmp_path):
    write(tmp_path, {".aiprovignore": "*.log\n", "a.log": "x", "b.txt": "y"})
    first = build_manifest(tmp_path)
    (tmp_path / ".aiprovignore").write_text("b.txt\n")  # someone edits the rules after registering
    again = build_manifest(tmp_path, ignore=first.ignore)  # what a verifier does with a receipt
    assert paths(again) == [".aiprovignore", "b.txt"]
    changes = diff_manifests(first, again)
    assert [e.path for e, _ in changes.modified] == [".aiprovignore"] and not changes.added
    assert paths(build_manifest(tmp_path, ignore=[])) == [".aiprovignore", "a.log", "b.txt"]


def test_ignored_paths_are_never_inspected(tmp_path):
    write(tmp_path, {"a": "x"})
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".git" / "fifo")
    (tmp_path / "dangling.tmp").symlink_to(tmp_path / "missing")
    os.mkfifo(tmp_path / "pipe.tmp")
    assert paths(build_manifest(tmp_path, ignore=[*DEFAULT_IGNORES, "*.tmp"])) == ["a"]


# -- Unicode --------------------------------------------------------------------------


def test_nfd_names_are_normalised_to_nfc(tmp_path):
    write(tmp_path, {"cafe\u0301/re\u0301sume\u0301.txt": "x", "plain.txt": "y"})
    m = build_manifest(tmp_path)
    assert paths(m) == ["caf\u00e9/r\u00e9sum\u00e9.txt", "plain.txt"]
    assert m.proof("cafe\u0301/re\u0301sume\u0301.txt") == m.proof("caf\u00e9/r\u00e9sum\u00e9.txt")


def test_nfc_and_nfd_twins_are_an_error(tmp_path):
    write(tmp_path, {"\u00e9.txt": "nfc", "e\u0301.txt": "nfd"})
    with pytest.raises(ManifestError, match="same NFC path '\u00e9.txt'"):
        build_manifest(tmp_path)


def test_non_utf8_name_is_an_error(tmp_path):
    write(tmp_path, {"ok": "x"})
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.bin"), "wb") as f:
        f.write(b"x")
    with pytest.raises(ManifestError, match="not valid UTF-8"):
        build_manifest(tmp_path)


def test_entries_sorted_by_utf8_bytes(tmp_path):
    expected = ["B", "a-b", "a.b", "a/b", "a0", "~", "\u00e9", "\u4e2d", "\U0001f600"]
    write(tmp_path, {n: "x" for n in reversed(expected)})
    assert paths(build_manifest(tmp_path)) == expected


# -- symlinks -----------------------------------------------------------------------


def test_file_symlinks_are_followed(tmp_path):
    write(tmp_path, {"outside/real.bin": b"payload"})
    data = write(tmp_path / "data", {"plain.bin": b"payload"})
    (data / "linked.bin").symlink_to("../outside/real.bin")
    m = build_manifest(data)
    assert paths(m) == ["linked.bin", "plain.bin"]
    assert m.entries[0].sha256 == m.entries[1].sha256 and m.entries[0].size == 7


def test_hugging_face_cache_snapshot_hashes_like_real_files(tmp_path):
    files = {"config.json": b'{"a": 1}', "model.safetensors": os.urandom(50_000), "tokenizer/vocab.txt": b"a\nb\n"}
    repo = tmp_path / "hub" / "models--org--tiny"
    (repo / "blobs").mkdir(parents=True)
    snapshot = repo / "snapshots" / "0123abcd"
    for rel, data in files.items():
        import hashlib

        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))  # ../../blobs/<sha>, ../../../blobs/<sha>
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0123abcd")
    copy = write(tmp_path / "copy", files)
    assert build_manifest(snapshot) == build_manifest(copy)
    assert all(os.path.islink(snapshot / rel) for rel in files)


def test_directory_symlinks_skipped_by_default_followed_on_request(tmp_path):
    write(tmp_path, {"shared/s.txt": "s"})
    data = write(tmp_path / "data", {"a.txt": "a"})
    (data / "shared").symlink_to(tmp_path / "shared", target_is_directory=True)
    default = build_manifest(data)
    assert paths(default) == ["a.txt"] and default.symlinks == "files"
    followed = build_manifest(data, follow_dir_symlinks=True)
    assert paths(followed) == ["a.txt", "shared/s.txt"] and followed.symlinks == "all"
    assert followed.to_dict()["symlinks"] == "all"


def test_directory_symlink_loop_is_an_error_naming_the_link(tmp_path):
    data = write(tmp_path / "data", {"sub/a.txt": "a"})
    (data / "sub" / "up").symlink_to("..", target_is_directory=True)
    assert paths(build_manifest(data)) == ["sub/a.txt"]  # not followed: no loop
    with pytest.raises(ManifestError, match=r"symlink loop: .*sub/up"):
        build_manifest(data, follow_dir_symlinks=True)


def test_mutual_directory_links_are_a_loop(tmp_path):
    data = write(tmp_path / "data", {"a/x": "1", "b/y": "2"})
    (data / "a" / "to_b").symlink_to("../b")
    (data / "b" / "to_a").symlink_to("../a")
    with pytest.raises(ManifestError, match="symlink loop"):
        build_manifest(data, follow_dir_symlinks=True)


def test_self_referencing_link_is_a_loop(tmp_path):
    data = write(tmp_path / "data", {"a": "1"})
    (data / "me").symlink_to("me")
    with pytest.raises(ManifestError, match=r"symlink loop: .*me"):
        build_manifest(data)


def test_broken_link_is_an_error_naming_it(tmp_path):
    data = write(tmp_path / "data", {"a": "1"})
    (data / "gone.bin").symlink_to("../nowhere.bin")
    with pytest.raises(ManifestError, match=r"broken symlink: .*gone\.bin -> \.\./nowhere\.bin"):
        build_manifest(data)
    with pytest.raises(ManifestError, match="broken symlink"):
        build_manifest(data / "gone.bin")


# -- special files --------------------------------------------------------------------


def test_fifo_is_an_error_and_never_opened(tmp_path):
    data = write(tmp_path / "data", {"a": "1"})
    os.mkfifo(data / "pipe")
    with pytest.raises(ManifestError, match=r"not a regular file \(FIFO\): .*pipe"):
        build_manifest(data)
    with pytest.raises(ManifestError, match="FIFO"):
        build_manifest(data / "pipe")
    (data / "pipe").unlink()
    os.mkfifo(tmp_path / "elsewhere")
    (data / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ManifestError, match=r"symlink to a FIFO.*link"):
        build_manifest(data)


def test_socket_is_an_error(tmp_path):
    data = write(tmp_path / "d", {"a": "1"})
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(data / "sock"))
        with pytest.raises(ManifestError, match=r"socket.*sock"):
            build_manifest(data)


def test_unreadable_file_and_directory_are_invalid_path(tmp_path):
    data = write(tmp_path / "data", {"ok.txt": "x", "secret.bin": "s", "locked/f": "f"})
    (data / "secret.bin").chmod(0)
    code = """
        from aiprov.errors import InvalidPath
        from aiprov.manifest import build_manifest
        try:
            build_manifest("data")
        except InvalidPath as e:
            print(e)
        else:
            print("no error")
    """
    result = run_without_read_permission_override(code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "cannot read data/secret.bin: Permission denied"
    (data / "secret.bin").chmod(0o644)
    (data / "locked").chmod(0)
    result = run_without_read_permission_override(code, cwd=tmp_path)
    (data / "locked").chmod(0o755)
    assert result.stdout.strip() == "cannot read directory data/locked: Permission denied", result.stderr


# -- files changing while hashed --------------------------------------------------------


def test_file_growing_during_hashing_is_an_error(tmp_path):
    data = write(tmp_path / "data", {"big.bin": os.urandom(5 << 20), "small.txt": "s"})

    class AppendMidway:
        done = False

        def start(self, total_files, total_bytes):
            pass

        def advance(self, nbytes):
            if not self.done:  # first MiB read: append to the file being hashed
                self.done = True
                with open(data / "big.bin", "ab") as f:
                    f.write(b"more")

    with pytest.raises(ManifestError, match=r"file changed while being hashed: .*big\.bin"):
        build_manifest(data, progress=AppendMidway(), workers=1)


def test_file_rewritten_between_walk_and_hash_is_an_error(tmp_path):
    data = write(tmp_path / "data", {"a.txt": "aaaa", "b.txt": "bbbb"})

    class RewriteOnStart:
        def start(self, total_files, total_bytes):
            (data / "b.txt").write_text("BBBBB")

        def advance(self, nbytes):
            pass

    with pytest.raises(ManifestError, match=r"changed while being hashed: .*b\.txt"):
        build_manifest(data, progress=RewriteOnStart())


def test_file_replaced_same_size_is_an_error(tmp_path):
    data = write(tmp_path / "data", {"a.txt": "aaaa"})

    class ReplaceOnStart:
        def start(self, total_files, total_bytes):
            (data / "new").write_text("zzzz")
            os.replace(data / "new", data / "a.txt")  # new inode, same size

        def advance(self, nbytes):
            pass

    with pytest.raises(ManifestError, match="changed while being hashed"):
        build_manifest(data, progress=ReplaceOnStart(), workers=1)


def test_errors_from_worker_threads_reach_the_caller(tmp_path):
    files = {f"f{i:03}": os.urandom(2000) for i in range(300)}
    data = write(tmp_path / "data", files)

    class TruncateOnStart:
        def start(self, total_files, total_bytes):
            os.truncate(data / "f150", 10)

        def advance(self, nbytes):
            pass

    with pytest.raises(ManifestError, match=r"changed while being hashed: .*f150"):
        build_manifest(data, progress=TruncateOnStart(), workers=4)


def test_os_pathlike_and_str_targets(tmp_path):
    write(tmp_path, {"a": "1"})
    assert build_manifest(str(tmp_path)) == build_manifest(tmp_path)
