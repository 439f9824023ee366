#!/usr/bin/env bash
# WarpDrive against DPDK's software PMDs on the same machine, in one sitting (issue 17): deflate level 1 through the
# ISA-L compress PMD (dpdk-test-compress-perf) and through `wd bench` (the embedded ZIP device through the queue, async
# with completions as ValueTasks and as callbacks, and the direct ISA-L call), compress and decompress of the same
# bytes; AES-128-GCM encryption through the OpenSSL crypto PMD (dpdk-test-crypto-perf) and `wd bench` (the embedded SEC
# device sync and async, and the direct call).
# Round after round, each size's DPDK run and WarpDrive runs alternate (DPDK first in odd rounds, WarpDrive first in
# even ones); the table has medians of the rounds and the median of each round's ratio.
#   bench/dpdk.sh [--rounds N] [--seconds S] [--sizes "4K 16K 64K"] [--gcm-sizes "64 1K 16K"] [--depth D]
#                 [--only all|deflate|gcm] [--out DIR] [--no-build]                              docs/PERFORMANCE.md
#
# One lcore does DPDK's work: EAL -l 0,1 is the main lcore (it only launches the test and waits for it) and one worker
# lcore, which enqueues bursts of --burst-sz 32 to one queue pair of the vdev and dequeues them; both software PMDs do
# the work inside the enqueue call, on that lcore. WarpDrive runs one submitting thread (--threads 1, --ctxnum 1) and
# one worker of the in-process device (--workers 1: the default on 2 vCPUs), plus the library's polling thread
# (async) and thread-pool continuations; direct is the library call on the submitting thread alone.
#
# Units: every figure is Gbps of uncompressed (deflate) or plaintext (GCM) bytes, 10^9 bits/s, as DPDK reports them:
# compress-perf divides the input file's size by the time for compression and for decompression alike, crypto-perf
# counts --buffer-sz bytes per op (not the tag). WarpDrive's are ops/s x block size x 8 (wd bench's own MB/s counts the
# compressed bytes for decompress, so it is not used). GCM also in Mops.
#
# The data: a deterministic JSON-lines corpus (generated below; its sha256 is in machine.txt). For block size N both
# tools get the same file, block-N = the corpus's first N bytes: wd bench --input-file block-N compresses it in every
# request; DPDK gets it with --extended-input-sz 32*N, i.e. the same block 32 times (one burst) per iteration. Blocks
# above 32 KiB go to DPDK as chains of 32 KiB segments (an mbuf segment holds at most 59,460 bytes), one op per block.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 seconds=2 sizes="4K 16K 64K" gcm_sizes="64 1K 16K" depth=32 only=all out="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --gcm-sizes) gcm_sizes=$2; shift 2 ;;
    --depth) depth=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "dpdk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$only" in all|deflate|gcm) ;; *) echo "dpdk.sh: --only all, deflate or gcm" >&2; exit 2 ;; esac

bytes() { # 4K -> 4096, 64 -> 64
  local v=${1^^}
  case "$v" in
    *K) echo $(( ${v%K} * 1024 )) ;;
    *M) echo $(( ${v%M} * 1024 * 1024 )) ;;
    *) echo $(( v )) ;;
  esac
}

