"""Compile ``contracts/`` into the artifacts shipped in ``aiprov/contracts/artifacts/``.

    make contracts          # python -m tools.contracts.build: (re)write the artifacts
    make contracts-check    # python -m tools.contracts.build --check: exit 1, naming them, if any is stale

A developer tool: it runs from a source checkout (it needs ``contracts/`` and
``node_modules/``) and is not part of the installed package.

One solc standard-JSON input is built from the sources under ``contracts/`` and the
OpenZeppelin files they import (read from ``node_modules/``), all under relative source
names and inlined, with pinned settings. So the output depends on nothing but the source
text and the compiler version: it is byte-identical on every machine and checkout path.

The compiler is solc |SOLC_VERSION| exactly: a native binary (``solc`` on PATH or one
installed by py-solc-x, driven through ``solcx.compile_standard``) when there is one,
otherwise the npm WebAssembly build run by ``solcjs.js`` under node. Both give identical
artifacts. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

SOLC_VERSION = "0.8.37"

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = REPO_ROOT / "contracts"
NODE_MODULES = REPO_ROOT / "node_modules"
ARTIFACTS_DIR = REPO_ROOT / "aiprov" / "contracts" / "artifacts"
SOLCJS = Path(__file__).resolve().parent / "solcjs.js"

GENERATED_NOTE = "by make contracts (tools/contracts/build.py); do not edit"

#: Compiler settings, pinned; chosen by measurement (see contracts/README.md). The IR
#: pipeline saves ~400 gas per register and ~1,600 per depth-20 proof over the legacy one;
#: runs above 10,000 save at most 3 gas per call for 12% more code. No metadata hash in the
#: bytecode, so it depends only on the code (not on comments or whitespace).
SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "metadata": {"bytecodeHash": "none"},
    "optimizer": {"enabled": True, "runs": 10_000},
    "remappings": [],
    "viaIR": True,
}
OUTPUT_SELECTION = {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}}

# import "x";  import "x" as X;  import * as X from "x";  import {A, B as C} from "x";
_IMPORT_RE = re.compile(
    r"""^\s*import\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["'][^"';]*;""", re.MULTILINE
)


class BuildError(Exception):
    """The contracts cannot be compiled: a missing toolchain or a compiler error."""


# --- the standard-JSON input -------------------------------------------------------------


def _read_source(name: str) -> str:
    if name.startswith("contracts/"):
        path = REPO_ROOT / name
    elif name.startswith("@"):
        path = NODE_MODULES / name
        if not path.is_file():
            raise BuildError(f"{name} not found in {NODE_MODULES}; run npm ci")
    else:
        raise BuildError(f"unsupported import {name!r}: use contracts/... or @openzeppelin/...")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc.strerror}") from exc


def _resolve_import(importer: str, target: str) -> str:
    if target.startswith("."):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), target))
    return target


def collect_sources() -> dict[str, str]:
    """Every ``contracts/**/*.sol`` plus what it imports, by relative source name."""
    if not CONTRACTS_DIR.is_dir():
        raise BuildError(f"{CONTRACTS_DIR} not found: build from a source checkout of aiprov")
    pending = sorted(p.relative_to(REPO_ROOT).as_posix() for p in CONTRACTS_DIR.rglob("*.sol"))
    sources: dict[str, str] = {}
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        sources[name] = text = _read_source(name)
        pending.extend(_resolve_import(name, target) for target in _IMPORT_RE.findall(text))
    return dict(sorted(sources.items()))


def standard_input(sources: dict[str, str] | None = None) -> dict[str, Any]:
    """The one solc standard-JSON input the artifacts are compiled from."""
    sources = collect_sources() if sources is None else sources
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {**SETTINGS, "outputSelection": OUTPUT_SELECTION},
    }


# --- compilers ------------------------------------------------------------------------


def find_native_solc() -> Path | None:
    """A native solc of exactly SOLC_VERSION: on PATH first, then one installed by py-solc-x."""
    import solcx
    from solcx.wrapper import get_solc_version

    candidates: list[Path] = []
    if on_path := shutil.which("solc"):
        candidates.append(Path(on_path))
    try:
        if any(str(v) == SOLC_VERSION for v in solcx.get_installed_solc_versions()):
            candidates.append(Path(solcx.get_executable(SOLC_VERSION)))
    except Exception:  # no solcx folder, unreadable, ...: not an error, just none there
        pass
    for candidate in candidates:
        try:
            if str(get_solc_version(candidate)) == SOLC_VERSION:
                return candidate
        except Exception:
            continue
    return None


def compile_native(input_json: dict[str, Any], solc_binary: Path) -> dict[str, Any]:
    """Compile with a native solc through py-solc-x."""
    import solcx
    from solcx.exceptions import SolcError

    try:
        return solcx.compile_standard(input_json, solc_binary=solc_binary)
    except SolcError as exc:
        raise BuildError(f"solc ({solc_binary}) failed:\n{exc.message}") from exc


