#!/usr/bin/env bash
# Set up, then run the main job on the embedded default: the demo county's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/projfacts demo "$@"
