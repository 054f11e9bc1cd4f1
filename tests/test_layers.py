"""Layers only point down, and each shared concept has one home.

    manifest/ (content identity)   chain/ (backends, accounts)   contracts/ (bindings)
    operations (registration, verification, access, lineage, ownership, session)   client.py   cli/

Every import is counted, including the ones inside functions (aiprov defers heavy imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "aiprov"


def _imports(path: Path) -> set[str]:
    """Absolute names of the aiprov modules and third-party modules ``path`` imports."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _modules(under: str) -> dict[str, set[str]]:
    root = PACKAGE / under if under else PACKAGE
    paths = sorted(root.rglob("*.py")) if root.is_dir() else [root.with_suffix(".py")]
    return {str(p.relative_to(PACKAGE.parent)): _imports(p) for p in paths}


def _offenders(under: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for path, names in _modules(under).items():
        bad = sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            out[path] = bad
    return out


#: Modules above the chain and contract bindings: operations, the façade, the CLI.
UPPER = ("aiprov.client", "aiprov.cli", "aiprov.session", "aiprov.registration", "aiprov.verification",
         "aiprov.lookup", "aiprov.lifecycle", "aiprov.access", "aiprov.payments", "aiprov.training",
         "aiprov.lineage", "aiprov.ownership", "aiprov.receipts", "aiprov.metadata", "aiprov.proofs")


def test_chain_knows_nothing_of_contracts_or_operations():
    assert not _offenders("chain", ("aiprov.contracts",) + UPPER)


def test_manifest_knows_nothing_of_chains_or_contracts():
    assert not _offenders("manifest", ("aiprov.chain", "aiprov.contracts") + UPPER)


def test_contracts_do_not_reach_up():
    assert not _offenders("contracts", UPPER)


def test_units_parse_text_only():
    assert not _offenders("units", ("aiprov.chain", "aiprov.contracts") + UPPER)


def test_only_the_entry_point_imports_the_cli():
    offenders = {p: n for p, n in _offenders("", ("aiprov.cli",)).items()
                 if not p.startswith("aiprov/cli/") and p != "aiprov/__main__.py"}
    assert not offenders


def test_one_keccak():
    """aiprov.manifest.keccak is the only Keccak-256 in the package (eth_utils' is not used)."""
    users = {p: n for p, n in _modules("").items() if "eth_utils.keccak" in n or "eth_hash" in n}
    assert not users, users