# --- What it needs: DPDK's test apps (dpdk-dev), the two PMDs, python3 for the numbers, the .NET SDK. ---------------
pmd() { ls /usr/lib/*/dpdk/pmds-*/"librte_$1.so"* >/dev/null 2>&1; }
want=()
command -v dpdk-test-compress-perf >/dev/null && command -v dpdk-test-crypto-perf >/dev/null || want+=(dpdk dpdk-dev)
pmd compress_isal || want+=(@librte-compress-isal)
pmd crypto_openssl || want+=(@librte-crypto-openssl)
command -v python3 >/dev/null || want+=(python3)
if [ ${#want[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  pkgs=()
  for w in "${want[@]}"; do
    if [ "${w#@}" != "$w" ]; then # the PMD packages carry the ABI version in their name (librte-compress-isal23 on Debian 12)
      p=$(apt-cache search --names-only "^${w#@}[0-9-]*\$" | awk '{print $1}' | sort -V | tail -1)
      [ -n "$p" ] || { echo "dpdk.sh: no package provides ${w#@}" >&2; exit 3; }
      pkgs+=("$p")
    else
      pkgs+=("$w")
    fi
  done
  echo "dpdk.sh: installing ${pkgs[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "dpdk.sh: needs the .NET 10 SDK (dotnet)" >&2; exit 3; }
if [ "$build" = 1 ]; then
  dotnet build src/WarpDrive.Cli -c Release -nologo -v q -clp:ErrorsOnly >&2
fi
wd=src/WarpDrive.Cli/bin/Release/net10.0/wd.dll
[ -f "$wd" ] || { echo "dpdk.sh: $wd is missing (drop --no-build)" >&2; exit 3; }

out=${out:-artifacts/dpdk/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out/raw"
raw=$out/raw
echo "dpdk.sh: results in $out" >&2

# --- The corpus: JSON lines (log records of an HTTP service), deterministic for the seed; compresses ~4:1 with gzip -1.
python3 - "$out/corpus.json" <<'EOF'
import json, random, sys
n, r = 1 << 20, random.Random(20261207)
words = ("the of and to in a is that for it as was with be by on not this are or from at which but have an had they you were "
         "queue device request memory broker engine session context region domain compression accelerator throughput latency "
         "completion submission doorbell descriptor kernel driver buffer packet stream block header payload checksum").split()
methods = ["GET"] * 6 + ["POST"] * 3 + ["PUT", "DELETE"]
paths = ["/api/v1/orders", "/api/v1/users", "/api/v1/items", "/api/v2/search", "/health", "/api/v1/carts", "/static/app.js"]
statuses = [200] * 14 + [201, 204, 301, 304, 400, 401, 403, 404, 404, 500, 503]
out, size, i = [], 0, 0
while size < n:
    rec = {"id": 100000 + i, "ts": "2026-12-%02dT%02d:%02d:%02d.%03dZ" % (1 + i // 86400 % 28, r.randrange(24), r.randrange(60), r.randrange(60), r.randrange(1000)),
           "level": r.choice(["INFO"] * 8 + ["WARN", "ERROR", "DEBUG"]), "user": "user%04d" % int(r.paretovariate(1.2) * 10 % 5000),
           "method": r.choice(methods), "path": r.choice(paths) + ("/%d" % r.randrange(100000) if r.random() < 0.5 else ""),
           "status": r.choice(statuses), "bytes": int(r.expovariate(1 / 4000)), "latency_ms": round(r.expovariate(1 / 25), 3),
           "tags": sorted(r.sample(words[30:], r.randrange(4))),
           "message": " ".join(r.choice(words[:30] if r.random() < 0.6 else words) for _ in range(r.randrange(4, 20)))}
    line = json.dumps(rec, separators=(",", ":")) + "\n"
    out.append(line); size += len(line); i += 1
open(sys.argv[1], "w").write("".join(out)[:n])
EOF

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: bench/dpdk.sh --rounds $rounds --seconds $seconds --sizes \"$sizes\" --gcm-sizes \"$gcm_sizes\" --depth $depth --only $only"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "kernel: $(uname -sr)"
  echo "dotnet: $(dotnet --list-runtimes | grep -m1 NETCore.App | cut -d' ' -f1-2)"
  echo "packages: $(dpkg-query -W -f '${Package} ${Version}; ' dpdk-dev 'librte-compress-isal*' 'librte-crypto-openssl*' libisal2 libssl3 2>/dev/null)"
  echo "corpus sha256: $(sha256sum "$out/corpus.json" | cut -d' ' -f1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
dotnet "$wd" list >"$out/wd-list.txt" 2>&1 || true

eal=(-l 0,1 --no-huge --no-pci --no-shconf -m 512)
burst=32 # DPDK's ops per burst; also the blocks per compress-perf iteration and WarpDrive's --depth default
for s in $sizes; do
  n=$(bytes "$s")
  head -c "$n" "$out/corpus.json" >"$out/block-$n"
  [ "$(stat -c %s "$out/block-$n")" -eq "$n" ] || { echo "dpdk.sh: blocks up to 1M" >&2; exit 2; }
done

dpdk_deflate() { # N ITERATIONS LOG
  local n=$1 segs=$(( ($1 + 32767) / 32768 ))
  [ $(( n % segs )) -eq 0 ] || { echo "dpdk.sh: $n bytes: above 32K, a multiple of 32K only" >&2; exit 2; }
  local cmd=(dpdk-test-compress-perf "${eal[@]}" --vdev=compress_isal -- --ptest throughput --driver-name compress_isal
    --input-file "$out/block-$n" --extended-input-sz $(( n * burst )) --seg-sz $(( n / segs )) --max-num-sgl-segs "$segs"
    --compress-level 1 --huffman-enc dynamic --window-sz 15 --burst-sz $burst --num-iter "$2" --operation comp_and_decomp)
  echo "+ ${cmd[*]}" >"$3"
  timeout 1200 "${cmd[@]}" >>"$3" 2>&1 || { echo "dpdk.sh: dpdk-test-compress-perf failed, see $3" >&2; tail -5 "$3" >&2; exit 1; }
}

dpdk_gcm() { # N OPS LOG
  local cmd=(dpdk-test-crypto-perf "${eal[@]}" --vdev=crypto_openssl -- --ptest throughput --devtype crypto_openssl
    --optype aead --aead-algo aes-gcm --aead-op encrypt --aead-key-sz 16 --aead-iv-sz 12 --aead-aad-sz 0 --digest-sz 16
    --buffer-sz "$1" --burst-sz $burst --total-ops "$2" --csv-friendly)
  echo "+ ${cmd[*]}" >"$3"
  timeout 1200 "${cmd[@]}" >>"$3" 2>&1 || { echo "dpdk.sh: dpdk-test-crypto-perf failed, see $3" >&2; tail -5 "$3" >&2; exit 1; }
}

wd_bench() { # LOG ARGS...
  local log=$1; shift
  local cmd=(dotnet "$wd" bench --threads 1 --ctxnum 1 --workers 1 --seconds "$seconds" --json "$@")
  echo "+ ${cmd[*]}" >"$log.err"
  timeout 600 "${cmd[@]}" >"$log" 2>>"$log.err" || { echo "dpdk.sh: wd bench $* failed, see $log.err" >&2; tail -5 "$log.err" >&2; exit 1; }
}

# compress-perf Gbps of one log: "comp decomp"
dpdk_deflate_gbps() { awk '/Comp \[Gbps\]/ { getline; print $5, $6; exit }' "$1"; }
# crypto-perf Mops of one log
dpdk_gcm_mops() { awk -F, '/^ *[0-9]+,[0-9]+,/ { print $8; exit }' "$1"; }

# --- Calibration (not measured): DPDK's work is a count, not a time. Size each run to about --seconds. --------------
declare -A iters ops
if [ "$only" != gcm ]; then
  for s in $sizes; do
    n=$(bytes "$s")
    trial=$(( (32 << 20) / (n * burst) )); [ $trial -ge 1 ] || trial=1
    dpdk_deflate "$n" "$trial" "$raw/calibrate-deflate-$n.txt"
    read -r comp _ < <(dpdk_deflate_gbps "$raw/calibrate-deflate-$n.txt")
    iters[$n]=$(python3 -c "import math; print(max(1, math.ceil($seconds * $comp * 1e9 / 8 / ($n * $burst))))")
  done
fi
if [ "$only" != deflate ]; then
  for s in $gcm_sizes; do
    n=$(bytes "$s")
    dpdk_gcm "$n" 100000 "$raw/calibrate-gcm-$n.txt"
    ops[$n]=$(python3 -c "print(max(10000, int($seconds * $(dpdk_gcm_mops "$raw/calibrate-gcm-$n.txt") * 1e6)))")
  done
fi

# --- The rounds. ------------------------------------------------------------------------------------------------------
for r in $(seq 1 "$rounds"); do
  if [ "$only" != gcm ]; then
    for s in $sizes; do
      n=$(bytes "$s")
      wd_runs() {
        for op in compress decompress; do
          wd_bench "$raw/r$r-deflate-$n-wd-async-$op.json" --alg deflate --level 1 --op $op --pktlen "$n" --input-file "$out/block-$n" \
            --mode local --async --depth "$depth"
          wd_bench "$raw/r$r-deflate-$n-wd-callbacks-$op.json" --alg deflate --level 1 --op $op --pktlen "$n" --input-file "$out/block-$n" \
            --mode local --async --callbacks --depth "$depth"
          wd_bench "$raw/r$r-deflate-$n-wd-direct-$op.json" --alg deflate --level 1 --op $op --pktlen "$n" --input-file "$out/block-$n" \
            --mode direct
        done
      }
      if [ $(( r % 2 )) -eq 1 ]; then dpdk_deflate "$n" "${iters[$n]}" "$raw/r$r-deflate-$n-dpdk.txt"; wd_runs
      else wd_runs; dpdk_deflate "$n" "${iters[$n]}" "$raw/r$r-deflate-$n-dpdk.txt"; fi
      echo "dpdk.sh: round $r deflate $s: DPDK comp/decomp $(dpdk_deflate_gbps "$raw/r$r-deflate-$n-dpdk.txt") Gbps" >&2
    done
  fi
  if [ "$only" != deflate ]; then
    for s in $gcm_sizes; do
      n=$(bytes "$s")
      wd_runs() {
        wd_bench "$raw/r$r-gcm-$n-wd-sync.json" --alg aes-128-gcm --pktlen "$n" --mode local --sync
        wd_bench "$raw/r$r-gcm-$n-wd-async.json" --alg aes-128-gcm --pktlen "$n" --mode local --async --depth "$depth"
        wd_bench "$raw/r$r-gcm-$n-wd-direct.json" --alg aes-128-gcm --pktlen "$n" --mode direct
      }
      if [ $(( r % 2 )) -eq 1 ]; then dpdk_gcm "$n" "${ops[$n]}" "$raw/r$r-gcm-$n-dpdk.txt"; wd_runs
      else wd_runs; dpdk_gcm "$n" "${ops[$n]}" "$raw/r$r-gcm-$n-dpdk.txt"; fi
      echo "dpdk.sh: round $r aes-128-gcm $s: DPDK $(dpdk_gcm_mops "$raw/r$r-gcm-$n-dpdk.txt") Mops" >&2
    done
  fi
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
# (each raw log starts with its command line: "+ ..."; wd bench's in NAME.json.err, with its stderr)

# --- The table. ---------------------------------------------------------------------------------------------------------
python3 - "$out" "$rounds" "$sizes" "$gcm_sizes" "$only" <<'EOF' | tee "$out/summary.md"
import json, os, re, statistics, sys
out, rounds, sizes, gcm_sizes, only = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split(), sys.argv[5]
raw = os.path.join(out, "raw")
def size(s):
    s = s.upper()
    return int(s[:-1]) * 1024 if s.endswith("K") else int(s[:-1]) << 20 if s.endswith("M") else int(s)
def wd(name):
    return json.load(open(os.path.join(raw, name)))["runs"][0]
def gbps(run, n):  # uncompressed / plaintext bytes per request
    return run["ops_per_s"] * n * 8 / 1e9
def deflate_dpdk(path):
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        if "Comp [Gbps]" in line:
            f = lines[i + 1].split()
            return float(f[3]) / 100, float(f[4]), float(f[5])  # compressed/uncompressed, comp, decomp
    raise SystemExit(f"no result in {path}")
def gcm_dpdk(path):
    for line in open(path):
        f = line.strip().split(",")
        if len(f) == 10 and f[0].isdigit():
            return float(f[7]), float(f[8])  # Mops, Gbps
    raise SystemExit(f"no result in {path}")
med = statistics.median
def cell(values, fmt="{:.2f}"):
    return fmt.format(med(values)) + (f" ({fmt.format(min(values))}-{fmt.format(max(values))})" if len(values) > 1 else "")
def ratio(values):
    return "**{:.2f}x**".format(med(values)) + (" ({:.2f}-{:.2f})".format(min(values), max(values)) if len(values) > 1 else "")
machine = open(os.path.join(out, "machine.txt")).read()
print(f"## bench/dpdk.sh, {rounds} round(s)\n")
print("```\n" + machine.strip() + "\n```\n")
print("Median of the rounds (min-max); ratios are the median of each round's ratio (same round, back to back).\n")
if only != "gcm":
    print("Deflate level 1 (ISA-L on both sides), Gbps of uncompressed data; DPDK: compress_isal PMD, 1 worker lcore, bursts")
    print("of 32; WarpDrive: the embedded device through the queue, depth 32, 1 submitting + 1 worker, completions as")
    print("ValueTasks (async) or as callbacks on the library's polling thread (callbacks, --callbacks); direct = the ISA-L call")
    print("on the calling thread.\n")
    print("| block | op | DPDK | WD async | async / DPDK | WD callbacks | callbacks / DPDK | WD direct | direct / DPDK | async / direct | callbacks / direct |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    cpu = []
    for s in sizes:
        n = size(s)
        rows = {"compress": [], "decompress": []}
        for r in range(1, rounds + 1):
            csize, comp, decomp = deflate_dpdk(os.path.join(raw, f"r{r}-deflate-{n}-dpdk.txt"))
            for op, d in (("compress", comp), ("decompress", decomp)):
                a, c, b = [wd(f"r{r}-deflate-{n}-wd-{k}-{op}.json") for k in ("async", "callbacks", "direct")]
                wsize = a["output_bytes"] / a["input_bytes"] if op == "compress" else a["input_bytes"] / a["output_bytes"]
                rows[op].append((d, gbps(a, n), gbps(c, n), gbps(b, n), a["cpu_percent"], c["cpu_percent"], b["cpu_percent"], csize, wsize))
        for op, v in rows.items():
            d, a, c, b = [[x[i] for x in v] for i in range(4)]
            q = lambda x, y: ratio([i / j for i, j in zip(x, y)])
            print(f"| {s} | {op} | {cell(d)} | {cell(a)} | {q(a, d)} | {cell(c)} | {q(c, d)} | {cell(b)} | {q(b, d)} | {q(a, b)} | {q(c, b)} |")
            cpu.append(f"| {s} | {op} | {med([x[4] for x in v]):.0f} | {med([x[5] for x in v]):.0f} | {med([x[6] for x in v]):.0f} | "
                       f"{med([x[7] for x in v]):.3f} / {med([x[8] for x in v]):.3f} |")
    print("\nWarpDrive's process CPU (100 = one vCPU) and the block's compressed/uncompressed size as DPDK and WarpDrive report it:\n")
    print("| block | op | async CPU % | callbacks CPU % | direct CPU % | size DPDK / WD |")
    print("|---|---|---|---|---|---|")
    print("\n".join(cpu))
    print()
if only != "deflate":
    print("AES-128-GCM encrypt (12-byte IV, no AAD, 16-byte tag), Mops and Gbps of plaintext; DPDK: crypto_openssl PMD, 1 worker")
    print("lcore, bursts of 32; WarpDrive: embedded SEC device through the queue, sync (1 in flight) and async (depth 32), 1")
    print("submitting + 1 worker; direct = .NET AesGcm (OpenSSL) on the calling thread.\n")
    print("| size | DPDK Mops | DPDK Gbps | WD sync Mops | sync / DPDK | WD async Mops | async / DPDK | WD direct Mops | direct / DPDK | WD sync, async Gbps |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in gcm_sizes:
        n = size(s)
        v = []
        for r in range(1, rounds + 1):
            mops, g = gcm_dpdk(os.path.join(raw, f"r{r}-gcm-{n}-dpdk.txt"))
            runs = [wd(f"r{r}-gcm-{n}-wd-{k}.json") for k in ("sync", "async", "direct")]
            v.append((mops, g, *[x["ops_per_s"] / 1e6 for x in runs], *[gbps(x, n) for x in runs[:2]]))
        col = lambda i: [x[i] for x in v]
        print(f"| {s} | {cell(col(0), '{:.3f}')} | {cell(col(1))} | {cell(col(2), '{:.3f}')} | {ratio([x[2] / x[0] for x in v])} | "
              f"{cell(col(3), '{:.3f}')} | {ratio([x[3] / x[0] for x in v])} | {cell(col(4), '{:.3f}')} | {ratio([x[4] / x[0] for x in v])} | "
              f"{med(col(5)):.2f}, {med(col(6)):.2f} |")
    print()
EOF
echo "dpdk.sh: raw outputs in $raw, this table in $out/summary.md" >&2
