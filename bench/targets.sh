#!/usr/bin/env bash
# Issue 17's request targets, as an application meets them: each case runs through WarpDrive as configured by
# default (--mode mix: Mix mode, synchronous requests for the in-process device inline) or through the queue, and as
# the direct library call, interleaved, ROUNDS times; prints medians and the ratio WarpDrive / direct.
# Usage: bench/targets.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1}
rounds=${2:-3}
. bench/common.sh
echo "# $(machine), ${seconds} s x ${rounds} rounds"
cases=(
  "aes-256-gcm 64 mix --sync" "aes-256-gcm 16K mix --sync" "aes-256-gcm 1M mix --sync" "sha256 16K mix --sync"
  "deflate 64K local --async" "deflate 64K mix --async"
)
results=$(mktemp)
for round in $(seq "$rounds"); do
  for c in "${cases[@]}"; do
    set -- $c
    for mode in "$3" direct; do
      "$wd" bench --alg "$1" --pktlen "$2" --mode "$mode" "$4" --seconds "$seconds" --json \
        | python3 -c "import json,sys; r=json.load(sys.stdin)['runs'][0]; print('$c', '$mode', r['ops_per_s'], r['p50_us'], r['path'])" >> "$results"
    done
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    key, mode = " ".join(f[:4]), f[4]
    rows.setdefault(key, {}).setdefault(mode if mode == "direct" else "wd", []).append((float(f[5]), float(f[6]), " ".join(f[7:])))
print("| case | path | WarpDrive ops/s | direct ops/s | ratio | p50 µs WarpDrive / direct |")
print("|---|---|---|---|---|---|")
for key, r in rows.items():
    wd, direct = r["wd"], r["direct"]
    ratios = [w[0] / d[0] for w, d in zip(wd, direct)]
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    print(f"| {key} | {wd[0][2]} | {med(wd, 0):,.0f} | {med(direct, 0):,.0f} | {statistics.median(ratios):.2f}x | {med(wd, 1):.2f} / {med(direct, 1):.2f} |")
PY
rm -f "$results"
