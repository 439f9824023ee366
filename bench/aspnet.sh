#!/usr/bin/env bash
# ASP.NET Core response compression, end to end: a real Kestrel app (bench/WarpDrive.AspNetBench) per setup, wrk as
# the client. For each JSON body size and level it runs, interleaved round by round, WarpDrive's gzip provider, its zstd
# provider (the same server asked with Accept-Encoding: zstd), the runtime's GzipCompressionProvider and no compression,
# and prints medians of req/s, latency p50/p99 and the server's CPU per response (its utime+stime over the requests wrk
# completed), and WarpDrive's ratios to the runtime's gzip.
#   bench/aspnet.sh [--rounds N] [--seconds S] [--sizes "1k 10k 100k 1m"] [--levels "Fastest Optimal"]
#                   [--connections C] [--threads T]                                    docs/PERFORMANCE.md
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 seconds=5 sizes="1k 10k 100k 1m" levels="Fastest Optimal" connections=16 threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --levels) levels=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "aspnet.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null || ! command -v curl >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk curl >/dev/null
fi
dotnet build bench/WarpDrive.AspNetBench -c Release -nologo -v q -clp:ErrorsOnly >&2
app=bench/WarpDrive.AspNetBench/bin/Release/net10.0/WarpDrive.AspNetBench.dll
tick=$(getconf CLK_TCK)
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# One server per setup; they idle while another is measured.
declare -A port pid
next=5101
start() { # name compression level
  port[$1]=$next
  dotnet "$app" --compression "$2" --level "$3" --urls "http://127.0.0.1:$next" >"$work/$1.log" 2>&1 &
  pid[$1]=$!
  pids+=($!)
  next=$((next + 1))
}
start none none Fastest
for level in $levels; do
  start "warpdrive-$level" warpdrive "$level"
  start "runtime-$level" runtime "$level"
done
for name in "${!port[@]}"; do
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:${port[$name]}/stats" >/dev/null && break; sleep 0.1; done
done

# The zstd setups are the WarpDrive servers asked for zstd.
declare -A encoding
for level in $levels; do
  port[warpdrive_zstd-$level]=${port[warpdrive-$level]}
  pid[warpdrive_zstd-$level]=${pid[warpdrive-$level]}
  encoding[warpdrive_zstd-$level]=zstd
done
enc() { echo "${encoding[$1]:-gzip}"; }

# Every setup serves the same JSON, the gzip ones a valid gzip of it, the zstd ones a valid zstd frame of it.
for size in $sizes; do
  curl -fs "http://127.0.0.1:${port[none]}/json/$size" >"$work/plain"
  for level in $levels; do
    for setup in "warpdrive-$level" "runtime-$level"; do
      curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:${port[$setup]}/json/$size" | gzip -d | cmp -s - "$work/plain" \
        || { echo "aspnet.sh: $setup /json/$size is not a gzip of the JSON" >&2; exit 1; }
    done
    curl -fs -H 'Accept-Encoding: zstd' "http://127.0.0.1:${port[warpdrive_zstd-$level]}/json/$size" | zstd -q -d | cmp -s - "$work/plain" \
      || { echo "aspnet.sh: warpdrive_zstd-$level /json/$size is not a zstd frame of the JSON" >&2; exit 1; }
  done
done

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ms() { # wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[^m]s$/) n *= 1000; printf "%.3f", n }'
}
measure() { # setup size -> "req/s p50ms p99ms cpu_us_per_response"
  local name=$1 size=$2 out c0 c1 n
  c0=$(cpu "${pid[$name]}")
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "Accept-Encoding: $(enc "$name")" "http://127.0.0.1:${port[$name]}/json/$size")
  c1=$(cpu "${pid[$name]}")
  n=$(echo "$out" | awk '/requests in/ { print $1 }')
  echo "$(echo "$out" | awk '/Requests\/sec/ { print $2 }') $(ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')") \
$(ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')") $(awk -v c=$((c1 - c0)) -v n="$n" -v t="$tick" 'BEGIN { printf "%.1f", c / t * 1e6 / n }')"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "| body | level | setup | req/s | p50 ms | p99 ms | server CPU µs/response | req/s vs runtime | CPU vs runtime |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in $sizes; do
  for level in $levels; do
    setups=("warpdrive-$level" "warpdrive_zstd-$level" "runtime-$level" none)
    for setup in "${setups[@]}"; do wrk -t1 -c4 -d1s -H "Accept-Encoding: $(enc "$setup")" "http://127.0.0.1:${port[$setup]}/json/$size" >/dev/null; done
    for r in $(seq 1 "$rounds"); do
      for setup in "${setups[@]}"; do measure "$setup" "$size" >>"$work/$size-$level-$setup"; done
    done
    declare -A med
    for setup in "${setups[@]}"; do
      for col in 1 2 3 4; do med[$setup,$col]=$(awk -v c=$col '{ print $c }' "$work/$size-$level-$setup" | median); done
    done
    for setup in "${setups[@]}"; do
      ratio="" cpu_ratio=""
      if [ "$setup" = "warpdrive-$level" ] || [ "$setup" = "warpdrive_zstd-$level" ]; then
        ratio=$(awk -v a="${med[$setup,1]}" -v b="${med[runtime-$level,1]}" 'BEGIN { printf "%.2fx", a / b }')
        cpu_ratio=$(awk -v a="${med[$setup,4]}" -v b="${med[runtime-$level,4]}" 'BEGIN { printf "%.2fx", a / b }')
      fi
      echo "| $size | $level | ${setup%-$level} | ${med[$setup,1]} | ${med[$setup,2]} | ${med[$setup,3]} | ${med[$setup,4]} | $ratio | $cpu_ratio |"
    done
  done
done
stats=$(for level in $levels; do echo "$level $(curl -fs "http://127.0.0.1:${port[warpdrive-$level]}/stats")"; done)
echo
echo "WarpDrive provider (responses on the device, on the fallback, small ones on the runtime's gzip): $(echo $stats)"
