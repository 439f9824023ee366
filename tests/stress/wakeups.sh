#!/usr/bin/env bash
# Issue 16's acceptance: the two wd bench runs that used to hang, N times each (default 200), the second half of the
# tries with the machine loaded (stress-ng --cpu 2, or two busy shells without it). A try fails when wd bench exits
# non-zero (8: it reported requests that never completed), does not end within TIMEOUT seconds (killed: 137), or
# reports late reaps (9: completions that only a sleep's timeout found).
#   tests/stress/wakeups.sh [N] [TIMEOUT]        docs/RELIABILITY.md, "Lost wake-ups"
set -uo pipefail
cd "$(dirname "$0")/../.."
tries=${1:-200}
timeout_s=${2:-60}
bin=src/WarpDrive.Cli/bin/Release/net10.0
[ -f "$bin/wd.dll" ] || { echo "wakeups: build first (scripts/setup.sh)" >&2; exit 2; }
# A private copy: a rebuild while this runs must not change the binary under test.
work=$(mktemp -d)
trap 'stop_load; rm -rf "$work"' EXIT
cp -r "$bin" "$work/wd"
wd="$work/wd/wd.dll"

load_pids=()
start_load() {
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu 2 --quiet & load_pids+=($!)
  else
    for _ in 1 2; do (while :; do :; done) & load_pids+=($!); done
  fi
}
stop_load() {
  [ ${#load_pids[@]} -gt 0 ] && kill "${load_pids[@]}" 2>/dev/null && wait "${load_pids[@]}" 2>/dev/null
  load_pids=()
}

commands=(
  "--alg deflate --op decompress --pktlen 4K --async --depth 32 --seconds 2"
  "--alg aes-128-gcm --pktlen 16K --async --depth 32 --mode broker-share --seconds 2"
)
failed_total=0
for args in "${commands[@]}"; do
  ok=0; failed=0; loaded=0
  for ((i = 1; i <= tries; i++)); do
    if ((i == tries / 2 + 1)); then start_load; fi
    ((i > tries / 2)) && loaded=1
    out=$(timeout -s KILL "$timeout_s" dotnet "$wd" bench $args --json 2>&1)
    rc=$?
    # A run that finished but found completions only by a sleep's timeout lost wake-ups all the same.
    if ((rc == 0)) && ! echo "$out" | grep -q '"late_reaps": 0'; then rc=9; fi
    if ((rc == 0)); then
      ok=$((ok + 1))
    else
      failed=$((failed + 1))
      echo "wakeups: try $i ($([ $loaded = 1 ] && echo loaded || echo idle)) of 'wd bench $args': exit $rc: $(echo "$out" | tail -n 1)" >&2
    fi
  done
  stop_load
  echo "wd bench $args: $ok of $tries finished ($((tries / 2)) idle, $((tries - tries / 2)) loaded), $failed failed"
  failed_total=$((failed_total + failed))
done
exit $((failed_total > 0))
