#!/usr/bin/env bash
# Starts the local PostgreSQL cluster if it does not answer; fails loudly when it cannot be reached.
set -uo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! ready; then
    echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it ..." >&2
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
if ! ready; then
    echo "error: PostgreSQL is required for the test suite and cannot be reached on 127.0.0.1:5432" >&2
    exit 1
fi
