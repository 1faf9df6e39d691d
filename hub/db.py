"""Opening the hub database: engine, migrations (alembic), write transactions.

SQLite (the default, a single file) gets WAL, ``synchronous=FULL`` and one writer at a
time inside this process; PostgreSQL gets ordinary concurrent transactions, retried on
serialisation failures and deadlocks.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from hub import schema
from wire.errors import NakamaError

log = logging.getLogger("nakama.hub")
T = TypeVar("T")
MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_FILE = "nakama-hub.db"


class HubUnavailable(NakamaError):
    """The database could not complete a transaction after retries (answered with 503)."""


def default_url() -> str:
    """``NAKAMA_HUB_DB`` if set, else a SQLite file in the current directory."""
    return os.environ.get("NAKAMA_HUB_DB") or f"sqlite:///{DEFAULT_FILE}"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and file paths; SQLAlchemy needs a driver name."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            # Let us issue BEGIN ourselves (pysqlite's implicit transactions are not ours).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("writing") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest alembic revision. Returns the hub id (kept across
    migrations, so a schema change never forces terminals to fetch everything again)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        conn.execution_options(writing=True)
        _backup_before_upgrade(engine, conn, cfg)
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with conn.begin():
            row = conn.execute(
                select(schema.hub_meta.c.value).where(schema.hub_meta.c.key == "hub_id")
            ).first()
            if row is not None:
                return str(row[0])
            hub_id = secrets.token_hex(8)
            conn.execute(schema.hub_meta.insert().values(key="hub_id", value=hub_id))
            conn.execute(schema.hub_meta.insert().values(key="key_rev", value="0"))
            return hub_id


def _backup_before_upgrade(engine: Engine, conn: Connection, cfg: Config) -> Path | None:
    """A SQLite hub file that an upgrade will change is copied first (``VACUUM INTO``,
    ``hub.db.v0002-20261202T1015.bak`` beside it). PostgreSQL upgrades run in one
    transaction (rolled back on failure); take a ``pg_dump`` before upgrading it."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    with conn.begin():
        current = MigrationContext.configure(conn).get_current_revision()
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if current is None or current == head:
        return None  # a new hub has nothing to lose; a current one is not changed
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    backup = Path(path).with_name(f"{Path(path).name}.v{current}-{stamp}.bak")
    copier = sqlite3.connect(path, isolation_level=None)  # VACUUM needs no transaction
    try:
        copier.execute("VACUUM INTO ?", (str(backup),))
    finally:
        copier.close()
    log.info("hub database backed up before upgrade", extra={"backup": str(backup)})
    return backup


class _Job:
    __slots__ = ("future", "work")

    def __init__(self, work: Callable[[Connection], Any]) -> None:
        self.work = work
        self.future: Future[Any] = Future()


class Raw:
    """The driver's own cursor on a connection SQLAlchemy holds in a transaction, for the
    statements run on every push and pull: SQLAlchemy's per-statement bookkeeping costs
    ten times SQLite's own work on them. Driver errors come out as SQLAlchemy's (so
    ``HubDB.write`` still retries collisions and deadlocks). SQL uses ``?`` placeholders."""

    __slots__ = ("_cur", "_db")

    def __init__(self, db: HubDB, conn: Connection | Any) -> None:
        """``conn``: a SQLAlchemy ``Connection``, or a driver connection itself."""
        self._db = db
        driver = conn.connection.driver_connection if isinstance(conn, Connection) else conn
        assert driver is not None
        self._cur = driver.cursor()

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        """A statement whose rows (if any) are not wanted."""
        sql = self._db.sql(sql)
        try:
            self._cur.execute(sql, params)
        except self._db.dbapi_error as exc:
            raise self._db.wrap_error(sql, params, exc) from exc

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = self._db.sql(sql)
        try:
            self._cur.execute(sql, params)
            return list(self._cur.fetchall())
        except self._db.dbapi_error as exc:
            raise self._db.wrap_error(sql, params, exc) from exc

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        sql = self._db.sql(sql)
        try:
            self._cur.executemany(sql, rows)
        except self._db.dbapi_error as exc:
            raise self._db.wrap_error(sql, rows, exc) from exc


