#!/usr/bin/env bash
# CPU used by each thread group of a running JVM over an interval, from /proc (user + system
# ticks; digits in thread names are folded, so "JettyServerThreadPool-17" and "-18" add up).
# Unlike a JFR execution sample it counts only time on a CPU: a thread the OS has preempted while
# in Java is not counted, and native time (SQLite, fsync) is.
#
#   bench/thread-cpu.sh PID [SECONDS]        e.g. the service pid the bench log prints
set -euo pipefail
pid=${1:?usage: bench/thread-cpu.sh PID [SECONDS]}
secs=${2:-30}
hz=$(getconf CLK_TCK)
snap() {
  for t in /proc/"$pid"/task/*; do
    # a thread may end between the listing and the read: skip it quietly
    name=$({ tr ' ' _ <"$t/comm"; } 2>/dev/null) || continue
    stat=$({ sed 's/^.*) //' "$t/stat"; } 2>/dev/null) || continue
    # fields after the name: state is 1st, utime 12th, stime 13th
    set -- $stat
    echo "${t##*/} ${name//[0-9]/N} ${12} ${13}"
  done
}
a=$(snap)
sleep "$secs"
b=$(snap)
if [ -z "$b" ]; then
  echo "bench/thread-cpu.sh: process $pid ended during the interval; nothing measured" >&2
  exit 1
fi
awk -v secs="$secs" -v hz="$hz" '
  FNR == NR { u0[$1] = $3; s0[$1] = $4; next }
  {
    # per thread id: a thread born during the interval counts whole, one that ended not at all
    u = ($3 - u0[$1]) / hz / secs; s = ($4 - s0[$1]) / hz / secs
    gu[$2] += u; gs[$2] += s; tu += u; ts += s
  }
  END {
    for (k in gu)
      if (gu[k] + gs[k] >= 0.005)
        printf "%6.3f cores (user %.3f, system %.3f)  %s\n", gu[k] + gs[k], gu[k], gs[k], k
    printf "%6.3f cores (user %.3f, system %.3f)  total\n", tu + ts, tu, ts
  }' <(echo "$a") <(echo "$b") | sort -rn
