"""Ignore rules select the same files git does (git itself is the oracle)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiprov.errors import InvalidPath
from aiprov.manifest import DEFAULT_IGNORES, build_manifest

GIT = shutil.which("git")

RULES = [
    "*.tmp",
    "!keep.tmp",
    "logs/",
    "!logs/",
    "/top",
    "top",
    "cache/**",
    "!cache/keep",
    "build",
    "a/**/b",
    "**/x",
    "sub/*.txt",
    "!sub/*.txt",
    "d?",
    "[ab].log",
    "*",
    "!*.csv",
    "!*/",
    "data/",
    "!data/keep/",
    "sub/",
    "!sub/keep",
    "**/keep",
    "x/",
    "*.log",
    "!a.log",
    "a/",
    "/a/b",
    "b/**",
    "\\!odd",
    "# comment",
    "",
    "**",
    "*/",
    "a/*",
    "/*",
    "!/a",
    "**/logs/**",
    "*/x",
    "sub/**/",
    "!b/",
    "x/**/y.txt",
    "?",
    "[!a]*",
    "logs/*",
    "!logs/keep",
    "!**/keep/",
    "data/**/z.csv",
]
PARTS = [
    "a",
    "b",
    "x",
    "logs",
    "cache",
    "keep",
    "keep.tmp",
    "x.tmp",
    "top",
    "build",
    "sub",
    "data",
    "y.txt",
    "z.csv",
    "d1",
    "a.log",
    "b.log",
    "!odd",
]


@st.composite
def trees(draw):
    files: set[tuple[str, ...]] = set()
    for parts in draw(st.lists(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3), min_size=1, max_size=14)):
        t = tuple(parts)
        if any(t[:i] in files for i in range(1, len(t))) or any(f[: len(t)] == t for f in files):
            continue  # a path cannot be both a file and a directory
        files.add(t)
    return sorted("/".join(f) for f in files)


def git_selection(root: Path, git_dir: Path, rules: list[str]) -> list[str]:
    """Files git would not ignore with these rules (repository kept outside the tree)."""
    env = {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(root), "HOME": str(git_dir), "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run([GIT, "init", "-q"], env=env, check=True)
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info" / "exclude").write_text("\n".join([*DEFAULT_IGNORES, *rules]) + "\n")
    out = subprocess.run(
        [GIT, "ls-files", "--others", "--exclude-standard", "-z"], cwd=root, env=env, capture_output=True, check=True
    ).stdout
    return sorted(p for p in out.decode().split("\0") if p)


@pytest.mark.skipif(GIT is None, reason="git is the oracle here")
@settings(
    max_examples=int(__import__("os").environ.get("IGNORE_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(trees(), st.lists(st.sampled_from(RULES), max_size=6))
def test_same_files_as_git(files, rules):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        root.mkdir()
        for rel in files:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(rel)
        expected = git_selection(root, Path(tmp) / "git", rules)
        try:
            got = [e.path for e in build_manifest(root, ignore=[*DEFAULT_IGNORES, *rules]).entries]
        except InvalidPath:
            got = []
        assert got == expected
