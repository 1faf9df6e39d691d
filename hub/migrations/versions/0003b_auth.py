"""Per-firm photo quota: an index to count a firm's photos and their bytes.

Revision ID: 0003b
Revises: 0002

(Written beside the push-side trust work's own revision after 0002; the two are
chained when the branches meet.)
"""

from __future__ import annotations

from alembic import op

revision = "0003b"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("photos_firm", "photos", ["firm_id", "size"])


def downgrade() -> None:
    op.drop_index("photos_firm", "photos")
