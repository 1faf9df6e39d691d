"""The local store: one writer, one transaction per event (event + projection + outbox).

``Store.record`` is what the UI and CLI call: it checks the domain rules, stamps the
event (UUIDv7, next per-terminal seq, hybrid clock) and commits it. When it returns
``ok``, the event is on disk (WAL, ``synchronous=FULL``). ``Store.ingest`` applies
events that came from the hub through the same projection code.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.clock import HybridClock, new_event_id, utc_now_iso
from app.core.commands import ANY_OPERATOR, Actor, Command, Refusal
from app.core.operators import OperatorRecord
from app.core.state import JobState, check, fold, needs_refold, step
from app.store import backup, projection
from app.store.backup import RECOVER, SEQ_FLOOR
from app.store.db import connect, default_path, integrity_problems
from app.store.errors import StoreError, classify
from app.store.migrations import PROJECTION_TABLES
from wire.events import Event, WireError, check_payload, firm_level

EVENT_COLUMNS = (
    "event_id, terminal_id, seq, hlc, occurred_at, firm_id, job_id, op, type, "
    "schema_version, payload, operator"
)
INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
JOB_CACHE_SIZE = 256
# Bumped whenever ``fold`` derives different state from the same events (release 0.2:
# operators, splits, trust between firms); a store with older projections rebuilds.
PROJECTION_VERSION = 2


@dataclass(frozen=True, slots=True)
class AppendResult:
    """``ok`` with the event, or a translatable ``reason`` and nothing written."""

    ok: bool
    event: Event | None = None
    reason: str | None = None
    detail: str = ""


@dataclass(slots=True)
class IngestReport:
    applied: int = 0
    duplicates: int = 0
    anomalies: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # kept aside, not stored


def row_to_event(row: tuple[Any, ...]) -> Event:
    return Event(
        event_id=row[0],
        terminal_id=row[1],
        seq=row[2],
        hlc=row[3],
        occurred_at=row[4],
        firm_id=row[5],
        job_id=row[6],
        op=row[7],
        type=row[8],
        schema_version=row[9],
        payload=json.loads(row[10]),
        operator=row[11],
    )


class Store:
    """The terminal's durable event log and everything derived from it."""

    def __init__(self, conn: sqlite3.Connection, path: Path, now: Callable[[], str]) -> None:
        self.conn = conn
        self.path = path
        self._now = now
        self._lock = threading.RLock()
        self._jobs: OrderedDict[str, JobState] = OrderedDict()
        self._seen_pos = self._max_pos()
        self.terminal_id = self.meta("terminal_id") or ""
        if not self.terminal_id:
            self.terminal_id = "T" + secrets.token_hex(6).upper()
            self.set_meta({"terminal_id": self.terminal_id})
        self.firm_id = self.meta("firm_id") or ""
        last = conn.execute("SELECT max(hlc) FROM events").fetchone()[0] or 0
        self.clock = HybridClock(last)

    # -- opening --------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        firm_id: str | None = None,
        now: Callable[[], str] = utc_now_iso,
        check: bool = True,
    ) -> Store:
        """Open (creating and migrating) the store. Raises ``StoreError`` with a code."""
        p = Path(path) if path is not None else default_path()
        conn = connect(p, check=check)
        store = cls(conn, p, now)
        if firm_id and store.firm_id != firm_id:
            store.set_meta({"firm_id": firm_id})
            store.firm_id = firm_id
        if store.meta("projection_version") != str(PROJECTION_VERSION):
            # The rules that derive state changed (operators, splits, trust): derive the
            # projections again from the events, which never change.
            with store._lock, store._transaction():
                store._replay_all()
                store._write_meta({"projection_version": str(PROJECTION_VERSION)})
        store.repair_lot_ids()
        return store

    def repair_lot_ids(self) -> dict[str, str]:
        """Move this firm's records of release 0.1's ``J-1`` lots onto ``J-L1`` with
        corrections (once per store). A job where the merged records would break a rule
        (say, both spellings received at one step: which receipt is true?) is left as it
        is and listed in ``meta`` key ``lot_repair_open`` for the owner. Returns
        ``{job: "repaired" | "left for the owner"}``."""
        from app.core.repair import lot_respellings

        if not self.firm_id or self.meta("lot_ids_repaired"):
            return {}
        rows = self.conn.execute(
            "SELECT DISTINCT job_id FROM events WHERE firm_id = ? AND job_id IS NOT NULL "
            "AND schema_version = 1 AND payload LIKE '%lot_id%'",
            (self.firm_id,),
        ).fetchall()
        done: dict[str, str] = {}
        for (job_id,) in rows:
            cmds = lot_respellings(self.job_events(job_id), self.firm_id)
            if not cmds:
                continue
            result = self.record_together(cmds, job_id)
            done[job_id] = "repaired" if result.ok else "left for the owner"
        left = sorted(j for j, how in done.items() if how != "repaired")
        self.set_meta({"lot_ids_repaired": "1", "lot_repair_open": ",".join(left)})
        return done

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self._lock, self._transaction():
            self._write_meta(values)

    def _write_meta(self, values: Mapping[str, str]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
        )

    # -- writing --------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(classify(exc), str(exc), str(self.path)) from exc
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite may already have rolled back by itself (e.g. on SQLITE_FULL).
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute("ROLLBACK")
            self._jobs.clear()  # the cache may hold state that never reached the disk
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(classify(exc), str(exc), str(self.path)) from exc
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction for tables beside the event log (the key directory)."""
        with self._lock, self._transaction():
            yield self.conn

    @property
    def actor(self) -> Actor:
        """This terminal's firm with no operator (for what the terminal records itself)."""
        return Actor(self.firm_id)

    def record(self, cmd: Command | Refusal) -> AppendResult:
        """Stamp and durably append the event a core command decided (``app/core/commands``).
        The rules are checked again inside the write transaction, against the state on
        disk (another process may have written since the command was decided). A
        ``Refusal`` is passed through as a refused result. Raises ``StoreError`` only for
        storage failures (disk full, corrupt file)."""
        if isinstance(cmd, Refusal):
            return AppendResult(False, reason=cmd.reason, detail=cmd.detail)
        type_, payload, job_id, op = cmd.type, cmd.payload, cmd.job_id, cmd.op
        if cmd.operator == ANY_OPERATOR:  # a stand-in for asking, never a person
            return AppendResult(False, reason="no_operator")
        try:
            check_payload(type_, payload)
        except WireError as exc:
            return AppendResult(False, reason=exc.code, detail=exc.detail)
        if not self.firm_id:
            return AppendResult(False, reason="no_firm", detail="terminal has no firm set")
        with self._lock, self._transaction():
            self._forget_if_others_wrote()
            if self._recovering():
                return AppendResult(False, reason="restore_recovering")
            seq = self._last_seq() + 1
            ev = Event(
                event_id=new_event_id(),
                terminal_id=self.terminal_id,
                seq=seq,
                hlc=self.clock.tick(),
                occurred_at=self._now(),
                firm_id=self.firm_id,
                job_id=job_id,
                op=op,
                type=type_,
                payload=dict(payload),
                operator=cmd.operator,
            )
            reason = self._apply(ev, strict=True)
            if reason is not None:
                # Nothing has been written yet; leaving the transaction empty commits nothing.
                return AppendResult(False, reason=reason)
            self.conn.execute("INSERT INTO outbox (pos) VALUES (?)", (self._seen_pos,))
        return AppendResult(True, event=ev)

    def record_together(self, cmds: list[Command], job_id: str) -> AppendResult:
        """Record several commands of one job in one transaction, judged together: refused
        (nothing written) if the job replayed with all of them gains an anomaly. For
        repairs whose steps are only consistent as a whole."""
        if not cmds:
            return AppendResult(True)
        if not self.firm_id:
            return AppendResult(False, reason="no_firm")
        with self._lock, self._transaction():
            self._forget_if_others_wrote()
            if self._recovering():
                return AppendResult(False, reason="restore_recovering")
            before = self._job(job_id)
            old = {e for e, _ in before.anomalies} if before else set()
            seq = self._last_seq()
            fresh: list[Event] = []
            for n, cmd in enumerate(cmds, start=1):
                check_payload(cmd.type, cmd.payload)
                fresh.append(
                    Event(
                        event_id=new_event_id(),
                        terminal_id=self.terminal_id,
                        seq=seq + n,
                        hlc=self.clock.tick(),
                        occurred_at=self._now(),
                        firm_id=self.firm_id,
                        job_id=job_id,
                        op=cmd.op,
                        type=cmd.type,
                        payload=dict(cmd.payload),
                        operator=cmd.operator,
                    )
                )
            new = fold([*self.job_events(job_id), *fresh])
            bad = [r for e, r in (new.anomalies if new else []) if e not in old]
            if bad:
                return AppendResult(False, reason=bad[0])
            for ev in fresh:
                self._insert(ev, "local")
                self.conn.execute("INSERT INTO outbox (pos) VALUES (?)", (self._seen_pos,))
            if new is not None:
                projection.write_jobs(self.conn, [new])
                self._remember(new)
        return AppendResult(True, event=fresh[-1])

    def _recovering(self) -> bool:
        return bool(self.meta(RECOVER))

    def _last_seq(self) -> int:
        """The highest seq this terminal has used: in the log, or (after a restore) in the
        store the restore replaced (``seq_floor``), so no number is ever given twice."""
        used = self.conn.execute(
            "SELECT coalesce(max(seq), 0) FROM events WHERE terminal_id = ?",
            (self.terminal_id,),
        ).fetchone()[0]
        return max(int(used), int(self.meta(SEQ_FLOOR) or 0))

    def own_max_seq(self) -> int:
        """The highest seq of this terminal's events in the log."""
        row = self.conn.execute(
            "SELECT coalesce(max(seq), 0) FROM events WHERE terminal_id = ?", (self.terminal_id,)
        ).fetchone()
        return int(row[0])

    def ingest(
        self,
        events: Iterable[Event],
        meta: Mapping[str, str] | None = None,
        *,
        origin: str = "hub",
    ) -> IngestReport:
        """Apply events from elsewhere (the hub) in one transaction, with ``meta`` (the feed
        cursor) written in the same transaction, so a cursor never runs ahead of its data.
        ``origin="local"`` is for this terminal's own events coming back after a restore
        (the hub has them: they go into the log, not the outbox)."""
        report = IngestReport()
        with self._lock, self._transaction():
            self._forget_if_others_wrote()
            for ev in events:
                exists = self.conn.execute(
                    "SELECT 1 FROM events WHERE terminal_id = ? AND event_id = ?",
                    (ev.terminal_id, ev.event_id),
                ).fetchone()
                if exists:
                    report.duplicates += 1
                    continue
                if self._seq_taken(ev):
                    # Another event of that terminal already has this number: a terminal
                    # never reuses one, so this one is refused and kept aside, and the
                    # rest of the feed goes on.
                    self.conn.execute(
                        "INSERT OR IGNORE INTO refused_events VALUES (?,?,?,?,?,?)",
                        (
                            ev.terminal_id,
                            ev.event_id,
                            ev.seq,
                            "seq_conflict",
                            ev.content_digest(),
                            self._now(),
                        ),
                    )
                    report.refused.append((ev.event_id, "seq_conflict"))
                    continue
                self.clock.observe(ev.hlc)
                before = self._anomaly_count(ev.job_id)
                self._apply(ev, strict=False, origin=origin)
                report.applied += 1
                job = self._jobs.get(ev.job_id or "")
                if job is not None and len(job.anomalies) > before:
                    report.anomalies += job.anomalies[before:]
            if meta:
                self._write_meta(meta)
        return report

    def _seq_taken(self, ev: Event) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM events WHERE terminal_id = ? AND seq = ?", (ev.terminal_id, ev.seq)
        ).fetchone()
        return row is not None

    def _anomaly_count(self, job_id: str | None) -> int:
        job = self._jobs.get(job_id or "")
        return len(job.anomalies) if job is not None else 0

    def _apply(self, ev: Event, *, strict: bool, origin: str = "local") -> str | None:
        """Insert ``ev`` and update projections inside the caller's transaction.

        With ``strict`` a rule violation refuses the event (returns the reason) before
        anything is written; otherwise it is stored and listed as an anomaly."""
        if firm_level(ev):
            reason = check(None, ev)
            if reason is not None and strict:
                return reason.value
            self._insert(ev, origin)
            if reason is None:
                projection.write_firm_level(self.conn, ev)
            return None
        if ev.job_id is None:
            return "unknown_job"
        job = self._job(ev.job_id)
        # Events can arrive before their JobCreated (another firm synced first): they are
        # stored, and the whole job is replayed once the JobCreated is here.
        orphans = job is None and ev.type == "JobCreated" and self._has_events(ev.job_id)
        if orphans or needs_refold(job, ev):
            events = [*self.job_events(ev.job_id), ev]
            new = fold(events)
            if strict:
                old = {e for e, _ in job.anomalies} if job else set()
                fresh = [r for e, r in (new.anomalies if new else []) if e not in old]
                if fresh:
                    return fresh[0]
            self._insert(ev, origin)
            if new is not None:
                projection.write_jobs(self.conn, [new])
                self._remember(new)
            return None
        if strict:
            reason = check(job, ev)
            if reason is not None:
                return reason.value
        before = len(job.anomalies) if job else 0
        new_job = step(job, ev)
        self._insert(ev, origin)
        if new_job is not None:
            projection.write_step(self.conn, new_job, ev, before)
            self._remember(new_job)
        return None

    def _has_events(self, job_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM events WHERE job_id = ? LIMIT 1", (job_id,))
        return row.fetchone() is not None

    def _insert(self, ev: Event, origin: str) -> None:
        cur = self.conn.execute(
            INSERT_EVENT,
            (
                ev.event_id,
                ev.terminal_id,
                ev.seq,
                ev.hlc,
                ev.occurred_at,
                ev.firm_id,
                ev.job_id,
                ev.op,
                ev.type,
                ev.schema_version,
                ev.payload_json(),
                ev.operator,
                origin,
            ),
        )
        self._seen_pos = cur.lastrowid or self._seen_pos

    # -- job state cache ------------------------------------------------------------

    def _max_pos(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(pos), 0) FROM events").fetchone()[0])

    def _forget_if_others_wrote(self) -> None:
        # Another process (the CLI beside the running app) may have appended; then our
        # cached job states are stale. Checked inside the write transaction.
        pos = self._max_pos()
        if pos != self._seen_pos:
            self._jobs.clear()
            self._seen_pos = pos
            self.clock.observe(
                self.conn.execute("SELECT coalesce(max(hlc),0) FROM events").fetchone()[0]
            )

    def _job(self, job_id: str) -> JobState | None:
        job = self._jobs.get(job_id)
        if job is None:
            job = fold(self.job_events(job_id))
            if job is not None:
                self._remember(job)
        else:
            self._jobs.move_to_end(job_id)
        return job

    def _remember(self, job: JobState) -> None:
        self._jobs[job.job_id] = job
        self._jobs.move_to_end(job.job_id)
        while len(self._jobs) > JOB_CACHE_SIZE:
            self._jobs.popitem(last=False)

    # -- reading --------------------------------------------------------------------

    def now(self) -> str:
        """The store's clock (UTC ISO text), the one its events are stamped with."""
        return self._now()

    def job(self, job_id: str) -> JobState | None:
        """The current state of a job, or None if this terminal has never heard of it."""
        with self._lock:
            if self._max_pos() != self._seen_pos:
                self._jobs.clear()
                self._seen_pos = self._max_pos()
            return self._job(job_id)

    def job_events(self, job_id: str) -> list[Event]:
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE job_id = ? ORDER BY hlc", (job_id,)
        ).fetchall()
        return [row_to_event(r) for r in rows]

    def events(self, *, after_pos: int = 0, limit: int | None = None) -> list[Event]:
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE pos > ? ORDER BY pos"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [row_to_event(r) for r in self.conn.execute(sql, (after_pos,))]

    def tail(self, n: int = 20) -> list[Event]:
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events ORDER BY pos DESC LIMIT ?", (n,)
        ).fetchall()
        return [row_to_event(r) for r in reversed(rows)]

    def operators(self, *, active_only: bool = False) -> dict[str, OperatorRecord]:
        """This firm's operators, from the projection."""
        sql = "SELECT operator_id, firm_id, name, role, badge, pin_hash, active FROM operators"
        sql += " WHERE firm_id = ?" + (" AND active = 1" if active_only else "")
        out = {}
        for oid, firm, name, role, badge, pin_hash, active in self.conn.execute(
            sql + " ORDER BY name", (self.firm_id,)
        ):
            out[oid] = OperatorRecord(
                oid, firm, name, role, badge or "", pin_hash or "", bool(active)
            )
        return out

    def count_events(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM events").fetchone()[0])

    def jobs(self) -> list[dict[str, Any]]:
        """Job summary rows from the projection, newest first."""
        cur = self.conn.execute("SELECT * FROM jobs ORDER BY created_at DESC, job_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Read-only query over the projections, rows as dicts (for screens and reports)."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    # -- outbox ---------------------------------------------------------------------

    def outbox_pending(self, limit: int = 500) -> list[Event]:
        rows = self.conn.execute(
            f"SELECT {', '.join('e.' + c.strip() for c in EVENT_COLUMNS.split(','))} "
            "FROM outbox o JOIN events e USING (pos) "
            "WHERE o.state = 'pending' ORDER BY o.pos LIMIT ?",
            (limit,),
        ).fetchall()
        return [row_to_event(r) for r in rows]

    def outbox_stats(self) -> dict[str, Any]:
        pending, oldest = self.conn.execute(
            "SELECT count(*), min(e.occurred_at) FROM outbox o JOIN events e USING (pos) "
            "WHERE o.state = 'pending'"
        ).fetchone()
        rejected = self.conn.execute(
            "SELECT count(*) FROM outbox WHERE state = 'rejected'"
        ).fetchone()[0]
        return {"pending": pending, "oldest_pending_at": oldest, "rejected": rejected}

    def settle_outbox(
        self, delivered: Iterable[str], rejected: Mapping[str, str] | None = None
    ) -> None:
        """Remove delivered events from the queue; park rejected ones with their reason."""
        with self._lock, self._transaction():
            own = "(SELECT pos FROM events WHERE terminal_id = ? AND event_id = ?)"
            self.conn.executemany(
                f"DELETE FROM outbox WHERE pos = {own}",
                [(self.terminal_id, e) for e in delivered],
            )
            self.conn.executemany(
                "UPDATE outbox SET state = 'rejected', last_error = ?, attempts = attempts + 1 "
                f"WHERE pos = {own}",
                [(why, self.terminal_id, e) for e, why in (rejected or {}).items()],
            )

    # -- maintenance ----------------------------------------------------------------

    def backup(self, to: Path | None = None) -> Path:
        """Write a backup now (``VACUUM INTO``) into ``to`` (default: ``backups/`` beside
        the store). Returns the file."""
        with self._lock:
            return backup.backup(self.conn, self.path, to)

    def daily_backup(self, keep: int, folder: Path | None = None) -> Path | None:
        """Today's backup if there is none yet, keeping the newest ``keep`` daily ones."""
        with self._lock:
            return backup.daily_backup(self.conn, self.path, keep, folder)

    def rebuild(self) -> int:
        """Derive every projection again from the event log. Returns events replayed."""
        with self._lock, self._transaction():
            return self._replay_all()

    def _replay_all(self) -> int:
        for table in PROJECTION_TABLES:
            self.conn.execute(f"DELETE FROM {table}")
        by_job: dict[str, list[Event]] = {}
        machines: list[Event] = []
        count = 0
        for row in self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events"):
            ev = row_to_event(row)
            count += 1
            if ev.job_id is not None:
                by_job.setdefault(ev.job_id, []).append(ev)
            elif firm_level(ev):
                machines.append(ev)
        jobs = [j for j in (fold(evs) for evs in by_job.values()) if j is not None]
        projection.write_jobs(self.conn, jobs, replace=False)
        for ev in sorted(machines, key=lambda e: e.order_key):
            if check(None, ev) is None:
                projection.write_firm_level(self.conn, ev)
        self._jobs.clear()
        return count

    def check_integrity(self) -> list[str]:
        """Problems found by SQLite's full check and by comparing projections with a replay."""
        with self._lock:
            problems = integrity_problems(self.conn)
            if problems:
                return problems
            before = projection.dump(self.conn, PROJECTION_TABLES)
            try:
                self.conn.execute("SAVEPOINT verify")
                self._replay_all()
                after = projection.dump(self.conn, PROJECTION_TABLES)
            finally:
                self.conn.execute("ROLLBACK TO verify")
                self.conn.execute("RELEASE verify")
                self._jobs.clear()
            for table in PROJECTION_TABLES:
                if before[table] != after[table]:
                    problems.append(f"projection {table} differs from a replay of the events")
            return problems
