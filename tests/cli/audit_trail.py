"""A small but complete history for audit tests, built through the real CLI."""

from __future__ import annotations

from helpers import write_files

from aiprov.chain.accounts import dev_signer

DEV = {i: dev_signer(i).address for i in range(5)}


def make_trail(cli, tmp_path):
    """dataset 1 -> dataset 2 (new version) -> model 1 (trained on 2) -> model 2 (fine-tuned from 1)."""
    data = write_files(tmp_path / "data", {"train.csv": "id,text\n1,great\n", "test.csv": "id,text\n2,bad\n"})
    d1 = cli.json("register", "dataset", data, "--name", "reviews", "--license", "CC-BY-4.0")["id"]
    write_files(data, {"extra.csv": "id,text\n3,fine\n"})
    d2 = cli.json("register", "dataset", data, "--parent", d1, "--name", "reviews-v2", "--license", "CC-BY-4.0",
                  "--source", "https://example.org/reviews")["id"]
    model = write_files(tmp_path / "model", {"weights.bin": b"\x00\x01" * 64, "config.json": '{"layers": 2}'})
    config = write_files(tmp_path / "run", {"train.json": '{"lr": 0.01, "epochs": 3}', "metrics.json": '{"acc": 0.91}'})
    m1 = cli.json("register", "model", model, "--dataset", d2, "--name", "sentiment",
                  "--training-config", config / "train.json", "--metrics", config / "metrics.json")["id"]
    tuned = write_files(tmp_path / "tuned", {"weights.bin": b"\x02" * 64})
    m2 = cli.json("register", "model", tuned, "--dataset", d2, "--base-model", m1, "--name", "sentiment-tuned")["id"]
    asset = f"dataset:{d2}"
    cli.json("manager", "add", asset, DEV[3])
    cli.json("lease", "grant", asset, DEV[1], "--days", "30")
    assert cli("lease", "use", asset, "--account", "dev:1").exit_code == 0
    assert cli("lease", "use", asset, "--account", "dev:2").exit_code == 1
    cli.json("lease", "revoke", asset, DEV[1])
    assert cli("lease", "use", asset, "--account", "dev:1").exit_code == 1
    from aiprov import Client

    with Client() as client:  # a gateway's access-log batch (aiprov serve anchors these)
        client.anchor_access_batch(asset, "0x" + "ab" * 32, 5)
    cli.json("deprecate", "dataset", d1, "--reason", "superseded by v2")
    return {"d1": d1, "d2": d2, "m1": m1, "m2": m2, "model_dir": model, "tmp": tmp_path}