def compile_wasm(input_json: dict[str, Any]) -> dict[str, Any]:
    """Compile with the npm WebAssembly solc, run by ``solcjs.js`` under node."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node not found on PATH: install Node.js >= 18, then run npm ci")
    if not (NODE_MODULES / "solc" / "package.json").is_file():
        raise BuildError(f"the npm solc compiler is not in {NODE_MODULES}; run npm ci")
    proc = subprocess.run(
        [node, str(SOLCJS), str(NODE_MODULES), SOLC_VERSION],
        input=json.dumps(input_json).encode(),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BuildError(f"npm solc failed: {proc.stderr.decode(errors='replace').strip()}")
    output = json.loads(proc.stdout)
    errors = [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise BuildError("npm solc failed:\n" + "\n".join(errors))
    return output


def compile_input(input_json: dict[str, Any], compiler: str = "auto") -> dict[str, Any]:
    """Compile ``input_json`` with ``compiler``: ``auto`` (native if found), ``native`` or ``wasm``."""
    if compiler not in ("auto", "native", "wasm"):
        raise ValueError(f"unknown compiler {compiler!r}")
    if compiler != "wasm":
        solc = find_native_solc()
        if solc is not None:
            return compile_native(input_json, solc)
        if compiler == "native":
            raise BuildError(
                f"no native solc {SOLC_VERSION} on PATH or installed by py-solc-x "
                f"(python -m solcx.install v{SOLC_VERSION}); or use --compiler wasm"
            )
    return compile_wasm(input_json)


# --- artifacts ------------------------------------------------------------------------


def _is_shipped(source_name: str) -> bool:
    return source_name.startswith("contracts/") and not source_name.startswith(
        "contracts/interfaces/"
    )


def make_artifacts(output: dict[str, Any]) -> dict[str, str]:
    """Artifact file name -> exact file text, for each deployable contract in ``contracts/``."""
    artifacts: dict[str, str] = {}
    for source_name, contracts in sorted(output.get("contracts", {}).items()):
        if not _is_shipped(source_name):
            continue
        for name, compiled in sorted(contracts.items()):
            bytecode = compiled["evm"]["bytecode"]["object"]
            if not bytecode:  # interface or abstract contract
                continue
            if f"{name}.json" in artifacts:
                raise BuildError(f"two contracts named {name} in contracts/")
            artifact = {
                "_generated": GENERATED_NOTE,
                "contractName": name,
                "sourceName": source_name,
                "compiler": {"version": SOLC_VERSION, "settings": SETTINGS},
                "abi": compiled["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
            }
            artifacts[f"{name}.json"] = json.dumps(artifact, indent=2, sort_keys=True) + "\n"
    return artifacts


def warnings_of(output: dict[str, Any]) -> list[str]:
    """The compiler's warnings, formatted."""
    return [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] != "error"]


def build(compiler: str = "auto") -> dict[str, str]:
    """Compile the contracts and return the artifacts they should have (name -> text)."""
    output = compile_input(standard_input(), compiler)
    for warning in warnings_of(output):
        print(warning, file=sys.stderr)
    return make_artifacts(output)


def stale_artifacts(expected: dict[str, str], directory: Path | None = None) -> list[str]:
    """File names in ``directory`` (the artifacts folder) that are missing, different, or no
    longer produced."""
    directory = ARTIFACTS_DIR if directory is None else directory
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    stale = [
        name
        for name, text in expected.items()
        if name not in present or (directory / name).read_text(encoding="utf-8") != text
    ]
    stale += [name for name in present - expected.keys()]
    return sorted(stale)


def write_artifacts(expected: dict[str, str], directory: Path | None = None) -> list[str]:
    """Bring ``directory`` (the artifacts folder) in line with ``expected``; return the names
    written or removed."""
    directory = ARTIFACTS_DIR if directory is None else directory
    directory.mkdir(parents=True, exist_ok=True)
    changed = stale_artifacts(expected, directory)
    for name in changed:
        path = directory / name
        if name in expected:
            path.write_text(expected[name], encoding="utf-8", newline="\n")
        else:
            path.unlink()
    return changed


def _shown(path: Path) -> str:
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.contracts.build",
        description=f"Compile contracts/ with solc {SOLC_VERSION} into aiprov/contracts/artifacts/.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 and name stale artifacts"
    )
    parser.add_argument(
        "--compiler",
        choices=("auto", "native", "wasm"),
        default="auto",
        help="native solc, npm WebAssembly solc, or native when found (default)",
    )
    args = parser.parse_args(argv)
    try:
        expected = build(args.compiler)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if args.check:
        stale = stale_artifacts(expected)
        for name in stale:
            print(f"stale: {_shown(ARTIFACTS_DIR / name)}", file=sys.stderr)
        if stale:
            print("run: make contracts", file=sys.stderr)
            return 1
        print(f"{len(expected)} artifact(s) up to date")
        return 0
    changed = write_artifacts(expected)
    for name in changed:
        print(f"{'wrote' if name in expected else 'removed'} {_shown(ARTIFACTS_DIR / name)}")
    if not changed:
        print(f"{len(expected)} artifact(s) up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
