"""The traveler QR format: round trip, every verdict, tampering, and a fuzzed parser."""

from __future__ import annotations

import os
import zlib
from datetime import timedelta

import base45
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import traveler as tv
from app.core import traveler_job as tj
from app.core.traveler import PREFIX, Verdict, encode, verify
from tests.traveler_helpers import NOW, directory, make_key, route, traveler


@pytest.mark.parametrize("n_ops", [1, 5, 12])
def test_round_trip_gives_back_the_same_traveler(n_ops: int) -> None:
    k, kid, pub = make_key()
    t = traveler(n_ops)
    text = encode(t, k, kid)
    assert text.startswith(PREFIX)
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    v = verify(text, directory(pub), NOW)
    assert v.verdict is Verdict.VALID and v.ok
    assert v.traveler == t
    assert v.key_id == kid


def test_odd_lot_names_terminals_and_times_survive() -> None:
    k, kid, pub = make_key()
    t = traveler(
        3,
        lot_id="LOT/B-007",
        parent_lot="F001-261129-7K3Q-01",  # leading zero: must stay text, not become 1
        job_qty=500,
        route=tv.Route((tv.Operation(5, "ANODIZE", "X-9"),)),
        origin=tv.JobOrigin(
            "0190f1e2-0000-7000-8000-000000000001", "pc-7", 1, 5, "2026-11-29T04:20:00", None
        ),
    )
    assert verify(encode(t, k, kid), directory(pub), NOW).traveler == t


def test_scanner_noise_and_caps_lock_are_tolerated() -> None:
    k, kid, pub = make_key()
    text = encode(traveler(), k, kid)
    assert verify(text + "\r\n", directory(pub), NOW).ok
    # A wedge scanner with Caps Lock on types lower case; Base45 has no lower case.
    assert verify(text.lower(), directory(pub), NOW).ok


def _flips(raw: bytes) -> list[bytes]:
    out = []
    for i in range(len(raw)):
        for bit in range(8):
            bad = bytearray(raw)
            bad[i] ^= 1 << bit
            out.append(bytes(bad))
    return out


@pytest.mark.parametrize("n_ops", [1, 12])
def test_every_bit_flip_of_the_signed_payload_is_detected(n_ops: int) -> None:
    k, kid, pub = make_key()
    text = encode(traveler(n_ops), k, kid)
    raw = base45.b45decode(text[len(PREFIX) :])
    signed = zlib.decompress(raw) if raw[0] == 0x78 else raw
    verdicts: set[str] = set()
    for bad in _flips(signed):
        v = verify(PREFIX + base45.b45encode(bad).decode(), directory(pub), NOW)
        assert v.verdict is not Verdict.VALID, bad.hex()
        verdicts.add(v.verdict)
    assert {Verdict.BAD_SIGNATURE, Verdict.MALFORMED} <= verdicts


def test_bit_flips_of_the_compressed_form_never_change_the_traveler() -> None:
    k, kid, pub = make_key()
    t = traveler(12)
    # Version 1 spelled firm codes out, so a 12-op route compressed (version 2 packs them
    # as numbers and mostly does not): the zlib path is read for old paper.
    raw = base45.b45decode(encode(t, k, kid, version=1)[4:])
    assert raw[0] == 0x78, "12 ops compress; this test needs the zlib form"
    passed = 0
    for bad in _flips(raw):
        v = verify("NK1:" + base45.b45encode(bad).decode(), directory(pub), NOW)
        if v.ok:
            # Deflate has bits that carry nothing (e.g. padding); the signed bytes, and so
            # the traveler, are unchanged. Anything else would be a forgery.
            assert v.traveler == t
            passed += 1
    assert passed < len(raw)  # a handful of don't-care bits, not a hole


def test_an_altered_quantity_is_a_bad_signature() -> None:
    k, kid, pub = make_key()
    good = encode(traveler(qty=120), k, kid)
    other_k, _, _ = make_key()
    # Same key id, different signer: the attacker re-signed with a key they own.
    forged = encode(traveler(qty=1200), other_k, kid)
    assert verify(good, directory(pub), NOW).ok
    v = verify(forged, directory(pub), NOW)
    assert v.verdict is Verdict.BAD_SIGNATURE
    assert v.traveler is not None and v.traveler.qty == 1200


