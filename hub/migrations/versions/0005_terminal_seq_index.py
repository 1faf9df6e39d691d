"""A terminal never numbers two events alike: an index to find a reused ``seq``.

Revision ID: 0005
Revises: 0004 (per-firm photo quota)

Not unique: a hub database of an earlier release may already hold such a pair (pushed
by a faulty or hostile terminal); new ones are refused on push (``seq_conflict``).
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("events_terminal_seq", "events", ["terminal_id", "seq"])


def downgrade() -> None:
    op.drop_index("events_terminal_seq", "events")
