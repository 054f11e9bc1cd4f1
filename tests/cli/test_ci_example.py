"""examples/ci/verify-model.yml works as shipped: its steps, run on a brand-new machine.

One machine (its own state directory) registers a dataset and a model on a real
Anvil and commits the receipt beside the model. Then the workflow's own `run:`
steps execute as a runner would: a brand-new HOME, a fresh virtualenv into
which the install step pip-installs aiprov from the repository's git URL, no
key, no aiprov state, only the RPC URL. The gate passes (exit 0), then fails
(exit 1) after one byte of the model changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from anvil_fixture import anvil  # noqa: F401  (fixture)
from helpers import REPO_ROOT, run_aiprov, write_files

pytestmark = [pytest.mark.anvil, pytest.mark.slow]
WORKFLOW = REPO_ROOT / "examples" / "ci" / "verify-model.yml"


def _fresh_venv(where: Path) -> Path:
    """A new virtualenv that can see this one's installed dependencies (but not aiprov itself)."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, capture_output=True, timeout=120)
    site = Path(subprocess.run([str(where / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    ours = Path(sysconfig.get_paths()["purelib"])
    # the dependencies come from this virtualenv's site-packages (no download); aiprov does not:
    # its editable-install hook is left out, so only the install step can bring it
    (site / "zz-deps-of-the-test-env.pth").write_text(str(ours) + "\n")
    return where


def test_the_workflow_steps_pass_on_a_fresh_runner_then_fail_after_one_byte(tmp_path, anvil):
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["verify"]
    steps = [s for s in job["steps"] if "run" in s]
    assert [s["name"] for s in steps] == ["Install aiprov", "Verify the release bytes against the chain"]

    # the registering machine: its own state, dev:0 on the dev chain; the receipt is committed beside the model
    repo = tmp_path / "model-repo"
    release = write_files(repo / "release", {"model.bin": bytes(range(256)) * 64, "config.json": '{"layers": 2}'})
    data = write_files(tmp_path / "data", {"train.csv": "id,text\n1,ok\n"})
    registrar = {"AIPROV_HOME": str(tmp_path / "registrar-home"), "AIPROV_RPC_URL": anvil.url}
    assert run_aiprov("deploy", env=registrar).returncode == 0
    assert run_aiprov("register", "dataset", data, env=registrar).returncode == 0
    reg = run_aiprov("register", "model", release, "--dataset", "1", "--no-environment", "--json", env=registrar)
    assert reg.returncode == 0, reg.stderr
    assert (repo / "release.aiprov.json").is_file()

    # the runner: brand-new HOME, fresh virtualenv, no key, no aiprov state
    runner_home = tmp_path / "runner-home"
    runner_home.mkdir()
    venv = _fresh_venv(tmp_path / "runner-venv")
    values = {
        "AIPROV_RPC_URL": anvil.url,
        "AIPROV_MODEL_ID": "",  # unset repository variable: the id comes from the receipt
        "AIPROV_INSTALL": f"git+file://{REPO_ROOT}",
        "AIPROV_RPC_TIMEOUT": "20",
    }
    assert set(job["env"]) == set(values)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(runner_home), "LANG": "C.UTF-8",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", **values}
    # pip fetches only the build backend (setuptools) from the package index: every runtime
    # dependency is already visible to the fresh virtualenv (see _fresh_venv)
    assert not any(k.startswith("AIPROV_") and k not in values for k in env)

    def run_step(step) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=300)

    install, verify = steps
    installed = run_step(install)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    assert shutil.which("aiprov", path=env["PATH"]).startswith(str(venv))
    where = subprocess.run(["python", "-c", "import aiprov; print(aiprov.__file__)"], env=env, cwd=repo,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not this checkout

    ok = run_step(verify)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    record = json.loads((repo / "verify.json").read_text())
    assert record["verified"] is True and record["id"] == 1 and record["problems"] == []
    assert not (runner_home / ".aiprov" / "keystores").exists()

    model = release / "model.bin"
    flipped = bytearray(model.read_bytes())
    flipped[1000] ^= 1
    model.write_bytes(bytes(flipped))
    bad = run_step(verify)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    record = json.loads((repo / "verify.json").read_text())
    assert record["verified"] is False
    assert [m["path"] for m in record["changes"]["modified"]] == ["model.bin"]
