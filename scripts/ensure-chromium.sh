#!/usr/bin/env bash
# Makes sure Debian's Chromium and its chromedriver are installed (the console's browser tests drive them
# through Selenium): installs the `chromium` and `chromium-driver` packages when either is missing.
# Quiet on success; prints what failed and exits non-zero otherwise.
set -euo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() {
    echo "ensure-chromium: $*" >&2
    exit 1
}

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
apt=(apt-get -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends)
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "chromium/chromedriver are missing and installing them needs root (apt-get install chromium chromium-driver)"
    apt=(sudo "${apt[@]}")
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${apt[@]}" install chromium chromium-driver >"$log" 2>&1; then
    # The package lists may be missing or stale: refresh them once and try again.
    if ! { "${apt[@]}" update && "${apt[@]}" install chromium chromium-driver; } >"$log" 2>&1; then
        cat "$log" >&2
        fail "could not install chromium and chromium-driver with apt-get"
    fi
fi
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || fail "chromium or chromedriver still missing after the install"
