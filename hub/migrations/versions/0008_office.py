"""The office's web page: office accounts (argon2 password hashes), server-side sessions
with their CSRF token, and failed sign-ins for the rate limit.

Revision ID: 0008
Revises: 0006 (consortium)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("disabled_at", sa.Float),
    )
    op.create_table(
        "office_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float),
    )
    op.create_table(
        "office_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
    )
    op.create_index("office_login_failures_at", "office_login_failures", ["at"])


def downgrade() -> None:
    op.drop_table("office_login_failures")
    op.drop_table("office_sessions")
    op.drop_table("office_accounts")
