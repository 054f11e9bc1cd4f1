"""``s3://`` targets against a real S3 API (moto's server on loopback): same manifest as local disk."""

from __future__ import annotations

import json
import os
import unicodedata

import pytest

from aiprov.errors import EnvironmentFailure, InvalidPath, ManifestError
from aiprov.manifest import build_manifest
from helpers import CLI, run_aiprov, write_files
from moto_fixture import TEST_ENV

NFD_NAME = unicodedata.normalize("NFD", "café.txt")


@pytest.fixture
def tree(tmp_path):
    """A tree with nested files, an NFD name, ignored files and an .aiprovignore."""
    return write_files(tmp_path / "corpus", {
        "train/part-0.jsonl": '{"text": "a"}\n' * 100,
        "train/part-1.jsonl": '{"text": "b"}\n' * 50,
        "images/cat.png": bytes(range(256)) * 64,
        NFD_NAME: "accents",
        "big.bin": os.urandom(9 << 20),  # over one read chunk: streamed in ranges
        ".git/config": "not data",
        "__pycache__/x.pyc": "cache",
        "logs/run.log": "ignored by the rule below",
        "keep.log": "ignored too",
        ".aiprovignore": "*.log\n",
        "empty.txt": "",
    })


def test_prefix_hashes_like_local_disk(s3, tree):
    url = s3.upload_tree(tree, s3.new_bucket(), "corpus")
    local = build_manifest(tree)
    remote = build_manifest(url)
    assert remote == local  # entries, root, ignore rules, kind, symlink policy
    assert remote.to_dict() == local.to_dict()
    paths = [e.path for e in remote.entries]
    assert "café.txt" in paths and NFD_NAME not in paths  # NFC, as on disk
    assert not any(p.startswith((".git/", "__pycache__/", "logs/")) or p.endswith(".log") for p in paths)
    assert build_manifest(url + "/") == local


def test_single_object_hashes_like_a_local_file(s3, tree):
    url = s3.upload_tree(tree, s3.new_bucket(), "corpus")
    local = build_manifest(tree / "big.bin")
    remote = build_manifest(f"{url}/big.bin")
    assert remote == local and remote.kind == "file" and remote.entries[0].path == "big.bin"


def test_digests_are_of_the_bytes_not_the_etag(s3, tmp_path):
    """A multipart upload's ETag is not even an MD5 of the object; the digest is still sha256sum's."""
    import hashlib

    from boto3.s3.transfer import TransferConfig

    body = os.urandom(12 << 20)
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "multi.bin").write_bytes(body)
    bucket = s3.new_bucket()
    s3.client().upload_file(str(tmp_path / "f" / "multi.bin"), bucket, "p/multi.bin",
                            Config=TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20))
    etag = s3.client().head_object(Bucket=bucket, Key="p/multi.bin")["ETag"]
    assert "-" in etag  # multipart: "<md5 of part md5s>-3"
    (entry,) = build_manifest(f"s3://{bucket}/p").entries
    assert entry.sha256 == hashlib.sha256(body).hexdigest() and entry.size == len(body)


def test_cli_hash_of_a_url_in_process_and_as_a_subprocess(s3, tree, home):
    url = s3.upload_tree(tree, s3.new_bucket(), "corpus")
    cli = CLI()
    local = cli.json("hash", str(tree))
    assert cli.json("hash", url) == local
    proc = run_aiprov("hash", url, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == local
    for text in (proc.stdout, proc.stderr):
        assert TEST_ENV["AWS_SECRET_ACCESS_KEY"] not in text and TEST_ENV["AWS_ACCESS_KEY_ID"] not in text


def test_missing_prefix_and_bucket_are_bad_input(s3, home):
    bucket = s3.new_bucket()
    with pytest.raises(InvalidPath, match=f"no such object or prefix: s3://{bucket}/nothing"):
        build_manifest(f"s3://{bucket}/nothing")
    result = CLI()("hash", "s3://aiprov-no-such-bucket/x")
    assert result.exit_code == 2
    assert "error: no such object or prefix: s3://aiprov-no-such-bucket/x" in result.stderr


def test_unreachable_endpoint_is_an_environment_failure(s3, home, monkeypatch):
    from anvil_fixture import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(EnvironmentFailure, match="object store error on s3://bucket/x") as info:
        build_manifest("s3://bucket/x")
    assert TEST_ENV["AWS_SECRET_ACCESS_KEY"] not in str(info.value) + str(info.value.hint)
    assert "\n" not in info.value.message


def test_object_rewritten_while_hashing_is_an_error_naming_it(s3, tree):
    bucket = s3.new_bucket()
    url = s3.upload_tree(tree, bucket, "corpus")

    class Rewriter:  # hashing starts right after the listing: rewrite one object then
        def start(self, files, size):
            s3.client().put_object(Bucket=bucket, Key="corpus/train/part-1.jsonl", Body=b"rewritten\n")

        def advance(self, n):
            pass

    with pytest.raises(ManifestError, match=f"object changed while being hashed: s3://{bucket}/corpus/train/part-1.jsonl"):
        build_manifest(url, progress=Rewriter())


def test_object_deleted_while_hashing_is_an_error_naming_it(s3, tree):
    bucket = s3.new_bucket()
    url = s3.upload_tree(tree, bucket, "corpus")

    class Deleter:
        def start(self, files, size):
            s3.client().delete_object(Bucket=bucket, Key="corpus/images/cat.png")

        def advance(self, n):
            pass

    with pytest.raises(ManifestError, match=f"object changed while being hashed: s3://{bucket}/corpus/images/cat.png"):
        build_manifest(url, progress=Deleter())


def test_nfc_twins_and_bad_keys_are_errors_naming_them(s3):
    bucket = s3.new_bucket()
    client = s3.client()
    client.put_object(Bucket=bucket, Key="t/café", Body=b"1")
    client.put_object(Bucket=bucket, Key=f"t/{unicodedata.normalize('NFD', 'café')}", Body=b"2")
    with pytest.raises(ManifestError, match="same NFC path 'café'"):
        build_manifest(f"s3://{bucket}/t")
    client.put_object(Bucket=bucket, Key="u/a//b", Body=b"1")
    with pytest.raises(ManifestError, match=f"s3://{bucket}/u/a//b"):
        build_manifest(f"s3://{bucket}/u")


def test_progress_reports_every_byte(s3, tree):
    url = s3.upload_tree(tree, s3.new_bucket(), "corpus")

    class Count:
        started = None
        done = 0

        def start(self, files, size):
            self.started = (files, size)

        def advance(self, n):
            self.done += n

    progress = Count()
    manifest = build_manifest(url, progress=progress)
    assert progress.started == (manifest.file_count, manifest.total_size)
    assert progress.done == manifest.total_size
