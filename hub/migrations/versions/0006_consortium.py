"""The consortium: firm profiles, requests with their history, prices per step, and the
lead firms' Q/C/D ratings.

Revision ID: 0006
Revises: 0005 (terminal seq index)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firm_profiles",
        sa.Column("firm_id", sa.String(32), sa.ForeignKey("firms.code"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("private", sa.Text, nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "requests",
        sa.Column("request_id", sa.String(40), primary_key=True),
        sa.Column("lead_firm", sa.String(32), nullable=False),
        sa.Column("entered_by", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("budget_yen", sa.BigInteger),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("job_id", sa.String(200)),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("requests_lead", "requests", ["lead_firm"])
    op.create_table(
        "request_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("firm_id", sa.String(32)),
        sa.Column("step", sa.Integer),
        sa.Column("body", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("request_log_request", "request_log", ["request_id", "id"])
    op.create_table(
        "step_prices",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(200), nullable=False),
        sa.Column("op", sa.Integer, nullable=False),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("yen", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_index("step_prices_job", "step_prices", ["job_id", "op", "id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(200), nullable=False),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("q", sa.Integer, nullable=False),
        sa.Column("c", sa.Integer, nullable=False),
        sa.Column("d", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("rated_at", sa.Float, nullable=False),
        sa.Column("rated_by", sa.String(64), nullable=False),
    )
    op.create_index("ratings_firm", "ratings", ["firm_id", "job_id", "id"])


def downgrade() -> None:
    op.drop_table("ratings")
    op.drop_table("step_prices")
    op.drop_table("request_log")
    op.drop_table("requests")
    op.drop_table("firm_profiles")
