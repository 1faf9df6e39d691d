#!/bin/sh
# Start the hub as a container (or a test) does: bring the database schema up to date
# (alembic; a SQLite file is copied first), then serve. Settings from the environment:
#   NAKAMA_HUB_DB               database URL (postgresql://user:pw@host/db)
#   NAKAMA_HUB_HOST / _PORT     where to listen (default 0.0.0.0:8700)
#   NAKAMA_HUB_TRUSTED_PROXIES  the TLS reverse proxy in front (address or network)
#   NAKAMA_HUB                  the command (default nakama-hub)
# Extra arguments go to `nakama-hub serve`.
set -eu
HUB=${NAKAMA_HUB:-nakama-hub}
# A database that is still starting: wait for it rather than fail (up to a minute).
tries=0
until $HUB migrate; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
        echo "nakama-hub: the database did not come up" >&2
        exit 1
    fi
    sleep 2
done
exec $HUB serve --host "${NAKAMA_HUB_HOST:-0.0.0.0}" --port "${NAKAMA_HUB_PORT:-8700}" "$@"
