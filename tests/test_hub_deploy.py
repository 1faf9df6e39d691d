"""Running the hub for a consortium: no plain HTTP on a reachable address unless said,
database backups (SQLite and PostgreSQL), the container's start script against a
throwaway PostgreSQL, and the compose file and units checked as far as this machine can."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

from hub import backup as hub_backup
from hub import registry, throwaway_pg
from hub.cli import main, plain_http_refusal
from hub.db import HubDB

ROOT = Path(__file__).resolve().parents[1]
HUB = ROOT / "packaging" / "hub"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "hub.example.jp"])
def test_serve_refuses_plain_http_on_a_reachable_address(
    host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NAKAMA_HUB_TRUSTED_PROXIES", raising=False)
    assert main(["serve", "--host", host, "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "[plain_http_refused]" in err and "平文" in err and "in the clear" in err


def test_what_lets_the_hub_listen_beyond_loopback() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert plain_http_refusal(host, False, False, False) == ""
    assert plain_http_refusal("0.0.0.0", True, False, False) == ""  # TLS served here
    assert plain_http_refusal("0.0.0.0", False, True, False) == ""  # behind a TLS proxy
    assert plain_http_refusal("0.0.0.0", False, False, True) == ""  # said on purpose
    assert plain_http_refusal("0.0.0.0", False, False, False)


def test_tls_needs_both_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--tls-cert", "c.pem"]) == 2
    assert "--tls-key" in capsys.readouterr().err


def test_sqlite_hub_backup_is_a_whole_hub_and_old_ones_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    db = HubDB(url)
    registry.add_firm(db, "F001", "山田精機", "ota")
    db.close()
    folder = tmp_path / "bk"
    folder.mkdir()
    for n in range(3):
        (folder / f"nakama-hub-2026010{n}T000000.sqlite").write_bytes(b"old")
    assert main(["--db", url, "backup", "--to", str(folder), "--keep", "2"]) == 0
    made = Path(capsys.readouterr().out.split('"backup": "')[1].split('"')[0])
    assert sorted(p.name for p in folder.iterdir()) == [
        "nakama-hub-20260102T000000.sqlite",
        made.name,
    ]
    copy = HubDB(f"sqlite:///{made}")
    try:
        assert [f["code"] for f in registry.firms(copy)] == ["F001"]
    finally:
        copy.close()
    c = sqlite3.connect(made)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    c.close()


def _pg_url() -> str:
    try:
        return throwaway_pg.fresh_database()
    except throwaway_pg.PostgresUnavailable as exc:
        if not exc.installed:
            pytest.skip(str(exc))
        raise


def test_postgresql_hub_backup_with_pg_dump_restores(tmp_path: Path) -> None:
    url = _pg_url()
    db = HubDB(url)
    registry.add_firm(db, "F007", "大森熱処理", "ota")
    db.close()
    made = hub_backup.backup(url, tmp_path / "bk", keep=14)
    assert made.suffix == ".dump" and made.stat().st_size > 0
    # Into a new, empty database: the hub's firms are back.
    target = throwaway_pg.fresh_database()
    done = subprocess.run(
        ["pg_restore", "--no-owner", "-d", target, str(made)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    copy = HubDB(target)
    try:
        assert [f["code"] for f in registry.firms(copy)] == ["F007"]
    finally:
        copy.close()


def test_backup_failure_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dead = "postgresql://nakama@127.0.0.1:9/nothing"
    assert main(["--db", dead, "backup", "--to", str(tmp_path)]) == 3
    assert "backup failed" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # no half-written file left


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_container_start_script_migrates_and_serves_a_fresh_postgresql(tmp_path: Path) -> None:
    url = _pg_url()
    port = _free_port()
    env = {
        **os.environ,
        "NAKAMA_HUB_DB": url,
        "NAKAMA_HUB_HOST": "127.0.0.1",
        "NAKAMA_HUB_PORT": str(port),
        "NAKAMA_HUB": f"{sys.executable} -m hub",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        ["sh", str(HUB / "entrypoint.sh"), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert answer is not None and answer.status_code == 200
        assert answer.json()["db"] == "postgresql"
        db = HubDB(url)  # migrated: the hub's tables are there
        try:
            assert registry.firms(db) == []
        finally:
            db.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)


def test_compose_file_hub_postgres_proxy_backup() -> None:
    compose = yaml.safe_load((HUB / "docker-compose.yml").read_text(encoding="utf-8"))
    svc = compose["services"]
    assert set(svc) == {"db", "hub", "proxy", "backup"}
    assert svc["hub"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(svc["hub"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(svc["db"]["healthcheck"]["test"])
    assert "pgdata:/var/lib/postgresql/data" in svc["db"]["volumes"]
    assert "ports" not in svc["hub"]  # only through the TLS proxy
    proxy_ip = svc["proxy"]["networks"]["hubnet"]["ipv4_address"]
    assert svc["hub"]["environment"]["NAKAMA_HUB_TRUSTED_PROXIES"] == proxy_ip
    assert "pg_dump" in svc["backup"]["command"][0]
    assert (HUB / svc["hub"]["build"]["context"] / svc["hub"]["build"]["dockerfile"]).exists()
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        env = {**os.environ, "NAKAMA_PG_PASSWORD": "x", "NAKAMA_HUB_DOMAIN": "hub.test"}
        done = subprocess.run(
            ["docker", "compose", "-f", str(HUB / "docker-compose.yml"), "config", "-q"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr


def test_image_installs_exactly_the_hubs_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = set(project["project"]["optional-dependencies"]["hub"])
    wanted |= {d for d in project["project"]["dependencies"] if d.startswith("orjson")}
    docker = (HUB / "Dockerfile").read_text(encoding="utf-8")
    listed = {line.strip().strip('"\\ ').strip('"') for line in docker.splitlines()}
    assert wanted <= listed, wanted - listed
    commands = "\n".join(line for line in docker.splitlines() if not line.startswith("#"))
    assert "--no-deps" in commands and "PySide6" not in commands


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_parse(tmp_path: Path) -> None:
    units = ["nakama-hub.service", "nakama-hub-backup.service", "nakama-hub-backup.timer"]
    for name in units:
        text = (HUB / name).read_text(encoding="utf-8")
        # Point the programs at ones that exist here, so verify checks the unit itself.
        text = text.replace("/opt/nakama-hub/.venv/bin/nakama-hub", "/bin/true")
        text = text.replace("EnvironmentFile=/etc/nakama-hub/env", "")
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in units]],
        capture_output=True,
        text=True,
    )
    problems = [
        line
        for line in done.stderr.splitlines()
        if str(tmp_path) in line and "User=" not in line and "Group=" not in line
    ]
    assert not problems, done.stderr
