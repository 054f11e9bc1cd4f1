#!/usr/bin/env bash
# Time-bounded access, end to end on the embedded chain:
# an admin grants a researcher 30 days, the researcher uses the data, 31 days pass,
# access is denied, and the on-chain access log shows all of it.
# Run from the repository (after `make setup`): bash examples/lease_30_days.sh
set -euo pipefail

WORK="${WORK:-$(mktemp -d)}"
export AIPROV_HOME="${AIPROV_HOME:-$WORK/home}"
OWNER=dev:0          # registers the dataset
ADMIN=dev:1          # appointed manager: may grant leases
RESEARCHER=dev:2     # gets 30 days

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

mkdir -p "$WORK/cohort"
printf 'patient,age,outcome\n1,54,0\n2,61,1\n' > "$WORK/cohort/cohort.csv"
ID=$(aiprov register dataset "$WORK/cohort" --name cohort --account $OWNER --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "dataset $ID registered by $OWNER"

run aiprov manager add "dataset:$ID" $ADMIN --account $OWNER
run aiprov lease grant "dataset:$ID" $RESEARCHER --days 30 --account $ADMIN
run aiprov lease check "dataset:$ID" $RESEARCHER
run aiprov lease use "dataset:$ID" --account $RESEARCHER
run aiprov node advance 31d --yes
say "aiprov lease use dataset:$ID --account $RESEARCHER   # 31 days later"
if aiprov lease use "dataset:$ID" --account $RESEARCHER; then
  echo "expected access to be denied after 31 days" >&2; exit 1
else
  echo "exit code $? (denied, and logged)"
fi
run aiprov lease list "dataset:$ID"
run aiprov lease log "dataset:$ID"
