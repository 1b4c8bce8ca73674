#!/usr/bin/env bash
# Side-by-side throughput: pika and redis-server (appendonly yes, appendfsync everysec),
# each on a free loopback port, measured by redis-benchmark with identical flags in one run.
# Prints requests per second and the pika/redis ratio per test and pipeline depth, then the
# geometric mean of the unpipelined (P=1) ratios: one figure for "how far from Redis".
#
#   scripts/bench.sh                    # the tests below, unpipelined and -P 16
#   TESTS=get,set,lpush PIPELINES="1 16" REQUESTS=200000 scripts/bench.sh
#   REQUESTS=1000 CLIENTS=5 scripts/bench.sh # a quick check that the script works
#   PIKA_ARGS="--thread-pool-size 1" scripts/bench.sh
#   CPU_PROFILE=/tmp/prof scripts/bench.sh   # also writes pika's --cpu-prof profiles there
#
# GET and SET also run against scripts/node-floor.js (one Node thread, a Map, no worker, no
# disk), the last two columns: what Node's own event loop and sockets allow on this machine,
# and pika's share of it. FLOOR=0 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."

TESTS=${TESTS:-get,set,mset,lpush,rpush,lpop,rpop,lrange_100,sadd,spop,hset,zadd,zpopmin}
PIPELINES=${PIPELINES:-"1 16"}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
DATA_SIZE=${DATA_SIZE:-100}
PIKA_ARGS=${PIKA_ARGS:-}
WARM=${WARM:-1}
FLOOR=${FLOOR:-1}

for tool in redis-server redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done
[ -f dist/main.js ] || npm run build >/dev/null

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_ping() { for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "bench: port $1 never answered" >&2; return 1; }

work=$(mktemp -d /tmp/pika-bench.XXXXXX)
pika_port=$(free_port)
redis_port=$(free_port)
floor_port=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

prof=()
[ -n "${CPU_PROFILE:-}" ] && prof=(--cpu-prof "--cpu-prof-dir=$CPU_PROFILE")
node "${prof[@]}" bin/pika --port "$pika_port" --db-path "$work/pika-db" --sync everysec $PIKA_ARGS >"$work/pika.log" 2>&1 &
pids+=($!)
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work" --save '' \
  --appendonly yes --appendfsync everysec >"$work/redis.log" 2>&1 &
pids+=($!)
wait_ping "$pika_port"
wait_ping "$redis_port"
# the floor only answers GET and SET: it runs the tests of TESTS among those
floor_tests=$(tr ',' '\n' <<<"$TESTS" | grep -ixE 'get|set' | paste -sd, - || true)
if [ "$FLOOR" = 1 ] && [ -n "$floor_tests" ]; then
  node scripts/node-floor.js "$floor_port" >"$work/floor.log" 2>&1 &
  pids+=($!)
  wait_ping "$floor_port"
else
  floor_tests=
fi

# Every server is measured warm: pika creates a slot's environment on its first write to it and
# grows each map as it fills, which on a fresh db-path slowed the first seconds of the first
# test (SET) to a fraction of its steady rate. One pipelined SET pass over the keyspace does
# that before any run; redis-server and the floor get the same pass. WARM=0 leaves it out.
if [ "$WARM" = 1 ]; then
  for port in "$pika_port" "$redis_port" ${floor_tests:+"$floor_port"}; do
    redis-benchmark -p "$port" -c "$CLIENTS" -n "$REQUESTS" -r "$KEYSPACE" -d "$DATA_SIZE" -t set -P 16 -q >/dev/null 2>&1
  done
fi

echo "redis-benchmark -c $CLIENTS -n $REQUESTS -r $KEYSPACE -d $DATA_SIZE -t $TESTS, pika on :$pika_port, redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on :$redis_port"
printf '%-36s %4s %12s %12s %7s %12s %10s\n' test P pika_rps redis_rps ratio floor_rps pika/floor
run() { redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -r "$KEYSPACE" -d "$DATA_SIZE" -t "$3" -P "$2" --csv 2>/dev/null | tail -n +2 | tr -d '"' | cut -d, -f1,2; }
results="$work/results.tsv"   # test, P, pika rps, redis rps, floor rps (0: not run)
: >"$results"
for P in $PIPELINES; do
  declare -A pika=() redis=() floor=()
  while IFS=, read -r name rps; do pika[$name]=$rps; done < <(run "$pika_port" "$P" "$TESTS")
  while IFS=, read -r name rps; do redis[$name]=$rps; done < <(run "$redis_port" "$P" "$TESTS")
  if [ -n "$floor_tests" ]; then
    while IFS=, read -r name rps; do floor[$name]=$rps; done < <(run "$floor_port" "$P" "$floor_tests")
  fi
  for name in "${!pika[@]}"; do printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$P" "${pika[$name]}" "${redis[$name]:-0}" "${floor[$name]:-0}"; done | sort >"$work/rows.tsv"
  awk -F'\t' '{ printf "%-36s %4s %12.0f %12.0f %7.2f", $1, $2, $3, $4, ($4 > 0 ? $3 / $4 : 0)
    if ($5 > 0) printf " %12.0f %10.2f\n", $5, $3 / $5; else printf " %12s %10s\n", "-", "-" }' "$work/rows.tsv"
  cat "$work/rows.tsv" >>"$results"
  unset pika redis floor
done
# one figure for the unpipelined runs: the geometric mean of their ratios, each test once
# (redis-benchmark's "LPUSH (needed to benchmark LRANGE)" is a second LPUSH)
awk -F'\t' '$2 == 1 && $1 !~ /needed to benchmark/ && $3 > 0 && $4 > 0 { s += log($3 / $4); n++ }
  END { if (n) printf "geometric mean of pika/redis over %d unpipelined tests: %.2f\n", n, exp(s / n) }' "$results"
awk -F'\t' '$5 > 0 && $4 > 0 { printf "node floor/redis, %s P%s: %.2f\n", $1, $2, $5 / $4 }' "$results"
if [ -n "${CPU_PROFILE:-}" ]; then
  kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
  echo "profiles in $CPU_PROFILE (main is the one whose name ends .0.001), by self time:"
  node scripts/cpu-profile-summary.js --top 8 "$CPU_PROFILE"/*.cpuprofile
fi
