"""``nakama job create``, ``nakama job import FILE`` and ``nakama job list``.

Jobs are created here, led by this terminal's firm, so travelers can be issued before
the screens for it exist.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import texts
from app.commands.common import add_operator_options, open_store, print_json, resolve_actor
from app.core import commands
from app.core.job_input import FIELDS, JobInputError, job_spec
from app.core.model import JobSpec
from app.store import Store

NO_FIRM_HINT = "--firm F001 / nakama settings set firm F001"
# Job-entry and refusal sentences live in the one catalogue (``app/texts.py``).
MESSAGES = texts.REASONS


def message(code: str, detail: str = "") -> str:
    return texts.explain(code, detail)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    job = sub.add_parser("job", help="create, import and list jobs")
    jsub = job.add_subparsers(dest="job_command", metavar="ACTION", required=True)
    create = jsub.add_parser("create", help="create a job led by this terminal's firm")
    create.add_argument("--part", required=True, help="part number")
    create.add_argument("--qty", required=True, help="quantity")
    create.add_argument("--due", required=True, help="due date YYYY-MM-DD")
    create.add_argument("--route", required=True, help='"10:LATHE:F001,20:HEAT:F007,…"')
    create.add_argument(
        "--drawing", help="drawing number (may end in its revision: 'SD-2041 rev B')"
    )
    create.add_argument(
        "--drawing-file", type=Path, help="the drawing (PDF or image), synced to every firm"
    )
    create.add_argument("--customer", help="customer (stays with the lead firm)")
    create.add_argument("--price", help="unit price in yen (stays with the lead firm)")
    create.add_argument("--note", help="the job's note (備考), printed on the traveler")
    create.add_argument("--part-name", dest="part_name", help="part name (品名)")
    create.add_argument("--material", help="material (材質), e.g. SUS304")
    create.add_argument("--revision", help="the drawing's revision (版)")
    create.add_argument(
        "--step",
        action="append",
        default=[],
        metavar="SEQ:due=DATE|SEQ:note=TEXT",
        help="a step's due date or instruction for the traveler (repeatable)",
    )
    create.add_argument("--id", help="job number (default: FIRM-YYMMDD-XXXX)")
    create.add_argument("--firm", help="this terminal's firm code (stored for next time)")
    add_operator_options(create)
    create.set_defaults(func=cmd_create)
    drw = jsub.add_parser(
        "drawing", help="attach the job's drawing (lead firm; again for a new revision)"
    )
    drw.add_argument("job", help="job number")
    drw.add_argument("file", type=Path, help="PDF or image (PNG, JPEG, WebP), at most 20 MB")
    drw.add_argument("--drawing-no", default="", help="drawing number (default: the job's)")
    drw.add_argument(
        "--revision", default="", help="revision (default: from the file name, e.g. _revC)"
    )
    add_operator_options(drw)
    drw.set_defaults(func=cmd_drawing)
    imp = jsub.add_parser("import", help="create many jobs from a JSON or CSV file")
    imp.add_argument("file", help=f"JSON list of objects or CSV with columns {','.join(FIELDS)}")
    imp.add_argument("--firm", help="this terminal's firm code")
    add_operator_options(imp)
    imp.set_defaults(func=cmd_import)
    lst = jsub.add_parser("list", help="the jobs this terminal knows")
    lst.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    lst.set_defaults(func=cmd_list)
    show = jsub.add_parser("show", help="one job's lots, steps, skips and anomalies")
    show.add_argument("job", help="job number")
    show.add_argument("--json", action="store_true", help="JSON (the default is a short table)")
    show.set_defaults(func=cmd_show)


def _store(args: argparse.Namespace) -> Store:
    return open_store(args, firm_id=getattr(args, "firm", None))


def _create(store: Store, actor: commands.Actor, spec: JobSpec) -> str | None:
    """Record the job; None when done, else a refusal code."""
    res = store.record(commands.create_job(store.job(spec.job_id), actor, spec))
    return None if res.ok else (res.reason or "refused")


def _actor(store: Store, args: argparse.Namespace) -> commands.Actor | None:
    """Who creates the job, or None after printing why nobody may."""
    actor = resolve_actor(store, args.operator, args.pin)
    if isinstance(actor, commands.Refusal):
        print(message(actor.reason, actor.detail), file=sys.stderr)
        return None
    return actor


def cmd_create(args: argparse.Namespace) -> int:
    keys = ("id", "part", "qty", "due", "route", "drawing", "customer", "price", "note",
            "part_name", "material", "revision")  # fmt: skip
    fields = {k: getattr(args, k) for k in keys}
    fields["step_info"] = "\n".join(args.step) or None
    with _store(args) as store:
        if not store.firm_id:
            print(message("no_firm", NO_FIRM_HINT), file=sys.stderr)
            return 2
        actor = _actor(store, args)
        if actor is None:
            return 1
        try:
            spec = job_spec(
                {k: v for k, v in fields.items() if v is not None},
                firm=store.firm_id,
                today=datetime.now(UTC).date(),
            )
        except JobInputError as exc:
            print(message(exc.code, f"{exc.field} {exc.detail}".strip()), file=sys.stderr)
            return 2
        if args.drawing_file is not None and not args.drawing_file.is_file():
            print(message("file_unreadable", str(args.drawing_file)), file=sys.stderr)
            return 2
        refusal = _create(store, actor, spec)
        if refusal:
            print(message(refusal, spec.job_id), file=sys.stderr)
            return 1
        out: dict[str, Any] = {"ok": True, "job_id": spec.job_id, "ops": len(spec.route.ops)}
        if args.drawing_file is not None:
            from app.attachments import attach_drawing  # its hub client: not for every command

            got = attach_drawing(
                store, store.record, store.job(spec.job_id), actor, args.drawing_file
            )
            if not got.ok or got.event is None:
                print(message(got.reason or "refused", str(args.drawing_file)), file=sys.stderr)
                return 1
            out["drawing"] = dict(got.event.payload)
        print_json(out)
        return 0


def cmd_drawing(args: argparse.Namespace) -> int:
    """Attach a drawing to a job this firm leads; prints the event as JSON."""
    with open_store(args) as store:
        actor = _actor(store, args)
        if actor is None:
            return 1
        from app.attachments import attach_drawing

        got = attach_drawing(
            store,
            store.record,
            store.job(args.job),
            actor,
            args.file,
            drawing_no=args.drawing_no,
            revision=args.revision,
        )
        if not got.ok or got.event is None:
            print(message(got.reason or "refused", args.job), file=sys.stderr)
            return 1
        print_json(got.event.to_wire())
        return 0


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows from a JSON list (or ``{"jobs": [...]}``) or a CSV file with a header line."""
    text = path.read_text(encoding="utf-8-sig")  # Excel writes a BOM
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("jobs")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError("expected a list of objects")
        return data
    reader = csv.DictReader(io.StringIO(text))
    return [{k.strip(): v for k, v in row.items() if k and v not in (None, "")} for row in reader]


