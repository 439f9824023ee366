#!/usr/bin/env bash
# Packs WarpDrive's NuGet packages into OUT (default artifacts/packages, ignored by git): the libraries WarpDrive.Abi,
# WarpDrive.Platform, WarpDrive.Devices, WarpDrive.Devices.Crypto, WarpDrive (libwd) and WarpDrive.AspNetCore, and the .NET tool WarpDrive.Cli (command `wd`, which
# carries the broker: `wd daemon`), each with its symbols (.snupkg). The version is Directory.Build.props's <Version>.
#
#   scripts/pack.sh [--no-build] [-c CONFIGURATION] [OUT]
#
# Without --no-build it builds first (with ContinuousIntegrationBuild, so the PDBs name sources by their Source Link
# paths); --no-build packs the build already there (scripts/setup.sh and scripts/test.sh build Release, the default
# configuration here).
# Install the tool from the folder, no network needed:
#   dotnet tool install -g WarpDrive.Cli --add-source artifacts/packages --version 0.8.0
set -euo pipefail
usage="usage: scripts/pack.sh [--no-build] [-c CONFIGURATION] [OUT]"
no_build=()
configuration=Release
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) no_build=(--no-build) ;;
    -c|--configuration) [ $# -ge 2 ] || { echo "pack.sh: $1 needs a value ($usage)" >&2; exit 2; }; configuration=$2; shift ;;
    -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) echo "pack.sh: unknown option $1 ($usage)" >&2; exit 2 ;;
    *) [ -z "$out" ] || { echo "pack.sh: one output folder only ($usage)" >&2; exit 2; }; out=$1 ;;
  esac
  shift
done
# OUT is relative to where the script was called from; the default to the repository.
[ -n "$out" ] && out=$(realpath -m -- "$out")
cd "$(dirname "$0")/.."
out=${out:-$PWD/artifacts/packages}
mkdir -p "$out"

props=()
[ ${#no_build[@]} -gt 0 ] || props=(-p:ContinuousIntegrationBuild=true)
dotnet pack WarpDrive.slnx -c "$configuration" -nologo -v q -clp:ErrorsOnly "${no_build[@]}" "${props[@]}" -o "$out"
version=$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' Directory.Build.props | head -n1)
echo "packed into $out:"
for f in "$out"/*."$version".nupkg "$out"/*."$version".snupkg; do
  if [ -e "$f" ]; then echo "  $(basename "$f")"; fi
done
