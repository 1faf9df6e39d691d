"""The one catalogue of refusal sentences (``app/texts.py``): complete, and worded as the
screens word the same codes."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_screens_say_what_the_catalogue_says(lang: str) -> None:
    """The screens get their reason sentences from the same catalogue, through Qt's
    translator: one wording for a refusal wherever it is shown."""
    from app.ui.app import make_application
    from app.ui.text import reason_text

    app = make_application(lang)
    app.setProperty("nakama_lang", lang)
    try:
        for code in texts.REASONS:
            assert reason_text(code) == texts.sentence(code, lang), code
        assert "made_up_code" in reason_text("made_up_code")
    finally:
        app.setProperty("nakama_lang", "ja")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sentence_and_explain(lang: str) -> None:
    ja, en = texts.pair("op_not_running")
    assert texts.sentence("op_not_running", lang) == (ja if lang == "ja" else en)
    assert texts.explain("skips_steps", "10,20").endswith("[skips_steps] 10,20")
    # an unknown code is named, never swallowed
    assert "made_up_code" in texts.sentence("made_up_code", lang)
