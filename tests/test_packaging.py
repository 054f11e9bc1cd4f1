"""The runtime package holds what users run, and its dependencies are what it imports.

Developer tools (contract build, gas measurement) live in tools/, outside the package;
their dependencies (web3, eth-tester, py-solc-x) are in the ``test`` extra only.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "aiprov"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0))


def _imported_top_level_modules() -> dict[str, set[str]]:
    """Top-level module -> the package files that import it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO_ROOT)))
    return found


def _third_party_imports() -> dict[str, set[str]]:
    """Distribution name -> package files importing it, for every non-stdlib import."""
    dists = packages_distributions()
    result: dict[str, set[str]] = {}
    for module, files in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module == "aiprov" or module == "__future__":
            continue
        assert module in dists, f"{module} (imported by {sorted(files)}) is not installed"
        for dist in dists[module]:
            result.setdefault(_canonical(dist), set()).update(files)
    return result


def _project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    project = _project()
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    optional = {
        _requirement_name(r)
        for extra, requirements in project.get("optional-dependencies", {}).items()
        if extra != "test"
        for r in requirements
    }
    imported = _third_party_imports()
    undeclared = {d: sorted(f) for d, f in imported.items() if d not in runtime | optional}
    assert not undeclared, f"imported at run time but not a dependency (nor an extra): {undeclared}"
    unused = runtime - imported.keys()
    assert not unused, f"runtime dependencies that aiprov/ never imports: {sorted(unused)}"


def test_build_tooling_is_not_a_runtime_dependency():
    runtime = {_requirement_name(r) for r in _project()["dependencies"]}
    assert not runtime & {"web3", "eth-tester", "py-solc-x"}
    imported = _imported_top_level_modules()
    assert not {"web3", "eth_tester", "solcx"} & imported.keys()


def test_no_developer_tools_in_the_package():
    tooling = [p.name for p in PACKAGE.rglob("*") if p.name in ("build.py", "gas.py", "solcjs.js")]
    assert not tooling, f"developer tools belong in tools/, not aiprov/: {tooling}"
    assert not any("REPO_ROOT" in p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")), (
        "aiprov/ must not build paths from the repository root (it does not exist in a wheel)"
    )
