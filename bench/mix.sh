#!/usr/bin/env bash
# Mix mode's thresholds (issue 17): for each library's algorithm and request size, the same sessions run every
# request inline in the submitting thread (--mode inline) and through the in-process device's queue, synchronously
# and asynchronously (--mode local), interleaved, ROUNDS times. It prints the median ops/s of each, the submitting
# thread's CPU per request inline (the work itself) and offloaded asynchronously (what handing it to a device costs
# the caller), and the smallest size at which offloading costs the caller less CPU than doing the work: below it a
# request is cheaper inline, whatever device would serve it (the threshold's criterion, as uadk_engine's and
# QATzip's small-packet thresholds). On device models that share the caller's CPU the queue's throughput never beats
# inline (the "device" is the same cores); the ops/s columns say by how much.
# Usage: bench/mix.sh [SECONDS] [ROUNDS]   (the defaults take about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1}
rounds=${2:-3}
. bench/common.sh
out=$(mktemp -d)
echo "# $(machine), ${seconds} s x ${rounds} rounds" >&2
for alg in gzip aes-256-gcm sha256; do
  for size in 256 512 1K 2K 4K 8K 16K 64K; do
    for round in $(seq "$rounds"); do
      for run in "inline --sync" "local --sync" "local --async"; do
        set -- $run
        "$wd" bench --alg "$alg" --pktlen "$size" --mode "$1" "$2" --seconds "$seconds" --json \
          >> "$out/$alg-$size-$1$2.json"
      done
    done
  done
done
python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = {}
for f in glob.glob(os.path.join(out, "*.json")):
    name = os.path.basename(f)[:-5]
    for key in ("inline--sync", "local--sync", "local--async"):
        if name.endswith(key):
            alg_size = name[: -len(key) - 1]
            alg, size = alg_size.rsplit("-", 1)
            text, runs, i = open(f).read(), [], 0
            decoder = json.JSONDecoder()
            while text[i:].strip():
                obj, i = decoder.raw_decode(text, len(text) - len(text[i:].lstrip()))
                runs.append((obj["runs"][0]["ops_per_s"], obj["runs"][0]["submit_cpu_us_per_request"]))
            rows.setdefault((alg, size), {})[key] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
def bytes_of(s):
    return int(s[:-1]) * 1024 if s.endswith("K") else int(s)
print("| alg | size | inline ops/s | queue sync ops/s | queue async ops/s | inline CPU µs/req | queue async caller CPU µs/req |")
print("|---|---|---|---|---|---|---|")
first = {}
for (alg, size) in sorted(rows, key=lambda k: (k[0], bytes_of(k[1]))):
    r = rows[(alg, size)]
    work, handoff = r["inline--sync"][1], r["local--async"][1]
    print(f"| {alg} | {size} | {r['inline--sync'][0]:,.0f} | {r['local--sync'][0]:,.0f} | {r['local--async'][0]:,.0f} | {work:.2f} | {handoff:.2f} |")
    if handoff < work and alg not in first:
        first[alg] = size
for alg in sorted({a for a, _ in rows}):
    print(f"{alg}: offloading costs the caller less CPU than the work from {first.get(alg, 'none of the sizes measured')}")
PY
rm -rf "$out"
