"""Events are identified by (terminal, event id); jobs remember their route.

Revision ID: 0003
Revises: 0002

An event id is the idempotency key of the terminal that made it, not of the whole hub:
another firm that read an id off a traveler can no longer block the real event by
pushing something under that id first. So:

- ``events``: primary key ``(event_id, terminal_id)`` (was ``event_id``). Every row
  already carries its terminal, so nothing is rewritten. Column order puts the event id
  first, so a look-up by id alone (the correction check) still uses the key.
- ``feed``: a firm's feed names an event by both parts (the feed row already carried the
  pushing terminal); its unique index now covers ``(firm_id, event_id, terminal_id)``.
- ``jobs``: ``created_terminal`` (with ``created_event``, the job's ``JobCreated``) and
  ``route`` (``[[op, firm], …]`` as JSON), read on every push to check that the firm
  acting on a step is the one the route names. Filled from the stored ``JobCreated``
  events.

Nothing is lost and every event keeps its body byte for byte; the hub id stays, so
terminals' cursors stay good.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = "event_id, firm_id, terminal_id, seq, hlc, job_id, type, body, received_at"


def _events_table(name: str, key: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hlc", sa.BigInteger, nullable=False),
        sa.Column("job_id", sa.String(200)),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint(*key),
    )


def _rekey_events(key: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE events DROP CONSTRAINT events_pkey")
        op.execute(f"ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY ({', '.join(key)})")
        return
    # SQLite cannot change a primary key in place: copy into a new table.
    _events_table("events_rekeyed", key)
    op.execute(f"INSERT INTO events_rekeyed ({COLUMNS}) SELECT {COLUMNS} FROM events")
    op.drop_index("events_job", "events")
    op.drop_table("events")
    op.rename_table("events_rekeyed", "events")
    op.create_index("events_job", "events", ["job_id"])


def route_text(route: list[dict[str, object]]) -> str:
    """``[[op, firm], …]`` of a ``JobCreated`` route, as stored in ``jobs.route``."""
    return json.dumps([[s["seq"], s["firm"]] for s in route], separators=(",", ":"))


def upgrade() -> None:
    _rekey_events(("event_id", "terminal_id"))
    op.drop_index("feed_firm_event", "feed")
    op.create_index("feed_firm_event", "feed", ["firm_id", "event_id", "terminal_id"], unique=True)
    op.add_column("jobs", sa.Column("created_terminal", sa.String(64)))
    op.add_column("jobs", sa.Column("route", sa.Text))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT j.job_id, e.terminal_id, e.body FROM jobs j JOIN events e "
            "ON e.event_id = j.created_event AND e.job_id = j.job_id "
            "WHERE e.type = 'JobCreated'"
        )
    ).all()
    for job_id, terminal_id, body in rows:
        route = json.loads(body)["payload"]["route"]
        conn.execute(
            sa.text("UPDATE jobs SET created_terminal = :t, route = :r WHERE job_id = :j"),
            {"t": terminal_id, "r": route_text(route), "j": job_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("route")
        batch.drop_column("created_terminal")
    op.drop_index("feed_firm_event", "feed")
    op.create_index("feed_firm_event", "feed", ["firm_id", "event_id"], unique=True)
    _rekey_events(("event_id",))  # fails if two terminals used one id: nothing is dropped
