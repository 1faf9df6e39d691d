"""What each simulated device writes on the wire: pure functions, value → frame bytes,
following the formats in the manufacturers' manuals (see the codec docstrings)."""

from __future__ import annotations


def _signed(value: float, width: int, decimals: int, plus: str = "+") -> str:
    sign = "-" if value < 0 else plus
    return sign + f"{abs(value):0{width}.{decimals}f}"


def mitutoyo(value: float, decimals: int = 3) -> bytes:
    return f"01A{_signed(value, 8, decimals)}\r".encode()


def mitutoyo_error(channel: int = 1, code: str = "1") -> bytes:
    return f"9{channel} {code}\r".encode()


def and_balance(value: float, *, stable: bool, unit: str = "g", decimals: int = 2) -> bytes:
    header = "ST" if stable else "US"
    return f"{header},{_signed(value, 8, decimals)}{unit:>3}\r\n".encode()


def and_overload(negative: bool = False) -> bytes:
    return b"OL,-9999999E+19\r\n" if negative else b"OL,+9999999E+19\r\n"


def and_error(code: str = "E11") -> bytes:
    return f"EC,{code}\r\n".encode()


def shimadzu(value: float, *, stable: bool | None, unit: str = "g", decimals: int = 2) -> bytes:
    flag = "" if stable is None else ("S" if stable else "U")
    sign = "-" if value < 0 else " "
    return f"{flag}{sign}{abs(value):>8.{decimals}f}{unit:<2}\r".encode()


def shimadzu_overload(unit: str = "g") -> bytes:
    return f"S {'oL':>8}{unit:<2}\r".encode()


def sylvac(value: float, decimals: int = 3) -> bytes:
    return f"{_signed(value, 7, decimals)}\r".encode()


def sylvac_error(code: int = 3) -> bytes:
    return f"ERR{code}\r".encode()


def scanner(text: str, eol: str = "cr") -> bytes:
    body = text.encode()
    if eol == "stx":
        return b"\x02" + body + b"\x03"
    return body + {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n"}[eol]
