"""Training-run metadata: what a model's metadata document says about how it was made.

It is what a training script knows at the end of a run —
its config, its metrics — plus what aiprov captures itself: the git commit
(and whether the tree was dirty) of the working directory, the Python version
and platform, and the versions of the ML packages installed. All of it goes
into the metadata document whose keccak256 is anchored with the model.
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
#: Largest --training-config / --metrics file read at all (bigger ones are a mistake).
MAX_INPUT_BYTES = 64 * 1024 * 1024


def _read_json_or_text(path: Path, what: str) -> dict:
    import hashlib

    from .inputfiles import read_input

    raw = read_input(path, what=what, limit=MAX_INPUT_BYTES)
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
    if code_dir is not None and not Path(code_dir).is_dir():
        raise InvalidArgument(f"--code-dir {code_dir}: no such directory")
    if capture_environment:
        code = git_state(Path(code_dir) if code_dir else Path.cwd())
        if code:
            out["code"] = code
        out["environment"] = environment()
    return out
