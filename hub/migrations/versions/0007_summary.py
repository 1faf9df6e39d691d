"""Summary tables for the ward's figures, the QCD records and the matching, backfilled
from the events (hub/summary.py says what each holds).

Revision ID: 0007
Revises: 0006 (the consortium)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SUMS = (
    "steps",
    "on_time",
    "handed_parts",
    "found_downstream",
    "open_steps",
    "rated",
    "q_sum",
    "c_sum",
    "d_sum",
)


def upgrade() -> None:
    op.create_table(
        "summary_jobs",
        sa.Column("job_id", sa.String(200), primary_key=True),
        sa.Column("lead_firm", sa.String(32), nullable=False),
        sa.Column("created_month", sa.String(7), nullable=False),
        sa.Column("delivered_month", sa.String(7)),
        sa.Column("live", sa.Integer, nullable=False),
        sa.Column("route_firms", sa.Integer, nullable=False),
        sa.Column("order_value", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "summary_jobs_delivered",
        "summary_jobs",
        ["delivered_month", "live", "route_firms", "order_value"],
    )
    op.create_table(
        "summary_steps",
        sa.Column("job_id", sa.String(200), primary_key=True),
        sa.Column("op", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.String(32), nullable=False),
        sa.Column("lead_firm", sa.String(32), nullable=False),
        sa.Column("created_month", sa.String(7), nullable=False),
        sa.Column("live", sa.Integer, nullable=False),
        sa.Column("yen", sa.BigInteger),
        sa.Column("open", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("on_time", sa.Integer, nullable=False),
        sa.Column("handed_parts", sa.BigInteger, nullable=False),
        sa.Column("found_downstream", sa.BigInteger, nullable=False),
        sa.Column("lead_hours", sa.Float),
    )
    op.create_index(
        "summary_steps_month",
        "summary_steps",
        ["created_month", "live", "firm_id", "lead_firm", "yen"],
    )
    op.create_index("summary_steps_firm", "summary_steps", ["firm_id"])
    op.create_table(
        "summary_firm_months",
        sa.Column("firm_id", sa.String(32), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
    )
    op.create_table(
        "summary_firms",
        sa.Column("firm_id", sa.String(32), primary_key=True),
        *(sa.Column(n, sa.BigInteger, nullable=False, server_default="0") for n in SUMS),
    )
    op.create_table("summary_pending", sa.Column("job_id", sa.String(200), primary_key=True))
    # Backfill from the events the hub holds (the same code that keeps them on ingest).
    from hub import summary

    summary.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("summary_pending")
    op.drop_table("summary_firms")
    op.drop_table("summary_firm_months")
    op.drop_table("summary_steps")
    op.drop_table("summary_jobs")
