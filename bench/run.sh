#!/usr/bin/env bash
# Streamwatch's benchmark suite (issue 8): builds what it needs, runs every benchmark, writes
# bench/results/latest.json and regenerates the results table in docs/BENCHMARKS.md.
#
#   bench/run.sh            the full run (about 25 minutes on 2 cores)
#   bench/run.sh --quick    short runs of everything, about 7.5 minutes (indicative figures only)
#   bench/run.sh --only ingest,kafka   some sections (jmh, drops, ingest, scale, scale10k, kafka,
#                                      detect, detect_am)
#   bench/run.sh --only scale10k -Dbench.scale10k.apps=1000 -Dbench.scale10k.prefill=100
#                           -D… arguments are system properties of the harness (knobs, see BenchMain)
#   BENCH_SKIP_BUILD=1 bench/run.sh …   reuse the jars already built
#
# Run it on a quiet machine: the figures are for a 2-core box with nothing else busy. The load
# average before and during each section is recorded in latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
props=()
for a in "$@"; do
  case "$a" in
    -D*) props+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
command_line="bench/run.sh${*:+ $*}"

missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || missing+=(prometheus-alertmanager)
if ((${#missing[@]})); then
  echo "bench: installing missing prerequisites: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: not root; install them yourself: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg) (run on a quiet machine)"
if [ "${BENCH_SKIP_BUILD:-}" = 1 ]; then
  echo "bench: BENCH_SKIP_BUILD=1: using the jars already built"
else
  echo "bench: building the listener, the service jar, the test broker and the harness"
  mvn -B -q --no-transfer-progress -DskipTests -pl listener-lib,e2e/kafka-broker,monitor-service,bench -am package
fi

# What Spark's launcher adds on Java 17 (org.apache.spark.launcher.JavaModuleOptions); same list as the parent pom.
spark_jvm_args="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false \
--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
-Dspark.testing.memory=536870912"

export SPARK_LOCAL_IP=127.0.0.1
# shellcheck disable=SC2086 # the JVM flags are meant to split
exec java -Xmx3g $spark_jvm_args ${props[@]+"${props[@]}"} \
  -Dstreamwatch.spark.jvm.args="$spark_jvm_args" \
  -Dstreamwatch.service.jar=monitor-service/target/streamwatch-service.jar \
  -Dstreamwatch.kafka.broker.target=e2e/kafka-broker/target \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  io.streamwatch.bench.BenchMain --command "$command_line" \
  --out bench/results/latest.json --docs docs/BENCHMARKS.md ${args[@]+"${args[@]}"}
