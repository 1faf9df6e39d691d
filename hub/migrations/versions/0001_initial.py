"""Initial hub schema: firms, terminals, keys, events, feed, photos.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "firms",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("processes", sa.Text, nullable=False),
        sa.Column("equipment", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "terminals",
        sa.Column("terminal_id", sa.String(64), primary_key=True),
        sa.Column("firm_id", sa.String(32), sa.ForeignKey("firms.code"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float),
        sa.Column("last_seen", sa.Float),
    )
    op.create_table(
        "enroll_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("firm_id", sa.String(32), sa.ForeignKey("firms.code"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float),
        sa.Column("terminal_id", sa.String(64)),
    )
    op.create_table(
        "keys",
        sa.Column("firm_id", sa.String(32), primary_key=True),
        sa.Column("key_id", sa.String(64), primary_key=True),
        sa.Column("terminal_id", sa.String(64)),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("valid_from", sa.String(40)),
        sa.Column("valid_until", sa.String(40)),
        sa.Column("revoked_at", sa.String(40)),
        sa.Column("rev", sa.BigInteger, nullable=False),
    )
    op.create_index("keys_rev", "keys", ["rev"])
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hlc", sa.BigInteger, nullable=False),
        sa.Column("job_id", sa.String(200)),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )
    op.create_index("events_job", "events", ["job_id"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.String(200), primary_key=True),
        sa.Column("lead_firm", sa.String(32), nullable=False),
        sa.Column("created_event", sa.String(64), nullable=False),
    )
    op.create_table(
        "job_members",
        sa.Column("job_id", sa.String(200), primary_key=True),
        sa.Column("firm_id", sa.String(32), primary_key=True),
    )
    op.create_index("job_members_firm", "job_members", ["firm_id"])
    op.create_table(
        "feed_counters",
        sa.Column("firm_id", sa.String(32), primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("floor", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "feed",
        sa.Column("firm_id", sa.String(32), primary_key=True),
        sa.Column("feed_seq", sa.BigInteger, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=False),
    )
    op.create_index("feed_firm_event", "feed", ["firm_id", "event_id"], unique=True)
    op.create_table(
        "photos",
        sa.Column("photo_id", sa.String(64), primary_key=True),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("complete", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "photo_chunks",
        sa.Column("photo_id", sa.String(64), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "photo_chunks",
        "photos",
        "feed",
        "feed_counters",
        "job_members",
        "jobs",
        "quarantine",
        "events",
        "keys",
        "enroll_codes",
        "terminals",
        "firms",
        "hub_meta",
    ):
        op.drop_table(table)
