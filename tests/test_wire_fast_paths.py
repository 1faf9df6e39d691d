"""The fast paths of the wire format give exactly what the standard library gives.

The hub stores each event's canonical text and compares it with a repeat push to tell a
duplicate from an id conflict: a single byte of difference between the orjson path and
``json.dumps`` would quarantine honest retries of events stored before the change.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.limits import parse_json
from hub.registry import RegistryError
from wire.events import (
    COUNT,
    DATE,
    DECIMAL,
    IDS,
    OBJ,
    OPTINT,
    OPTSEQS,
    OPTSHA256S,
    OPTSTR,
    PAYLOADS,
    POSINT,
    ROUTE,
    SHA256,
    STEPINFO,
    STR,
    TEXT,
    canonical_json,
    checked_digest,
    from_wire,
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def stdlib(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(values)
def test_canonical_json_is_the_stdlib_text(obj: Any) -> None:
    assert canonical_json(obj) == stdlib(obj)


def test_canonical_json_every_character_and_awkward_values() -> None:
    text = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)
    obj = {"t": text, "é": [2**63 - 1, -(2**63), 2**64, 1e16, 0.1, True], "\U0001f600": None}
    assert canonical_json(obj) == stdlib(obj)


@settings(max_examples=300, deadline=None)
@given(values)
def test_parse_json_reads_what_json_reads(obj: Any) -> None:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        expected: Any = json.loads(body)
    except ValueError:
        return
    if "\x00" in body.decode("utf-8", "replace") or "\\u0000" in body.decode("utf-8", "replace"):
        with pytest.raises(RegistryError):
            parse_json(body)
        return
    got = parse_json(body)
    assert got == expected
    assert stdlib(got) == stdlib(expected)  # same types too: an int stays an int


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"op":123456789012345678901234567890}', {"op": 123456789012345678901234567890}),
        (b'{"a":NaN}', None),
        (b'\xef\xbb\xbf{"a":1}', {"a": 1}),
    ],
)
def test_parse_json_keeps_the_stdlib_rule_where_orjson_differs(body: bytes, expected: Any) -> None:
    got = parse_json(body)
    if expected is None:
        assert got["a"] != got["a"]  # NaN, as json reads it
    else:
        assert got == expected and type(got[next(iter(got))]) is type(expected[next(iter(got))])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"a":"\\ud800"}', "bad_unicode"),
        (b'{"a":"\\udc00x"}', "bad_unicode"),
        (b'{"a":"\\u0000"}', "bad_unicode"),
        (b'{"a":"\x00"}', "malformed_json"),  # a raw control character: not JSON at all
    ],
)
def test_parse_json_refuses_what_no_database_stores(body: bytes, code: str) -> None:
    with pytest.raises(RegistryError) as err:
        parse_json(body)
    assert err.value.code == code


# The envelope of the hand-written events below.
ENVELOPE: dict[str, Any] = {
    "event_id": "e1",
    "terminal_id": "T1",
    "seq": 1,
    "hlc": 1,
    "occurred_at": "2026-01-01T00:00:00+00:00",
    "firm_id": "F1",
    "job_id": "J1",
    "op": 10,
}


@pytest.mark.parametrize(
    "value", ["12.000", "-0.010", "+1", ".5", "1.", " 1.5 ", "1_000.5", "١٢.٣", "1e3", "0E-7"]
)
def test_decimal_fast_path_agrees_with_the_full_parse(value: str) -> None:
    ev = ENVELOPE | {
        "type": "MeasurementTaken",
        "payload": {
            "lot_id": "L",
            "characteristic": "OD",
            "nominal": value,
            "tol_minus": "0.01",
            "tol_plus": "0.01",
            "value": "12",
            "unit": "mm",
        },
    }
    assert from_wire(ev).payload["nominal"] == value
    for bad in ("NaN", "Infinity", "1" * 41, "1.2.3", "", "0x10"):
        with pytest.raises(ValueError):
            from_wire(ev | {"payload": ev["payload"] | {"nominal": bad}})


# One strategy per declared field kind, wide enough to reach the awkward values (any
# character, integers past 64 bits in a route, decimals in exponent form).
_KINDS: dict[str, Any] = {
    STR: st.text(min_size=1, max_size=30),
    OPTSTR: st.none() | st.text(max_size=30),
    TEXT: st.none() | st.text(max_size=30),
    COUNT: st.integers(0, 10**9 - 1),
    POSINT: st.integers(1, 10**9 - 1),
    OPTINT: st.none() | st.integers(-(2**53) + 1, 2**53 - 1),
    OPTSEQS: st.none() | st.lists(st.integers(1, 10**6 - 1), max_size=5),
    IDS: st.lists(st.text(min_size=1, max_size=64), max_size=5),
    DECIMAL: st.decimals(allow_nan=False, allow_infinity=False).map(str),
    DATE: st.dates().map(lambda d: d.isoformat()),
    SHA256: st.text("0123456789abcdef", min_size=64, max_size=64) | st.text(max_size=70),
    OPTSHA256S: st.none()
    | st.lists(st.text("0123456789abcdef", min_size=64, max_size=64), max_size=9),
    STEPINFO: st.none()
    | st.dictionaries(
        st.integers(1, 999).map(str),
        st.fixed_dictionaries(
            {}, optional={"due": st.dates().map(lambda d: d.isoformat()), "note": st.text()}
        ),
        max_size=3,
    ),
    ROUTE: st.lists(
        st.fixed_dictionaries(
            {
                "seq": st.integers(1, 2**70),
                "process": st.text(min_size=1, max_size=8),
                "firm": st.text(min_size=1, max_size=8),
            }
        ),
        min_size=1,
        max_size=4,
    ),
}


def _payload(type_: str) -> Any:
    spec = PAYLOADS[type_]
    fields = {k: _KINDS[kind] for k, kind in spec.items() if kind != OBJ}
    strategy = st.fixed_dictionaries(fields)
    if any(kind == OBJ for kind in spec.values()):  # a correction's replacement
        replacement = st.sampled_from(sorted(set(PAYLOADS) - {"EventCorrected"})).flatmap(
            lambda t: st.fixed_dictionaries({"type": st.just(t), "payload": _payload(t)})
        )
        strategy = st.tuples(strategy, replacement).map(lambda p: p[0] | {"replacement": p[1]})
    return strategy


wire_events = st.sampled_from(sorted(PAYLOADS)).flatmap(
    lambda t: st.fixed_dictionaries(
        {
            "event_id": st.text(min_size=1, max_size=40),
            "terminal_id": st.text(min_size=1, max_size=10),
            "seq": st.integers(0, 2**63 - 1),
            "hlc": st.integers(0, 2**63 - 1),
            "occurred_at": st.datetimes().map(lambda d: d.isoformat()),
            "firm_id": st.text(min_size=1, max_size=10),
            "job_id": st.none() | st.text(max_size=20),
            "op": st.none() | st.integers(0, 2**70),
            "type": st.just(t),
            "payload": _payload(t),
        }
    )
)


@settings(max_examples=400, deadline=None)
@given(wire_events)
def test_checked_digest_is_the_canonical_text_of_every_accepted_event(wire: Any) -> None:
    try:
        ev = from_wire(wire)
    except ValueError:
        return
    assert checked_digest(ev) == ev.content_digest() == stdlib(ev.to_wire())


def test_checked_digest_of_subclassed_values_is_the_canonical_text() -> None:
    class Name(str):
        pass

    ev = from_wire(
        ENVELOPE
        | {
            "event_id": Name("e1"),
            "type": "LotReceived",
            "payload": {"lot_id": Name("L"), "count": 3},
        }
    )
    assert checked_digest(ev) == stdlib(ev.to_wire())
