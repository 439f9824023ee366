#!/usr/bin/env bash
# Issue 19, item 4: what a doorbell storm costs the broker. Starts a real wdd (one zip-0, every default) on a private
# run directory, samples its threads' CPU (utime+stime from /proc/<pid>/task/*/stat) and context switches idle for
# SECONDS, then while one WarpDrive.TestClient process rings one queue's doorbell (advance the word, FUTEX_WAKE) as
# fast as one thread can for SECONDS, publishing nothing; prints the broker's CPU per thread name and the client's.
#   tests/stress/doorbell-storm.sh [SECONDS]      (after a Release build of tests/WarpDrive.Tests)
# WDD_CONFIG='{...}' replaces the config. docs/SECURITY.md ("a doorbell storm") has the figures.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
bin=tests/WarpDrive.Tests/bin/Release/net10.0
[ -f "$bin/wdd.dll" ] && [ -f "$bin/WarpDrive.TestClient.dll" ] || { echo "doorbell-storm: build tests/WarpDrive.Tests in Release first" >&2; exit 2; }
run=$(mktemp -d /tmp/wdd-storm-XXXX)
chmod 755 "$run"
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait; rm -rf "$run"' EXIT
default_config='{ "devices": [ { "name": "zip-0" } ] }'
printf '%s\n' "${WDD_CONFIG:-$default_config}" > "$run/wdd.json"
dotnet "$bin/wdd.dll" --config "$run/wdd.json" --run-dir "$run" > "$run/wdd.log" 2>&1 &
for _ in $(seq 200); do [ -s "$run/wdd.pid" ] && break; sleep 0.1; done
pid=$(cat "$run/wdd.pid" 2>/dev/null) || { echo "doorbell-storm: wdd did not start:" >&2; cat "$run/wdd.log" >&2; exit 1; }

snap() { # name <tab> ticks <tab> voluntary <tab> involuntary, summed per thread name
  python3 - "$pid" <<'PY'
import os, sys
pid, out = sys.argv[1], {}
for t in os.listdir(f'/proc/{pid}/task'):
    try:
        stat = open(f'/proc/{pid}/task/{t}/stat').read()
        status = dict(l.split(':', 1) for l in open(f'/proc/{pid}/task/{t}/status').read().splitlines())
    except OSError:
        continue
    name = stat[stat.index('(') + 1:stat.rindex(')')]
    f = stat[stat.rindex(')') + 2:].split()
    a = out.setdefault(name, [0, 0, 0])
    a[0] += int(f[11]) + int(f[12])
    a[1] += int(status['voluntary_ctxt_switches'])
    a[2] += int(status['nonvoluntary_ctxt_switches'])
for k, v in sorted(out.items()):
    print(k, *v, sep='\t')
PY
}
report() {
  python3 - "$1" "$2" "$(getconf CLK_TCK)" <<'PY'
import sys
def rd(p): return {l.split('\t')[0]: list(map(int, l.split('\t')[1:])) for l in open(p).read().splitlines()}
a, b, hz = rd(sys.argv[1]), rd(sys.argv[2]), int(sys.argv[3])
total = 0
for k in b:
    d = [y - x for x, y in zip(a.get(k, [0, 0, 0]), b[k])]
    total += d[0]
    if d[0] > 0 or d[1] > 100:
        print(f"  {k}: {d[0] * 1000 // hz} ms CPU, {d[1]} voluntary / {d[2]} involuntary switches")
print(f"  wdd total: {total * 1000 // hz} ms CPU")
PY
}

sleep 1
snap > "$run/s0"; sleep "$secs"; snap > "$run/s1"
echo "wdd idle for $secs s:"; report "$run/s0" "$run/s1"
snap > "$run/s2"
WD_RUN_DIR="$run" WD_MODE=broker bash -c "time dotnet $bin/WarpDrive.TestClient.dll doorbell $secs" > "$run/client.out" 2>&1
snap > "$run/s3"
echo "doorbell storm for $secs s: $(head -1 "$run/client.out") doorbells; client $(grep -E '^(real|user|sys)' "$run/client.out" | tr '\n\t' '  ')"
echo "wdd meanwhile:"; report "$run/s2" "$run/s3"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
