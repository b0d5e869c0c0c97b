#!/usr/bin/env bash
# Builds and runs every LockboxPortal test, including the browser tests in headless Chromium.
# Installs what the tests need from Debian's packages when it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  as_root apt-get update -qq -o DPkg::Lock::Timeout=300
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

status=0
dotnet test LockboxPortal.sln --logger "trx;LogFileName=results.trx" --results-directory "$results" || status=$?

# One closing line that any reader of the log understands.
if trx=$(find "$results" -name '*.trx' | head -n 1) && [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "${passed:-0} passed, ${failed:-0} failed"
fi
exit "$status"
