#!/usr/bin/env bash
# Create .venv (if missing) and install projfacts with its test dependencies into it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e '.[dev]'

# ---- Browser tests and charts: Debian's Chromium and a CJK font ---------------------------------
# tests/integration/browser drives /usr/bin/chromium (Playwright, no browser download);
# services/entry/render/charts.py and the dashboard's screenshots draw Chinese with Noto Sans CJK.
# Installed only when missing (needs root, as on CI); without root, say what is missing and go on.
BROWSER_PACKAGES=(chromium fonts-noto-cjk)
missing=()
for package in "${BROWSER_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log=$(mktemp)
    if ! { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
             --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -f "$log"
      echo "setup: apt-get could not install ${missing[*]}" >&2; exit 1
    fi
    rm -f "$log"
  else
    echo "setup: not installed: ${missing[*]} (browser tests will be skipped; as root: apt-get install ${missing[*]})" >&2
  fi
fi
