"""The hub's tables, in SQLAlchemy Core, for SQLite and PostgreSQL alike.

Every table that grows with use carries the column it would be distributed by on a
sharded PostgreSQL (Citus): ``events`` and ``job_members`` by ``job_id`` (a job's
events and members live together), ``feed`` and ``feed_counters`` by ``firm_id`` (a
firm's feed and the counter that orders it live together). The small tables (firms,
terminals, keys, hub_meta) are reference tables copied to every node. README.md, "Hub
storage", says how.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

hub_meta = Table(
    "hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

firms = Table(
    "firms",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("region", String(32), nullable=False),
    Column("processes", Text, nullable=False, default="[]"),  # JSON list
    Column("equipment", Text, nullable=False, default="[]"),  # JSON list
    Column("created_at", Float, nullable=False),
    Column("rev", BigInteger, nullable=False, default=0),  # directory revision, for pulls
)
Index("firms_rev", firms.c.rev)

terminals = Table(
    "terminals",
    metadata,
    Column("terminal_id", String(64), primary_key=True),
    Column("firm_id", String(32), ForeignKey("firms.code"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False, default="terminal"),  # terminal | office
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("last_seen", Float),
)

enroll_codes = Table(
    "enroll_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("firm_id", String(32), ForeignKey("firms.code"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
    Column("terminal_id", String(64)),
)

keys = Table(
    "keys",
    metadata,
    Column("firm_id", String(32), primary_key=True),
    Column("key_id", String(64), primary_key=True),
    Column("terminal_id", String(64)),
    Column("public_key", Text, nullable=False),
    Column("valid_from", String(40)),
    Column("valid_until", String(40)),
    Column("revoked_at", String(40)),
    Column("rev", BigInteger, nullable=False),  # key directory revision, for pulls
)
Index("keys_rev", keys.c.rev)

# An event is identified by the terminal that made it and its id on that terminal
# (migration 0003): an id read off a traveler and pushed by another terminal is another
# event, so it cannot block or replace the real one. The id comes first in the key, so
# a look-up by id alone (the correction check) uses it too.
events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("firm_id", String(32), nullable=False),
    Column("terminal_id", String(64), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hlc", BigInteger, nullable=False),
    Column("job_id", String(200)),
    Column("type", String(40), nullable=False),
    Column("body", Text, nullable=False),  # canonical wire JSON (Event.content_digest)
    Column("received_at", Float, nullable=False),
)
Index("events_job", events.c.job_id)
Index("events_terminal_seq", events.c.terminal_id, events.c.seq)  # seq_conflict (0005)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("firm_id", String(32), nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", Float, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("job_id", String(200), primary_key=True),
    Column("lead_firm", String(32), nullable=False),
    Column("created_event", String(64), nullable=False),
    Column("created_terminal", String(64)),  # with created_event: its JobCreated
    Column("route", Text),  # [[op, firm], ...] as JSON: who may act on which step
)

job_members = Table(
    "job_members",
    metadata,
    Column("job_id", String(200), primary_key=True),
    Column("firm_id", String(32), primary_key=True),
)
Index("job_members_firm", job_members.c.firm_id)

feed_counters = Table(
    "feed_counters",
    metadata,
    Column("firm_id", String(32), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("floor", BigInteger, nullable=False, default=0),  # rows at or below were dropped
)

feed = Table(
    "feed",
    metadata,
    Column("firm_id", String(32), primary_key=True),
    Column("feed_seq", BigInteger, primary_key=True),
    Column("event_id", String(64), nullable=False),
    Column("terminal_id", String(64), nullable=False),  # who pushed it: not echoed back
)
Index("feed_firm_event", feed.c.firm_id, feed.c.event_id, feed.c.terminal_id, unique=True)

photos = Table(
    "photos",
    metadata,
    Column("photo_id", String(64), primary_key=True),  # sha256 of the whole file
    Column("firm_id", String(32), nullable=False),
    Column("terminal_id", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False, default=0),
    Column("content_type", String(64), nullable=False),
    Column("event_id", String(64)),
    Column("complete", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
)
Index("photos_firm", photos.c.firm_id, photos.c.size)  # the per-firm quota (0004)

photo_chunks = Table(
    "photo_chunks",
    metadata,
    Column("photo_id", String(64), primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# -- the consortium (migration 0006) ---------------------------------------------------

# A firm's own profile: ``body`` is what the office and lead firms may read, ``private``
# what is used only in matching (e.g. its declared load) and never returned to others.
firm_profiles = Table(
    "firm_profiles",
    metadata,
    Column("firm_id", String(32), ForeignKey("firms.code"), primary_key=True),
    Column("body", Text, nullable=False),  # JSON object
    Column("private", Text, nullable=False, default="{}"),  # JSON object
    Column("updated_at", Float, nullable=False),
    Column("updated_by", String(64), nullable=False),  # terminal (or office) that wrote it
)

# A request for machining before it is a job. ``body`` holds what every invited firm may
# read; ``budget_yen`` stays with the lead firm and the office.
requests = Table(
    "requests",
    metadata,
    Column("request_id", String(40), primary_key=True),
    Column("lead_firm", String(32), nullable=False),
    Column("entered_by", String(32), nullable=False),  # the lead firm or OFFICE
    Column("body", Text, nullable=False),  # JSON: part, material, qty, due, steps, …
    Column("budget_yen", BigInteger),
    Column("state", String(16), nullable=False),  # open | confirmed | cancelled
    Column("job_id", String(200)),
    Column("created_at", Float, nullable=False),
)
Index("requests_lead", requests.c.lead_firm)

# What happened to a request, append-only: entered, proposed (the hub's ranking shown to
# the lead), volunteered, chosen, confirmed. ``firm_id`` is the firm the row is about.
request_log = Table(
    "request_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), nullable=False),
    Column("at", Float, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("actor", String(32), nullable=False),
    Column("firm_id", String(32)),
    Column("step", Integer),
    Column("body", Text, nullable=False, default="{}"),  # JSON: price, date, score, …
)
Index("request_log_request", request_log.c.request_id, request_log.c.id)

# What the lead firm pays a firm for one step of a job, append-only: the newest row of
# a (job, op) is the price; older rows are its history (corrections).
step_prices = Table(
    "step_prices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(200), nullable=False),
    Column("op", Integer, nullable=False),
    Column("firm_id", String(32), nullable=False),
    Column("yen", BigInteger, nullable=False),
    Column("recorded_at", Float, nullable=False),
    Column("recorded_by", String(64), nullable=False),
)
Index("step_prices_job", step_prices.c.job_id, step_prices.c.op, step_prices.c.id)

# The lead firm's Q/C/D rating of a firm's work on a delivered job, 1-5 each; append-only
# (the newest of a (job, firm) counts).
ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(200), nullable=False),
    Column("firm_id", String(32), nullable=False),
    Column("q", Integer, nullable=False),
    Column("c", Integer, nullable=False),
    Column("d", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("rated_at", Float, nullable=False),
    Column("rated_by", String(64), nullable=False),
)
Index("ratings_firm", ratings.c.firm_id, ratings.c.job_id, ratings.c.id)

# -- the office's web page (migration 0008) --------------------------------------------

# The consortium office's people who sign in to ``/office``: the password as an argon2id
# hash (argon2-cffi), never the password.
office_accounts = Table(
    "office_accounts",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
)

# A signed-in browser: the cookie holds a random secret, the table only its SHA-256.
# ``csrf`` is the session's token every form sends back; sign-out sets ``revoked_at``.
office_sessions = Table(
    "office_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("revoked_at", Float),
)

# Failed sign-ins, for the limit per address and per account (rows older than the window
# are removed as new ones come).
office_login_failures = Table(
    "office_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("address", String(64), nullable=False),
    Column("username", String(64), nullable=False),
)
Index("office_login_failures_at", office_login_failures.c.at)
# -- summaries of the events for the figures (migration 0007; hub/summary.py) ----------

# A job as the figures need it, corrections applied; kept by ``hub.summary.refresh``.
summary_jobs = Table(
    "summary_jobs",
    metadata,
    Column("job_id", String(200), primary_key=True),
    Column("lead_firm", String(32), nullable=False),
    Column("created_month", String(7), nullable=False),  # YYYY-MM, Japan time
    Column("delivered_month", String(7)),
    Column("live", Integer, nullable=False),  # 0: cancelled by its lead firm
    Column("route_firms", Integer, nullable=False),
    Column("order_value", BigInteger, nullable=False),
)
# Covering indexes: a fiscal year's figures are read from the index alone.
Index(
    "summary_jobs_delivered",
    summary_jobs.c.delivered_month,
    summary_jobs.c.live,
    summary_jobs.c.route_firms,
    summary_jobs.c.order_value,
)

# A step of a job's route: its price (when the lead recorded it for this firm), whether
# it is open, and once handed off (or finished, the last) its QCD facts.
summary_steps = Table(
    "summary_steps",
    metadata,
    Column("job_id", String(200), primary_key=True),
    Column("op", Integer, primary_key=True),
    Column("firm_id", String(32), nullable=False),
    Column("lead_firm", String(32), nullable=False),
    Column("created_month", String(7), nullable=False),
    Column("live", Integer, nullable=False),
    Column("yen", BigInteger),
    Column("open", Integer, nullable=False),
    Column("done", Integer, nullable=False),
    Column("on_time", Integer, nullable=False),
    Column("handed_parts", BigInteger, nullable=False),
    Column("found_downstream", BigInteger, nullable=False),
    Column("lead_hours", Float),
)
Index(
    "summary_steps_month",
    summary_steps.c.created_month,
    summary_steps.c.live,
    summary_steps.c.firm_id,
    summary_steps.c.lead_firm,
    summary_steps.c.yen,
)
Index("summary_steps_firm", summary_steps.c.firm_id)

# The months in which a firm logged work on a job it is a member of.
summary_firm_months = Table(
    "summary_firm_months",
    metadata,
    Column("firm_id", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),
)

# Jobs whose events changed since their summary rows were computed: a push only marks
# them here (one statement), and the first reader of the figures brings them up to date
# (``hub.summary.catch_up``), so 500 terminals syncing at once do not each recompute.
summary_pending = Table(
    "summary_pending",
    metadata,
    Column("job_id", String(200), primary_key=True),
)

# Per firm: the sums of its steps' facts, its open steps, its newest ratings' sums.
summary_firms = Table(
    "summary_firms",
    metadata,
    Column("firm_id", String(32), primary_key=True),
    *(
        Column(name, BigInteger, nullable=False, default=0)
        for name in (
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
    ),
)
