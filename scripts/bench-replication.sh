#!/usr/bin/env bash
# SET throughput of a leader with one follower against the same node alone, in one run, and the
# follower's lag under that load (entries and ms, from pkcluster info slot): first asynchronous
# replication, then consistent mode (consensus-level 1, set live on the same leader). A last
# row runs a third node whose follower is scripts/null-follower.js (acknowledges, applies
# nothing): what replication costs the leader itself, apart from a follower's replay, which on
# one machine takes the same CPUs (NULL_FOLLOWER=0 leaves it out). Then the same rows again
# with the follower on a CPU of its own, as on its own machine: the node alone, the leader and
# redis-benchmark pinned to CPU 0, the follower to CPU 1 (OWN_CPU=0 leaves them out; they need
# taskset and two CPUs; SHARED_CPU=0 runs only them).
#
#   scripts/bench-replication.sh                  # -c 50 -n 200000 -r 100000 -d 100, P=1 and 16
#   REQUESTS=50000 PIPELINES="16" MODES="1" ROUNDS=1 scripts/bench-replication.sh
#   SHARED_CPU=0 ROUNDS=5 scripts/bench-replication.sh   # the own-CPU rows only
set -euo pipefail
cd "$(dirname "$0")/.."

PIPELINES=${PIPELINES:-"1 16"}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
DATA_SIZE=${DATA_SIZE:-100}
LAG_SAMPLE_S=${LAG_SAMPLE_S:-0.5}
MODES=${MODES:-"0 1"}   # consensus-level values to run
NULL_FOLLOWER=${NULL_FOLLOWER:-1}
ROUNDS=${ROUNDS:-3}   # rounds per row, alone and then with a follower, back to back
OWN_CPU=${OWN_CPU:-1}
SHARED_CPU=${SHARED_CPU:-1}
[ "$SHARED_CPU" = 1 ] || NULL_FOLLOWER=0 # the null follower's rows share the CPUs
if [ "$OWN_CPU" = 1 ] && { ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; }; then
  echo "bench: no own-CPU rows (they need taskset and two CPUs)" >&2
  OWN_CPU=0
fi

for tool in redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y redis-tools)" >&2; exit 1; }
done
[ -f dist/main.js ] || npm run build >/dev/null

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_ping() { for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: port $1 never answered" >&2; return 1; }

work=$(mktemp -d /tmp/pika-bench-repl.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

declare -A pid_of
start() { # name port
  bin/pika --port "$2" --db-path "$work/$1" --sync everysec >"$work/$1.log" 2>&1 &
  pids+=($!)
  pid_of[$1]=$!
  wait_ping "$2"
}
alone=$(free_port); start alone "$alone"
leader=$(free_port); start leader "$leader"
follower=$(free_port); start follower "$follower"
if [ "$NULL_FOLLOWER" = 1 ]; then
  bare=$(free_port); start bare "$bare"
  node scripts/null-follower.js "$bare" "$(redis-cli -p "$bare" config get default-slot-num | tail -1)" 2>"$work/null-follower.log" &
  pids+=($!)
fi
redis-cli -p "$follower" pkcluster slotsslaveof 127.0.0.1 "$leader" all >/dev/null
# consistent mode refuses writes to slots not yet streaming: wait until every slot is
slots=$(redis-cli -p "$leader" config get default-slot-num | tail -1)
wait_streaming() {
  for _ in $(seq 1 300); do
    [ "$(redis-cli -p "$1" pkcluster info slot "0:0-$((slots - 1))" | grep -c 'state=streaming')" -ge "$slots" ] && return 0
    sleep 0.1
  done
  echo "bench: the slots of :$1 never all streamed" >&2
  return 1
}
wait_streaming "$leader"
[ "$NULL_FOLLOWER" = 1 ] && wait_streaming "$bare"

# Largest lag any slot's follower shows on the leader right now: "<entries> <ms>" (lag=, lag_ms=),
# from one pkcluster call, so sampling costs the leader as little as it can.
max_lags() {
  redis-cli -p "$leader" pkcluster info slot 0:0-16383 |
    awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "lag" && kv[2] > e) e = kv[2]; if (kv[1] == "lag_ms" && kv[2] > m) m = kv[2] } }
         END { print e + 0, m + 0 }'
}

