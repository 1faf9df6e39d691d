"""Codecs: pure bytes → events, one per device family, chosen by ``codec=`` in the URL."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from drivers.codecs.aandd import AndCodec
from drivers.codecs.base import LineCodec, LineFramer, parse_decimal
from drivers.codecs.mitutoyo import MitutoyoCodec
from drivers.codecs.pattern import PatternCodec
from drivers.codecs.scanner import ScannerCodec
from drivers.codecs.shimadzu import ShimadzuCodec
from drivers.codecs.sylvac import SylvacCodec
from drivers.url import DeviceUrl, DeviceUrlError


def _unit(url: DeviceUrl) -> str:
    unit = (url.get("unit") or "auto").lower()
    if unit not in ("auto", "mm", "in"):
        raise DeviceUrlError("bad_option", f"unit={unit!r}: use auto, mm or in")
    return unit


def _pattern(url: DeviceUrl) -> LineCodec:
    pattern = url.get("pattern")
    if not pattern:
        raise DeviceUrlError("bad_option", "codec=line needs pattern=… with a (?P<value>…) group")
    try:
        return PatternCodec(
            pattern=pattern,
            unit=url.get("unit"),
            stable=url.get("stable"),
            unstable=url.get("unstable"),
            overload=url.get("overload"),
            error=url.get("error"),
        )
    except Exception as exc:  # re.error or a missing group: a setting problem, not a crash
        raise DeviceUrlError("bad_option", f"pattern: {exc}") from None


CODECS: dict[str, Callable[[DeviceUrl], LineCodec]] = {
    "mitutoyo": lambda u: MitutoyoCodec(unit=_unit(u)),
    "and": lambda u: AndCodec(),
    "shimadzu": lambda u: ShimadzuCodec(assume_stable=u.get("stability") == "assume"),
    "sylvac": lambda u: SylvacCodec(unit=_unit(u)),
    "scanner": lambda u: ScannerCodec(framing=u.get("framing") or "line"),
    "line": _pattern,
}


def make_codec(url: DeviceUrl, default: str | None = None) -> LineCodec:
    """The codec a URL asks for (``codec=``), with its ``request=`` override applied."""
    name = (url.get("codec") or default or "").lower()
    if name not in CODECS:
        raise DeviceUrlError("unknown_codec", f"codec={name!r}: one of {', '.join(CODECS)}")
    codec = CODECS[name](url)
    request = url.get("request")
    if request is not None:
        # Given percent-encoded, e.g. request=Q%0D%0A; a per-instance copy, never shared.
        codec.commands = {**codec.commands, "read": unquote_to_bytes(request)}
    return codec


__all__ = [
    "CODECS",
    "AndCodec",
    "LineCodec",
    "LineFramer",
    "MitutoyoCodec",
    "PatternCodec",
    "ScannerCodec",
    "ShimadzuCodec",
    "SylvacCodec",
    "make_codec",
    "parse_decimal",
]
