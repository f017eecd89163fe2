#!/usr/bin/env bash
# Failover speed, real redis-sentinel 7.0.15 vs `redoubt sentinel`, side by
# side on the same kind of data nodes (see tests/bench/failover/main.go).
#
#   tests/bench/failover.sh                    # 5 runs each, redoubt data nodes
#   tests/bench/failover.sh -runs 9 -v         # more runs, print event timelines
#   tests/bench/failover.sh -impls redis -data redis
set -euo pipefail
cd "$(dirname "$0")/../.."
for b in redis-sentinel redis-server; do
  command -v $b >/dev/null || { echo "need $b (apt-get install redis-server redis-sentinel)"; exit 1; }
done
go build -o bin/redoubt ./cmd/redoubt
REDOUBT_BIN=$PWD/bin/redoubt exec go run ./tests/bench/failover "$@"
