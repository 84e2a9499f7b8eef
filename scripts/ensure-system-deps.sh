#!/bin/sh
# Installs the Debian packages the test suite needs when they are missing (as root; otherwise says what to run).
# Recommends are skipped on purpose: monitoring-plugins-standard would pull in samba, snmp and more.
set -eu
missing=""
# Space-separated Debian packages the tests need:
# - monitoring-plugins-basic: check_http (and check_dummy, negate) for the /check interop tests
# - monitoring-plugins-standard + liburiparser1: check_curl (the library is only a recommend, but check_curl needs it)
# - nagios4-core: a real Nagios 4 that runs check_trendline as a service check (test/integration/nagios.test.ts)
# - chromium: headless browser for the UI tests (test/browser, driven by playwright-core)
# - clickhouse-server, clickhouse-client: the ClickHouse backend's tests start two servers themselves
# - zookeeper (with its Java): the ClickHouse replica test starts one for ReplicatedMergeTree
DEBS="monitoring-plugins-basic monitoring-plugins-standard liburiparser1 nagios4-core chromium clickhouse-server clickhouse-client zookeeper"
for pkg in $DEBS; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tests need Debian packages:$missing. Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
  fi
  # A fresh machine has no package lists yet, so update first.
  apt-get update -q
  # No daemon may start here (nagios4's postinst is stopped by policy-rc.d in containers; harmless).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
