"""The Solidity test doubles of tests/contracts/fixtures (test tokens, attackers), compiled
with the pinned solc and settings of the shipped contracts (build.py), for the tests and for
the gas measurements of token purchases (gas.py).

``compiled()["TestToken"]`` → ``{"abi": [...], "bytecode": "0x…"}``; the OpenZeppelin files
they import come from node_modules, like the shipped contracts'. The output is cached under
.pytest_cache/ by the hash of the compiler input, so it is compiled once per checkout.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path

from . import build

FIXTURES = build.REPO_ROOT / "tests" / "contracts" / "fixtures"
FILES = ("ReentrantOwner.sol", "TestToken.sol")
CACHE = build.REPO_ROOT / ".pytest_cache" / "fixture-contracts"


def have_compiler() -> bool:
    return build.find_native_solc() is not None or (
        shutil.which("node") is not None and (build.NODE_MODULES / "solc").is_dir()
    )


@functools.cache
def compiled() -> dict[str, dict]:
    """Every contract of the fixture files by name: its ABI and creation bytecode."""
    sources: dict[str, str] = {}
    pending = [f"tests/contracts/fixtures/{name}" for name in FILES]
    while pending:
        name = pending.pop()
        if name in sources:
            continue
        if name.startswith("tests/"):
            text = (FIXTURES / Path(name).name).read_text(encoding="utf-8")
        else:
            text = build._read_source(name)
        sources[name] = text
        pending.extend(build._resolve_import(name, t) for t in build._IMPORT_RE.findall(text))
    input_json = build.standard_input(dict(sorted(sources.items())))
    # the output depends only on the input (and the pinned compiler): cache it by its hash
    key = hashlib.sha256(json.dumps([build.SOLC_VERSION, input_json], sort_keys=True).encode()).hexdigest()
    cached = CACHE / f"{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    if not have_compiler():
        raise build.BuildError("no solc 0.8.37 (native, or npm: run npm ci) to compile the test doubles")
    output = build.compile_input(input_json)
    out = {}
    for name in sources:
        if name.startswith("tests/"):
            for contract, data in output["contracts"][name].items():
                out[contract] = {"abi": data["abi"], "bytecode": "0x" + data["evm"]["bytecode"]["object"]}
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(out), encoding="utf-8")
    os.replace(tmp, cached)  # atomic: parallel workers may race, each writes the same text
    return out
