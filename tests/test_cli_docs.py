"""docs/cli.md and the README's command table are the real --help; every command has examples
and offers only the options that do something for it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tools import gen_cli_docs

LEAVES = {path: (ctx, cmd) for path, ctx, cmd in gen_cli_docs.leaf_commands()}


def _options(path: str) -> set[str]:
    ctx, cmd = LEAVES[path]
    return {opt for param in cmd.get_params(ctx) for opt in getattr(param, "opts", [])}


def test_cli_reference_is_fresh():
    """In a fresh process with a plain environment, as `make docs` runs it (other tests in
    this process may have changed the environment the help is rendered in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIPROV_", "COLUMNS", "LINES"))}
    proc = subprocess.run([sys.executable, "-m", "tools.gen_cli_docs", "--check"], cwd=gen_cli_docs.REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"out of date with the CLI's --help: run `make docs`\n{proc.stderr}"


def test_readme_table_lists_every_command():
    readme = gen_cli_docs.README.read_text(encoding="utf-8")
    missing = [path for path in LEAVES if f"[`{path}" not in readme]
    assert not missing, f"README command table lacks {missing}: run `make docs`"
    assert len(LEAVES) >= 30


def _examples(help_text: str) -> list[str]:
    """The lines of the Examples section of a --help text (before Options:)."""
    described = help_text.split("\nOptions:", 1)[0].splitlines()
    starts = [i for i, line in enumerate(described) if line.strip() == "Examples:"]
    if len(starts) != 1:
        return []
    lines = []
    for line in described[starts[0] + 1:]:
        if not line.startswith("    "):
            break
        lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", sorted(LEAVES))
def test_every_command_shows_examples_of_itself(path):
    ctx, cmd = LEAVES[path]
    examples = _examples(cmd.get_help(ctx))
    assert examples, f"`{path} --help` has no (or more than one) Examples: section (add @examples in aiprov/cli)"
    wrong = [line for line in examples if path not in line]
    assert not wrong, f"`{path} --help` shows examples of something else: {wrong}"


def test_the_examples_check_can_fail():
    assert not _examples("Usage: aiprov show dataset [OPTIONS] ID\n\n  Show it.\n\nOptions:\n  --json")
    assert _examples("Usage: x\n\n  Examples:\n    aiprov x 1\n    aiprov x 2\n\nOptions:") == ["aiprov x 1", "aiprov x 2"]


#: Commands that only read the chain: no signing account to offer.
READ_ONLY = ("verify dataset", "verify model", "show dataset", "show model", "history dataset",
             "history model", "lineage model", "diff", "lease check", "lease list", "lease log",
             "account list", "node advance", "audit", "export slsa", "export cyclonedx", "verify-proof",
             "consent status", "consent list", "payees show")
#: Commands that sign a transaction.
SIGNING = ("register dataset", "register model", "revoke dataset", "revoke model", "deprecate dataset",
           "deprecate model", "lease grant", "lease extend", "lease revoke", "lease price", "lease buy",
           "lease use", "lease withdraw", "manager add", "manager remove", "deploy", "serve",
           "consent revoke", "consent erase", "payees set", "payees clear")
#: Commands that touch no chain.
OFFLINE = ("hash", "status", "prove", "completion", "account new", "account import", "node start",
           "node stop", "node status")


def test_every_command_is_classified():
    named = {f"aiprov {n}" for n in READ_ONLY + SIGNING + OFFLINE + ("fetch",)}
    assert named == set(LEAVES), f"classify {sorted(set(LEAVES) ^ named)} in tests/test_cli_docs.py"


@pytest.mark.parametrize("name", READ_ONLY)
def test_read_only_commands_offer_no_signing_account(name):
    options = _options(f"aiprov {name}")
    assert "--network" in options and "--account" not in options, sorted(options)
    assert ("--confirmations" in options) == name.startswith("verify "), sorted(options)


@pytest.mark.parametrize("name", SIGNING)
def test_signing_commands_offer_account_and_confirmations(name):
    assert {"--network", "--rpc-url", "--account", "--confirmations"} <= _options(f"aiprov {name}")


@pytest.mark.parametrize("name", OFFLINE)
def test_offline_commands_offer_no_network(name):
    assert not {"--network", "--rpc-url", "--account", "--confirmations"} & _options(f"aiprov {name}")


def test_fetch_signs_requests_but_sends_no_transaction():
    options = _options("aiprov fetch")
    assert "--account" in options and "--confirmations" not in options


def test_a_read_only_command_refuses_account(cli):
    result = cli("show", "dataset", "1", "--account", "dev:1")
    assert result.exit_code == 2 and "--account" in result.stderr
