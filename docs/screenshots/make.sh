#!/usr/bin/env bash
# Screenshots of every page at 1440 px and 375 px wide, light and dark, into this folder.
# It starts the portal on a fresh SQLite file with the demo data, on a free local port, and drives the Debian
# Chromium at /usr/bin/chromium with Playwright (the browser tests' own set-up); pages are found from the app itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rm -f "$here"/*.png
LOCKBOX_SCREENSHOTS="$here" dotnet test "$root/LockboxPortal.Tests" --filter "FullyQualifiedName~Screenshots.ScreenshotTour" "$@"
echo "$(ls "$here"/*.png | wc -l) screenshots in $here"
