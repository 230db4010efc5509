#!/usr/bin/env bash
# System packages the test suite needs beyond npm: Debian's chromium for the browser tests (test/browser/),
# driven by playwright-core (Playwright's own browser download is not reachable). Idempotent: installs only
# what is missing. Needs root (or sudo) the first time.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
