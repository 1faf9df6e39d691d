"""Issue 10, against the real hub on loopback (SQLite and PostgreSQL): revocation reaches
the key directory, revoked terminals stay out, lost enrolment answers can be fetched
again, bad tokens and enrolments are limited per client address (believing
X-Forwarded-For only from trusted proxies), photos have a quota and an owning event, and
firms and figures show only what they should."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hub_support import FaultProxy, Hub, Terminal, fresh_db_url, make_terminal, running_hub
from traveler_helpers import traveler

from app.core.traveler import Verdict, encode, verify
from app.store import Store
from app.store.keyring import key_directory, signing_key
from app.sync import enroll
from app.sync.errors import Offline, Unauthorized
from app.sync.photos import queue_photo, upload_pending
from app.sync.syncer import status, sync_until_idle
from hub import cli, registry
from hub.limits import client_address, parse_proxies
from hub.photos import Quota


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_db_url(request.param, tmp_path)


@pytest.fixture
def hub(db_url: str) -> Iterator[Hub]:
    with running_hub(db_url, rate_per_s=1000, burst=1000) as h:
        for f in ("FA01", "FB02"):
            h.add_firm(f)
        yield h


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def hub_cli(hub: Hub, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[Any]]:
    capsys.readouterr()
    rc = cli.main(["--db", hub.db_url, *args])
    out = capsys.readouterr().out
    return rc, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


# -- revocation and the key directory ----------------------------------------------------


def test_revoking_a_terminal_revokes_its_signing_key_everywhere(hub: Hub, tmp_path: Path) -> None:
    """A is revoked at the hub; B syncs the key directory and from then on refuses A's
    travelers: those signed after the revocation, and (by decision: a traveler's signing
    time is the signer's own claim, which a thief sets at will) those signed before."""
    a = make_terminal(hub, tmp_path, "FA01")
    b = make_terminal(hub, tmp_path, "FB02")
    try:
        sync_until_idle(a.syncer)  # A publishes its signing key
        key, kid = signing_key(a.store)
        sync_until_idle(b.syncer)
        before = encode(traveler(issuer="FA01", issued_at=datetime.now(UTC)), key, kid)
        assert verify(before, key_directory(b.store), datetime.now(UTC)).verdict is Verdict.VALID

        revoked_at = time.time()
        assert registry.revoke(hub.admin, a.store.terminal_id)
        after = encode(traveler(issuer="FA01", issued_at=datetime.now(UTC)), key, kid)
        # Until B syncs, B cannot know (offline verification); after, it refuses.
        assert verify(after, key_directory(b.store), datetime.now(UTC)).verdict is Verdict.VALID
        sync_until_idle(b.syncer)
        found = key_directory(b.store).find("FA01", kid)
        assert found is not None and found.revoked_at is not None
        assert abs(found.revoked_at.timestamp() - revoked_at) < 2
        now = datetime.now(UTC)
        assert verify(after, key_directory(b.store), now).verdict is Verdict.REVOKED_KEY
        assert verify(before, key_directory(b.store), now).verdict is Verdict.REVOKED_KEY
        # The hub's own directory says the same, and A itself is shut out.
        keys = httpx.get(f"{hub.url}/v1/keys", headers=auth(b.token)).json()["keys"]
        assert [k["revoked_at"] for k in keys if k["key_id"] == kid] == [
            found.revoked_at.isoformat(timespec="seconds")
        ]
        with pytest.raises(Unauthorized):
            a.syncer.sync_once()
        # Undoing the revocation gives the token back, not the key.
        assert registry.unrevoke(hub.admin, a.store.terminal_id)
        a.syncer.sync_once()
        sync_until_idle(b.syncer)
        assert verify(after, key_directory(b.store), now).verdict is Verdict.REVOKED_KEY
        again = httpx.get(f"{hub.url}/v1/keys", headers=auth(b.token)).json()["keys"]
        assert [k["revoked_at"] for k in again if k["key_id"] == kid] == [
            found.revoked_at.isoformat(timespec="seconds")
        ]
    finally:
        a.close()
        b.close()


def test_only_the_publishing_terminal_changes_its_key(hub: Hub, tmp_path: Path) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    a2 = make_terminal(hub, tmp_path, "FA01")  # the same firm's other terminal
    try:
        sync_until_idle(a.syncer)
        mine = httpx.get(f"{hub.url}/v1/keys", headers=auth(a.token)).json()["keys"][0]
        for change in ({"valid_until": "2099-01-01T00:00:00+00:00"}, {"revoked_at": "2020"}):
            r = httpx.post(f"{hub.url}/v1/keys", json=mine | change, headers=auth(a2.token))
            assert r.status_code == 409 and r.json()["error"] == "key_of_another_terminal"
        assert httpx.get(f"{hub.url}/v1/keys", headers=auth(a.token)).json()["keys"] == [mine]
        r = httpx.post(f"{hub.url}/v1/keys", json=mine, headers=auth(a.token))
        assert r.status_code == 200
    finally:
        a.close()
        a2.close()


def test_a_revoked_terminal_is_never_enrolled_again_until_unrevoked(
    hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_terminal(hub, tmp_path, "FA01")
    tid = a.store.terminal_id
    try:
        rc, _ = hub_cli(hub, capsys, "revoke", tid)
        assert rc == 0
        code = hub.code("FA01")
        with pytest.raises(Unauthorized) as refused:
            enroll(a.store, hub.url, code)
        assert refused.value.code == "terminal_revoked"
        assert a.store.meta("hub_token") == a.token  # nothing changed on the terminal
        r = httpx.get(f"{hub.url}/v1/me", headers=auth(a.token))
        assert r.status_code == 401
        # The office sees it, and the code was not spent by the refused attempt.
        rc, revoked = hub_cli(hub, capsys, "terminals", "--revoked")
        assert rc == 0 and [t["terminal_id"] for t in revoked] == [tid]
        assert revoked[0]["state"] == "revoked" and revoked[0]["revoked_at"]
        other = httpx.post(f"{hub.url}/v1/enroll", json={"code": code, "terminal_id": "TOTHER1"})
        assert other.status_code == 200
        # Only an explicit unrevoke lets the id in again.
        rc, out = hub_cli(hub, capsys, "unrevoke", tid)
        assert rc == 0 and out[0]["unrevoked"] == tid
        assert hub_cli(hub, capsys, "unrevoke", tid)[0] == 1  # not revoked any more
        enroll(a.store, hub.url, hub.code("FA01"))
        token = a.store.meta("hub_token") or ""
        assert token != a.token
        assert httpx.get(f"{hub.url}/v1/me", headers=auth(token)).status_code == 200
        rc, everyone = hub_cli(hub, capsys, "terminals")
        assert {t["terminal_id"]: t["state"] for t in everyone} == {
            tid: "active",
            "TOTHER1": "active",
        }
    finally:
        a.close()


# -- enrolment over a flaky link ---------------------------------------------------------


def test_a_lost_enrolment_answer_can_be_fetched_again_by_the_same_terminal(
    hub: Hub, tmp_path: Path
) -> None:
    proxy = FaultProxy(hub.url)
    store = Store.open(tmp_path / "t.db")
    try:
        code = hub.code("FA01")
        proxy.plan = ["cut"]  # the hub enrols and answers; the answer never arrives
        with pytest.raises(Offline):
            enroll(store, proxy.url, code)
        assert status(store).state == "not_enrolled"
        listed = [t["terminal_id"] for t in registry.terminals(hub.admin)]
        assert store.terminal_id in listed

        def token_hash() -> str:
            with hub.admin.read() as c:
                sql = "SELECT token_hash FROM terminals WHERE terminal_id = '%s'"
                return str(c.exec_driver_sql(sql % store.terminal_id).scalar_one())

        lost = token_hash()
        # Someone else with the same code gets nothing, before or after the retry.
        stranger = {"code": code, "terminal_id": "TSTRANGER"}
        r = httpx.post(f"{hub.url}/v1/enroll", json=stranger)
        assert r.status_code == 403 and r.json() == {"error": "bad_enroll_code"}
        answer = enroll(store, proxy.url, code)  # the terminal simply tries again
        assert answer["reissued"] is True and answer["firm_id"] == "FA01"
        assert token_hash() != lost and token_hash() == registry.digest(answer["token"])
        assert status(store).enrolled
        me = httpx.get(f"{hub.url}/v1/me", headers=auth(answer["token"])).json()
        assert me["terminal_id"] == store.terminal_id
        r = httpx.post(f"{hub.url}/v1/enroll", json=stranger)
        assert r.status_code == 403
        # After the window the code is spent for good, even for the same terminal.
        with hub.admin.engine.begin() as c:
            c.exec_driver_sql(
                f"UPDATE enroll_codes SET used_at = used_at - {registry.REENROLL_WINDOW_S + 1}"
            )
        late = {"code": code, "terminal_id": store.terminal_id}
        r = httpx.post(f"{hub.url}/v1/enroll", json=late)
        assert r.status_code == 403 and r.json()["error"] == "bad_enroll_code"
        assert token_hash() == registry.digest(answer["token"])  # untouched
    finally:
        proxy.close()
        store.close()


# -- bad tokens, caches and client addresses ---------------------------------------------


def test_bad_tokens_are_limited_per_address_and_never_flush_the_cache(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "NEGATIVE_MAX", 40)
    # Cache entries live longer than this test, however slow the machine: the valid token
    # still cached at the end was kept, not re-read after expiring.
    monkeypatch.setattr(registry, "AUTH_TTL_S", 600.0)
    # A slow refill (one bad token per 100 s): a loaded machine taking seconds over these
    # eight requests must not earn a ninth try.
    with running_hub(db_url, bad_token_rate=0.01, bad_token_burst=5) as hub:
        hub.add_firm("FA01")
        a = make_terminal(hub, tmp_path, "FA01")
        try:
            assert httpx.get(f"{hub.url}/v1/me", headers=auth(a.token)).status_code == 200
            got = [httpx.get(f"{hub.url}/v1/feed", headers=auth(f"nkt_guess{i}")) for i in range(8)]
            assert [r.status_code for r in got[:5]] == [401] * 5
            assert all(r.status_code == 429 for r in got[5:])
            assert got[-1].json()["error"] == "rate_limited"
            assert int(got[-1].headers["retry-after"]) >= 1
            # The push fast path answers the same way.
            r = httpx.post(f"{hub.url}/v1/events", json={"events": []}, headers=auth("nkt_x"))
            assert r.status_code == 429 and r.headers["retry-after"]
            # A valid token from the same address still works (it is cached).
            assert httpx.get(f"{hub.url}/v1/me", headers=auth(a.token)).status_code == 200
        finally:
            a.close()
    registry.forget_tokens()
    with running_hub(db_url, bad_token_rate=1000, bad_token_burst=1000) as hub:
        a = make_terminal(hub, tmp_path, "FA01")
        try:
            assert httpx.get(f"{hub.url}/v1/me", headers=auth(a.token)).status_code == 200
            with httpx.Client() as http:
                for i in range(300):
                    r = http.get(f"{hub.url}/v1/me", headers=auth(f"nkt_garbage{i}"))
                    assert r.status_code == 401
            valid, bad = registry.cache_sizes()
            assert valid >= 1 and bad <= 40  # garbage filled only the bounded negative cache
            known, cred = registry.cached_credential(a.token)
            assert known and cred is not None and cred.terminal_id == a.store.terminal_id
        finally:
            a.close()


def test_client_address_believes_forwarded_for_only_from_trusted_proxies() -> None:
    def scope(peer: str, xff: str | None = None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", xff.encode())] if xff else []
        return {"client": (peer, 5000), "headers": headers}

    proxies = parse_proxies(["10.0.0.0/24", "::1"])
    assert client_address(scope("127.0.0.1", "1.2.3.4")) == "127.0.0.1"  # default: none
    assert client_address(scope("127.0.0.1", "1.2.3.4"), proxies) == "127.0.0.1"
    assert client_address(scope("10.0.0.5", "1.2.3.4"), proxies) == "1.2.3.4"
    # A client can put anything at the left end; the right end was written by our proxies.
    assert client_address(scope("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9"), proxies) == "1.2.3.4"
    assert client_address(scope("10.0.0.5"), proxies) == "10.0.0.5"
    assert client_address(scope("::1", "2001:db8::1"), proxies) == "2001:db8::/64"
    assert client_address(scope("2001:db8::1:2:3:4")) == "2001:db8::/64"
    with pytest.raises(ValueError):
        parse_proxies(["not-an-address"])


def test_enrolment_limit_by_forwarded_address_only_behind_a_trusted_proxy(
    db_url: str,
) -> None:
    body = {"code": "AAAA-BBBB-CCCC", "terminal_id": "TX1"}

    def statuses(url: str) -> list[int]:
        return [
            httpx.post(
                f"{url}/v1/enroll", json=body, headers={"X-Forwarded-For": f"198.51.100.{i}"}
            ).status_code
            for i in range(5)
        ]

    with running_hub(db_url, enroll_rate=0.01, enroll_burst=3) as hub:
        # Spoofed headers from an untrusted peer share the peer's bucket.
        assert statuses(hub.url) == [403, 403, 403, 429, 429]
    with running_hub(
        db_url, enroll_rate=0.01, enroll_burst=3, trusted_proxies=parse_proxies(["127.0.0.1"])
    ) as hub:
        assert statuses(hub.url) == [403] * 5  # one bucket per forwarded client


# -- photos -------------------------------------------------------------------------------


def test_photos_need_an_own_event_the_hub_holds_and_keep_to_a_quota(
    db_url: str, tmp_path: Path
) -> None:
    quota = Quota(bytes=3000, count=3)
    with running_hub(db_url, rate_per_s=1000, burst=1000, photo_quota=quota) as hub:
        hub.add_firm("FA01")
        hub.add_firm("FB02")
        a = make_terminal(hub, tmp_path, "FA01")
        b = make_terminal(hub, tmp_path, "FB02")
        try:
            ev = a.record("MachineStateChanged", {"machine": "M1", "state": "stop"})
            files = []
            for i in range(4):
                f = tmp_path / f"defect{i}.jpg"
                f.write_bytes(os.urandom(900 + i))
                files.append(f)
            # Queued while its event still waits in the outbox: held back, not refused.
            pid0 = queue_photo(a.store, files[0], ev.event_id)
            assert upload_pending(a.store, a.syncer.client) == 0
            assert hub.count("photos") == 0
            report = a.syncer.sync_once()  # push first, then the photo
            assert report.photos == 1 and report.photo_error is None

            def announce(t: Terminal, body: dict[str, Any]) -> httpx.Response:
                return httpx.post(f"{hub.url}/v1/photos", json=body, headers=auth(t.token))

            base = {"photo_id": "ab" * 32, "size": 10}
            r = announce(a, base)  # no event
            assert r.status_code == 422 and r.json()["error"] == "bad_event_id"
            r = announce(a, base | {"event_id": "0190b2c4-0000-7000-8000-000000000000"})
            assert r.status_code == 422 and r.json()["error"] == "unknown_event"
            r = announce(b, base | {"event_id": ev.event_id})  # another firm's event
            assert r.status_code == 422 and r.json()["error"] == "unknown_event"

            for f in files[1:3]:
                queue_photo(a.store, f, ev.event_id)
            a.syncer.sync_once()
            assert hub.count("photos") == 3
            r = announce(a, base | {"event_id": ev.event_id})
            assert r.status_code == 413
            assert r.json() == {
                "error": "photo_quota_exceeded",
                "detail": "count",
                "quota": {"bytes": 3000, "count": 3, "used_bytes": 2703, "used_count": 3},
            }
            pid3 = queue_photo(a.store, files[3], ev.event_id)
            report = a.syncer.sync_once()
            assert report.photo_error == "photo_quota_exceeded"
            waiting = a.store.rows(
                "SELECT state, last_error FROM sync_photos WHERE photo_id = ?", (pid3,)
            )
            assert waiting == [{"state": "pending", "last_error": "photo_quota_exceeded"}]
            assert status(a.store).photos_waiting == 1
            # The photo already held announces again without counting twice.
            r = announce(a, {"photo_id": pid0, "size": 900, "event_id": ev.event_id})
            assert r.status_code == 200 and r.json()["complete"] is True
        finally:
            a.close()
            b.close()
    with running_hub(db_url, photo_quota=Quota(bytes=1000, count=10)) as hub:
        a = make_terminal(hub, tmp_path, "FA01")
        try:
            ev = a.record("MachineStateChanged", {"machine": "M1", "state": "run"})
            a.syncer.sync_once()
            with hub.admin.engine.begin() as c:  # what the first hub took counts here too
                used = c.exec_driver_sql(
                    "SELECT sum(size) FROM photos WHERE firm_id = 'FA01'"
                ).scalar_one()
            r = httpx.post(
                f"{hub.url}/v1/photos",
                json={"photo_id": "cd" * 32, "size": 1, "event_id": ev.event_id},
                headers=auth(a.token),
            )
            assert used > 1000 and r.status_code == 413 and r.json()["detail"] == "bytes"
        finally:
            a.close()


# -- what each caller may read -----------------------------------------------------------


def test_equipment_only_to_its_own_firm_and_figures_say_what_they_are(
    hub: Hub, tmp_path: Path
) -> None:
    registry.add_firm(hub.admin, "FC03", "蒲田研削", "ota", ["GRIND"], ["UGM-360"])
    c = make_terminal(hub, tmp_path, "FC03")
    a = make_terminal(hub, tmp_path, "FA01")
    office = registry.office_token(hub.admin)
    try:

        def firms(token: str) -> dict[str, dict[str, Any]]:
            rows = httpx.get(f"{hub.url}/v1/firms", headers=auth(token)).json()["firms"]
            return {f["code"]: f for f in rows}

        seen_by_a = firms(a.token)
        assert "equipment" not in seen_by_a["FC03"] and seen_by_a["FC03"]["processes"] == ["GRIND"]
        assert seen_by_a["FA01"]["equipment"] == []
        assert firms(c.token)["FC03"]["equipment"] == ["UGM-360"]
        assert firms(office)["FC03"]["equipment"] == ["UGM-360"]

        st = httpx.get(f"{hub.url}/v1/stats", headers=auth(office)).json()
        figures = {k for k in st if k not in ("basis", "private_inputs")}
        assert set(st["basis"]) == figures
        assert st["private_inputs"] == ["sales_yen"]
        assert "private" in st["basis"]["sales_yen"] and "never" in st["basis"]["sales_yen"]
        doc = httpx.get(f"{hub.url}/openapi.json").json()
        stats_doc = doc["paths"]["/v1/stats"]["get"]["responses"]["200"]["content"]
        props = stats_doc["application/json"]["schema"]["properties"]
        assert "private" in props["sales_yen"]["description"]
    finally:
        a.close()
        c.close()