def test_a_firm_not_in_the_directory_is_an_unknown_key() -> None:
    k, kid, _ = make_key("F099")
    _, _, pub_f001 = make_key("F001")
    v = verify(encode(traveler(issuer="F099"), k, kid), directory(pub_f001), NOW)
    assert v.verdict is Verdict.UNKNOWN_KEY
    assert v.traveler is not None and v.traveler.issuer == "F099"


def test_a_key_of_another_firm_does_not_sign_for_this_one() -> None:
    k, kid, pub = make_key("F007")
    # F007's key, but the traveler claims F001 issued it.
    v = verify(encode(traveler(issuer="F001"), k, kid), directory(pub), NOW)
    assert v.verdict is Verdict.UNKNOWN_KEY


def test_expired_and_revoked_keys() -> None:
    k, kid, expired = make_key(valid_until=NOW - timedelta(days=1))
    t = traveler(issued_at=NOW - timedelta(days=3))
    assert verify(encode(t, k, kid), directory(expired), NOW).verdict is Verdict.EXPIRED_KEY
    k, kid, revoked = make_key(revoked_at=NOW - timedelta(hours=1))
    assert verify(encode(t, k, kid), directory(revoked), NOW).verdict is Verdict.REVOKED_KEY
    # Claimed issue date before the key existed: backdating with a new key is refused.
    k, kid, young = make_key(valid_from=NOW - timedelta(days=1))
    assert verify(encode(t, k, kid), directory(young), NOW).verdict is Verdict.EXPIRED_KEY


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("", Verdict.NOT_NAKAMA),
        ("https://example.com/", Verdict.NOT_NAKAMA),
        ("4901234567894", Verdict.NOT_NAKAMA),
        ("HC1:6BFOXN%TS3DH0YOJ58S", Verdict.NOT_NAKAMA),
        ("NK3:6BFOXN%TS3DH0YOJ58S", Verdict.UNSUPPORTED_VERSION),
        ("NK2:", Verdict.MALFORMED),
        ("NK0:", Verdict.UNSUPPORTED_VERSION),
        ("NK1:", Verdict.MALFORMED),
        ("NK1:::::", Verdict.MALFORMED),
        ("NK1:ABC", Verdict.MALFORMED),
        ("NK1:" + "A" * 5000, Verdict.MALFORMED),
        ("NK1:" + "0" * 4290, Verdict.MALFORMED),
        ("NK1:ぬこ", Verdict.MALFORMED),
    ],
)
def test_garbage_gets_a_clear_verdict(text: str, verdict: Verdict) -> None:
    _, _, pub = make_key()
    assert verify(text, directory(pub), NOW).verdict is verdict


def test_a_zip_bomb_is_malformed_not_a_memory_spike() -> None:
    import zlib

    bomb = zlib.compress(b"\x00" * 10_000_000, 9)
    text = PREFIX + base45.b45encode(bomb).decode()
    _, _, pub = make_key()
    v = verify(text, directory(pub), NOW)
    assert v.verdict is Verdict.MALFORMED


def test_an_oversized_traveler_is_refused_at_encoding() -> None:
    k, kid, _ = make_key()
    big = traveler(origin=tv.JobOrigin("0190f1e2-0000-7000-8000-000000000001", "T", 1, 1,
                                       "x", os.urandom(800).hex()))  # fmt: skip
    with pytest.raises(tv.TravelerError) as err:
        encode(big, k, kid, version=1)  # version 1 carried the note: it can overflow
    assert err.value.code == "too_large"


