#!/usr/bin/env bash
# Side-by-side throughput of Redoubt and the real redis-server.
#
# Starts both on free loopback ports and runs redis-benchmark against them
# alternately (ROUNDS rounds, 50 clients, REQUESTS requests per test), then
# prints the median ops/s of each and the Redoubt/Redis ratio.
#
#   tests/bench/compare.sh                 # defaults: 3 rounds, 200000 requests
#   ROUNDS=5 REQUESTS=500000 tests/bench/compare.sh
#
# Also reports RSS after loading 1M keys of 100-byte values into each.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-set,get,lpush,lpop,hset,sadd,zadd}
MEMKEYS=${MEMKEYS:-1000000}

for b in redis-server redis-benchmark redis-cli; do
  command -v $b >/dev/null || { echo "need $b (apt-get install redis-server redis-tools)"; exit 1; }
done
go build -o bin/redoubt ./cmd/redoubt

freeport() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
work=$(mktemp -d)
RP=$(freeport); OP=$(freeport)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
RPID=$!
bin/redoubt server --port "$OP" --bind 127.0.0.1 --save '' --dir "$work" >"$work/redoubt.log" 2>&1 &
OPID=$!
trap 'kill $RPID $OPID 2>/dev/null; rm -rf "$work"' EXIT
for p in $RP $OP; do
  for i in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

# bench PORT PIPELINE -> lines "TEST ops"
bench() {
  redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -P "$2" -t "$TESTS" -r 100000 --csv 2>/dev/null |
    awk -F, 'NR>1 {gsub(/"/,""); print $1, $2}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for P in 1 16; do
  : >"$work/r.$P"; : >"$work/o.$P"
  for r in $(seq "$ROUNDS"); do
    bench "$RP" "$P" >>"$work/r.$P"
    bench "$OP" "$P" >>"$work/o.$P"
  done
  printf '\n-P %s  (%s rounds, %s clients, %s requests)\n' "$P" "$ROUNDS" "$CLIENTS" "$REQUESTS"
  printf '%-28s %12s %12s %7s\n' test redis redoubt ratio
  for t in $(awk '{print $1}' "$work/r.$P" | sort -u); do
    rv=$(awk -v t="$t" '$1==t {print $2}' "$work/r.$P" | median)
    ov=$(awk -v t="$t" '$1==t {print $2}' "$work/o.$P" | median)
    printf '%-28s %12.0f %12.0f %7.2f\n' "$t" "$rv" "$ov" "$(echo "$ov / $rv" | bc -l)"
  done
done

# Memory: MEMKEYS keys with 100-byte values in each server.
for p in $RP $OP; do redis-cli -p "$p" flushall >/dev/null; done
for p in $RP $OP; do
  redis-benchmark -p "$p" -c 50 -n "$MEMKEYS" -r 100000000000 -t set -d 100 -P 64 -q >/dev/null 2>&1 || true
done
sleep 2
rss() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }
rk=$(redis-cli -p "$RP" dbsize); ok=$(redis-cli -p "$OP" dbsize)
rr=$(rss $RPID); orr=$(rss $OPID)
printf '\nRSS with ~%s keys of 100 bytes: redis %s kB (%s keys), redoubt %s kB (%s keys), ratio %.2f\n' \
  "$MEMKEYS" "$rr" "$rk" "$orr" "$ok" "$(echo "$orr / $rr" | bc -l)"
