#!/usr/bin/env bash
# Issue 19's acceptance: the whole suite (scripts/test.sh) N times in a row while `stress-ng --cpu 2` loads both cores.
# Prints one line per run ("run i: N passed, N failed[, N skipped] in S s") and, last, "K of N runs passed".
#   scripts/stress-suite.sh [N]     (default 10; installs stress-ng from Debian when missing)
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
command -v stress-ng >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq stress-ng >/dev/null; } \
  || { echo "stress-suite: cannot install stress-ng" >&2; exit 2; }
stress-ng --cpu 2 --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null; wait 2>/dev/null' EXIT
passed_runs=0
for i in $(seq "$runs"); do
  start=$SECONDS
  log=$(mktemp)
  scripts/test.sh > "$log" 2>&1
  rc=$?
  echo "run $i: $(tail -1 "$log") in $((SECONDS - start)) s (load $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ "$rc" -eq 0 ]; then
    passed_runs=$((passed_runs + 1))
  else
    grep -E "^\s+Failed [A-Za-z]|Error Message" -A8 "$log" | head -80 | sed "s/^/    /"
  fi
  rm -f "$log"
done
echo "$passed_runs of $runs runs passed"
[ "$passed_runs" -eq "$runs" ]
