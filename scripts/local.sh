#!/usr/bin/env bash
# Starts a local Redoubt master and two replicas on loopback, prints how to
# connect, and stops them all on Ctrl-C. (Sentinels join when the sentinel
# subcommand lands; `redoubt demo` will replace this script.)
#
#   scripts/local.sh [base-port] [data-dir]      # defaults: 6379, a temp dir
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-6379}
DATA=${2:-$(mktemp -d -t redoubt-local.XXXXXX)}
go build -o bin/redoubt ./cmd/redoubt
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped; data in $DATA"; }
trap cleanup EXIT INT TERM
for i in 0 1 2; do
  port=$((BASE + i))
  mkdir -p "$DATA/$port"
  args=(server --port "$port" --bind 127.0.0.1 --dir "$DATA/$port" --logfile "$DATA/$port/redoubt.log")
  if [ "$i" -gt 0 ]; then args+=(--replicaof 127.0.0.1 "$BASE"); fi
  bin/redoubt "${args[@]}" &
  pids+=($!)
done
sleep 1
cat <<MSG
Redoubt is running:
  master    127.0.0.1:$BASE      redis-cli -p $BASE
  replica   127.0.0.1:$((BASE + 1))  redis-cli -p $((BASE + 1)) info replication
  replica   127.0.0.1:$((BASE + 2))
Data and logs: $DATA
Press Ctrl-C to stop.
MSG
wait
