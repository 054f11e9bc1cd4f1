"""Register and verify an S3 dataset (and a model) on the embedded chain, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from aiprov.receipts import fallback_receipt_path
from helpers import CLI, run_aiprov, write_files
from moto_fixture import TEST_ENV


def _dataset(tmp_path) -> Path:
    return write_files(tmp_path / "reviews", {
        "train.csv": "id,text,label\n1,great product,1\n2,awful,0\n",
        "test.csv": "id,text,label\n3,fine,1\n",
        "images/cat.png": bytes(range(256)) * 4,
    })


def test_register_and_verify_an_s3_dataset(s3, tmp_path, home):
    local = _dataset(tmp_path)
    bucket = s3.new_bucket()
    url = s3.upload_tree(local, bucket, "reviews")
    cli = CLI()
    reg = cli.json("register", "dataset", url, "--name", "reviews")
    assert reg["root"] == cli.json("hash", str(local))["root"]
    receipt_path = Path(reg["receipt"])
    assert receipt_path == fallback_receipt_path(url, home) and receipt_path.is_relative_to(home)
    receipt = json.loads(receipt_path.read_text())
    assert receipt["versions"][-1]["manifest"]["entries"] == cli.json("hash", str(local))["entries"]

    again = cli.json("register", "dataset", url + "/", "--name", "reviews")  # same target, same receipt
    assert again["already_registered"] and again["id"] == reg["id"] and again["receipt"] == reg["receipt"]

    ver = cli.json("verify", "dataset", url)
    assert ver["verified"] and ver["id"] == reg["id"] and ver["receipt"] == reg["receipt"]

    # one byte changed in the bucket: exit 1, naming the object, with both digests
    body = bytearray(s3.client().get_object(Bucket=bucket, Key="reviews/images/cat.png")["Body"].read())
    body[100] ^= 1
    s3.client().put_object(Bucket=bucket, Key="reviews/images/cat.png", Body=bytes(body))
    ver = cli.json("verify", "dataset", url, code=1)
    assert not ver["verified"]
    (mod,) = ver["changes"]["modified"]
    assert mod["path"] == "images/cat.png" and mod["expected"]["size"] == mod["actual"]["size"]
    assert mod["expected"]["sha256"] != mod["actual"]["sha256"]
    human = run_aiprov("verify", "dataset", url)
    assert human.returncode == 1 and "modified" in human.stdout and "images/cat.png" in human.stdout
    for text in (human.stdout, human.stderr):
        assert TEST_ENV["AWS_SECRET_ACCESS_KEY"] not in text

    # the local copy still verifies against the same registration (same root)
    assert cli.json("verify", "dataset", str(local), "--id", str(reg["id"]))["verified"]


def test_receipt_option_and_a_model_from_s3(s3, tmp_path, home):
    local = _dataset(tmp_path)
    bucket = s3.new_bucket()
    data_url = s3.upload_tree(local, bucket, "reviews")
    model_dir = write_files(tmp_path / "model", {"config.json": '{"layers": 2}', "weights.bin": b"\x01" * 5000})
    model_url = s3.upload_tree(model_dir, bucket, "models/m1")
    cli = CLI()
    rpath = tmp_path / "reviews.receipt.json"
    ds = cli.json("register", "dataset", data_url, "--receipt", str(rpath))
    assert Path(ds["receipt"]) == rpath and rpath.is_file()
    assert not fallback_receipt_path(data_url, home).exists()
    assert cli.json("verify", "dataset", data_url, "--receipt", str(rpath))["verified"]
    model = cli.json("register", "model", model_url, "--dataset", str(ds["id"]), "--no-environment")
    assert model["root"] == cli.json("hash", str(model_dir))["root"]
    assert cli.json("verify", "model", model_url)["verified"]
