#!/usr/bin/env bash
# Runs the live-queue push benchmark in Release; extra arguments (e.g. --requests 100 --pages 25 --hub-clients 1000) pass through.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x /usr/bin/chromium ]; then
  echo "Needs Debian's chromium: apt-get install -y chromium" >&2
  exit 1
fi
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
dotnet run -c Release --project LiveQueueBench.csproj -- "$@"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
