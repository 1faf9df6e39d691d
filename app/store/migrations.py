"""Numbered schema migrations. Append new ones; never edit one that has shipped.

Each is a list of SQL statements run in one transaction after a ``VACUUM INTO``
backup of the database as it was.
"""

from __future__ import annotations

APPLICATION_ID = 0x4E4B4D41  # "NKMA": tells our file from any other SQLite file

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "event log, outbox, projections",
        [
            """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
            """CREATE TABLE events (
                pos INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                terminal_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                hlc INTEGER NOT NULL,
                occurred_at TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                job_id TEXT,
                op INTEGER,
                type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                payload TEXT NOT NULL,
                origin TEXT NOT NULL CHECK (origin IN ('local', 'hub')),
                UNIQUE (terminal_id, seq)
            )""",
            "CREATE INDEX events_job ON events(job_id, hlc)",
            """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
            """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
            # Keyed by the event's position: one b-tree page touched per append.
            """CREATE TABLE outbox (
                pos INTEGER PRIMARY KEY REFERENCES events(pos),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            )""",
            """CREATE TABLE jobs (
                job_id TEXT PRIMARY KEY, part_no TEXT, drawing_no TEXT, qty INTEGER,
                due TEXT, lead_firm TEXT, customer TEXT, unit_price_yen INTEGER, note TEXT,
                created_at TEXT, status TEXT, route TEXT
            ) WITHOUT ROWID""",
            """CREATE TABLE lots (
                lot_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, parent TEXT, qty INTEGER,
                holder TEXT, in_transit_to TEXT
            ) WITHOUT ROWID""",
            "CREATE INDEX lots_job ON lots(job_id)",
            """CREATE TABLE ops (
                job_id TEXT NOT NULL, lot_id TEXT NOT NULL, seq INTEGER NOT NULL,
                process TEXT, firm TEXT, status TEXT, received INTEGER, receipt_gap INTEGER,
                good INTEGER, defect INTEGER, scrap INTEGER, defects_recorded INTEGER,
                handed_off INTEGER, working_s REAL, started_at TEXT, finished_at TEXT,
                pause_reason TEXT, run_since TEXT,
                PRIMARY KEY (lot_id, seq)
            ) WITHOUT ROWID""",
            "CREATE INDEX ops_job ON ops(job_id)",
            """CREATE TABLE measurements (
                event_id TEXT NOT NULL, job_id TEXT NOT NULL, lot_id TEXT, op INTEGER,
                characteristic TEXT, nominal TEXT, tol_minus TEXT, tol_plus TEXT, value TEXT,
                unit TEXT, gauge TEXT, in_tolerance INTEGER, occurred_at TEXT
            )""",
            "CREATE INDEX measurements_job ON measurements(job_id)",
            """CREATE TABLE defects (
                event_id TEXT NOT NULL, job_id TEXT NOT NULL, lot_id TEXT, op INTEGER,
                code TEXT, count INTEGER, disposition TEXT, note TEXT, occurred_at TEXT
            )""",
            "CREATE INDEX defects_job ON defects(job_id)",
            """CREATE TABLE travelers (
                job_id TEXT NOT NULL, lot_id TEXT NOT NULL, key_id TEXT, issued_at TEXT
            )""",
            "CREATE INDEX travelers_job ON travelers(job_id)",
            """CREATE TABLE anomalies (
                event_id TEXT PRIMARY KEY, job_id TEXT NOT NULL, reason TEXT NOT NULL
            )""",
            "CREATE INDEX anomalies_job ON anomalies(job_id)",
            """CREATE TABLE machines (
                machine TEXT PRIMARY KEY, state TEXT, counter INTEGER, since TEXT,
                hlc INTEGER, terminal_id TEXT, seq INTEGER
            )""",
        ],
    ),
    (
        2,
        "key directory for traveler signatures",
        [
            # Public keys only. Not derived from events (the hub syncs the directory),
            # so not a projection table; this terminal's private key is not in here
            # (see app/store/keyring.py).
            """CREATE TABLE signing_keys (
                key_id TEXT PRIMARY KEY,
                firm_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                public_key TEXT NOT NULL,
                valid_from TEXT NOT NULL,
                valid_until TEXT,
                revoked_at TEXT,
                source TEXT NOT NULL CHECK (source IN ('own', 'hub', 'import')),
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX signing_keys_firm ON signing_keys(firm_id)",
        ],
    ),
    (
        3,
        "sync: defect photo upload queue",
        [
            """CREATE TABLE sync_photos (
                photo_id TEXT PRIMARY KEY,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                content_type TEXT NOT NULL,
                event_id TEXT,
                sent INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'done', 'rejected')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                added_at TEXT NOT NULL
            )""",
            "CREATE INDEX sync_photos_state ON sync_photos(state, added_at)",
        ],
    ),
    (
        4,
        "firm directory: names of the consortium's firms",
        [
            # Not derived from events: the hub's directory comes down the feed (or the
            # demo writes its neighbours), like the key directory.
            """CREATE TABLE firms (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                region TEXT NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('hub', 'demo', 'local')),
                updated_at TEXT NOT NULL
            ) WITHOUT ROWID""",
        ],
    ),
    (
        5,
        "schema 2: the operator on every event; event ids unique per terminal; operators",
        [
            # An event's identity is (terminal, id): an id read off a traveler and reused
            # by another terminal can neither block nor replace the real event.
            """CREATE TABLE events_v5 (
                pos INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                terminal_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                hlc INTEGER NOT NULL,
                occurred_at TEXT NOT NULL,
                firm_id TEXT NOT NULL,
                job_id TEXT,
                op INTEGER,
                type TEXT NOT NULL,
                schema_version INTEGER NOT NULL,
                payload TEXT NOT NULL,
                origin TEXT NOT NULL CHECK (origin IN ('local', 'hub')),
                operator TEXT,
                UNIQUE (terminal_id, event_id),
                UNIQUE (terminal_id, seq)
            )""",
            """INSERT INTO events_v5 (pos, event_id, terminal_id, seq, hlc, occurred_at, firm_id,
                   job_id, op, type, schema_version, payload, origin)
               SELECT pos, event_id, terminal_id, seq, hlc, occurred_at, firm_id, job_id, op,
                   type, schema_version, payload, origin FROM events ORDER BY pos""",
            """CREATE TABLE outbox_v5 (
                pos INTEGER PRIMARY KEY REFERENCES events_v5(pos),
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            )""",
            "INSERT INTO outbox_v5 SELECT pos, state, attempts, last_error FROM outbox",
            "DROP TABLE outbox",
            # DROP TABLE's implicit delete fires no triggers; the old triggers go with it.
            "DROP TABLE events",
            "ALTER TABLE events_v5 RENAME TO events",
            "ALTER TABLE outbox_v5 RENAME TO outbox",
            "CREATE INDEX events_job ON events(job_id, hlc)",
            """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
            """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
               BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
            """CREATE TABLE operators (
                operator_id TEXT PRIMARY KEY, firm_id TEXT NOT NULL, name TEXT NOT NULL,
                role TEXT NOT NULL, badge TEXT, pin_hash TEXT, active INTEGER NOT NULL,
                hlc INTEGER, terminal_id TEXT, seq INTEGER
            ) WITHOUT ROWID""",
        ],
    ),
    (
        6,
        "events refused on arrival (a terminal's number used twice)",
        [
            # Not events (they never entered the log) and not a projection: what a feed
            # carried that could not be stored, kept for the owner and the office.
            """CREATE TABLE refused_events (
                terminal_id TEXT NOT NULL, event_id TEXT NOT NULL, seq INTEGER,
                reason TEXT NOT NULL, body TEXT NOT NULL, refused_at TEXT NOT NULL,
                PRIMARY KEY (terminal_id, event_id)
            ) WITHOUT ROWID""",
        ],
    ),
    (
        7,
        "events by type and time (machine states over a day or a week)",
        [
            # The 日報's machine time and the review's machine timeline read one firm's
            # MachineStateChanged signals in a time range: without this, a scan of the
            # whole log (about 300 ms on a year of one shop, 200,000 events).
            "CREATE INDEX events_type_time ON events(type, firm_id, occurred_at)",
        ],
    ),
]

LATEST = MIGRATIONS[-1][0]

# Tables derived from events; rebuilt by ``nakama db rebuild``.
PROJECTION_TABLES = (
    "jobs",
    "lots",
    "ops",
    "measurements",
    "defects",
    "travelers",
    "anomalies",
    "machines",
    "operators",
)
