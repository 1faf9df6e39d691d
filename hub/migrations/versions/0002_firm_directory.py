"""Firm directory in the feed: each firm row gets the directory revision it changed at.

Revision ID: 0002
Revises: 0001

Firms and keys share one revision counter (``hub_meta.key_rev``), so the fourth part of
every cursor already issued still means "directory changes after this". Firms registered
before this migration get a fresh revision, so every terminal's next pull brings them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "firms", sa.Column("rev", sa.BigInteger, nullable=False, server_default=sa.text("0"))
    )
    op.create_index("firms_rev", "firms", ["rev"])
    meta = sa.table("hub_meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    conn = op.get_bind()
    current = conn.execute(sa.select(meta.c.value).where(meta.c.key == "key_rev")).scalar()
    if current is None:  # a fresh database: migrate() writes the counter after this
        return
    rev = int(current) + 1
    conn.execute(sa.update(meta).where(meta.c.key == "key_rev").values(value=str(rev)))
    conn.execute(sa.text("UPDATE firms SET rev = :rev"), {"rev": rev})


def downgrade() -> None:
    op.drop_index("firms_rev", "firms")
    op.drop_column("firms", "rev")
