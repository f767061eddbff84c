#!/usr/bin/env bash
# The whole local Kafka path: broker + ingest + projection workers, started and stopped by PID.
#   scripts/stack.sh start [--workers N] [--engine batch|faust] [--db URL]   # state in var/stack.json, logs in var/log/
#   scripts/stack.sh status
#   scripts/stack.sh stop
# Then: export PROJFACTS_BOOTSTRAP=… (printed), projfacts submit FILE --department D (or --each-department), PROJFACTS_BUS=kafka projfacts report …
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/projfacts ] || bash scripts/setup.sh
command=${1:-}
shift || true
case "$command" in
  start|stop|status) exec .venv/bin/projfacts stack "$command" "$@" ;;
  *) echo "usage: $0 start [--workers N] [--engine batch|faust] [--db URL] | status | stop" >&2; exit 2 ;;
esac
