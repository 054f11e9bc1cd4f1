"""``aiprov status`` and ``verify --cached`` on an S3 prefix: compared with its receipt, offline."""

from __future__ import annotations

from helpers import CLI, write_files


def test_status_of_an_s3_dataset(s3, tmp_path, home):
    local = write_files(tmp_path / "d", {"a.txt": "one", "b/c.txt": "two", "b/d.bin": b"\0" * 2000})
    bucket = s3.new_bucket()
    url = s3.upload_tree(local, bucket, "d")
    cli = CLI()
    reg = cli.json("register", "dataset", url)
    clean = cli.json("status", url)
    assert clean["status"] == "clean" and clean["id"] == reg["id"]
    assert cli.json("verify", "dataset", url, "--cached")["verified"]  # a URL is re-read, never cached
    client = s3.client()
    client.put_object(Bucket=bucket, Key="d/a.txt", Body=b"ONE")
    client.put_object(Bucket=bucket, Key="d/new.txt", Body=b"new")
    client.copy_object(Bucket=bucket, Key="d/moved.bin", CopySource={"Bucket": bucket, "Key": "d/b/d.bin"})
    client.delete_object(Bucket=bucket, Key="d/b/d.bin")
    changed = cli.json("status", url, code=1)
    assert changed["status"] == "changed"
    changes = changed["changes"]
    assert [m["path"] for m in changes["modified"]] == ["a.txt"]
    assert [e["path"] for e in changes["added"]] == ["new.txt"]
    assert [(r["from"], r["to"]) for r in changes["renamed"]] == [("b/d.bin", "moved.bin")]
    assert not cli.json("verify", "dataset", url, "--cached", code=1)["verified"]
