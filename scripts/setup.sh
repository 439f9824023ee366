#!/usr/bin/env bash
# Installs what WarpDrive needs on a fresh Debian/Ubuntu machine and builds it (Release).
#   scripts/setup.sh              install what is missing, then build
#   scripts/setup.sh --deps-only  install what is missing, no build (scripts/test-setup.sh runs it this way)
# ISA-L (libisal2) is the fast ZIP engine; without it the system zlib (zlib1g) is used, 3x slower or more to compress (docs/PERFORMANCE.md).
# libzstd1 and liblz4-1 are the native zstd and LZ4 engines (without them the managed ports ZstdSharp and K4os run).
# gzip, zstd, lz4, python3, sha256sum (coreutils), openssl, curl and chromium are what the tests and the demo check wd's output against.
# qemu-user-static, binfmt-support, arm64 libraries and the aarch64 cross compiler run the linux-arm64 leg of CI
# (scripts/test-arm64.sh).
# Idempotent: a second run finds everything and says "setup: nothing to install" without calling apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
case "${1:-}" in
  "") ;;
  --deps-only) build=0 ;;
  *) echo "usage: scripts/setup.sh [--deps-only]" >&2; exit 2 ;;
esac

# Whether Debian package $1 is installed. dpkg-query answers from dpkg's status file; the old check piped
# `ldconfig -p` into `grep -q`, which under pipefail failed whenever grep exited before ldconfig finished writing
# (SIGPIPE), so libisal2 looked missing in most runs and apt-get ran again.
installed() {
  command -v dpkg-query >/dev/null && [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# Whether the dynamic linker finds library $1 (ISA-L built from source counts too). The cache is read whole, not piped.
has_library() {
  local cache
  cache=$(ldconfig -p 2>/dev/null || true)
  [[ $cache == *"$1 "* ]]
}

need=()
installed libisal2 || has_library libisal.so.2 || need+=(libisal2)
installed libzstd1 || has_library libzstd.so.1 || need+=(libzstd1)
installed liblz4-1 || has_library liblz4.so.1 || need+=(liblz4-1)
command -v gzip >/dev/null || need+=(gzip)
command -v zstd >/dev/null || need+=(zstd)
command -v lz4 >/dev/null || need+=(lz4)
command -v python3 >/dev/null || need+=(python3)
command -v openssl >/dev/null || need+=(openssl)
command -v sha256sum >/dev/null || need+=(coreutils)
# A real browser and curl read the zstd responses of the ASP.NET Core provider (ResponseCompressionTests).
command -v chromium >/dev/null || need+=(chromium)
command -v curl >/dev/null || need+=(curl)
# The uacce ABI tests compile a probe against the kernel's own uapi headers.
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/include/misc/uacce/uacce.h ] || need+=(linux-libc-dev)
# The linux-arm64 leg (scripts/test-arm64.sh): qemu-user-static runs the self-contained arm64 tests and wd through
# binfmt_misc; they need the arm64 C library, OpenSSL (the SEC/HPRE engines), ICU and zlib, and the aarch64 cross
# compiler with arm64's kernel and libc headers for the header probes (PlatformHeaderTests, UacceKernelHeaderTests).
# Not libisal2:arm64: Debian 12's libisal2 is not Multi-Arch: same, so installing the arm64 one removes the x64 one
# (the x64 suite's fast engine); the ZIP model runs on zlib under qemu.
arm64=()
command -v qemu-aarch64-static >/dev/null || arm64+=(qemu-user-static)
installed binfmt-support || arm64+=(binfmt-support)
for p in libc6 libstdc++6 libgcc-s1 libssl3 libicu72 zlib1g; do installed "$p:arm64" || arm64+=("$p:arm64"); done
command -v aarch64-linux-gnu-gcc >/dev/null || arm64+=(gcc-aarch64-linux-gnu)
installed libc6-dev-arm64-cross || arm64+=(libc6-dev-arm64-cross)
[ -f /usr/aarch64-linux-gnu/include/misc/uacce/uacce.h ] || arm64+=(linux-libc-dev-arm64-cross)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#arm64[@]} -gt 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: adding the arm64 architecture to dpkg" >&2
  $sudo dpkg --add-architecture arm64 || echo "setup: could not add arm64 to dpkg; the arm64 leg will fail" >&2
fi
need+=("${arm64[@]}")
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    echo "setup: could not install ${need[*]}; continuing (without libisal2 the slower zlib engine is used)" >&2
  fi
else
  echo "setup: nothing to install" >&2
fi
# binfmt_misc: mounted (a container may not have it yet) and qemu-aarch64 enabled, so an arm64 ELF starts by itself.
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && command -v update-binfmts >/dev/null; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || $sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  $sudo update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || echo "setup: could not register qemu-aarch64 with binfmt_misc; the arm64 leg will fail" >&2
fi
[ "$build" -eq 1 ] || exit 0

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
# A stress test that stalls fails with every thread's stack, which dotnet-stack reads (tests/WarpDrive.Tests/Stress).
if [ ! -x .tools/dotnet-stack ] && ! dotnet tool install dotnet-stack --tool-path .tools --version 10.0.750501 >/dev/null 2>&1; then
  echo "setup: could not install dotnet-stack; a stalled stress test will fail without thread stacks" >&2
fi
dotnet build WarpDrive.slnx -c Release -nologo -v q -clp:ErrorsOnly
