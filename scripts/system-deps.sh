#!/usr/bin/env bash
# System packages the test suite needs beyond npm (Debian): chromium for the browser tests (test/browser/, driven
# by playwright-core: Playwright's own browser download is not reachable) and poppler-utils (pdftotext, pdfsig,
# pdftoppm) for the PDF checks. Idempotent: installs only what is missing, so CI and a fresh developer machine run
# the same line. Needs root (or sudo) the first time.
set -euo pipefail
packages=(chromium poppler-utils)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
