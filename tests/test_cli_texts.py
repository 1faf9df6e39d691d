"""The one catalogue of refusal sentences (``app/texts.py``): complete, and worded as the
screens word the same codes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import texts
from app.core.rules import Reason

ROOT = Path(__file__).resolve().parents[1]


def _codes(pattern: str, *paths: str) -> set[str]:
    found: set[str] = set()
    for p in paths:
        for f in sorted(ROOT.glob(p)):
            found |= set(re.findall(pattern, f.read_text(encoding="utf-8")))
    return found


def test_every_reason_has_both_sentences() -> None:
    for r in Reason:
        ja, en = texts.REASONS[r.value]
        assert ja and en and ja != en, r


def test_every_code_the_terminal_can_refuse_with_is_worded() -> None:
    wire = _codes(r'WireError\(\s*"([a-z_]+)"', "wire/*.py")
    store = _codes(r'return "([a-z_]+)"', "app/store/errors.py")
    refusals = _codes(r'Refusal\(\s*"([a-z_]+)"', "app/**/*.py")
    reasons = _codes(r'reason="([a-z_]+)"', "app/store/*.py")
    job_input = _codes(r'JobInputError\(\s*"([a-z_]+)"', "app/core/*.py")
    assert wire and store and refusals and job_input  # the patterns still find them
    missing = (wire | store | refusals | reasons | job_input) - set(texts.REASONS)
    assert not missing


def test_japanese_is_the_screens_translation_of_the_same_english() -> None:
    ts = ET.parse(ROOT / "resources" / "translations" / "nakama_ja.ts")
    screens = {m.findtext("source"): m.findtext("translation") for m in ts.iter("message")}
    shared = [(code, ja, en) for code, (ja, en) in texts.REASONS.items() if en in screens]
    assert len(shared) >= 25
    for code, ja, en in shared:
        assert screens[en] == ja, code


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sentence_and_explain(lang: str) -> None:
    ja, en = texts.pair("op_not_running")
    assert texts.sentence("op_not_running", lang) == (ja if lang == "ja" else en)
    assert texts.explain("skips_steps", "10,20").endswith("[skips_steps] 10,20")
    # an unknown code is named, never swallowed
    assert "made_up_code" in texts.sentence("made_up_code", lang)
