#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every packed library from the current code (Microsoft.CodeAnalysis.PublicApiAnalyzers:
# RS0016/RS0017 fail the build while the code's public surface and these files differ). Run it after a deliberate change
# to a public API, then read `git diff -- 'src/*/PublicAPI.Unshipped.txt'`: that diff is the API change under review.
#   scripts/public-api.sh                     every library
#   scripts/public-api.sh WarpDrive.Platform  only the libraries named (dependencies first when they changed too)
# PublicAPI.Shipped.txt is left alone: nothing has shipped before 1.0; at a release its lines move there.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(WarpDrive.Abi WarpDrive.Platform WarpDrive.Devices WarpDrive.Devices.Crypto WarpDrive WarpDrive.AspNetCore)
libraries=("${@:-${all[@]}}")
for lib in "${libraries[@]}"; do
  [ -f "src/$lib/$lib.csproj" ] || { echo "public-api.sh: no library src/$lib (one of: ${all[*]})" >&2; exit 2; }
done

dotnet restore src/WarpDrive.AspNetCore/WarpDrive.AspNetCore.csproj -nologo -v q
for lib in "${libraries[@]}"; do
  dir="src/$lib"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
done
for lib in "${libraries[@]}"; do
  # The RS0016 code fix ("add to the public API") for every public symbol that no file declares yet.
  dotnet format analyzers "src/$lib/$lib.csproj" --diagnostics RS0016 --severity info --no-restore -v q
  echo "src/$lib/PublicAPI.Unshipped.txt: $(($(wc -l < "src/$lib/PublicAPI.Unshipped.txt") - 1)) symbols"
done
