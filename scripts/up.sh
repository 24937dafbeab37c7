#!/usr/bin/env bash
# Quick start: set up (idempotent), then run Tandem on its single-node default at http://localhost:${PORT:-3000}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/server/dist/main.js start
