#!/usr/bin/env bash
# Browser tests drive Debian's chromium (playwright-core cannot download browsers here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing chromium for the browser tests (apt-get)…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is missing: run 'sudo apt-get install -y chromium' (Debian) for the browser tests" >&2
exit 1
