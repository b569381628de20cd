#!/usr/bin/env bash
# Installs Debian's `chromium` for the HTML report tests (headless render, screenshot,
# no-network check). CI runs as root; elsewhere the tests skip visibly without it.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium: not installed and not root; HTML render tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
