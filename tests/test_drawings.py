"""Drawings and photos in the core and the wire format, and ``nakama job drawing``: who may
attach, which number and revision a drawing is, what disagrees, and the refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.core import commands, drawings
from app.core.commands import Actor, Command, Refusal
from app.core.state import fold
from app.store import Store, files
from app.sync import photos
from tests.factories import Terminal, job_created
from wire.events import Event, WireError, check_payload

SHA = "ab" * 32
LEAD, HEAT = Actor("F001", "F001-OP-1", "owner"), Actor("F007", "F007-OP-1")


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("SD-2041 rev B", ("SD-2041", "B")),
        ("SD-2041 Rev.C", ("SD-2041", "C")),
        ("SD-2041_revC", ("SD-2041", "C")),
        ("SD-2041 REV-2", ("SD-2041", "2")),
        ("SD-2041 改訂B", ("SD-2041", "B")),
        ("SD-2041", ("SD-2041", "")),
        ("D-2041-C", ("D-2041-C", "")),  # a bare letter is a number, not a revision
        ("", ("", "")),
    ],
)
def test_revision_in_a_drawing_number(text: str, split: tuple[str, str]) -> None:
    assert drawings.split_revision(text) == split


def test_revision_in_a_file_name() -> None:
    assert drawings.revision_in_name("SD-2041_revC.pdf") == "C"
    assert drawings.revision_in_name("/tmp/x/SD-2041 rev D.png") == "D"
    assert drawings.revision_in_name("drawing.pdf") == ""


def _job(drawing_no: str = "SD-2041 rev B") -> tuple[Terminal, list[Event]]:
    t = Terminal("T1", "F001")
    created = job_created(t)
    return t, [replace(created, payload={**created.payload, "drawing_no": drawing_no})]


def _attached(t: Terminal, rev: str, name: str = "x.pdf", sha: str = SHA) -> Event:
    return t.event(
        "DrawingAttached",
        {
            "sha256": sha,
            "file_name": name,
            "content_type": "application/pdf",
            "size": 10,
            "drawing_no": "SD-2041",
            "revision": rev,
        },
    )


def test_only_the_lead_attaches_and_defaults_come_from_job_and_file() -> None:
    _t, evs = _job()
    job = fold(evs)
    cmd = commands.attach_drawing(
        job, LEAD, sha256=SHA, file_name="SD-2041_revC.pdf", content_type="application/pdf", size=9
    )
    assert isinstance(cmd, Command)
    assert (cmd.payload["drawing_no"], cmd.payload["revision"]) == ("SD-2041", "C")
    cmd = commands.attach_drawing(
        job, LEAD, sha256=SHA, file_name="scan.pdf", content_type="application/pdf", size=9
    )
    assert isinstance(cmd, Command) and cmd.payload["revision"] == "B"  # the job's
    refused = commands.attach_drawing(
        job, HEAT, sha256=SHA, file_name="a.pdf", content_type="application/pdf", size=9
    )
    assert isinstance(refused, Refusal) and refused.reason == "not_lead_firm"
    assert isinstance(
        commands.attach_drawing(
            None, LEAD, sha256=SHA, file_name="a.pdf", content_type="application/pdf", size=9
        ),
        Refusal,
    )
    bad = commands.attach_drawing(
        job, LEAD, sha256=SHA, file_name="a.doc", content_type="application/msword", size=9
    )
    assert isinstance(bad, Refusal) and bad.reason == "bad_field"


def test_a_replay_refuses_another_firms_drawing() -> None:
    _t, evs = _job()
    other = _attached(Terminal("T9", "F007"), "Z")
    job = fold([*evs, other])
    assert job is not None and job.drawings == []
    assert [r for _e, r in job.anomalies] == ["not_lead_firm"]


def test_mismatches_are_named() -> None:
    t, evs = _job("SD-2041 rev B")
    job = fold([*evs, _attached(t, "B", "SD-2041_revB.pdf")])
    assert job is not None and drawings.mismatches(job) == []
    job = fold([*evs, _attached(t, "C", "SD-2041_revC.pdf")])
    assert [m.code for m in drawings.mismatches(job)] == ["drawing_rev_mismatch"]  # type: ignore[arg-type]
    job = fold([*evs, _attached(t, "B", "SD-2041_revC.pdf")])
    assert [m.code for m in drawings.mismatches(job)] == ["drawing_file_rev_mismatch"]  # type: ignore[arg-type]
    t2, evs2 = _job("SD-9999")
    job = fold([*evs2, _attached(t2, "A")])
    assert [m.code for m in drawings.mismatches(job)] == ["drawing_no_mismatch"]  # type: ignore[arg-type]
    # Revised after a traveler was printed: the sheet goes with the old revision.
    t3, evs3 = _job("SD-2041")
    first = _attached(t3, "B")
    traveler = t3.event(
        "TravelerIssued",
        {"lot_id": "F001-J1-L1", "key_id": "k", "format_version": 1, "digest": "d"},
    )
    second = _attached(t3, "C", sha="cd" * 32)
    job = fold([*evs3, first, traveler, second])
    assert job is not None
    ms = drawings.mismatches(job)
    assert [(m.code, m.shown, m.expected) for m in ms] == [
        ("drawing_revised_after_traveler", "C", "B")
    ]
    assert drawings.mismatches(job, job.drawings[0]) == []  # the old one, as printed


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"sha256": "xyz"}, "bad_field"),
        ({"content_type": "text/html"}, "bad_field"),
        ({"size": 0}, "bad_field"),
        ({"extra": 1}, "unknown_field"),
    ],
)
def test_the_wire_refuses_bad_drawings(payload: dict, code: str) -> None:  # type: ignore[type-arg]
    good = {
        "sha256": SHA,
        "file_name": "a.pdf",
        "content_type": "application/pdf",
        "size": 10,
        "drawing_no": "",
        "revision": "",
    }
    check_payload("DrawingAttached", good)
    with pytest.raises(WireError) as exc:
        check_payload("DrawingAttached", good | payload)
    assert exc.value.code == code


def test_photos_on_a_defect_are_checked() -> None:
    base = {"lot_id": "L", "code": "BURR", "count": 1, "disposition": "rework", "note": ""}
    check_payload("DefectRecorded", base)
    check_payload("DefectRecorded", base | {"photos": [SHA]})
    for bad in (["nothex"], [SHA] * 9, SHA):
        with pytest.raises(WireError):
            check_payload("DefectRecorded", base | {"photos": bad})
    # A record without photos reads exactly as before (no empty list on the wire).
    t, evs = _job()
    lot = "F001-J1-L1"
    evs.append(t.event("LotReceived", {"lot_id": lot, "count": 5}, op=10))
    evs.append(t.event("OpStarted", {"lot_id": lot}, op=10))
    job = fold(evs)
    plain = commands.record_defect(job, LEAD, lot, 10, "BURR", 1, photos=[])
    shot = commands.record_defect(job, LEAD, lot, 10, "BURR", 1, photos=[SHA, SHA])
    assert isinstance(plain, Command) and "photos" not in plain.payload
    assert isinstance(shot, Command) and shot.payload["photos"] == [SHA]


def test_files_are_typed_by_their_bytes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", firm_id="F001") as store:
        with pytest.raises(files.FileRefused) as exc:
            files.put_bytes(store, b"<html>")
        assert exc.value.code == "not_a_drawing"
        with pytest.raises(files.FileRefused):
            files.put_photo(store, b"%PDF-1.4 a pdf is no photo")
        kept = files.put_bytes(store, b"\x89PNG\r\n\x1a\n....")
        assert kept.content_type == "image/png" and files.path_of(store, kept.sha256) == kept.path


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAKAMA_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.delenv("NAKAMA_PIN", raising=False)


def test_cli_create_with_a_drawing_and_attach_a_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "n.db")
    assert main(["settings", "set", "firm", "F001"]) == 0
    assert main(["--db", db, "operators", "add", "社長", "--role", "owner"]) == 0
    owner = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["operator_id"]
    pdf = tmp_path / "SD-2041_revB.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a drawing\n")
    due = (date.today() + timedelta(days=10)).isoformat()
    args = ["--db", db, "job", "create", "--part", "P", "--qty", "5", "--due", due]
    args += ["--route", "10:LATHE:F001,20:HEAT:F007", "--drawing", "SD-2041 rev B"]
    assert main([*args, "--drawing-file", str(pdf), "--operator", owner]) == 0
    out = json.loads(capsys.readouterr().out)
    job_id = out["job_id"]
    assert (out["drawing"]["drawing_no"], out["drawing"]["revision"]) == ("SD-2041", "B")
    # A new revision later; then a file that is no drawing is refused, nothing recorded.
    newer = tmp_path / "SD-2041_revC.pdf"
    newer.write_bytes(b"%PDF-1.4\n% revision C\n")
    assert main(["--db", db, "job", "drawing", job_id, str(newer), "--operator", owner]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["type"] == "DrawingAttached" and ev["payload"]["revision"] == "C"
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    assert main(["--db", db, "job", "drawing", job_id, str(txt), "--operator", owner]) == 1
    assert "[not_a_drawing]" in capsys.readouterr().err
    assert main(["--db", db, "job", "show", job_id, "--json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert [d["revision"] for d in view["drawings"]] == ["B", "C"]
    assert view["drawing_mismatches"] == [
        {"code": "drawing_rev_mismatch", "shown": "C", "expected": "B"}
    ]
    with Store.open(db) as s:
        job = s.job(job_id)
        assert job is not None and [d.revision for d in job.drawings] == ["B", "C"]
        assert [m.code for m in drawings.mismatches(job)] == ["drawing_rev_mismatch"]
        assert photos.stats(s) == {"pending": 2}  # both files wait for the hub
