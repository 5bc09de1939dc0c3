#!/usr/bin/env bash
# The baseline's outputs as SHA-256 fingerprints: proof that a refactoring or a speed-up changed
# no number. Runs 2 replications of scenarios/baseline.yaml with seed 11 on 2 workers and prints
# one hash per output file; summary.json without the fields that name the run (environment,
# timing, command, version) and scenario.resolved.yaml without its comment lines and version.
# report.html embeds the version (commit, ".dirty"), so it differs between commits anyway.
#
#   scripts/fingerprint.sh [TREE] > before.txt   # on the old commit (a git worktree, say)
#   scripts/fingerprint.sh [TREE] | diff - before.txt
#
# TREE defaults to this checkout; FP_OUT (default: a temporary folder) is where the run writes;
# SCENARIO (default scenarios/baseline.yaml) and REPLICATIONS (default 2) choose the run.
set -euo pipefail
TREE=$(cd "${1:-$(dirname "$0")/..}" && pwd)
OUT=${FP_OUT:-$(mktemp -d -t churn-sim-fp.XXXXXX)}
PY=${PYTHON:-$TREE/.venv/bin/python}
[ -x "$PY" ] || PY=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python
rm -rf "$OUT"
(cd "$TREE" && PYTHONPATH="$TREE" "$PY" run_sim.py run "${SCENARIO:-scenarios/baseline.yaml}" --replications "${REPLICATIONS:-2}" --seed 11 \
    --workers 2 --out "$OUT" --quiet >/dev/null)
cd "$OUT"
for f in $(ls | sort); do
  case "$f" in
    summary.json)
      "$PY" -c "import json; d = json.load(open('summary.json')); [d.pop(k, None) for k in ('environment', 'timing', 'elapsed_seconds', 'command', 'version', 'created')]; print(json.dumps(d, sort_keys=True))" \
        | sha256sum | sed "s/-/summary.json (stripped)/" ;;
    scenario.resolved.yaml) grep -v -E '^(# |version)' "$f" | sha256sum | sed "s/-/$f (no version)/" ;;
    *) sha256sum "$f" ;;
  esac
done