def cmd_import(args: argparse.Namespace) -> int:
    """All or nothing: every row is checked first, so a fixed file can simply be re-run."""
    try:
        rows = read_rows(Path(args.file))
    except (OSError, ValueError, csv.Error) as exc:
        print(message("bad_file", str(exc)), file=sys.stderr)
        return 2
    with _store(args) as store:
        if not store.firm_id:
            print(message("no_firm", NO_FIRM_HINT), file=sys.stderr)
            return 2
        actor = _actor(store, args)
        if actor is None:
            return 1
        today = datetime.now(UTC).date()
        specs: list[JobSpec] = []
        errors: list[str] = []
        seen: set[str] = set()
        for i, row in enumerate(rows, start=1):
            try:
                spec = job_spec(row, firm=store.firm_id, today=today)
            except JobInputError as exc:
                errors.append(f"row {i}: " + message(exc.code, exc.field))
                continue
            if spec.job_id in seen or store.job(spec.job_id) is not None:
                errors.append(f"row {i}: " + message("job_exists", spec.job_id))
            seen.add(spec.job_id)
            specs.append(spec)
        if errors:
            print("\n".join(errors), file=sys.stderr)
            print("何も登録していません。 Nothing was imported.", file=sys.stderr)
            return 1
        created = []
        for spec in specs:
            refusal = _create(store, actor, spec)
            if refusal:
                print(message(refusal, spec.job_id), file=sys.stderr)
                return 1
            created.append(spec.job_id)
        print_json({"ok": True, "created": created})
        return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        jobs = store.jobs()
    cols = ("job_id", "part_no", "qty", "due", "lead_firm", "status")
    if args.json:
        for j in jobs:
            print_json({**{c: j[c] for c in cols}, "route": json.loads(j["route"] or "[]")})
        return 0
    widths = [max([len(c), *(len(str(j[c])) for j in jobs)]) for c in cols]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for j in jobs:
        print("  ".join(str(j[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from app.commands.job_view import job_view

    with open_store(args) as store:
        job = store.job(args.job)
        if job is None or not job.created_at:
            print(message("unknown_job", args.job), file=sys.stderr)
            return 1
        view = job_view(job, store.job_events(args.job), store.operators())
    if args.json:
        print_json(view)
        return 0
    print(
        f"{view['job_id']}  {view['part_no']}  qty {view['qty']}  due {view['due']}  "
        f"{view['status']}"
    )
    for lot in view["lots"]:
        print(f"  {lot['lot_id']}  qty {lot['qty']}  holder {lot['holder'] or '-'}")
        for st in lot["steps"]:
            who = st["last_operator_name"] or st["last_operator"] or ""
            print(
                f"    {st['op']:>4} {st['process']:<8} {st['firm']:<6} {st['status']:<8} "
                f"recv {st['received']} good {st['good']} defect {st['defect']} "
                f"scrap {st['scrap']} handed {st['handed_off']} "
                f"{st['working_s'] / 60:.1f} min  {who}"
            )
    for skip in view["open_skips"]:
        print(f"  ⚠ {skip['lot_id']} op {skip['op']}: no records for {skip['missing']}")
    for a in view["anomalies"]:
        print(f"  ⚠ {a['event_id']} [{a['reason']}] {a['ja']} / {a['en']}")
    return 0
