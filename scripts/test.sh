#!/usr/bin/env bash
# Sets up .venv, makes sure PostgreSQL is reachable (starting it when it is not), then runs
# the linter, the type checker and the whole test suite. Storage and sync tests run on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export CHANNEL_MANAGER_TEST_POSTGRES_URL=${CHANNEL_MANAGER_TEST_POSTGRES_URL:-postgresql+psycopg://root@127.0.0.1:5432/test}
bash scripts/ensure-postgres.sh
.venv/bin/ruff check src tests bench
.venv/bin/mypy  # strict on domain/, service/, storage/, walmart/, commerce/ (see [tool.mypy] in pyproject.toml)
bash scripts/check-php.sh
bash scripts/ensure-chromium.sh  # Debian's chromium + chromedriver, for the console's browser tests
.venv/bin/python -m pytest "$@"
