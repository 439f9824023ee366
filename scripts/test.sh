#!/usr/bin/env bash
# Builds and runs every test, then prints "N passed, N failed[, N skipped]" as the last line: x64 and the linux-arm64
# leg under qemu-user-static (scripts/test-arm64.sh) together.
#   scripts/test.sh           every tier: unit, integration (real wdd, wd and client processes), reliability
#   scripts/test.sh --fast    the unit tier only (in-process, no processes started; tests/WarpDrive.Tests/Tiers.cs)
set -uo pipefail
cd "$(dirname "$0")/.."
filter=()
case "${1:-}" in
  "") ;;
  --fast) filter=(--filter "Tier!=Integration&Tier!=Reliability") ;;
  *) echo "usage: scripts/test.sh [--fast]" >&2; echo "0 passed, 1 failed"; exit 2 ;;
esac
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
log=$(mktemp)
dotnet test WarpDrive.slnx -c Release --no-build -nologo --blame-hang-timeout 5m "${filter[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# vstest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 161, Skipped: 0, Total: 161, ..."
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed:/ {
    gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
    n++
  }
  END { if (n == 0) { p = 0; f = 1; s = 0 } print p + 0, f + 0, s + 0 }' "$log")
rm -f "$log"
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "x64: $passed passed, $failed failed, $skipped skipped"
# The linux-arm64 leg under qemu-user-static (scripts/test-arm64.sh: the unit tier's Platform, ring, device, session
# and uacce tests, the broker in share mode, and wd); its counts join the totals. --fast and WD_SKIP_ARM64=1 leave it out.
if [ ${#filter[@]} -eq 0 ] && [ "${WD_SKIP_ARM64:-0}" != 1 ]; then
  arm64_log=$(mktemp)
  scripts/test-arm64.sh 2>&1 | tee "$arm64_log"
  arm64_rc=${PIPESTATUS[0]}
  read -r ap af as < <(tail -n 1 "$arm64_log" | awk '{ gsub(",", ""); s = 0; for (i = 1; i < NF; i++) { if ($(i+1) == "passed") p = $i; if ($(i+1) == "failed") f = $i; if ($(i+1) == "skipped") s = $i } print p + 0, f + 0, s + 0 }')
  rm -f "$arm64_log"
  [ "$arm64_rc" -eq 0 ] || [ "$af" -gt 0 ] || af=1
  echo "arm64 (qemu): $ap passed, $af failed, $as skipped"
  passed=$((passed + ap)); failed=$((failed + af)); skipped=$((skipped + as))
  [ "$af" -eq 0 ] || rc=1
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
