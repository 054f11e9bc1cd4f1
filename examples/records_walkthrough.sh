#!/usr/bin/env bash
# Per-record provenance, end to end on the embedded chain (or any network: set AIPROV_NETWORK /
# AIPROV_RPC_URL): a hospital registers synthetic patients record by record, an auditor checks
# one record's proof (offline, then on-chain), the patient withdraws consent, then asks for
# erasure, and the old proof says so.
# Run from the repository (after `make setup`): bash examples/records_walkthrough.sh
set -euo pipefail

WORK="${WORK:-$(mktemp -d)}"
export AIPROV_HOME="${AIPROV_HOME:-$WORK/home}"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }
expect_fail() {  # the command must exit 1
  say "$*"
  set +e; "$@"; code=$?; set -e
  if [ "$code" -ne 1 ]; then echo "expected exit 1, got $code" >&2; exit 1; fi
  echo "(exit 1, as expected)"
}

python3 - "$WORK/patients.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as f:
    for i in range(200):
        f.write(json.dumps({"patient": f"P{i:04d}", "age": rng.randint(18, 90),
                            "diagnosis": rng.choice(["J45", "E11", "I10"])}) + "\n")
PY

ID=$(aiprov register dataset "$WORK/patients.jsonl" --records --name synthetic-patients --json \
     | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "dataset $ID: 200 patients, one salted leaf each"

run aiprov prove "$WORK/patients.jsonl" --record 17 -o "$WORK/proof-17.json"
run aiprov verify-proof "$WORK/proof-17.json" --offline
run aiprov verify-proof "$WORK/proof-17.json"

run aiprov consent revoke "$ID" --record 17 --reason "patient P0017 withdrew consent"
expect_fail aiprov verify-proof "$WORK/proof-17.json"
run aiprov consent status "$ID" --record 17

run aiprov consent erase "$ID" --record 17 --reason "erasure request" --yes
expect_fail aiprov prove "$WORK/patients.jsonl" --record 17
expect_fail aiprov verify-proof "$WORK/proof-17.json"
run aiprov consent list "$ID"
