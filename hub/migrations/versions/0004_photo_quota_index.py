"""Per-firm photo quota: an index to count a firm's photos and their bytes.

Revision ID: 0004
Revises: 0003 (events keyed by terminal and id)
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("photos_firm", "photos", ["firm_id", "size"])


def downgrade() -> None:
    op.drop_index("photos_firm", "photos")
