#!/usr/bin/env bash
# The one-command demo: builds what it needs, then starts on loopback the Streamwatch service, a Kafka broker,
# a producer with a traffic surge and a local Spark driver with the listener attached, running a Spark Streaming
# app and a Structured Streaming query on the same topic. Both fall behind during the surge, Streamwatch pages
# (printed as the webhook notifications arrive), they recover.
#
#   ./run-demo.sh                    run until Ctrl-C
#   ./run-demo.sh --duration 150     stop cleanly after 150 s (exit 0)
#
# Needs only a JDK 17+ and Maven. STREAMWATCH_DEMO_SKIP_BUILD=1 skips the build (the tests use it).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'USAGE'
usage: ./run-demo.sh [--duration SECONDS] [--quick]
  Starts Streamwatch, a Kafka broker, a producer with a traffic surge and a Spark driver running a
  Spark Streaming app and a Structured Streaming query on loopback; both fall behind during the
  surge, Streamwatch pages, they recover.
  --duration SECONDS  stop cleanly after SECONDS (without it: run until Ctrl-C)
  --quick             a compressed timeline (shorter steady and surge phases), as the tests use
USAGE
}
bad() {
  echo "run-demo: $1" >&2
  usage >&2
  exit 2
}
seconds_ok() { [[ "$1" =~ ^[0-9]{1,5}$ ]] && ((10#$1 >= 1 && 10#$1 <= 86400)); }

# Check the arguments before a build that may take minutes (the demo checks them again, identically).
i=1
while ((i <= $#)); do
  arg=${!i}
  case "$arg" in
    --duration)
      next=$((i + 1))
      ((next <= $#)) || bad "--duration needs a number of seconds"
      seconds_ok "${!next}" || bad "--duration takes whole seconds from 1 to 86400, not '${!next}'"
      i=$((i + 2)) ;;
    --duration=*)
      seconds_ok "${arg#--duration=}" || bad "--duration takes whole seconds from 1 to 86400, not '${arg#--duration=}'"
      i=$((i + 1)) ;;
    --quick) i=$((i + 1)) ;;
    -h|--help) usage; exit 0 ;;
    *) bad "unknown argument '$arg'" ;;
  esac
done

command -v java >/dev/null 2>&1 || { echo "run-demo: needs a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
if [ "${java_major:-0}" -lt 17 ]; then
  echo "run-demo: Java 17 or newer is needed (found ${java_major:-none}); set JAVA_HOME or PATH" >&2
  exit 1
fi

# What the demo runs: its own classes and classpath (the test kit's jar among it), the service jar, the broker's
# classpath, the listener jar.
outputs=(demo/target/classpath.txt demo/target/jvm.args demo/target/classes/io/streamwatch/demo/Demo.class
  monitor-service/target/streamwatch-service.jar e2e/kafka-broker/target/classpath.txt
  listener-lib/target/streamwatch-listener.jar)
stamp=demo/target/run-demo.stamp
up_to_date() {
  [ -f "$stamp" ] || return 1
  local f
  for f in "${outputs[@]}"; do [ -f "$f" ] || return 1; done
  [ -z "$(find pom.xml listener-lib monitor-service e2e/kafka-broker testkit demo -type f -newer "$stamp" \
    -not -path '*/target/*' -print -quit 2>/dev/null)" ]
}

if [ "${STREAMWATCH_DEMO_SKIP_BUILD:-}" = 1 ]; then
  :
elif up_to_date; then
  echo "run-demo: build is up to date"
else
  command -v mvn >/dev/null 2>&1 || { echo "run-demo: needs Maven 3.8+ (Debian: apt-get install maven)" >&2; exit 1; }
  log=$(mktemp "${TMPDIR:-/tmp}/streamwatch-demo-build.XXXXXX")
  echo "run-demo: building the listener, the service, the test broker and the demo (quiet; a first build downloads dependencies) ..."
  started=$SECONDS
  # exec.skip: no container image for a demo run.
  mvn -q -B -DskipTests -Dexec.skip=true package -pl listener-lib,monitor-service,e2e/kafka-broker,testkit,demo -am >"$log" 2>&1 &
  build=$!
  while kill -0 "$build" 2>/dev/null; do
    [ -t 1 ] && printf '\rrun-demo: building ... %d s ' $((SECONDS - started))
    sleep 1
  done
  [ -t 1 ] && printf '\r'
  if ! wait "$build"; then
    echo "run-demo: the build failed; its output ($log):" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$stamp"
  echo "run-demo: built in $((SECONDS - started)) s"
fi

for f in "${outputs[@]}"; do
  [ -f "$f" ] || { echo "run-demo: $f is missing; run ./run-demo.sh without STREAMWATCH_DEMO_SKIP_BUILD to build it" >&2; exit 1; }
done

# Spark's UI binds to SPARK_LOCAL_IP (or every interface without it): keep everything on loopback.
export SPARK_LOCAL_IP=127.0.0.1
# shellcheck disable=SC2046 # jvm.args is a list of flags, split on purpose
exec java -Xmx1g $(cat demo/target/jvm.args) \
  -Dstreamwatch.demo.serviceJar="$PWD/monitor-service/target/streamwatch-service.jar" \
  -Dstreamwatch.demo.brokerTarget="$PWD/e2e/kafka-broker/target" \
  -cp "$(cat demo/target/classpath.txt):$PWD/demo/target/classes" \
  io.streamwatch.demo.Demo "$@"
