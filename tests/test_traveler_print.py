"""Round trip on paper: issue -> PDF -> rendered page (pdftoppm) -> decode -> verify.

Decoding uses zxing-cpp directly; the scan helper's pipeline plugs in later.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp

from app.cli import main
from app.core.job_input import job_spec
from app.core.traveler import verify
from app.store import Store
from app.store.keyring import key_directory
from app.store.travelers import Refusal, prepare
from app.ui.traveler_print import fix_to_unicode, write_pdf
from tests.factories import raw
from tests.traveler_helpers import PROCESSES

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) not installed",
)


def _route(n: int) -> str:
    return ",".join(f"{10 * (i + 1)}:{PROCESSES[i]}:F{(i * 7) % 40 + 1:03d}" for i in range(n))


@pytest.fixture(scope="module")
def lead(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = Store.open(tmp_path_factory.mktemp("lead") / "lead.db", firm_id="F001")
    for n in range(1, 13):
        spec = job_spec(
            {"id": f"F001-261129-R{n:03d}", "part": f"SHAFT-{n:02d}", "qty": str(10 * n),
             "due": "2026-12-24", "route": _route(n), "drawing": "DWG-77"},
            firm="F001", today=date(2026, 11, 29),
        )  # fmt: skip
        assert s.record(raw("JobCreated", spec.payload(), job_id=spec.job_id)).ok
    yield s
    s.close()


def _render(pdf: Path, dpi: int) -> np.ndarray:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-gray",
            "-png",
            "-singlefile",
            str(pdf),
            str(pdf.with_suffix("")),
        ],
        check=True,
    )
    img = cv2.imread(str(pdf.with_suffix(".png")), cv2.IMREAD_GRAYSCALE)
    assert img is not None
    return img


def _decode(img: np.ndarray) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("n_ops", range(1, 13))
def test_issue_print_render_decode_verify(
    lead: Store, tmp_path: Path, n_ops: int, lang: str
) -> None:
    job_id = f"F001-261129-R{n_ops:03d}"
    prepared = prepare(lead, job_id)
    assert not isinstance(prepared, Refusal)
    pdf = tmp_path / "t.pdf"
    # The directory knows every other firm of the route (one with a long name); the
    # rest are printed by their codes alone.
    firms = sorted({f"F{(i * 7) % 40 + 1:03d}" for i in range(n_ops)})
    names = {
        f: ("川崎めっき工業株式会社" if f == "F008" else f"大田第{f[1:]}製作所") for f in firms[1:]
    }
    facts = write_pdf(prepared.traveler, prepared.text, pdf, lang=lang, firm_names=names)
    assert facts.error == "Q"
    # 100 dpi is a poor scan of the sheet: the QR still needs to come through it.
    codes = _decode(_render(pdf, 100))
    assert codes == [prepared.text]
    v = verify(codes[0], key_directory(lead), datetime.now(UTC))
    assert v.ok and v.traveler == prepared.traveler
    text = _text(pdf)
    assert job_id in text and f"SHAFT-{n_ops:02d}" in text
    for firm in firms:
        assert firm in text
    for name in names.values():
        assert name in text.replace(" ", "")
    if lang == "ja":
        assert "工程" in text and "納期" in text and "⼯" not in text
    else:
        assert "Due" in text and "Process" in text


@pytest.mark.parametrize("n_ops", [1, 12])
def test_label_round_trip(lead: Store, tmp_path: Path, n_ops: int) -> None:
    prepared = prepare(lead, f"F001-261129-R{n_ops:03d}")
    assert not isinstance(prepared, Refusal)
    pdf = tmp_path / "label.pdf"
    write_pdf(prepared.traveler, prepared.text, pdf, lang="ja", fmt="label")
    # A 300 dpi label printer's resolution.
    assert _decode(_render(pdf, 300)) == [prepared.text]
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "176 x 283 pts" in out  # 62 x 100 mm, rounded to points


def test_fonts_are_embedded(lead: Store, tmp_path: Path) -> None:
    prepared = prepare(lead, "F001-261129-R005")
    assert not isinstance(prepared, Refusal)
    pdf = tmp_path / "f.pdf"
    write_pdf(prepared.traveler, prepared.text, pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert any("NotoSansCJK" in r[0] for r in rows)
    assert all("yes" in r[-5:-2][0] for r in rows)  # the 'emb' column


def test_to_unicode_fix_keeps_length_and_glyph_codes() -> None:
    cmap = (
        b"2 beginbfrange\n<2F2F> <2F30> [<2F2F> <7A0B>]\nendbfrange\n"
        b"1 beginbfchar\n<2F47> <2F47>\nendbfchar"
    )
    fixed = fix_to_unicode(cmap)
    assert len(fixed) == len(cmap)
    assert fixed == cmap.replace(b"[<2F2F>", b"[<5DE5>").replace(b"<2F47> <2F47>", b"<2F47> <65E5>")


def _owner(db: str) -> None:
    """The shop's owner, entered first on a new terminal, with badge code BOSS."""
    Store.open(db, firm_id="F001").close()
    assert (
        main(["--db", db, "operators", "add", "山田 太郎", "--role", "owner", "--badge", "BOSS"])
        == 0
    )


