#!/usr/bin/env bash
# The product on its embedded defaults: a SQLite database in the per-user data directory,
# both sandboxes started locally, a demo store connected, orders flowing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/channel-manager demo "$@"
