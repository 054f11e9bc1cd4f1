"""Plain helpers for tests (import as ``from helpers import ...``; tests/ is on sys.path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parents[1]


def write_files(root: Path, files: dict[str, bytes | str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def run_aiprov(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 120):
    """Run ``aiprov`` as a real subprocess (python -m aiprov) and return the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "aiprov", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )


class CLI:
    """Runs the real Click app in-process and parses --json output."""

    def __init__(self) -> None:
        from aiprov.cli import cli

        self.app = cli
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(self.app, [str(a) for a in args], input=input, catch_exceptions=False)

    def json(self, *args: str, code: int = 0):
        result = self(*args, "--json")
        assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
        return json.loads(result.stdout)
