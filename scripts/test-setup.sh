#!/usr/bin/env bash
# Checks that scripts/setup.sh detects what is installed reliably: after one real run (which installs what is
# missing), it runs `setup.sh --deps-only` 20 times with apt-get and sudo replaced by stubs that record any call.
# Every one of those runs must call neither and say "setup: nothing to install". 20 runs because the detection it
# replaced (ldconfig -p | grep -q under pipefail) failed in most runs, not all. Prints "ok" or what went wrong.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps-only
stubs=$(mktemp -d)
trap 'rm -rf "$stubs"' EXIT
for tool in apt-get sudo; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 1\n' "$tool" "$stubs" > "$stubs/$tool"
  chmod +x "$stubs/$tool"
done
for i in $(seq 20); do
  said=$(PATH="$stubs:$PATH" scripts/setup.sh --deps-only 2>&1)
  if [ -s "$stubs/calls" ]; then
    echo "test-setup: run $i called: $(cat "$stubs/calls") (setup said: $said)" >&2
    exit 1
  fi
  if [ "$said" != "setup: nothing to install" ]; then
    echo "test-setup: run $i said: $said" >&2
    exit 1
  fi
done
echo ok
