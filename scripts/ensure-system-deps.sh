#!/bin/sh
# Installs the Debian packages the test suite needs when they are missing.
# Nothing is needed yet beyond Node itself; later suites (browser, Nagios) add theirs here.
set -eu
missing=""
# Space-separated Debian packages the tests need.
DEBS=""
for pkg in $DEBS; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests need Debian packages:$missing. Run: sudo apt-get install -y$missing" >&2
    exit 1
  fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
