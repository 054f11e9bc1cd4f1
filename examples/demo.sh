#!/usr/bin/env bash
# The main job, end to end, on the embedded local chain (no node, no compiler):
# hash a dataset, anchor it, verify it, change one byte, watch verify fail and name the file.
# Run with `make demo` (it sets up .venv first). Everything lives under ./.demo.
set -euo pipefail

DEMO_DIR="${DEMO_DIR:-$PWD/.demo}"
export AIPROV_HOME="$DEMO_DIR/home"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/reviews/images"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

# A small dataset, as a data scientist would have it.
python3 - "$DEMO_DIR/reviews" <<'PY'
import random, sys, json, pathlib
root = pathlib.Path(sys.argv[1])
rng = random.Random(7)
words = "good bad great awful fine broken fast slow love hate".split()
with open(root / "train.jsonl", "w") as f:
    for i in range(2000):
        f.write(json.dumps({"id": i, "text": " ".join(rng.choices(words, k=8)), "label": rng.randint(0, 1)}) + "\n")
with open(root / "test.csv", "w") as f:
    f.write("id,text,label\n")
    for i in range(500):
        f.write(f"{i},{' '.join(rng.choices(words, k=6))},{rng.randint(0, 1)}\n")
(root / "images" / "sample.bin").write_bytes(bytes(rng.getrandbits(8) for _ in range(64 * 1024)))
(root / "README.md").write_text("# reviews\nToy sentiment data for the aiprov demo.\n")
PY

run aiprov hash "$DEMO_DIR/reviews"
run aiprov register dataset "$DEMO_DIR/reviews" --name reviews --license CC-BY-4.0 --source "aiprov demo"
run aiprov verify dataset "$DEMO_DIR/reviews"

say "# registering the same bytes again sends nothing"
run aiprov register dataset "$DEMO_DIR/reviews" --name reviews

say "# flip one byte in test.csv"
python3 - "$DEMO_DIR/reviews/test.csv" <<'PY'
import sys
p = sys.argv[1]
data = bytearray(open(p, "rb").read())
data[20] ^= 0x01
open(p, "wb").write(bytes(data))
PY

say "aiprov verify dataset $DEMO_DIR/reviews"
set +e
aiprov verify dataset "$DEMO_DIR/reviews"
code=$?
set -e
echo "exit code: $code (1 = the check does not hold)"
if [ "$code" -ne 1 ]; then echo "demo: expected exit code 1" >&2; exit 1; fi

run aiprov show dataset 1
run aiprov account list
printf '\n\033[1mdemo finished\033[0m: state is in %s\n' "$AIPROV_HOME"
