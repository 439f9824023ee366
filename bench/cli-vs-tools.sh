#!/usr/bin/env bash
# Issue 20's CLI targets: `wd` beside the tool on the same engine, on 256 MiB files, interleaved ROUNDS times:
#   wd compress -l N   vs  igzip -N -c        (ISA-L's own CLI; `apt-get install isal`)
#   wd decompress      vs  igzip -d -c
#   wd digest -a sha256 vs openssl dgst -sha256
# on two inputs: text (the repository's sources and docs, repeated) and mixed (text, shared libraries, random bytes).
# Prints medians of wall time, MB/s, peak RSS (GNU time's %M) and the ratio wd / tool (throughput; >= 0.9 is the target).
# Usage: bench/cli-vs-tools.sh [ROUNDS] [LEVEL] [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
level=${2:-1}
mib=${3:-256}
. bench/common.sh
command -v igzip >/dev/null || { echo "cli-vs-tools: igzip missing (apt-get install isal)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cli-vs-tools: GNU time missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bytes=$((mib * 1024 * 1024))

fill() { # fill FILE: repeats stdin's bytes until the file is $bytes long
  local seed="$work/seed"; cat > "$seed"
  : > "$1"
  while [ "$(stat -c %s "$1")" -lt "$bytes" ]; do cat "$seed" >> "$1"; done
  truncate -s "$bytes" "$1"
}
git ls-files -z -- '*.cs' '*.md' '*.json' '*.sh' | xargs -0 cat | fill "$work/text"
{ git ls-files -z -- '*.cs' '*.md' | xargs -0 cat; cat /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/bin/openssl 2>/dev/null;
  head -c 4194304 /dev/urandom; } | fill "$work/mixed"

echo "# $(machine), ${mib} MiB, level ${level}, ${rounds} rounds"
results="$work/results"
run() { # run CASE TOOL OUTPUT command...: one timed run; appends "case tool seconds maxrss_kib"
  local c=$1 t=$2 out=$3; shift 3
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  cat "$work/$c" > /dev/null # both read the input from the page cache
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" > "$out"
  echo "$c $t $(cat "$work/t")" >> "$results"
}
for round in $(seq "$rounds"); do
  for c in text mixed; do
    # Every output is a new file: replacing last round's 256 MiB file would charge its freeing to whichever tool
    # replaced it (wd renames over it; the shell truncates it for the tool before the timer starts).
    rm -f "$work/$c.wd.gz" "$work/$c.ig.gz" "$work/$c.wd.out" "$work/$c.ig.out"
    run "$c" "wd-compress" /dev/null "$wd" compress -l "$level" "$work/$c" -o "$work/$c.wd.gz"
    run "$c" "igzip-compress" "$work/$c.ig.gz" igzip "-$level" -c "$work/$c"
    run "$c" "wd-decompress" /dev/null "$wd" decompress "$work/$c.ig.gz" -o "$work/$c.wd.out"
    run "$c" "igzip-decompress" "$work/$c.ig.out" igzip -d -c "$work/$c.ig.gz"
    cmp -s "$work/$c.wd.out" "$work/$c" || { echo "cli-vs-tools: wd decompress output differs" >&2; exit 1; }
    gzip -t "$work/$c.wd.gz" || { echo "cli-vs-tools: wd's gzip does not test" >&2; exit 1; }
    run "$c" "wd-sha256" "$work/$c.wd.sum" "$wd" digest -a sha256 "$work/$c"
    run "$c" "openssl-sha256" "$work/$c.os.sum" openssl dgst -sha256 "$work/$c"
  done
done
python3 - "$results" "$mib" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    c, tool, secs, rss = line.split()
    rows.setdefault((c, tool), []).append((float(secs), int(rss)))
mib = int(sys.argv[2])
print(f"{'input':6} {'operation':11} {'wd MB/s':>8} {'tool MB/s':>9} {'ratio':>6} {'wd RSS':>8} {'tool RSS':>8}")
for c in ("text", "mixed"):
    for op, other in (("compress", "igzip-compress"), ("decompress", "igzip-decompress"), ("sha256", "openssl-sha256")):
        ours, theirs = rows[(c, "wd-" + op)], rows[(c, other)]
        mbs = lambda r: mib * 1.048576 / statistics.median(s for s, _ in r)
        rss = lambda r: statistics.median(m for _, m in r) / 1024
        print(f"{c:6} {op:11} {mbs(ours):8.0f} {mbs(theirs):9.0f} {mbs(ours) / mbs(theirs):6.2f} {rss(ours):6.0f} MiB {rss(theirs):6.0f} MiB")
PY