@pytest.mark.parametrize("schema", [1, 2])
def test_old_paper_still_verifies_and_rebuilds_its_job_exactly(schema: int) -> None:
    """A version-1 code (printed before the note left the code) reads as before: the note
    comes back, and the rebuilt JobCreated is the original, note and all."""
    k, kid, pub = make_key()
    note = "熱処理後 HRC58〜62。端面バリなきこと。"
    t = traveler(12)
    assert t.origin is not None
    origin = tv.JobOrigin(t.origin.event_id, t.origin.terminal_id, t.origin.seq, t.origin.hlc,
                          t.origin.occurred_at, note, schema,
                          "OP-0012" if schema == 2 else None)  # fmt: skip
    t = traveler(12, origin=origin)
    text = encode(t, k, kid, version=1)
    assert text.startswith("NK1:")
    v = verify(text, directory(pub), NOW)
    assert v.ok and v.traveler == t
    ev = tj.job_created_event(v.traveler)
    assert ev is not None and ev.payload["note"] == note and ev.schema_version == schema


def test_version_2_keeps_the_note_out_of_the_code() -> None:
    k, kid, pub = make_key()
    t = traveler(12)
    assert t.origin is not None

    def with_note(note: str) -> tv.Traveler:
        assert t.origin is not None
        return traveler(12, origin=tv.JobOrigin(
            t.origin.event_id, t.origin.terminal_id, t.origin.seq, t.origin.hlc,
            t.origin.occurred_at, note, 2, "OP-0012"))  # fmt: skip

    text = encode(with_note(os.urandom(90).hex()), k, kid)
    short = encode(with_note("x"), k, kid)
    assert text.startswith("NK2:") and abs(len(text) - len(short)) <= 3
    v = verify(text, directory(pub), NOW)
    assert v.ok and v.traveler is not None and v.traveler.origin is not None
    assert v.traveler.origin.note is None  # left out: it is printed on the sheet
    ev = tj.job_created_event(v.traveler)
    assert ev is not None and "note" not in ev.payload and ev.operator == "OP-0012"


def test_job_created_event_is_a_valid_jobcreated() -> None:
    from wire.events import from_wire

    ev = tj.job_created_event(traveler(4))
    assert ev is not None
    again = from_wire(ev.to_wire())
    assert again.type == "JobCreated" and again.firm_id == "F001"
    assert again.payload["route"] == route(4).to_dicts()
    assert tj.job_created_event(traveler(origin=None)) is None


def test_traveler_view_marks_our_ops() -> None:
    from datetime import date

    t = traveler(5)  # firms F001, F008, F015, F022, F029
    view = tj.traveler_view(t, "F015", today=date(2026, 12, 10))
    assert view.my_ops == (30,)
    assert [s.mine for s in view.steps] == [False, False, True, False, False]
    assert view.days_left == 10 and view.for_us
    assert not tj.traveler_view(t, "F777", today=date(2026, 12, 10)).for_us


_directory = directory(make_key()[2])
_key, _kid, _pub = make_key()
_valid = encode(traveler(3), _key, _kid)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_parser_never_crashes_on_any_text(text: str) -> None:
    v = verify(text, _directory, NOW)
    assert isinstance(v.verdict, Verdict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700), st.booleans())
def test_parser_never_crashes_on_any_payload_bytes(raw: bytes, zipped: bool) -> None:
    import zlib

    body = zlib.compress(raw) if zipped else raw
    v = verify(PREFIX + base45.b45encode(body).decode(), _directory, NOW)
    assert v.verdict in (Verdict.MALFORMED, Verdict.UNKNOWN_KEY, Verdict.BAD_SIGNATURE)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_valid_codes_never_pass(data: st.DataObject) -> None:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    body = list(_valid[len(PREFIX) :])
    i = data.draw(st.integers(0, len(body) - 1))
    c = data.draw(st.sampled_from(chars).filter(lambda ch: ch != body[i]))
    body[i] = c
    v = verify(PREFIX + "".join(body), directory(_pub), NOW)
    # Base45 has slack: some texts decode to the same bytes. Those must stay the traveler.
    if v.ok:
        assert v.traveler == verify(_valid, directory(_pub), NOW).traveler


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_crashes_after_the_prefix(rest: str) -> None:
    v = verify(PREFIX + rest, _directory, NOW)
    assert v.verdict in (Verdict.MALFORMED, Verdict.UNKNOWN_KEY, Verdict.BAD_SIGNATURE)
