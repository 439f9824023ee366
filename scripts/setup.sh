#!/usr/bin/env bash
# Installs what WarpDrive needs on a fresh Debian/Ubuntu machine and builds it (Release).
# ISA-L (libisal2) is the ZIP engine; without it the runtime's zlib-ng is used. gzip, python3, sha256sum (coreutils)
# and openssl are what the tests and the demo check wd's output against.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ldconfig -p 2>/dev/null | grep -q 'libisal\.so\.2' || need+=(libisal2)
command -v gzip >/dev/null || need+=(gzip)
command -v python3 >/dev/null || need+=(python3)
command -v openssl >/dev/null || need+=(openssl)
command -v sha256sum >/dev/null || need+=(coreutils)
# The uacce ABI tests compile a probe against the kernel's own uapi headers.
command -v cc >/dev/null || need+=(gcc)
[ -f /usr/include/misc/uacce/uacce.h ] || need+=(linux-libc-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}" >&2
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null; }; then
    echo "setup: could not install ${need[*]}; continuing (without libisal2 the zlib-ng engine is used)" >&2
  fi
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
# A stress test that stalls fails with every thread's stack, which dotnet-stack reads (tests/WarpDrive.Tests/Stress).
if [ ! -x .tools/dotnet-stack ] && ! dotnet tool install dotnet-stack --tool-path .tools --version 10.0.750501 >/dev/null 2>&1; then
  echo "setup: could not install dotnet-stack; a stalled stress test will fail without thread stacks" >&2
fi
dotnet build WarpDrive.slnx -c Release -nologo -v q -clp:ErrorsOnly
