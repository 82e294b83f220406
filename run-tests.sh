#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, then builds every module
# and runs every test (unit tests, then the end-to-end tests against real Spark drivers, the real
# service jar, Debian's Prometheus tools and Debian's headless Chromium).
#
#   ./run-tests.sh                 everything
#   ./run-tests.sh -pl listener-lib   extra arguments go to Maven
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
# The status page tests drive Debian's Chromium through its chromedriver, both by these paths.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)

if ((${#missing[@]})); then
  echo "run-tests: installing missing prerequisites: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "run-tests: not root; install them yourself: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  # Debian's packages try to start services; in containers there is no init, which is fine.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "${java_major:-0}" -lt 17 ]; then
  echo "run-tests: Java 17 or newer is needed (found ${java_major:-none}); set JAVA_HOME" >&2
  exit 1
fi

export SPARK_LOCAL_IP=127.0.0.1
exec mvn -B --no-transfer-progress verify "$@"
