#!/usr/bin/env bash
# The installed package works on its own: build a wheel from this tree, install it (not
# editable) into a fresh venv with the pinned constraints, check what the wheel holds, and
# run `aiprov hash`, `register dataset`, `verify dataset` from it on the embedded local chain.
#
#     make wheel-check        # .ci/run calls it before `make test` (~30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}   # any Python >= 3.11 with pip
work=$(mktemp -d "${TMPDIR:-/tmp}/aiprov-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { echo "== wheel-check: $*"; }
quietly() { "$@" > "$work/pip.log" 2>&1 || { cat "$work/pip.log" >&2; exit 1; }; }  # pip's noise, shown on failure

step "build the wheel from the tracked (and new, not ignored) files of this tree"
"$PYTHON" - "$work/src" <<'PY'
import shutil, subprocess, sys
from pathlib import Path

listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                        capture_output=True, check=True).stdout.decode().split("\0")
for name in filter(None, listed):
    if Path(name).is_file():  # a tracked file deleted in the work tree is not copied
        (Path(sys.argv[1]) / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(name, Path(sys.argv[1]) / name)
PY
quietly "$PYTHON" -m pip wheel --no-deps --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/aiprov-*.whl)
echo "$(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

step "install it into a fresh venv (pinned by constraints.txt)"
"$PYTHON" -m venv "$work/venv"
quietly "$work/venv/bin/pip" install --disable-pip-version-check -c constraints.txt "$wheel"
cd "$work"   # nowhere near the source tree: only the installed package can be imported

step "what the wheel holds, and what the venv has"
"$work/venv/bin/python" - "$wheel" <<'PY'
import importlib.util, sys, zipfile
from pathlib import Path

import aiprov
from aiprov.contracts import CONTRACT_NAMES

names = zipfile.ZipFile(sys.argv[1]).namelist()
missing = [n for n in CONTRACT_NAMES if f"aiprov/contracts/artifacts/{n}.json" not in names]
tooling = [n for n in names if n.startswith(("tools/", "tests/")) or Path(n).name in ("build.py", "gas.py", "solcjs.js")]
assert not missing, f"artifacts missing from the wheel: {missing}"
assert not tooling, f"developer tools in the wheel: {tooling}"
assert "site-packages" in aiprov.__file__, f"aiprov imported from {aiprov.__file__}, not the venv"
dev_only = [m for m in ("web3", "eth_tester", "solcx", "pytest") if importlib.util.find_spec(m)]
assert not dev_only, f"installed with the runtime dependencies, but developer-only: {dev_only}"
print(f"{len(names)} files; artifacts: {', '.join(CONTRACT_NAMES)}; no tools/, tests/; no web3, eth-tester, py-solc-x")
PY

step "hash, register dataset, verify dataset on the embedded local chain"
export AIPROV_HOME="$work/home"
unset AIPROV_NETWORK AIPROV_RPC_URL AIPROV_ACCOUNT AIPROV_PRIVATE_KEY AIPROV_DEBUG
mkdir -p data/images
printf 'id,text,label\n1,great product,1\n2,awful,0\n' > data/train.csv
printf 'fake png bytes' > data/images/cat.png
aiprov=$work/venv/bin/aiprov
"$aiprov" --version
"$aiprov" hash data
"$aiprov" register dataset data --name wheel-smoke
"$aiprov" verify dataset data
printf 'tampered' >> data/train.csv
set +e
"$aiprov" verify dataset data > verify-tampered.txt 2>&1
code=$?
set -e
cat verify-tampered.txt
[ "$code" -eq 1 ] || { echo "wheel-check: verify of tampered data exited $code, expected 1" >&2; exit 1; }
step "ok"
