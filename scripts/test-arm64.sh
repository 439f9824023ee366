#!/usr/bin/env bash
# The linux-arm64 leg of CI: builds the tests (tests/WarpDrive.Tests.Arm64, the same sources on xunit.v3, which makes
# them one self-contained executable) and the `wd` tool for linux-arm64, and runs them under qemu-user-static (binfmt):
# the Platform, ring protocol, device (incl. the SEC and HPRE models), session, uacce driver-through-model and broker
# smoke tiers, then wd itself
# (list, a gzip-checked compress/decompress round trip, a sha256sum-checked digest).
# Prints "N passed, N failed[, N skipped]" as the last line; scripts/test.sh adds it to the x64 totals.
#   scripts/test-arm64.sh              build, then run
#   scripts/test-arm64.sh --no-build   run what an earlier call built
# scripts/setup.sh installs qemu-user-static, binfmt-support and the arm64 libraries, and registers the interpreter.
set -uo pipefail
cd "$(dirname "$0")/.."
build=1
case "${1:-}" in
  "") ;;
  --no-build) build=0 ;;
  *) echo "usage: scripts/test-arm64.sh [--no-build]" >&2; echo "0 passed, 1 failed"; exit 2 ;;
esac
started=$(date +%s)
fail() { echo "arm64: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# An arm64 ELF must start by itself (binfmt_misc), because the tests start wdd, wd and test clients as child processes.
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || fail "qemu-aarch64 is not registered with binfmt_misc (run scripts/setup.sh)"

tests=tests/WarpDrive.Tests.Arm64/bin/Release/net10.0/linux-arm64
wd=artifacts/arm64/wd
if [ "$build" -eq 1 ]; then
  dotnet build tests/WarpDrive.Tests.Arm64 -c Release -r linux-arm64 --self-contained -nologo -v q -clp:"ErrorsOnly;NoSummary" \
    || fail "the linux-arm64 test build failed"
  dotnet publish src/WarpDrive.Cli -c Release -r linux-arm64 --self-contained -nologo -v q -clp:"ErrorsOnly;NoSummary" -o "$wd" \
    || fail "the linux-arm64 publish of wd failed"
fi
built=$(date +%s)

# qemu-user translates code once per page and cannot see .NET's W^X writes, which go through a second mapping of the
# same memory: stale translations then execute as illegal instructions. Without W^X the JIT writes where it runs.
export DOTNET_EnableWriteXorExecute=0
# The tests start `dotnet X.dll`; here that is X's self-contained arm64 apphost beside it, not the x64 dotnet.
shim=$(mktemp -d)
chmod 755 "$shim" # a test runs wd as nobody (setpriv)
trap 'rm -rf "$shim"' EXIT
real_dotnet=$(command -v dotnet)
cat > "$shim/dotnet" <<EOF
#!/bin/sh
case "\${1:-}" in
  *.dll) [ -x "\${1%.dll}" ] && { app="\${1%.dll}"; shift; exec "\$app" "\$@"; } ;;
esac
exec "$real_dotnet" "\$@"
EOF
chmod +x "$shim/dotnet"

# The tiers. Left out: what qemu-user (Debian's 7.2) does not emulate, so that it fails here but not on an arm64 kernel:
# futex_waitv and process_vm_readv/writev (ENOSYS), ioctls it does not know (ENOSYS, not the device's ENOTTY), and
# F_GET_SEALS on a file that is not a memfd (no EINVAL). The broker's SVA mode copies with process_vm_readv, so the
# broker smoke tier is its share mode.
filter="(FullyQualifiedName~WarpDrive.Tests.Platform.|FullyQualifiedName~WarpDrive.Tests.Uacce.\
|FullyQualifiedName~.RingProtocolTests.|FullyQualifiedName~.RingLayoutTests.|FullyQualifiedName~.QueueStateTests.\
|FullyQualifiedName~.BrokerMessageLayoutTests.|FullyQualifiedName~.DeviceQueueTests.|FullyQualifiedName~.DomainTests.\
|FullyQualifiedName~.CompressionSessionTests.|FullyQualifiedName~.SecSessionTests.|FullyQualifiedName~.RsaSessionTests.\
|FullyQualifiedName~.EccSessionTests.|FullyQualifiedName~.DhSessionTests.|FullyQualifiedName~WarpDrive.Tests.Sec.\
|FullyQualifiedName~WarpDrive.Tests.Hpre.|FullyQualifiedName~.BrokerShareModeTests.|FullyQualifiedName~.BrokerLoopTests.)\
&FullyQualifiedName!~.FutexWaitAnyTests.&FullyQualifiedName!~.ProcessMemoryTests.&FullyQualifiedName!~.UnmappedPageTests.\
&FullyQualifiedName!~.PlatformAllocationTests.PerRequestCallsAllocateNothing\
&FullyQualifiedName!~.DeviceFileTests.AnIoctlTheDeviceDoesNotKnowFailsWithEnottyNamingIt\
&FullyQualifiedName!~.KernelQueueFileTests.AnIoctlTheDeviceDoesNotKnowReturnsEnotty\
&FullyQualifiedName!~.SharedMemoryRegionTests.GetSealsOfANonMemfdFailsWithErrno"
log=$(mktemp)
PATH="$shim:$PATH" timeout 1800 "$tests/WarpDrive.Tests" -filterVSTest "$filter" -noColor -maxThreads 2 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# xunit.v3: "   WarpDrive.Tests  Total: 50, Errors: 0, Failed: 0, Skipped: 0, Not Run: 0, Time: 3.170s"
read -r passed failed skipped < <(awk '
  / Total: [0-9]+, Errors: / {
    gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Total:") t = $(i+1); if ($i == "Errors:") e = $(i+1); if ($i == "Failed:") f = $(i+1); if ($i == "Skipped:") s = $(i+1); if ($i == "Run:") n = $(i+1) }
    found = 1
  }
  END { if (!found) print 0, 1, 0; else print t - f - s - n, f + e, s }' "$log")
rm -f "$log"
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1

# wd itself, published for linux-arm64: what a Kunpeng user runs first.
work=$(mktemp -d)
wd_check() {
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then passed=$((passed + 1)); echo "  wd (arm64): $name [PASS]"
  else failed=$((failed + 1)); echo "  wd (arm64): $name [FAIL]"; sed 's/^/    /' "$work/out"; fi
}
head -c 3000000 /dev/urandom | base64 > "$work/in.txt"
wd_check "list shows the in-process devices" sh -c "'$wd/wd' list | grep -q zip-0"
wd_check "compress is read by gzip" sh -c "'$wd/wd' compress '$work/in.txt' -o '$work/in.txt.gz' && gzip -dc '$work/in.txt.gz' | cmp - '$work/in.txt'"
wd_check "decompress reads gzip's output" sh -c "gzip -c '$work/in.txt' > '$work/g.gz' && '$wd/wd' decompress '$work/g.gz' -o '$work/back.txt' && cmp '$work/back.txt' '$work/in.txt'"
wd_check "digest matches sha256sum" sh -c "[ \"\$('$wd/wd' digest '$work/in.txt' | cut -d' ' -f1)\" = \"\$(sha256sum '$work/in.txt' | cut -d' ' -f1)\" ]"
rm -rf "$work"

finished=$(date +%s)
echo "arm64 leg: build $((built - started)) s, tests and wd under qemu $((finished - built)) s, $((finished - started)) s in all"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
