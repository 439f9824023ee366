#!/usr/bin/env bash
# The long fuzzing run: tests/fuzz/run.sh [SECONDS] [TARGET]
#   SECONDS  how long AFL++ runs per target (default 600)
#   TARGET   deflate, zlib, gzip, zstd, lz4 or all (default all: one run after another)
# Installs AFL++ (apt) and the SharpFuzz instrumenter (dotnet tool) when missing, builds the harness
# (tests/fuzz/WarpDrive.Fuzz), instruments WarpDrive.dll and WarpDrive.Devices.dll (and the managed zstd and LZ4 ports,
# ZstdSharp.dll and K4os.Compression.LZ4.dll, whose decoders the zstd and lz4 targets hold against libzstd and
# liblz4; the native libraries are not instrumented), seeds AFL++ from the regression
# corpus (tests/WarpDrive.Tests/Corpus/TARGET), runs it, prints its figures, minimises the new queue entries with
# afl-cmin and copies them into the corpus as fuzz-*. Crashes and hangs are left in $WORK/TARGET/default/{crashes,hangs}
# (replay one: dotnet $BIN/WarpDrive.Fuzz.dll TARGET --crash FILE). WORK defaults to /tmp/wd-fuzz.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${1:-600}
TARGET=${2:-all}
WORK=${WORK:-/tmp/wd-fuzz}
BIN=$PWD/tests/fuzz/WarpDrive.Fuzz/bin/Release/net10.0
CORPUS=$PWD/tests/WarpDrive.Tests/Corpus
SHARPFUZZ=$WORK/tools/sharpfuzz

command -v afl-fuzz >/dev/null || { apt-get update -qq && apt-get install -y -qq afl++ >/dev/null; }
[ -x "$SHARPFUZZ" ] || dotnet tool install --tool-path "$WORK/tools" SharpFuzz.CommandLine >/dev/null

dotnet build tests/fuzz/WarpDrive.Fuzz -c Release -nologo -v q
# Instrument a copy (sharpfuzz rewrites in place; an instrumented assembly runs only under AFL++, so the build's own
# output stays plain for --replay and --crash).
rm -rf "$WORK/bin" && mkdir -p "$WORK" && cp -r "$BIN" "$WORK/bin"
for dll in WarpDrive.dll WarpDrive.Devices.dll ZstdSharp.dll K4os.Compression.LZ4.dll; do
  "$SHARPFUZZ" "$WORK/bin/$dll" >/dev/null
done

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export DOTNET_TieredPGO=0 WD_STATS=0
DOTNET=$(readlink -f "$(command -v dotnet)") # afl-cmin wants the executable's real path

fuzz_one() {
  local target=$1 out=$WORK/$1
  rm -rf "$out" && mkdir -p "$out/seeds" "$out/min"
  # Seeds: every corpus file behind the three control bytes (deflate targets: ISA-L and zlib; zstd and lz4: both
  # engines each time, and block mode also into a small destination; whole, and split into small pieces).
  for f in "$CORPUS/$target"/*; do
    n=$(basename "$f")
    { printf '\x00\xff\xff'; cat "$f"; } > "$out/seeds/$n-isal"
    { printf '\x01\x06\x02'; cat "$f"; } > "$out/seeds/$n-zlibng-split"
  done
  echo "== $target: afl-fuzz for ${SECONDS_PER_TARGET}s"
  afl-fuzz -i "$out/seeds" -o "$out" -V "$SECONDS_PER_TARGET" -t 5000 -m none -- dotnet "$WORK/bin/WarpDrive.Fuzz.dll" "$target" \
    > "$out/afl.log" 2>&1 || { tail -30 "$out/afl.log"; return 1; }
  local s=$out/default/fuzzer_stats
  awk -F' *: *' '/^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability)/ {print "   " $1 ": " $2}' "$s"
  # Minimise what AFL++ found and keep the new inputs (control bytes stripped: the corpus holds plain streams).
  AFL_ALLOW_TMP=1 afl-cmin -i "$out/default/queue" -o "$out/min" -t 5000 -m none -- "$DOTNET" "$WORK/bin/WarpDrive.Fuzz.dll" "$target" > "$out/cmin.log" 2>&1 \
    || { echo "   afl-cmin failed (see $out/cmin.log): keeping the whole queue"; cp "$out/default/queue"/id:* "$out/min"/; }
  local added=0
  for f in "$out/min"/*; do
    case $(basename "$f") in *orig:*) continue ;; esac   # the seeds themselves
    data=$(mktemp); tail -c +4 "$f" > "$data"
    h=$(sha256sum "$data" | cut -c1-12)
    if ! cmp -s "$data" "$CORPUS/$target/fuzz-$h" 2>/dev/null && [ "$(stat -c %s "$data")" -le 16384 ]; then
      mv "$data" "$CORPUS/$target/fuzz-$h"; added=$((added + 1))
    else
      rm -f "$data"
    fi
  done
  echo "   corpus: +$added new inputs, $(ls "$CORPUS/$target" | wc -l) files, $(du -cb "$CORPUS/$target"/* | tail -1 | cut -f1) bytes"
  echo "   crashes: $(ls "$out/default/crashes" | grep -c id: || true), hangs: $(ls "$out/default/hangs" | grep -c id: || true)"
}

if [ "$TARGET" = all ]; then
  for t in deflate zlib gzip zstd lz4; do fuzz_one "$t"; done
else
  fuzz_one "$TARGET"
fi
