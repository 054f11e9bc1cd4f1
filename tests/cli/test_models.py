"""Models, lineage and the CI gate — through the real CLI on the embedded chain."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO_ROOT, run_aiprov, write_files


@pytest.fixture
def two_datasets(cli, tmp_path):
    a = write_files(tmp_path / "reviews", {"train.jsonl": '{"t": "good", "y": 1}\n'})
    b = write_files(tmp_path / "faq", {"faq.csv": "q,a\nwhy,because\n"})
    return cli.json("register", "dataset", a)["id"], cli.json("register", "dataset", b)["id"], a, b


@pytest.fixture
def model_dir(tmp_path):
    return write_files(tmp_path / "release", {
        "model.safetensors": os.urandom(4096),
        "config.json": '{"hidden": 8}',
        "tokenizer/vocab.txt": "a\nb\n",
    })


def test_register_model_with_lineage_and_verify(cli, two_datasets, model_dir, tmp_path):
    d1, d2, a, b = two_datasets
    config = write_files(tmp_path / "cfg", {"train.json": '{"lr": 0.001, "epochs": 3}'}) / "train.json"
    metrics = write_files(tmp_path / "m", {"metrics.json": '{"accuracy": 0.93}'}) / "metrics.json"
    reg = cli.json("register", "model", model_dir, "--dataset", d1, "--dataset", d2, "--name", "sentiment-v1",
                   "--training-config", config, "--metrics", metrics)
    assert reg["id"] == 1 and reg["kind"] == "model" and reg["already_registered"] is False

    shown = cli.json("show", "model", "1")
    roots = {d1: cli.json("show", "dataset", d1)["root"], d2: cli.json("show", "dataset", d2)["root"]}
    assert shown["datasets"] == [{"id": d1, "root": roots[d1]}, {"id": d2, "root": roots[d2]}]
    assert shown["base_models"] == []
    training = shown["metadata"]["training"]
    assert training["config"]["content"] == {"lr": 0.001, "epochs": 3}
    assert training["metrics"]["content"] == {"accuracy": 0.93}
    assert training["environment"]["python"] == ".".join(map(str, sys.version_info[:3]))
    human = cli("show", "model", "1")
    assert "sentiment-v1" in human.stdout and "accuracy" in human.stdout

    receipt = json.loads(Path(str(model_dir) + ".aiprov.json").read_text())
    assert receipt["kind"] == "model" and receipt["datasets"][0] == {"id": d1, "root": roots[d1]}

    assert cli("verify", "model", model_dir).exit_code == 0
    assert cli("verify", "model", model_dir, "--id", "1").exit_code == 0
    again = cli.json("register", "model", model_dir, "--dataset", d1, "--dataset", d2, "--name", "sentiment-v1",
                     "--training-config", config, "--metrics", metrics)
    assert again["already_registered"] is True and again["id"] == 1


def test_model_diff_names_the_changed_file(cli, two_datasets, model_dir):
    d1, _, _, _ = two_datasets
    cli.json("register", "model", model_dir, "--dataset", d1)
    (model_dir / "config.json").write_text('{"hidden": 9}')
    ver = cli.json("verify", "model", model_dir, "--id", "1", code=1)
    assert [m["path"] for m in ver["changes"]["modified"]] == ["config.json"]


def test_missing_and_revoked_references_are_refused(cli, two_datasets, model_dir):
    d1, d2, _, _ = two_datasets
    missing = cli("register", "model", model_dir, "--dataset", "99")
    assert missing.exit_code == 1 and "dataset 99 does not exist" in missing.stderr
    missing_base = cli("register", "model", model_dir, "--dataset", d1, "--base-model", "5")
    assert missing_base.exit_code == 1 and "model 5 does not exist" in missing_base.stderr
    cli.json("revoke", "dataset", d2, "--reason", "consent withdrawn", "--yes")
    revoked = cli("register", "model", model_dir, "--dataset", d1, "--dataset", d2)
    assert revoked.exit_code == 1
    assert f"dataset {d2} is revoked (consent withdrawn)" in revoked.stderr
    assert not Path(str(model_dir) + ".aiprov.json").exists()
    assert cli("register", "model", model_dir).exit_code == 2  # --dataset is required
    dup = cli("register", "model", model_dir, "--dataset", d1, "--dataset", d1)
    assert dup.exit_code == 2 and "twice" in dup.stderr


def test_verify_fails_when_a_dataset_upstream_is_revoked(cli, two_datasets, model_dir, tmp_path):
    d1, d2, _, _ = two_datasets
    base_dir = write_files(tmp_path / "base", {"w.bin": b"base weights"})
    base = cli.json("register", "model", base_dir, "--dataset", d2)["id"]
    tuned = cli.json("register", "model", model_dir, "--dataset", d1, "--base-model", base)["id"]
    assert cli("verify", "model", model_dir).exit_code == 0
    cli.json("revoke", "dataset", d2, "--reason", "PII found", "--yes")
    ver = cli.json("verify", "model", model_dir, "--id", tuned, code=1)
    assert ver["status"] == "active"  # the model itself is fine ...
    assert f"dataset {d2} in its lineage is revoked (PII found)" in ver["reason"]  # ... its data is not
    human = cli("verify", "model", model_dir)
    assert human.exit_code == 1 and f"dataset {d2}" in human.stdout


def test_new_dataset_version_does_not_rewrite_model_history(cli, two_datasets, model_dir):
    d1, _, a, _ = two_datasets
    original_root = cli.json("show", "dataset", d1)["root"]
    cli.json("register", "model", model_dir, "--dataset", d1)
    (a / "train.jsonl").write_text('{"t": "bad", "y": 0}\n')
    v2 = cli.json("register", "dataset", a, "--parent", d1)
    assert v2["root"] != original_root
    shown = cli.json("show", "model", "1")
    assert shown["datasets"] == [{"id": d1, "root": original_root}]
    graph = cli.json("lineage", "model", "1")
    (edge,) = [e for e in graph["edges"] if e["relation"] == "trained_on"]
    assert edge["root"] == original_root
    assert all(n["lineage_verified"] for n in graph["nodes"] if n["kind"] == "model")


def test_lineage_graph_and_tree(cli, two_datasets, model_dir, tmp_path):
    d1, d2, a, _ = two_datasets
    (a / "more.jsonl").write_text("{}\n")
    d3 = cli.json("register", "dataset", a, "--parent", d1)["id"]
    base = cli.json("register", "model", write_files(tmp_path / "b", {"w": "b"}), "--dataset", d1, "--name", "base")["id"]
    top = cli.json("register", "model", model_dir, "--dataset", d3, "--dataset", d2, "--base-model", base)["id"]
    graph = cli.json("lineage", "model", top)
    assert graph["root"] == f"model:{top}"
    assert {n["key"] for n in graph["nodes"]} == {f"model:{top}", f"model:{base}", f"dataset:{d1}", f"dataset:{d2}", f"dataset:{d3}"}
    assert {(e["from"], e["to"], e["relation"]) for e in graph["edges"]} == {
        (f"model:{top}", f"dataset:{d3}", "trained_on"),
        (f"model:{top}", f"dataset:{d2}", "trained_on"),
        (f"model:{top}", f"model:{base}", "derived_from"),
        (f"model:{base}", f"dataset:{d1}", "trained_on"),
        (f"dataset:{d3}", f"dataset:{d1}", "previous_version"),
    }
    assert graph["revoked"] == []
    tree = cli("lineage", "model", top)
    assert tree.exit_code == 0
    assert "derived from model" in tree.stdout and "trained on dataset" in tree.stdout and "base" in tree.stdout
    hist = cli.json("history", "model", base)
    assert [v["id"] for v in hist["versions"]] == [base, top]


def test_git_state_is_recorded(cli, two_datasets, model_dir, tmp_path):
    d1, *_ = two_datasets
    repo = tmp_path / "code"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "train.py").write_text("print('train')\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "train"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    (repo / "train.py").write_text("print('changed')\n")
    cli.json("register", "model", model_dir, "--dataset", d1, "--code-dir", repo)
    code = cli.json("show", "model", "1")["metadata"]["training"]["code"]
    assert code["commit"] == commit and code["dirty"] is True


def test_hugging_face_cache_snapshot_registers_like_plain_files(cli, two_datasets, tmp_path):
    """A HF hub cache: snapshots/<rev>/* are symlinks to ../../blobs/<sha256>."""
    d1, *_ = two_datasets
    repo = tmp_path / "hub" / "models--acme--tiny"
    files = {"config.json": b'{"model_type": "tiny"}', "model.safetensors": os.urandom(10_000)}
    (repo / "blobs").mkdir(parents=True)
    snap = repo / "snapshots" / "0123abcd"
    snap.mkdir(parents=True)
    for name, content in files.items():
        digest = hashlib.sha256(content).hexdigest()
        (repo / "blobs" / digest).write_bytes(content)
        os.symlink(f"../../blobs/{digest}", snap / name)
    plain = write_files(tmp_path / "plain", files)
    hashed = cli.json("hash", snap)
    assert hashed["root"] == cli.json("hash", plain)["root"]
    for entry in hashed["entries"]:  # per-file digests are the LFS blob names
        assert os.readlink(snap / entry["path"]).endswith(entry["sha256"])
    reg = cli.json("register", "model", snap, "--dataset", d1)
    assert cli.json("verify", "model", snap)["id"] == reg["id"]
    assert cli("verify", "model", plain, "--id", reg["id"]).exit_code == 0


def test_train_and_register_example_runs(home, tmp_path):
    out = subprocess.run([sys.executable, str(REPO_ROOT / "examples" / "train_and_register.py"),
                          "--workdir", str(tmp_path / "w")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["accuracy"] > 0.9 and result["model_id"] == 1
    ver = run_aiprov("verify", "model", tmp_path / "w" / "model", "--json")
    assert ver.returncode == 0 and json.loads(ver.stdout)["id"] == 1
    shown = json.loads(run_aiprov("show", "model", "1", "--json").stdout)
    assert shown["metadata"]["training"]["metrics"]["content"]["train_accuracy"] == result["accuracy"] or \
        round(shown["metadata"]["training"]["metrics"]["content"]["train_accuracy"], 4) == result["accuracy"]


def test_ci_workflow_commands_gate_on_the_bytes(home, tmp_path):
    """Run the workflow's own verify step (examples/ci/verify-model.yml) against the embedded chain."""
    import yaml

    workflow = yaml.safe_load((REPO_ROOT / "examples" / "ci" / "verify-model.yml").read_text())
    (step,) = [s["run"] for s in workflow["jobs"]["verify"]["steps"] if "aiprov verify model" in s.get("run", "")]
    workdir = tmp_path / "repo"
    release = write_files(workdir / "release", {"weights.bin": os.urandom(2048), "config.json": "{}"})
    data = write_files(tmp_path / "data", {"d.csv": "x\n1\n"})
    d = json.loads(run_aiprov("register", "dataset", data, "--json").stdout)["id"]
    model_id = json.loads(run_aiprov("register", "model", release, "--dataset", d, "--json").stdout)["id"]
    command = step  # its inputs are environment variables, as the workflow's env block sets them
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", AIPROV_NETWORK="local",
               AIPROV_MODEL_ID=str(model_id))
    env.pop("AIPROV_RPC_URL", None)

    def gate() -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-eo", "pipefail", "-c", command], cwd=workdir, env=env, capture_output=True, text=True)

    ok = gate()
    assert ok.returncode == 0, ok.stderr
    assert json.loads((workdir / "verify.json").read_text())["verified"] is True
    with open(release / "weights.bin", "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    bad = gate()
    assert bad.returncode == 1
    report = json.loads((workdir / "verify.json").read_text())
    assert report["verified"] is False and report["changes"]["modified"][0]["path"] == "weights.bin"