bench_pin=()   # the own-CPU rows run redis-benchmark under taskset
sampler_pin=() # and the lag sampler on the follower's CPU, away from the leader's
rps() { "${bench_pin[@]}" redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -r "$KEYSPACE" -d "$DATA_SIZE" -t set -P "$2" --csv 2>/dev/null | tail -n 1 | tr -d '"' | cut -d, -f2; }

# every node measured warm: a fresh environment's first writes also grow its file and its map
for port in "$alone" "$leader" ${bare:+"$bare"}; do rps "$port" 16 >/dev/null; done
# the middle value of its arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# One row: ROUNDS rounds, each the node alone and then `port`, back to back, so both share the
# machine's state of the moment; the row shows medians and each round's ratio. With lag=1 the
# leader's largest follower lag is sampled during its runs.
row() { # label port P lag
  local as=() fs=() rs=() lagfile="$work/lag"
  : >"$lagfile"
  for _ in $(seq 1 "$ROUNDS"); do
    as+=("$(rps "$alone" "$3")")
    local sampler=""
    if [ "$4" = 1 ]; then
      "${sampler_pin[@]}" bash -c "while true; do $(declare -f max_lags); leader=$leader max_lags >>'$lagfile' 2>/dev/null || true; sleep $LAG_SAMPLE_S; done" &
      sampler=$!
    fi
    fs+=("$(rps "$2" "$3")")
    [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
    rs+=("$(node -e "console.log((${fs[-1]} / ${as[-1]}).toFixed(2))")")
  done
  local lag="-" lag_ms="-"
  if [ "$4" = 1 ]; then
    lag=$(cut -d' ' -f1 "$lagfile" | sort -n | tail -1)
    lag_ms=$(cut -d' ' -f2 "$lagfile" | sort -n | tail -1)
  fi
  printf '%10s %4s %14s %18s %7s %13s %11s  %s\n' "$1" "$3" "$(median "${as[@]}")" "$(median "${fs[@]}")" "$(median "${rs[@]}")" "${lag:-?}" "${lag_ms:-?}" "${rs[*]}"
}

echo "redis-benchmark -c $CLIENTS -n $REQUESTS -r $KEYSPACE -d $DATA_SIZE -t set; same build, same run, warm; medians of $ROUNDS rounds"
printf '%10s %4s %14s %18s %7s %13s %11s  %s\n' consensus P alone_rps with_follower_rps ratio max_lag_ent max_lag_ms each_round
if [ "$SHARED_CPU" = 1 ]; then
  for mode in $MODES; do
    redis-cli -p "$leader" config set consensus-level "$mode" >/dev/null
    for p in $PIPELINES; do row "$mode" "$leader" "$p" 1; done
  done
  if [ "$NULL_FOLLOWER" = 1 ]; then
    for p in $PIPELINES; do row "0, null" "$bare" "$p" 0; done
  fi
fi
if [ "$OWN_CPU" = 1 ]; then
  # every thread of each process, and the threads they start later, stay on the CPU given
  taskset -a -p -c 0 "${pid_of[alone]}" >/dev/null
  taskset -a -p -c 0 "${pid_of[leader]}" >/dev/null
  taskset -a -p -c 1 "${pid_of[follower]}" >/dev/null
  bench_pin=(taskset -c 0)
  sampler_pin=(taskset -c 1)
  echo "the follower on CPU 1; the node alone, the leader and redis-benchmark on CPU 0:"
  for mode in $MODES; do
    redis-cli -p "$leader" config set consensus-level "$mode" >/dev/null
    for p in $PIPELINES; do row "$mode, own" "$leader" "$p" 1; done
  done
fi
# the follower caught up: how long until its slots equal the leader's
t0=$(date +%s%N)
until [ "$(redis-cli -p "$leader" pkcluster digest)" = "$(redis-cli -p "$follower" pkcluster digest)" ]; do
  sleep 0.1
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 60000 ] && { echo "follower did not catch up within 60 s"; exit 1; }
done
echo "follower equal to the leader (pkcluster digest) $(( ($(date +%s%N) - t0) / 1000000 )) ms after the last request"
