#!/usr/bin/env bash
# Installs what the browser test (tests/ui/test_browser.py) drives: Debian's Chromium.
# Playwright's own browser download does not work on these machines, so the test launches
# /usr/bin/chromium instead. Does nothing when Chromium is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
echo "Clusterlotse: installiere Chromium für den Browser-Test (apt) …" >&2
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
test -x /usr/bin/chromium
