"""Every command with malformed values: the documented exit code, no traceback, no "bug", one JSON document.

The table (~480 cases, each run plain and with ``--json``) lives in ``bad_inputs.py``;
it runs in-process through Click's runner against a small world on the embedded
chain, so FIFOs, ``/dev/zero``, oversize files, damaged configs and contract
refusals are all exercised for real.
"""

from __future__ import annotations

import contextlib

import pytest
from click.testing import CliRunner

from bad_inputs import cases, check, make_world

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-inputs")
    env = {"AIPROV_HOME": str(root / "home")}
    for var in ("AIPROV_NETWORK", "AIPROV_RPC_URL", "AIPROV_ACCOUNT", "AIPROV_PRIVATE_KEY", "AIPROV_DEBUG",
                "AIPROV_KEYSTORE_PASSWORD"):
        env[var] = None
    from aiprov.cli import cli

    runner = CliRunner()

    def run(args, extra=None, cwd=None):
        with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
            res = runner.invoke(cli, args, env={**env, **(extra or {})}, catch_exceptions=True)
        crashed = res.exception is not None and not isinstance(res.exception, SystemExit)
        stderr = res.stderr + ("\nTraceback (uncaught)" if crashed else "")
        return res.exit_code, res.stdout, stderr

    make_world(root / "world", lambda a: run(a)[:2])
    return root, run


def test_bad_input_table(world):
    root, run = world
    table = cases(root / "world")
    assert len(table) >= 450
    failures = []
    for i, case in enumerate(table):
        cwd = None
        if case.config is not None:
            cwd = root / f"cfg{i}"
            cwd.mkdir()
            (cwd / "aiprov.toml").write_bytes(case.config.encode() if isinstance(case.config, str) else case.config)
        for as_json in (False, True):
            code, out, err = run(case.args + (["--json"] if as_json else []), case.env, cwd)
            problems = check(case, code, out, err, as_json)
            if problems:
                failures.append(f"{case.label}{' --json' if as_json else ''} [{case.note}]: "
                                f"{', '.join(problems)} | {(err or out).strip()[-200:]!r}")
    assert not failures, f"{len(failures)} of {2 * len(table)} runs wrong:\n" + "\n".join(failures[:60])
    # nothing was created by a bad --receipt path
    assert not (root / "world" / "files" / "nonexistent_dir").exists()

