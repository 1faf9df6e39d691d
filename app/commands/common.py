"""Helpers shared by the sub-commands: the store with its firm, who is acting, refusals."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from app import texts
from app.core import operators
from app.core.commands import Actor, Refusal
from app.core.operators import OperatorRecord
from app.core.rules import Reason
from app.settings import Settings
from app.store import Store, StoreError

PIN_ENV = "NAKAMA_PIN"


def explain_store_error(exc: StoreError) -> str:
    code = exc.code if exc.code in texts.REASONS else "io_error"
    ja, en = texts.pair(code)
    where = f"\n  file: {exc.path}" if exc.path else ""
    return f"{ja}\n{en}\n  [{exc.code}] {exc.detail}{where}"


def open_store(args: argparse.Namespace, **kwargs: Any) -> Store:
    """The store at ``--db`` with its firm settled, one source for every command:
    ``--firm`` (stored), else the firm the store already has, else the ``firm`` setting
    (then stored, so the store itself says which firm it records for)."""
    firm = kwargs.pop("firm_id", None) or getattr(args, "firm", None)
    store = Store.open(getattr(args, "db", None), firm_id=firm or None, **kwargs)
    if not store.firm_id:
        configured = Settings()["firm"]
        if configured:
            store.set_meta({"firm_id": configured})
            store.firm_id = configured
            store.repair_lot_ids()
    return store


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def refuse(refusal: Refusal | str, detail: str = "") -> int:
    """Print a refusal in both languages to stderr; the exit status for it (1)."""
    if isinstance(refusal, Refusal):
        code, detail = refusal.reason, refusal.detail or detail
    else:
        code = refusal
    print(texts.explain(code, detail), file=sys.stderr)
    return 1


def find_operator(roster: dict[str, OperatorRecord], text: str) -> OperatorRecord | None:
    """An operator by id, by badge code, or by the full scanned badge text."""
    text = text.strip()
    if text in roster:
        return roster[text]
    scanned = operators.parse_badge(text)
    if scanned is not None:
        rec = roster.get(scanned[0])
        return rec if rec is not None and rec.badge == scanned[1] else None
    by_badge = [r for r in roster.values() if r.badge and r.badge == text]
    return by_badge[0] if len(by_badge) == 1 else None


def resolve_actor(
    store: Store, who: str | None, pin: str | None, *, setting: bool = True
) -> Actor | Refusal:
    """Who is acting: ``who`` (an operator id or badge) or the ``operator`` setting, checked
    against the firm's roster; an operator with a PIN must give it (``pin`` or the
    ``NAKAMA_PIN`` environment variable)."""
    if not store.firm_id:
        return Refusal("no_firm")
    text = who or (Settings()["operator"] if setting else "")
    if not text:
        return Refusal(Reason.NO_OPERATOR.value)
    rec = find_operator(store.operators(), text)
    if rec is None or not rec.active:
        return Refusal(Reason.UNKNOWN_OPERATOR.value, text)
    if rec.has_pin:
        given = pin if pin is not None else os.environ.get(PIN_ENV)
        if not given:
            return Refusal("pin_required", rec.operator_id)
        if not operators.check_pin(given, rec.pin_hash):
            return Refusal(Reason.BAD_PIN.value, rec.operator_id)
    return Actor(store.firm_id, rec.operator_id, rec.role)


def add_operator_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--operator", help="operator id or badge code (default: the `operator` setting)")
    p.add_argument("--pin", help=f"the operator's PIN, if they have one (or ${PIN_ENV})")


__all__ = [
    "StoreError",
    "add_operator_options",
    "explain_store_error",
    "find_operator",
    "open_store",
    "print_json",
    "refuse",
    "resolve_actor",
]
