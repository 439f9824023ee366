#!/usr/bin/env bash
# The soak (docs/RELIABILITY.md, "Soak"): a real wdd with zip, sec and hpre devices, N client processes of mixed load
# (replaced every 30-90 s, about one in four killed with SIGKILL) for a bounded time; the broker's fds, RSS and
# threads must stay flat and no request may be lost. Not part of scripts/test.sh.
#   tests/soak/run.sh [--minutes N] [--clients N] [--out DIR] [--sample-seconds S]
# Defaults: 10 minutes, 4 clients, output in tests/soak/out/<UTC time>/ (samples.csv, summary.json, wdd.log, clients.log).
# Exit code 0: flat and nothing lost; 1: a check failed; 2: bad arguments or the build failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="tests/soak/out/$(date -u +%Y%m%dT%H%M%SZ)"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --minutes|--clients|--sample-seconds) args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: tests/soak/run.sh [--minutes N] [--clients N] [--out DIR] [--sample-seconds S]" >&2; exit 2 ;;
  esac
done
# One project: it references src/WarpDrive and src/WarpDrive.Broker, so wdd.dll lands next to WarpDrive.Soak.dll.
dotnet build tests/soak/WarpDrive.Soak/WarpDrive.Soak.csproj -c Release -nologo -v quiet || exit 2
exec dotnet tests/soak/WarpDrive.Soak/bin/Release/net10.0/WarpDrive.Soak.dll --out "$out" "${args[@]}"
