"""Run slither over contracts/ and fail on anything not triaged.

    python -m tools.slither.check [--slither PATH] [--json FILE]     # make slither

Slither (pinned in tools/slither/requirements.txt, in its own venv, .venv-slither: it needs
web3 < 8, the project uses 8) compiles contracts/ through tools/slither/solc, the native-solc
look-alike over the pinned npm solc, with the shipped settings (viaIR, runs, EVM version).

Exit 1 when slither reports any High finding, any Medium or Low finding that
tools/slither/triage.json does not list, or a triage entry that matches no finding any more
(fixed: delete the entry). Informational and optimization findings are printed as a count.
A finding is named ``<check> <element>``, e.g. ``timestamp AccessLeases.revoke(uint8,uint256,address)``:
the detector and the first element slither names (contract-qualified signature for functions),
never line numbers, so editing a file does not invalidate the triage.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TRIAGE_PATH = Path(__file__).resolve().parent / "triage.json"
SOLC_WRAPPER = Path(__file__).resolve().parent / "solc"
DEFAULT_SLITHER = REPO_ROOT / ".venv-slither" / "bin" / "slither"
TRIAGED_IMPACTS = ("Medium", "Low")
#: High findings shown to be slither's own mistakes (see their triage entries); any other High fails.
FALSE_POSITIVES = {"uninitialized-state AccessLeases._payees"}


def finding_key(result: dict[str, Any]) -> str:
    """``<check> <element>``: a name for a finding that does not depend on line numbers."""
    elements = result.get("elements") or []
    if not elements:
        return f"{result['check']} (no element)"
    first = elements[0]
    fields = first.get("type_specific_fields", {})
    name = fields.get("signature", first.get("name", "?"))
    parent = fields.get("parent", {})
    if parent.get("type") == "contract":
        name = f"{parent['name']}.{name}"
    elif parent.get("type") == "function":  # a node or variable inside a function
        owner = parent.get("type_specific_fields", {}).get("parent", {}).get("name")
        signature = parent.get("type_specific_fields", {}).get("signature", parent["name"])
        name = f"{owner}.{signature}: {first.get('name', '?')}" if owner else name
    return f"{result['check']} {name}"


def read_triage(path: Path | None = None) -> dict[str, str]:
    """Triaged finding name -> the reason it is accepted."""
    path = TRIAGE_PATH if path is None else path
    entries = json.loads(path.read_text(encoding="utf-8"))["accepted"]
    triage = {}
    for entry in entries:
        key = f"{entry['check']} {entry['element']}"
        if not entry.get("reason", "").strip():
            raise ValueError(f"triage entry {key!r} gives no reason")
        if key in triage:
            raise ValueError(f"triage entry {key!r} is listed twice")
        triage[key] = entry["reason"]
    return triage


def judge(results: list[dict[str, Any]], triage: dict[str, str]) -> tuple[list[str], Counter]:
    """The problems (empty when CI may pass) and a count of findings per impact."""
    problems, seen = [], set()
    counts = Counter(r["impact"] for r in results)
    for result in results:
        key = finding_key(result)
        first_line = result["description"].strip().splitlines()[0]
        if result["impact"] == "High":
            if key in triage and key in FALSE_POSITIVES:
                seen.add(key)
            else:
                problems.append(f"High: {key}: {first_line}")
        elif result["impact"] in TRIAGED_IMPACTS:
            if key in triage:
                seen.add(key)
            else:
                problems.append(f"{result['impact']}, not triaged: {key}: {first_line}")
    for key in sorted(triage.keys() - seen):
        problems.append(f"triage entry matches no finding any more (fixed? delete it): {key}")
    return problems, counts


def run_slither(slither: Path) -> list[dict[str, Any]]:
    """Slither's detector results over contracts/ (as its --json output lists them)."""
    if not slither.is_file():
        raise FileNotFoundError(f"{slither} not found: run make slither (it creates .venv-slither)")
    proc = subprocess.run(
        [str(slither), "contracts", "--solc", str(SOLC_WRAPPER), "--solc-standard-json",
         "--json", "-", "--disable-color"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"slither failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}") from None
    if not output.get("success"):
        raise RuntimeError(f"slither failed: {output.get('error')}")
    return (output.get("results") or {}).get("detectors", [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.slither.check", description=__doc__.splitlines()[0])
    parser.add_argument("--slither", type=Path, default=DEFAULT_SLITHER, help="the slither executable")
    parser.add_argument("--json", type=Path, help="judge this saved `slither --json` output instead of running slither")
    args = parser.parse_args(argv)
    try:
        triage = read_triage()
        if args.json:
            results = json.loads(args.json.read_text(encoding="utf-8"))["results"]["detectors"]
        else:
            results = run_slither(args.slither)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    problems, counts = judge(results, triage)
    summary = ", ".join(f"{counts.get(i, 0)} {i}" for i in ("High", "Medium", "Low", "Informational", "Optimization"))
    print(f"slither: {summary}; {len(triage)} triaged in {TRIAGE_PATH.relative_to(REPO_ROOT)}")
    for problem in problems:
        print(problem)
    if problems:
        print("fix the finding, or triage it with a reason in tools/slither/triage.json", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
