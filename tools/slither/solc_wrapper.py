"""A ``solc`` for tools that drive a native compiler (slither, through crytic-compile), on top
of the pinned npm WebAssembly solc that ``make contracts`` uses.

    tools/slither/solc --version
    tools/slither/solc --standard-json [--allow-paths DIR] [--base-path DIR] [--include-path DIR]... < in.json

``--version`` answers like native solc (``Version: 0.8.37+commit…``). ``--standard-json``
reads a standard-JSON input on stdin, inlines every source given by ``urls`` and every file
they import (relative imports from the importer, ``@scope/…`` from ``--include-path`` or
``node_modules/``), sets the compiler settings pinned in tools/contracts/build.py (viaIR,
optimizer runs, EVM version, metadata) so that what is analysed is what ships, keeps the
caller's ``outputSelection``, and prints solc's standard-JSON output, compile errors included,
exiting 0 as native solc does. Nothing is downloaded. Any other option is refused (exit 2).
"""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.contracts import build  # noqa: E402  (the repository's own build settings)

USAGE = "usage: solc --version | solc --standard-json [--allow-paths DIR] [--base-path DIR] [--include-path DIR]"


class WrapperError(Exception):
    """The wrapper cannot do what it was asked (exit 1, message on stderr)."""


def npm_solc_version(node_modules: Path = build.NODE_MODULES) -> str:
    """The long version of the npm solc, e.g. ``0.8.37+commit.a1b79de6.Emscripten.clang``."""
    node = shutil.which("node")
    if node is None:
        raise WrapperError("node not found on PATH: install Node.js >= 18, then run npm ci")
    script = "console.log(require(process.argv[1]).version())"
    proc = subprocess.run(
        [node, "-e", script, str(node_modules / "solc")], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise WrapperError(f"cannot load the npm solc from {node_modules}: run npm ci")
    version = proc.stdout.strip()
    if not version.startswith(build.SOLC_VERSION + "+"):
        raise WrapperError(f"npm solc is {version}, expected {build.SOLC_VERSION}; run npm ci")
    return version


def _reader(roots: list[Path]):
    def read(name: str) -> str:
        for root in roots:
            path = root / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        raise WrapperError(f"source {name!r} not found under {', '.join(map(str, roots))}")

    return read


def inline_sources(input_json: dict[str, Any], roots: list[Path]) -> dict[str, Any]:
    """``input_json`` with every source (``urls`` or ``content``) and everything it imports,
    transitively, given as ``content`` under its source unit name."""
    read = _reader(roots)
    sources: dict[str, str] = {}
    pending: list[str] = []
    for name, source in input_json.get("sources", {}).items():
        if "content" in source:
            sources[name] = source["content"]
        else:
            urls = source.get("urls") or [name]
            sources[name] = _reader([*roots, Path.cwd()])(urls[0])
        pending.append(name)
    while pending:
        name = pending.pop()
        for target in build._IMPORT_RE.findall(sources[name]):
            imported = build._resolve_import(name, target)
            imported = posixpath.normpath(imported)
            if imported not in sources:
                sources[imported] = read(imported)
                pending.append(imported)
    out = dict(input_json)
    out["sources"] = {name: {"content": text} for name, text in sorted(sources.items())}
    return out


def pinned(input_json: dict[str, Any]) -> dict[str, Any]:
    """``input_json`` compiled as the artifacts are: the pinned settings, the caller's
    ``outputSelection``."""
    settings = dict(input_json.get("settings", {}))
    out_sel = settings.get("outputSelection", {"*": {"*": ["abi"], "": ["ast"]}})
    return {**input_json, "settings": {**build.SETTINGS, "outputSelection": out_sel}}


def compile_standard_json(input_json: dict[str, Any]) -> str:
    """solc's standard-JSON output text for ``input_json`` (already inlined), from the npm solc."""
    node = shutil.which("node")
    if node is None:
        raise WrapperError("node not found on PATH: install Node.js >= 18, then run npm ci")
    proc = subprocess.run(
        [node, str(build.SOLCJS), str(build.NODE_MODULES), build.SOLC_VERSION],
        input=json.dumps(input_json).encode(),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise WrapperError(proc.stderr.decode(errors="replace").strip() or "npm solc failed")
    return proc.stdout.decode()


def _parse(argv: list[str]) -> tuple[str, list[Path]]:
    mode, roots, i = "", [], 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--version", "--standard-json"):
            mode = arg
        elif arg in ("--allow-paths", "--base-path", "--include-path") and i + 1 < len(argv):
            i += 1
            if arg != "--allow-paths":  # allowed paths only widen what solc may read
                roots.append(Path(argv[i]))
        else:
            raise ValueError(f"unsupported argument {arg!r}")
        i += 1
    if not mode:
        raise ValueError("give --version or --standard-json")
    return mode, roots


def main(argv: list[str] | None = None, stdin=None, stdout=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    try:
        mode, roots = _parse(argv)
    except ValueError as exc:
        print(f"solc wrapper: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    try:
        if mode == "--version":
            stdout.write(
                "solc, the solidity compiler commandline interface\n"
                f"Version: {npm_solc_version()}\n"
            )
            return 0
        try:
            input_json = json.loads(stdin.read())
        except json.JSONDecodeError as exc:
            print(f"solc wrapper: the standard-JSON input is not JSON: {exc}", file=sys.stderr)
            return 2
        roots = [*roots, Path.cwd(), build.NODE_MODULES, build.REPO_ROOT]
        stdout.write(compile_standard_json(pinned(inline_sources(input_json, roots))))
        return 0
    except (WrapperError, OSError, UnicodeDecodeError) as exc:
        print(f"solc wrapper: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
