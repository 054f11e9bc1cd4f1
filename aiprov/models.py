"""Model-specific parts: training-run metadata and lineage.

Training-run metadata is what a training script knows at the end of a run —
its config, its metrics — plus what aiprov captures itself: the git commit
(and whether the tree was dirty) of the working directory, the Python version
and platform, and the versions of the ML packages installed. All of it goes
into the metadata document whose keccak256 is anchored with the model.

Lineage is read back from the chain: each model's ``ModelRegistered`` event
names its datasets (with their roots at registration time) and base models,
and the registry's ``checkLineage`` confirms the event against the stored
commitment.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from .errors import InvalidArgument

#: Packages whose versions are recorded when installed (read from metadata, never imported).
ML_PACKAGES = (
    "torch", "tensorflow", "jax", "jaxlib", "numpy", "scipy", "scikit-learn", "pandas",
    "transformers", "datasets", "tokenizers", "accelerate", "peft", "safetensors",
    "xgboost", "lightgbm", "onnx", "onnxruntime", "keras",
)
MAX_EMBEDDED_BYTES = 256 * 1024


def _read_json_or_text(path: Path, what: str) -> dict:
    import hashlib

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"{what} {path}: {exc.strerror or exc}") from None
    entry: dict[str, Any] = {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) > MAX_EMBEDDED_BYTES:
        return entry  # too big to embed: its digest still pins it
    text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() == ".json":
        try:
            entry["content"] = json.loads(text)
        except ValueError as exc:
            raise InvalidArgument(f"{what} {path} is not valid JSON: {exc}") from None
    else:
        entry["text"] = text
    return entry


def git_state(directory: Path) -> dict | None:
    """Commit, dirty flag and branch of the git work tree at ``directory``, if it is one."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    state = {"commit": commit, "dirty": bool(status)}
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    if branch and branch != "HEAD":
        state["branch"] = branch
    return state


def environment() -> dict:
    from importlib import metadata

    packages = {}
    for name in ML_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(terse=True),
        "packages": packages,
    }


def training_metadata(
    *,
    config: str | Path | dict | None = None,
    metrics: str | Path | dict | None = None,
    code_dir: str | Path | None = None,
    capture_environment: bool = True,
) -> dict:
    """The ``training`` section of a model's metadata document.

    ``config`` / ``metrics`` are file paths (JSON is embedded parsed, other text
    verbatim, anything over 256 KiB by digest only) or already-built dicts (a
    training script passing its config and final metrics directly).
    """
    out: dict[str, Any] = {}
    for key, value in (("config", config), ("metrics", metrics)):
        if value is None:
            continue
        if isinstance(value, dict):
            out[key] = {"content": value}
        else:
            out[key] = _read_json_or_text(Path(value), f"--training-config" if key == "config" else "--metrics")
    if capture_environment:
        code = git_state(Path(code_dir) if code_dir else Path.cwd())
        if code:
            out["code"] = code
        out["environment"] = environment()
    return out


# ---------------------------------------------------------------- lineage


def lineage(session, model_id: int, load_metadata) -> dict:
    """The transitive lineage graph of ``model_id``: nodes, edges, and what is revoked.

    Nodes are ``"model:N"`` / ``"dataset:N"`` with their current on-chain root
    and status; edges are ``trained_on`` (model → dataset, with the dataset root
    recorded at registration), ``derived_from`` (model → base model) and
    ``previous_version`` (dataset → parent dataset).
    """
    models, datasets = session.models, session.datasets
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def name_of(reg) -> str | None:
        doc = load_metadata(reg.metadata_hash)
        return doc.get("name") if doc else None

    def add_dataset(dataset_id: int) -> str:
        key = f"dataset:{dataset_id}"
        if key in nodes:
            return key
        record = datasets.get(dataset_id)
        reg = datasets.registration(dataset_id)
        nodes[key] = {"key": key, "kind": "dataset", "id": dataset_id, "root": record.root,
                      "status": record.status, "owner": record.owner, "name": name_of(reg)}
        if record.parent_id:
            edges.append({"from": key, "to": add_dataset(record.parent_id), "relation": "previous_version"})
        return key

    def add_model(mid: int) -> str:
        key = f"model:{mid}"
        if key in nodes:
            return key
        record = models.get(mid)
        reg = models.registration(mid)
        ok = models.call("checkLineage", mid, list(reg.dataset_ids),
                         [bytes.fromhex(r[2:]) for r in reg.dataset_roots], list(reg.parent_model_ids))
        nodes[key] = {"key": key, "kind": "model", "id": mid, "root": record.root, "status": record.status,
                      "owner": record.owner, "name": name_of(reg), "lineage_verified": bool(ok)}
        for dataset_id, root in zip(reg.dataset_ids, reg.dataset_roots):
            edges.append({"from": key, "to": add_dataset(dataset_id), "relation": "trained_on", "root": root})
        for parent in reg.parent_model_ids:
            edges.append({"from": key, "to": add_model(parent), "relation": "derived_from"})
        return key

    root_key = add_model(model_id)
    revoked = sorted(k for k, n in nodes.items() if n["status"] == "revoked")
    return {"root": root_key, "nodes": list(nodes.values()), "edges": edges, "revoked": revoked}
