#!/bin/sh
# Chromium for the real-browser tests, from Debian's packages (Playwright never downloads a browser here).
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || echo "Could not install Chromium: the browser tests will be skipped." >&2
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
    || echo "Could not install Chromium: the browser tests will be skipped." >&2
else
  echo "Chromium is not installed and cannot be installed without root: the browser tests will be skipped." >&2
fi