def test_cli_print_records_the_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "n.db"
    _owner(str(db))
    create = ["job", "create", "--firm", "F001", "--id", "F001-X-1", "--part", "P", "--qty",
              "3", "--due", "2026-12-01", "--route", _route(2), "--operator", "BOSS"]  # fmt: skip
    assert main(["--db", str(db), *create]) == 0
    out = tmp_path / "x.pdf"
    # Without an operator nothing is signed or written.
    assert main(["--db", str(db), "traveler", "print", "F001-X-1", "--out", str(out)]) == 1
    assert not out.exists()
    assert "no_operator" in capsys.readouterr().err
    printed = ["traveler", "print", "F001-X-1", "--out", str(out), "--lang", "en"]
    assert main(["--db", str(db), *printed, "--operator", "BOSS"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert out.exists() and not out.with_name("x.pdf.part").exists()
    with Store.open(db) as s:
        issued = [e for e in s.job_events("F001-X-1") if e.type == "TravelerIssued"]
    assert len(issued) == 1 and issued[0].payload["key_id"] == result["key_id"]
    assert issued[0].operator is not None and issued[0].operator.startswith("F001-OP-")
    code = _decode(_render(out, 100))[0]
    assert main(["--db", str(db), "traveler", "verify", code]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "valid"
    assert main(["--db", str(db), "traveler", "verify", "hello"]) == 1
    assert json.loads(capsys.readouterr().out)["verdict"] == "not_nakama"


def test_printed_traveler_through_nakama_decode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The lead prints; another firm's terminal photographs the sheet and trusts it only
    once it holds the lead terminal's public key."""
    lead, heat = str(tmp_path / "lead.db"), str(tmp_path / "heat.db")
    _owner(lead)
    create = ["job", "create", "--firm", "F001", "--id", "F001-D-1", "--part", "SHAFT", "--qty",
              "20", "--due", "2026-12-01", "--route", _route(5), "--operator", "BOSS"]  # fmt: skip
    assert main(["--db", lead, *create]) == 0
    pdf = tmp_path / "d.pdf"
    printed = ["traveler", "print", "F001-D-1", "--out", str(pdf), "--operator", "BOSS"]
    assert main(["--db", lead, *printed]) == 0
    png = tmp_path / "photo.png"
    cv2.imwrite(str(png), _render(pdf, 150))
    capsys.readouterr()

    def decoded(db: str) -> dict[str, object]:
        assert main(["--db", db, "decode", str(png)]) == 0
        line = json.loads(capsys.readouterr().out.splitlines()[-1])
        return next(c for c in line["codes"] if c["kind"] == "traveler")

    assert decoded(lead)["verdict"] == "valid"
    assert main(["--db", heat, "keys", "show", "--firm", "F007"]) == 0
    capsys.readouterr()
    unknown = decoded(heat)
    assert unknown["verdict"] == "unknown_key"
    assert unknown["traveler"]["job_id"] == "F001-D-1"  # type: ignore[index]
    assert main(["--db", lead, "keys", "show", "--own"]) == 0
    keyfile = tmp_path / "lead_key.json"
    keyfile.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["--db", heat, "keys", "import", str(keyfile)]) == 0
    capsys.readouterr()
    assert decoded(heat)["verdict"] == "valid"


def test_text_extraction_finds_the_real_kanji(lead: Store, tmp_path: Path) -> None:
    """Characters the font draws with a radical's glyph (長 青 西 黄 …) and the katakana
    middle dot come out of the PDF as themselves, so a search of an archive finds them."""
    prepared = prepare(lead, "F001-261129-R002")
    assert not isinstance(prepared, Refusal)
    firms = {"F008": "長野青西黄麦精機・歯車"}
    pdf = tmp_path / "k.pdf"
    t = prepared.traveler
    route = type(t.route)(tuple(type(op)(op.seq, op.process, "F008") for op in t.route.ops))
    write_pdf(
        type(t)(**{**{f: getattr(t, f) for f in t.__dataclass_fields__}, "route": route}),
        prepared.text,
        pdf,
        lang="ja",
        firm_names=firms,
    )
    text = _text(pdf).replace(" ", "")
    assert "長野青西黄麦精機・歯車" in text
    assert not any(0x2E80 <= ord(c) <= 0x2FDF for c in text)  # no radical look-alikes
    assert "‧" not in text
