"""Codecs fed frames as the manuals print them, split, glued, garbled and overlong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from drivers.codecs import (
    AndCodec,
    LineCodec,
    MitutoyoCodec,
    PatternCodec,
    ScannerCodec,
    ShimadzuCodec,
    SylvacCodec,
    parse_decimal,
)
from drivers.readings import Ack, Reading, Scan, Status

D = Decimal

# (codec factory, frame bytes, status, value, unit, stable, code)
FRAMES = [
    # Mitutoyo Digimatic (USB-ITN): channel, A, sign, value, CR; 9… = error
    (MitutoyoCodec, b"01A+0000.123\r", Status.OK, D("0.123"), "mm", True, None),
    (MitutoyoCodec, b"01A-0012.34\r", Status.OK, D("-12.34"), "mm", True, None),
    (MitutoyoCodec, b"02A+00.04845\r", Status.OK, D("0.04845"), "in", True, None),
    (MitutoyoCodec, b"01A+000.0005\r", Status.OK, D("0.0005"), "in", True, None),
    (MitutoyoCodec, b"91 1\r", Status.ERROR, None, None, False, "91 1"),
    (MitutoyoCodec, b"01A+------\r", Status.NO_VALUE, None, None, False, None),
    # A&D standard format, 2400 7E1, CRLF
    (AndCodec, b"ST,+00123.45  g\r\n", Status.OK, D("123.45"), "g", True, None),
    (AndCodec, b"US,+00123.40  g\r\n", Status.UNSTABLE, D("123.40"), "g", False, None),
    (AndCodec, b"ST,-0001.234 kg\r\n", Status.OK, D("-1.234"), "kg", True, None),
    (AndCodec, b"QT,+0000150 PC\r\n", Status.OK, D("150"), "pcs", True, None),
    (AndCodec, b"ST,+00012.34 mo\r\n", Status.OK, D("12.34"), "mom", True, None),
    (AndCodec, b"OL,+9999999E+19\r\n", Status.OVERLOAD, None, None, False, None),
    (AndCodec, b"OL,-9999999E+19\r\n", Status.UNDERLOAD, None, None, False, None),
    (AndCodec, b"EC,E01\r\n", Status.ERROR, None, None, False, "E01"),
    (AndCodec, b"EC,E11\r\n", Status.ERROR, None, None, False, "E11"),
    (AndCodec, b"ST,---------  g\r\n", Status.NO_VALUE, None, "g", False, None),
    # Shimadzu standard format: sign position, value right-aligned, unit; S/U prefix
    (ShimadzuCodec, b"-  186.65g \r", Status.UNSTABLE, D("-186.65"), "g", False, None),
    (ShimadzuCodec, b"S   21.6865g \r", Status.OK, D("21.6865"), "g", True, None),
    (ShimadzuCodec, b"U-  186.65g \r\n", Status.UNSTABLE, D("-186.65"), "g", False, None),
    (ShimadzuCodec, b"S      oL g \r", Status.OVERLOAD, None, "g", False, None),
    # Sylvac Opto-RS: sign, value, CR; ERRn
    (SylvacCodec, b"+012.345\r", Status.OK, D("12.345"), "mm", True, None),
    (SylvacCodec, b"- 0.4862\r", Status.OK, D("-0.4862"), "in", True, None),
    (SylvacCodec, b" 000.000\r", Status.OK, D("0.000"), "mm", True, None),
    (SylvacCodec, b"ERR3\r", Status.OVERLOAD, None, None, False, "ERR3"),
    (SylvacCodec, b"ERR0\r", Status.ERROR, None, None, False, "ERR0"),
    (SylvacCodec, b"------\r", Status.NO_VALUE, None, None, False, None),
]


@pytest.mark.parametrize(("make", "frame", "status", "value", "unit", "stable", "code"), FRAMES)
def test_documented_frames(make, frame, status, value, unit, stable, code) -> None:  # type: ignore[no-untyped-def]
    (ev,) = make().feed(frame, 1.0)
    assert isinstance(ev, Reading)
    assert (ev.status, ev.value, ev.unit, ev.stable, ev.code) == (status, value, unit, stable, code)
    assert ev.raw == frame.rstrip(b"\r\n")


@pytest.mark.parametrize(("make", "frame"), [(f[0], f[1]) for f in FRAMES])
def test_any_split_and_gluing_gives_the_same_events(make, frame) -> None:  # type: ignore[no-untyped-def]
    whole = [(e.status, e.value) for e in make().feed(frame * 3, 0)]
    assert len(whole) == 3
    data = frame * 3
    for cut in range(1, len(data)):
        codec = make()
        got = codec.feed(data[:cut], 0) + codec.feed(data[cut:], 0)
        assert [(e.status, e.value) for e in got] == whole
    codec = make()
    one_by_one = [e for b in data for e in codec.feed(bytes([b]), 0)]
    assert [(e.status, e.value) for e in one_by_one] == whole


@pytest.mark.parametrize("eol", [b"\r", b"\n", b"\r\n"])
def test_cr_lf_and_crlf_all_end_a_frame(eol: bytes) -> None:
    got = AndCodec().feed(b"ST,+00001.00  g" + eol + b"ST,+00002.00  g" + eol, 0)
    assert [r.value for r in got if isinstance(r, Reading)] == [D("1.00"), D("2.00")]


def test_stx_etx_framing() -> None:
    got = MitutoyoCodec().feed(b"\x0201A+0000.123\x03\x0201A+0000.124\x03", 0)
    assert [r.value for r in got if isinstance(r, Reading)] == [D("0.123"), D("0.124")]


@pytest.mark.parametrize(
    "junk",
    [
        b"\xff\xfe\x80\x00\r",  # wrong baud rate: high-bit bytes
        b"\x1a\x1b@@\r",
        b"hello\r",
        b"ST,NaN      g\r\n",
        b"ST,+inf     g\r\n",
        b"ST,+1E+999  g\r\n",
        b"01A+nan\r",
        b"01A+Infinity\r",
        b"+1e5\r",
    ],
)
def test_garbage_nan_and_infinity_are_never_values(junk: bytes) -> None:
    for make in (MitutoyoCodec, AndCodec, ShimadzuCodec, SylvacCodec):
        for ev in make().feed(junk, 0):
            assert isinstance(ev, Reading)
            assert ev.value is None and not ev.accepted, (make, junk, ev)


def test_garbage_does_not_eat_the_next_good_frame() -> None:
    got = AndCodec().feed(b"\xff\x7f\x80\r\nST,+00005.00  g\r\n", 0)
    assert [e.status for e in got] == [Status.INVALID, Status.OK]
    assert got[1].value == D("5.00")


def test_overlong_unterminated_input_is_bounded_and_recovers() -> None:
    codec = SylvacCodec()
    got = codec.feed(b"9" * 100_000, 0)
    assert [e.code for e in got if isinstance(e, Reading)] == ["too_long"]
    assert len(codec.framer._buf) <= codec.framer.max_len
    # the rest of the babble up to its terminator is dropped, then frames flow again
    got = codec.feed(b"999\r+001.000\r", 0)
    assert [(e.status, e.value) for e in got] == [(Status.OK, D("1.000"))]


def test_unstable_is_never_stable_and_reading_invariants_hold() -> None:
    for ev in AndCodec().feed(b"US,+00001.00  g\r\n" * 3, 0):
        assert isinstance(ev, Reading)
        assert not ev.stable and not ev.accepted
    with pytest.raises(ValueError):
        Reading(Status.UNSTABLE, b"", value=D("1"), stable=True)
    with pytest.raises(ValueError):
        Reading(Status.OVERLOAD, b"", value=D("9999999"))
    with pytest.raises(ValueError):
        Reading(Status.OK, b"", value=D("NaN"), stable=True)


def test_unit_changes_mid_session() -> None:
    a = AndCodec().feed(b"ST,+00123.45  g\r\nST,+0.12345 kg\r\nQT,+0000012 PC\r\n", 0)
    assert [r.unit for r in a if isinstance(r, Reading)] == ["g", "kg", "pcs"]
    s = SylvacCodec().feed(b"+025.400\r+1.00000\r+025.400\r", 0)
    assert [r.unit for r in s if isinstance(r, Reading)] == ["mm", "in", "mm"]
    fixed = MitutoyoCodec(unit="mm").feed(b"01A+000.0001\r", 0)
    assert fixed[0].unit == "mm"  # a 0.0001 mm gauge, set explicitly


def test_acknowledgements_and_commands() -> None:
    a = AndCodec()
    assert a.feed(b"\x06\r\n", 0) == [Ack(True, b"\x06", at=0)]
    nak = a.feed(b"\x15\r\n", 0)[0]
    assert isinstance(nak, Ack) and not nak.ok
    assert a.request("read") == b"Q\r\n" and a.request("tare") == b"T\r\n"
    assert a.request("zero") == b"R\r\n" and a.request("launch") is None
    s = ShimadzuCodec()
    done, refused = s.feed(b"A00\r\nE01\r\n", 0)
    assert isinstance(done, Ack) and done.ok and isinstance(refused, Ack) and not refused.ok
    assert s.request("read") == b"O8\r\n" and s.request("read_stable") == b"O9\r\n"
    assert SylvacCodec().request("read") == b"?\r"
    assert ShimadzuCodec(assume_stable=True).feed(b"   12.00g \r", 0)[0].stable


def test_sylvac_identification_is_not_a_value() -> None:
    codec = SylvacCodec()
    (ev,) = codec.feed(b"SY233.1.2\r", 0)
    assert isinstance(ev, Reading) and ev.value is None
    assert codec.identity == "SY233.1.2"


def test_scanner_framings() -> None:
    got = ScannerCodec().feed(b"JOB-0001\rJOB-0002\nJOB-0003\r\n\x02JOB-0004\x03", 0)
    assert [s.text for s in got if isinstance(s, Scan)] == [
        "JOB-0001",
        "JOB-0002",
        "JOB-0003",
        "JOB-0004",
    ]
    qr = ScannerCodec(framing="stx").feed(b"\x02line1\r\nline2\x03", 0)
    assert isinstance(qr[0], Scan) and qr[0].text == "line1\r\nline2"
    utf8 = ScannerCodec().feed("ロット-7\r".encode(), 0)
    assert isinstance(utf8[0], Scan) and utf8[0].text == "ロット-7"
    bad = ScannerCodec().feed(b"\xff\xfe\xfd\r", 0)
    assert isinstance(bad[0], Reading) and bad[0].status is Status.INVALID


def test_pattern_codec_adds_a_gauge_without_code() -> None:
    codec = PatternCodec(
        pattern=r"(?P<flag>[NG])\s+(?P<value>[+-]?[\d.]+)\s*(?P<unit>\w+)",
        unstable=r"^N$",
        overload=r"OVER",
        error=r"ERR\d+",
    )
    got = codec.feed(b"G  +12.50 mm\rN  +12.7 mm\rG OVER\rERR42\rG nan mm\r", 0)
    summary = [(r.status, r.value, r.unit, r.stable) for r in got if isinstance(r, Reading)]
    assert summary == [
        (Status.OK, D("12.50"), "mm", True),
        (Status.UNSTABLE, D("12.7"), "mm", False),
        (Status.OVERLOAD, None, None, False),
        (Status.ERROR, None, None, False),
        (Status.INVALID, None, None, False),
    ]
    with pytest.raises(ValueError):
        PatternCodec(pattern=r"(\d+)")


def test_parse_decimal_is_strict() -> None:
    assert parse_decimal("+ 00123.450") == D("123.450")
    assert parse_decimal(".5") == D("0.5")
    for bad in ("", "nan", "inf", "-Infinity", "1e3", "1.2.3", "12,5", "+", "0x10"):
        assert parse_decimal(bad) is None, bad


def test_every_codec_is_a_line_codec_with_reset() -> None:
    for make in (MitutoyoCodec, AndCodec, ShimadzuCodec, SylvacCodec, ScannerCodec):
        codec: LineCodec = make()
        codec.feed(b"01A+00", 0)
        codec.reset()
        assert codec.feed(b"\r", 0) == []