class HubDB:
    """The hub's database handle: read and write transactions, dialect helpers."""

    def __init__(self, url: str, *, migrate_schema: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # SQLite has one writer anyway; queueing writers here instead of in SQLite's busy
        # handler keeps latency fair and avoids "database is locked" under a herd.
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self.hub_id = migrate(self.engine) if migrate_schema else ""
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()
        self._inserts: dict[tuple[str, tuple[str, ...]], str] = {}
        self.dbapi_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        self.max_variables = 999  # SQLite's bound-parameter limit (older builds: 999)
        if self.is_sqlite:
            with self.engine.connect() as c:
                driver = c.connection.driver_connection
                limit = getattr(driver, "getlimit", None)
                if limit is not None:  # Python 3.11+
                    self.max_variables = int(limit(9))  # SQLITE_LIMIT_VARIABLE_NUMBER

    def close(self) -> None:
        if self._writer is not None:
            self._jobs.put(None)
            self._writer.join(10)
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def read_raw(self) -> Iterator[Raw]:
        """A read transaction (one snapshot) on a pooled driver connection, without
        SQLAlchemy's connection and transaction objects: for the reads every request
        makes (token lookups, feed pages)."""
        pooled = self.engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver is not None
            if self.is_sqlite:
                driver.execute("BEGIN DEFERRED")  # autocommit otherwise (see make_engine)
            try:
                yield Raw(self, driver)
            finally:
                if self.is_sqlite:
                    driver.execute("COMMIT")
                else:
                    driver.rollback()  # nothing was written
        finally:
            pooled.close()

    @contextmanager
    def _write_once(self) -> Iterator[Connection]:
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self.engine.connect() as conn:
                conn.execution_options(writing=True)
                with conn.begin():
                    yield conn
        finally:
            if lock is not None:
                lock.release()

    def write(self, work: Callable[[Connection], T], *, attempts: int = 6) -> T:
        """Run ``work`` in one write transaction, retrying races (unique-key collisions
        between concurrent pushes, deadlocks, serialisation failures) with backoff."""
        delay = 0.005
        for attempt in range(attempts):
            try:
                with self._write_once() as conn:
                    return work(conn)
            except (IntegrityError, OperationalError) as exc:
                if attempt == attempts - 1:
                    raise HubUnavailable(str(exc)) from exc
                log.info("retrying write after %s", type(exc).__name__)
            except DBAPIError as exc:
                if not exc.connection_invalidated or attempt == attempts - 1:
                    raise HubUnavailable(str(exc)) from exc
            time.sleep(delay * (1 + secrets.randbelow(100) / 100))
            delay *= 2
        raise AssertionError("unreachable")

    def write_grouped(self, work: Callable[[Connection], T], max_group: int = 64) -> T:
        """Like ``write``, but concurrent callers share one transaction (group commit):
        one fsync for many pushes. Each ``work`` sees the ones before it in the group.
        If the group fails, each is run again on its own, so one bad push cannot sink
        the others."""
        return self.submit(work, max_group).result()

    def submit(self, work: Callable[[Connection], T], max_group: int = 64) -> Future[T]:
        """``write_grouped`` without waiting: the future is settled by the writer thread
        (an event loop awaits it with ``asyncio.wrap_future`` instead of parking a
        thread of its pool on it). A future cancelled before its group starts is
        dropped unrun."""
        with self._writer_lock:
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._write_loop, args=(max_group,), name="hub-writer", daemon=True
                )
                self._writer.start()
        job = _Job(work)
        self._jobs.put(job)
        return job.future

    def _write_loop(self, max_group: int) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < max_group:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
            self._run_group([job for job in group if job.future.set_running_or_notify_cancel()])
            if stop:
                return

    def _run_group(self, group: list[_Job]) -> None:
        if len(group) > 1:
            try:
                with self._write_once() as conn:
                    results = [job.work(conn) for job in group]
            except Exception:
                log.info("group commit failed; running its %d writes one by one", len(group))
            else:
                for job, result in zip(group, results, strict=True):
                    job.future.set_result(result)
                return
        for job in group:
            try:
                job.future.set_result(self.write(job.work))
            except BaseException as exc:
                job.future.set_exception(exc)

    def sql(self, text: str) -> str:
        """A hot-path statement written with ``?`` placeholders, in this driver's style."""
        return text if self.is_sqlite else text.replace("?", "%s")

    def raw(self, conn: Connection) -> Raw:
        return Raw(self, conn)

    def wrap_error(self, sql: str, params: Any, exc: Exception) -> BaseException:
        """A driver error as the SQLAlchemy exception ``Connection`` would have raised."""
        return DBAPIError.instance(sql, params, exc, self.dbapi_error, dialect=self.engine.dialect)

    def insert_many(
        self,
        conn: Connection | Raw,
        table: Table,
        rows: list[tuple[Any, ...]],
        skip: tuple[str, ...] = (),
    ) -> None:
        """Bulk insert plain tuples in column order (leaving out ``skip``, e.g. an
        autoincrement key) through the driver's own executemany (SQLAlchemy's per-row
        parameter processing costs more than the insert itself)."""
        if not rows:
            return
        key = (table.name, skip)
        sql = self._inserts.get(key)
        if sql is None:
            names = [c.name for c in table.columns if c.name not in skip]
            cols = ", ".join(f'"{n}"' for n in names)
            sql = f"INSERT INTO {table.name} ({cols}) VALUES "
            self._inserts[key] = sql
        raw = conn if isinstance(conn, Raw) else self.raw(conn)
        width = len(rows[0])
        one = f"({', '.join('?' for _ in range(width))})"
        if len(rows) == 1:
            raw.run(sql + one, rows[0])
            return
        if not self.is_sqlite:
            raw.many(sql + one, rows)  # psycopg pipelines executemany itself
            return
        # SQLite: many rows per statement. executemany steps once per row, and sqlite3
        # lets go of the GIL and takes it back around every step: under load the writer
        # thread then queued for the GIL once per row.
        per = max(1, self.max_variables // width)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            raw.run(sql + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])

    def insert_ignore(self, table: Table) -> Any:
        """``INSERT … ON CONFLICT DO NOTHING`` in this database's dialect."""
        ins = sqlite_insert(table) if self.is_sqlite else pg_insert(table)
        return ins.on_conflict_do_nothing()


def insert_ignore_stmt(conn: Connection, table: Table) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` in the dialect of ``conn``."""
    ins = sqlite_insert(table) if conn.dialect.name == "sqlite" else pg_insert(table)
    return ins.on_conflict_do_nothing()
