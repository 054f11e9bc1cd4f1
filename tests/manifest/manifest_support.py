"""Helpers for the manifest tests: the OpenZeppelin oracle client and file-tree tools.

The oracle is ``@openzeppelin/merkle-tree`` itself, run under node by
``tests/oracle/merkle_oracle.mjs``.  One node process serves a whole test session
(one JSON request per line), so Hypothesis can ask it hundreds of times.  It never
skips: without node or ``node_modules`` the tests fail and say how to fix it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ORACLE_SCRIPT = REPO_ROOT / "tests" / "oracle" / "merkle_oracle.mjs"
OZ_PACKAGE = REPO_ROOT / "node_modules" / "@openzeppelin" / "merkle-tree"

FILE_TYPES = ["string", "uint256", "bytes32"]
RECORD_TYPES = ["uint256", "bytes32"]


def json_value(value: Any) -> Any:
    """A Python leaf value in the JSON form the library takes (no JS numbers allowed)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int):
        return str(value)
    return value


class Oracle:
    """A long-lived ``node merkle_oracle.mjs --lines`` process."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("node is not on PATH: the Merkle oracle needs Node.js >= 18", pytrace=False)
        if not OZ_PACKAGE.is_dir():
            pytest.fail(
                f"{OZ_PACKAGE} is missing: run `npm ci` in {REPO_ROOT} to install the @openzeppelin/merkle-tree oracle",
                pytrace=False,
            )
        self._proc = subprocess.Popen(
            [node, str(ORACLE_SCRIPT), "--lines"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=REPO_ROOT,
        )

    def request(self, trees: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Answer ``{"trees": trees}``; each tree ``{"types", "values", "dump"?, "multi"?}``."""
        return self._ask({"trees": trees})["trees"]

    def verify(self, proofs: Sequence[dict[str, Any]]) -> list[bool]:
        """``StandardMerkleTree.verify`` / ``verifyMultiProof`` of each aiprov-proof/1 document, unchanged."""
        return self._ask({"proofs": list(proofs)})["verified"]

    def multiproofs(self, types: Sequence[str], values: Sequence[Sequence[Any]], multi: Sequence[Sequence[int]]):
        """The library's ``getMultiProof(indices)`` for each list of input indices."""
        payload = {"types": list(types), "values": [[json_value(v) for v in row] for row in values],
                   "multi": [list(m) for m in multi]}
        return self.request([payload])[0]["multiproofs"]

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            err = self._proc.stderr.read() if self._proc.stderr else ""
            pytest.fail(f"the node Merkle oracle died:\n{err}", pytrace=False)
        answer = json.loads(line)
        if "error" in answer:
            raise ValueError(f"oracle rejected the input: {answer['error']}")
        return answer

    def tree(self, types: Sequence[str], values: Sequence[Sequence[Any]], *, dump: bool = False) -> dict[str, Any]:
        """Root, proofs (per input index) and optionally the dump of one tree."""
        payload = {"types": list(types), "values": [[json_value(v) for v in row] for row in values], "dump": dump}
        return self.request([payload])[0]

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()


def oracle_values(entries) -> list[list[Any]]:
    """Manifest entries as the oracle's ``[path, size, 0x<sha256>]`` values."""
    return [[e.path, e.size, bytes.fromhex(e.sha256)] for e in entries]


def sha256sum_tree(directory: Path) -> dict[str, tuple[int, str]]:
    """``{relative path (as on disk): (size, sha256)}`` computed by the real ``sha256sum`` binary."""
    names = [
        os.path.relpath(os.path.join(dirpath, f), directory)
        for dirpath, _dirs, files in os.walk(directory, followlinks=False)
        for f in files
    ]
    if not names:
        return {}
    # -z: NUL-terminated output without escaping, so any file name round-trips.
    out = subprocess.run(["sha256sum", "-z", "--", *names], cwd=directory, capture_output=True, check=True).stdout
    result = {}
    for record in out.split(b"\0"):
        if record:
            digest, name = record.split(b"  ", 1)
            rel = os.fsdecode(name)
            result[rel] = (os.path.getsize(directory / rel), digest.decode())
    return result


def run_without_read_permission_override(code: str, *, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``python -c code`` so that file permissions apply, even when tests run as root.

    As root, the child keeps uid 0 but loses CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH
    (``setpriv``), so a mode-000 file is really unreadable to it.
    """
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        caps = "-dac_override,-dac_read_search"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    return subprocess.run(
        [*prefix, sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )
