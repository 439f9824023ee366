#!/usr/bin/env bash
# The main job on the embedded default (no daemon, no hardware): list the devices, then compress 64 MiB of text
# with `wd` through the in-process ZIP device, check it with gzip, and decompress a gzip -9 file back; hash,
# encrypt and sign it on the in-process SEC and HPRE devices and check that with sha256sum and openssl. Then the
# compression through the broker wdd, two wd processes at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
wd() { dotnet src/WarpDrive.Cli/bin/Release/net10.0/wd.dll "$@"; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$work/input.txt" <<'PY'
import random, sys
random.seed(7)
words = "accelerator queue device region domain deflate gzip engine shared memory the a of and to in is ring".split()
with open(sys.argv[1], "w") as f:
    n = 0
    while n < 64 * 1024 * 1024:
        line = " ".join(random.choice(words) + (str(random.randrange(100000)) if random.random() < .1 else "") for _ in range(40)) + "\n"
        f.write(line); n += len(line)
PY
wd list
start=$(date +%s%N)
wd compress -a gzip -l 1 "$work/input.txt" -o "$work/input.txt.gz"
end=$(date +%s%N)
gzip -dc "$work/input.txt.gz" | cmp - "$work/input.txt"
in=$(stat -c %s "$work/input.txt"); out=$(stat -c %s "$work/input.txt.gz")
python3 -c "import sys; i,o,t=int(sys.argv[1]),int(sys.argv[2]),(int(sys.argv[4])-int(sys.argv[3]))/1e9; print(f'wd compress: {i} -> {o} bytes ({o/i:.1%}) in {t:.2f} s wall, {i/t/1e6:.0f} MB/s including process start; gzip -dc verified')" "$in" "$out" "$start" "$end"
gzip -9c "$work/input.txt" > "$work/g9.gz"
wd decompress "$work/g9.gz" -o "$work/back.txt"
cmp "$work/back.txt" "$work/input.txt" && echo "wd decompress of gzip -9 output: identical"

# Crypto on the in-process SEC and HPRE devices, checked by sha256sum and openssl.
[ "$(wd digest -a sha256 "$work/input.txt")" = "$(sha256sum "$work/input.txt")" ] && echo "wd digest -a sha256: same line as sha256sum"
head -c 32 /dev/urandom > "$work/key"; iv=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
wd cipher -a aes-256-cbc -e --key-file "$work/key" --iv "$iv" "$work/input.txt" -o "$work/input.enc"
openssl enc -d -aes-256-cbc -K "$(od -An -tx1 "$work/key" | tr -d ' \n')" -iv "$iv" -in "$work/input.enc" | cmp - "$work/input.txt" \
  && echo "wd cipher -a aes-256-cbc: openssl enc -d decrypts it"
wd rsa keygen --bits 2048 --out "$work/rsa.pem" --pubout "$work/rsa.pub"
wd rsa sign --key "$work/rsa.pem" --out "$work/input.sig" "$work/input.txt"
openssl dgst -sha256 -verify "$work/rsa.pub" -signature "$work/input.sig" "$work/input.txt"

# What offloading costs the application: 64 KiB deflate blocks submitted asynchronously, against the direct library
# call and a Unix-socket offload server in the same run (docs/PERFORMANCE.md has the quiet-machine figures).
wd bench --alg deflate --async --depth 32 --seconds 1 --compare

# The same job through the broker: start wdd on a private run directory, let two wd processes share its device.
wdd_pid=""
trap '[ -n "$wdd_pid" ] && kill "$wdd_pid" 2>/dev/null; rm -rf "$work"' EXIT
export WD_RUN_DIR="$work/run"
dotnet src/WarpDrive.Broker/bin/Release/net10.0/wdd.dll --run-dir "$WD_RUN_DIR" 2> "$work/wdd.log" &
wdd_pid=$!
for _ in $(seq 100); do [ -e "$WD_RUN_DIR/wdd.pid" ] && break; sleep 0.1; done
wd list --mode broker
start=$(date +%s%N)
wd compress --mode broker -a gzip -l 1 "$work/input.txt" -o "$work/b1.gz" &
wd compress --mode broker -a gzip -l 6 "$work/input.txt" -o "$work/b6.gz"
wait %2
end=$(date +%s%N)
gzip -dc "$work/b1.gz" | cmp - "$work/input.txt"
wd decompress --mode broker "$work/b6.gz" | cmp - "$work/input.txt"
python3 -c "import sys; t=(int(sys.argv[2])-int(sys.argv[1]))/1e9; print(f'two wd processes through wdd: 2 x 64 MiB compressed in {t:.2f} s wall; gzip -dc and wd decompress verified')" "$start" "$end"
kill -TERM "$wdd_pid"; wait "$wdd_pid"; wdd_pid=""
echo "wdd stopped cleanly"
