#!/usr/bin/env bash
# Issue 21's benchmarks, interleaved ROUNDS times in one run, medians:
#   64 KiB blocks: zstd -1, zstd -3 and lz4 -1, compress and decompress, through the queue (wd bench --mode local)
#     beside the direct engine call (--mode direct), each on the native libraries and on the managed ports
#     (WD_DISABLE_LIBZSTD=1 WD_DISABLE_LIBLZ4=1: ZstdSharp and K4os);
#   64 MiB streams (a file of the repository's text): wd compress|decompress -a zstd|lz4 beside the zstd and lz4 CLIs.
# Usage: bench/frames.sh [ROUNDS] [SECONDS per block run] [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-2}
mib=${3:-64}
. bench/common.sh
command -v zstd >/dev/null && command -v lz4 >/dev/null || { echo "frames: zstd and lz4 missing (apt-get install zstd lz4)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results"
: > "$results"

git ls-files -z -- '*.cs' '*.md' '*.json' '*.sh' | xargs -0 cat > "$work/seed"
: > "$work/text"
while [ "$(stat -c %s "$work/text")" -lt $((mib << 20)) ]; do cat "$work/seed" >> "$work/text"; done
truncate -s $((mib << 20)) "$work/text"

echo "# $(machine), ${rounds} rounds, ${seconds} s per block run, ${mib} MiB streams"
block() { # block ENGINES ALG LEVEL OP MODE: one wd bench run; appends "block engines alg level op mode MB/s"
  local engines=$1 alg=$2 level=$3 op=$4 mode=$5 env=()
  [ "$engines" = managed ] && env=(WD_DISABLE_LIBZSTD=1 WD_DISABLE_LIBLZ4=1)
  local mbs
  mbs=$(env "${env[@]}" "$wd" bench --alg "$alg" --op "$op" --mode "$mode" -l "$level" --pktlen 64K --seconds "$seconds" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["mb_per_s"])')
  echo "block $engines $alg $level $op $mode $mbs" >> "$results"
}
stream() { # stream NAME OUTPUT command...: one timed run of a 64 MiB file; appends "stream name seconds"
  local name=$1 out=$2; shift 2
  rm -f "$out"
  local start end
  start=$(date +%s.%N)
  "$@" > "$out"
  end=$(date +%s.%N)
  echo "stream $name $(python3 -c "print($end - $start)")" >> "$results"
}

for round in $(seq "$rounds"); do
  for engines in native managed; do
    for spec in "zstd 1" "zstd 3" "lz4 1"; do
      set -- $spec
      for op in compress decompress; do
        block "$engines" "$1" "$2" "$op" local
        block "$engines" "$1" "$2" "$op" direct
      done
    done
  done
  for spec in "zstd 1" "zstd 3" "lz4 1"; do
    set -- $spec
    suffix=$([ "$1" = zstd ] && echo zst || echo lz4)
    stream "wd-$1-$2-compress" "$work/wd.out" "$wd" compress -a "$1" -l "$2" -o - "$work/text"
    stream "cli-$1-$2-compress" "$work/cli.$suffix" "$1" -q "-$2" -c "$work/text"
    stream "wd-$1-$2-decompress" "$work/wd.back" "$wd" decompress -a "$1" -o - "$work/cli.$suffix"
    stream "cli-$1-$2-decompress" "$work/cli.back" "$1" -q -d -c "$work/cli.$suffix"
    cmp -s "$work/wd.back" "$work/text" || { echo "frames: wd decompress -a $1 output differs" >&2; exit 1; }
    "$1" -q -t "$work/wd.out" || { echo "frames: $1 -t rejects wd's output" >&2; exit 1; }
  done
done

python3 - "$results" "$mib" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault(tuple(f[:-1]), []).append(float(f[-1]))
med = lambda k: statistics.median(rows[k])
mib = int(sys.argv[2])
print("64 KiB blocks, MB/s of input (decompress: of output), median")
print(f"{'format':8} {'op':10} {'engines':8} {'queue':>7} {'direct':>7} {'q/d':>5}")
for alg, level in (("zstd", "1"), ("zstd", "3"), ("lz4", "1")):
    for op in ("compress", "decompress"):
        for engines in ("native", "managed"):
            q, d = med(("block", engines, alg, level, op, "local")), med(("block", engines, alg, level, op, "direct"))
            print(f"{alg + ' -' + level:8} {op:10} {engines:8} {q:7.0f} {d:7.0f} {q / d:5.2f}")
        n, m = med(("block", "native", alg, level, op, "direct")), med(("block", "managed", alg, level, op, "direct"))
        print(f"{'':8} {op:10} managed/native (direct): {m / n:.2f}")
print()
print(f"{mib} MiB streams, MB/s, median")
print(f"{'format':8} {'op':10} {'wd':>7} {'CLI':>7} {'wd/CLI':>6}")
for alg, level in (("zstd", "1"), ("zstd", "3"), ("lz4", "1")):
    for op in ("compress", "decompress"):
        w, c = med(("stream", f"wd-{alg}-{level}-{op}")), med(("stream", f"cli-{alg}-{level}-{op}"))
        print(f"{alg + ' -' + level:8} {op:10} {mib * 1.048576 / w:7.0f} {mib * 1.048576 / c:7.0f} {c / w:6.2f}")
PY
