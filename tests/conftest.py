"""Fixtures shared by every test: an isolated state directory, datasets on disk, the CLI.

Every test gets its own ``$AIPROV_HOME`` so the embedded chain, the deployments
record and receipts never leak between tests (or into ~/.aiprov).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import CLI, run_aiprov, write_files  # noqa: F401  (re-exported for tests)

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config, items):
    """``local_only`` tests get no Anvil variant (deselected, not skipped)."""
    dropped = [i for i in items if i.get_closest_marker("local_only") and "[anvil]" in i.nodeid]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]


@pytest.fixture(params=["local", "anvil"])
def backend_name(request):
    """The backend a behaviour test runs on (tests/cli, tests/gateway): the embedded chain, a real Anvil."""
    return request.param


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh state directory, exported as AIPROV_HOME; no network/account env leaks in."""
    h = tmp_path / "aiprov-home"
    monkeypatch.setenv("AIPROV_HOME", str(h))
    for var in ("AIPROV_NETWORK", "AIPROV_RPC_URL", "AIPROV_ACCOUNT", "AIPROV_PRIVATE_KEY", "AIPROV_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    return h


@pytest.fixture
def dataset(tmp_path) -> Path:
    """A small dataset directory with nested files, as a data scientist would have."""
    return write_files(
        tmp_path / "data",
        {
            "train.csv": "id,text,label\n1,great product,1\n2,awful,0\n",
            "test.csv": "id,text,label\n3,fine,1\n",
            "images/cat.png": bytes(range(256)) * 4,
            "README.md": "# reviews\n",
        },
    )


@pytest.fixture
def cli(home) -> CLI:
    return CLI()
