"""``nakama profile …``, ``nakama request …`` and ``nakama price …``: this firm's side
of the consortium, through the hub's API with this terminal's token.

The firm is always the terminal's own (the hub takes it from the token). Confirming a
request creates the job here, through the core's ``create_job`` like ``nakama job
create``, syncs it, and only then links it at the hub: the hub never writes a job.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from app import texts
from app.commands.common import add_operator_options, open_store, print_json, resolve_actor
from app.core import commands
from app.core.job_input import JobInputError, job_spec
from app.store import Store


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() else value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prof = sub.add_parser("profile", help="this firm's profile at the hub")
    psub = prof.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    psub.add_parser("show", help="this firm's profile (with its private part)").set_defaults(
        func=cmd_profile_show
    )
    pset = psub.add_parser("set", help="change this firm's profile (given fields only)")
    pset.add_argument("--processes", help="comma list: LATHE,MILL,…")
    pset.add_argument(
        "--equipment",
        action="append",
        metavar="kind=K,max_size_mm=N,axes=N,tonnage=N,count=N,model=M",
        help="one machine kind (repeat; replaces the list)",
    )
    pset.add_argument("--materials", help="comma list: S45C,SUS304,…")
    pset.add_argument("--certifications", help="comma list: ISO9001,JISQ9100,…")
    pset.add_argument("--lot-min", type=int, help="typical lot size, smallest")
    pset.add_argument("--lot-max", type=int, help="typical lot size, largest")
    pset.add_argument("--region-class", choices=["ota", "tokyo", "regional"])
    pset.add_argument("--prefecture")
    pset.add_argument("--city")
    pset.add_argument("--contact-name")
    pset.add_argument("--phone")
    pset.add_argument("--email")
    pset.add_argument("--load-pct", type=float, help="private: current load 0-100")
    pset.add_argument("--private-note", help="private note (used by nobody but you)")
    pset.set_defaults(func=cmd_profile_set)

    req = sub.add_parser("request", help="requests for machining at the hub")
    rsub = req.add_subparsers(dest="request_command", metavar="ACTION", required=True)
    lst = rsub.add_parser("list", help="requests this firm leads, was asked for, or fits")
    lst.add_argument("--state", choices=["open", "confirmed", "cancelled"])
    lst.set_defaults(func=cmd_request_list)
    add = rsub.add_parser("add", help="enter a request led by this firm")
    add.add_argument("--part", required=True)
    add.add_argument("--qty", type=int, required=True)
    add.add_argument("--due", required=True, help="YYYY-MM-DD")
    add.add_argument("--material")
    add.add_argument("--drawing", help="drawing number or file name")
    add.add_argument("--certification", help="required of every firm, e.g. JISQ9100")
    add.add_argument("--budget", type=int, help="yen (stays with this firm and the office)")
    add.add_argument(
        "--step",
        action="append",
        required=True,
        metavar="SEQ:PROCESS[:size_mm=N,tolerance_mm=N,finish_ra=N,hardness=T]",
        help="one step, in order (repeat)",
    )
    add.set_defaults(func=cmd_request_add)
    show = rsub.add_parser("show", help="one request and its history")
    show.add_argument("request")
    show.set_defaults(func=cmd_request_show)
    prop = rsub.add_parser("propose", help="the hub's ranked firms per step (lead firm)")
    prop.add_argument("request")
    prop.set_defaults(func=cmd_request_propose)
    vol = rsub.add_parser("volunteer", help="offer to do a step for a price by a date")
    vol.add_argument("request")
    vol.add_argument("--step", type=int, required=True)
    vol.add_argument("--price", type=int, required=True, help="yen for the step")
    vol.add_argument("--date", required=True, help="hand-off date YYYY-MM-DD")
    vol.add_argument("--note")
    vol.set_defaults(func=cmd_request_volunteer)
    conf = rsub.add_parser(
        "confirm", help="create the job here from the chosen route, sync, and link it"
    )
    conf.add_argument("request")
    conf.add_argument(
        "--route",
        help='"10:LATHE:F001,20:HEAT:F007" (default: per step the cheapest volunteer, '
        "else the hub's first proposal)",
    )
    conf.add_argument("--price", help="unit price from the customer (stays with this firm)")
    conf.add_argument("--customer", help="customer (stays with this firm)")
    conf.add_argument("--job", help="link this job (already created and synced) instead")
    add_operator_options(conf)
    conf.set_defaults(func=cmd_request_confirm)

    qcd = sub.add_parser("qcd", help="this firm's QCD record beside the network median")
    qcd.set_defaults(func=cmd_qcd)
    rate = sub.add_parser("rate", help="rate a firm's Q, C and D (1-5) on a delivered job")
    rate.add_argument("job")
    rate.add_argument("--firm", required=True)
    rate.add_argument("--q", type=int, required=True, help="quality 1-5")
    rate.add_argument("--c", type=int, required=True, help="cost 1-5")
    rate.add_argument("--d", type=int, required=True, help="delivery 1-5")
    rate.add_argument("--comment", default="")
    rate.set_defaults(func=cmd_rate)

    price = sub.add_parser("price", help="what this firm (as lead) pays per step")
    prsub = price.add_subparsers(dest="price_command", metavar="ACTION", required=True)
    pshow = prsub.add_parser("show", help="prices of a job this firm is on")
    pshow.add_argument("job")
    pshow.set_defaults(func=cmd_price_show)
    pput = prsub.add_parser("set", help="record or correct the price of one step")
    pput.add_argument("job")
    pput.add_argument("--op", type=int, required=True)
    pput.add_argument("--yen", type=int, required=True)
    pput.set_defaults(func=cmd_price_set)


def _client(store: Store) -> Any:
    from app.sync.client import HubClient
    from app.sync.errors import NotEnrolled

    url, token = store.meta("hub_url"), store.meta("hub_token")
    if not url or not token:
        raise NotEnrolled("not_enrolled")
    return HubClient(url, token)


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> int:
    """One hub call; prints its JSON answer, or the refusal in both languages."""
    from app.sync.errors import SyncError

    with open_store(args) as store:
        try:
            client = _client(store)
            try:
                print_json(client.request(method, path, json_body=body))
            finally:
                client.close()
        except SyncError as exc:
            print(texts.explain(exc.code, exc.detail), file=sys.stderr)
            return 1
    return 0


def cmd_profile_show(args: argparse.Namespace) -> int:
    return _call(args, "GET", "/v1/profile")


def _equipment(items: list[str]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        machine: dict[str, Any] = {}
        for part in _split(item):
            key, _, value = part.partition("=")
            key = key.strip()
            machine[key] = value.strip() if key in ("kind", "model") else _number(value)
        out.append(machine)
    return out


def cmd_profile_set(args: argparse.Namespace) -> int:
    """Merge the given fields into the current profile and write it back whole."""
    from app.sync.errors import SyncError

    with open_store(args) as store:
        try:
            client = _client(store)
            try:
                current = client.request("GET", "/v1/profile")
                body = {
                    k: current.get(k)
                    for k in (
                        "processes",
                        "equipment",
                        "materials",
                        "certifications",
                        "lot_sizes",
                        "region",
                        "contact",
                        "private",
                    )
                }
                body["lot_sizes"] = {
                    k: v for k, v in (body.get("lot_sizes") or {}).items() if v is not None
                }
                for name in ("processes", "materials", "certifications"):
                    given = getattr(args, name)
                    if given is not None:
                        body[name] = _split(given)
                if args.equipment is not None:
                    body["equipment"] = _equipment(args.equipment)
                for key, given in (("min", args.lot_min), ("max", args.lot_max)):
                    if given is not None:
                        body["lot_sizes"][key] = given
                region = dict(body.get("region") or {})
                for key, given in (
                    ("class", args.region_class),
                    ("prefecture", args.prefecture),
                    ("city", args.city),
                ):
                    if given is not None:
                        region[key] = given
                body["region"] = region
                contact = dict(body.get("contact") or {})
                for key, given in (
                    ("name", args.contact_name),
                    ("phone", args.phone),
                    ("email", args.email),
                ):
                    if given is not None:
                        contact[key] = given
                body["contact"] = contact
                private = dict(body.get("private") or {})
                if args.load_pct is not None:
                    private["load_pct"] = args.load_pct
                if args.private_note is not None:
                    private["note"] = args.private_note
                body["private"] = private
                body["equipment"] = [
                    {k: v for k, v in m.items() if v not in (None, "")}
                    for m in body.get("equipment") or []
                ]
                print_json(client.request("PUT", "/v1/profile", json_body=body))
            finally:
                client.close()
        except (SyncError, ValueError) as exc:
            code = getattr(exc, "code", "bad_field")
            print(texts.explain(code, getattr(exc, "detail", str(exc))), file=sys.stderr)
            return 1
    return 0


def cmd_request_list(args: argparse.Namespace) -> int:
    path = "/v1/requests" + (f"?state={args.state}" if args.state else "")
    return _call(args, "GET", path)


def _step(text: str) -> dict[str, Any]:
    seq, _, rest = text.partition(":")
    process, _, specs = rest.partition(":")
    step: dict[str, Any] = {"seq": int(seq), "process": process.strip().upper()}
    for part in _split(specs):
        key, _, value = part.partition("=")
        step[key.strip()] = value.strip() if key.strip() == "hardness" else _number(value)
    return step


def cmd_request_add(args: argparse.Namespace) -> int:
    try:
        steps = [_step(s) for s in args.step]
    except ValueError as exc:
        print(texts.explain("bad_field", f"--step {exc}"), file=sys.stderr)
        return 2
    body: dict[str, Any] = {"part": args.part, "qty": args.qty, "due": args.due, "steps": steps}
    for key, given in (
        ("material", args.material),
        ("drawing", args.drawing),
        ("certification", args.certification),
        ("budget_yen", args.budget),
    ):
        if given is not None:
            body[key] = given
    return _call(args, "POST", "/v1/requests", body)


def cmd_request_show(args: argparse.Namespace) -> int:
    return _call(args, "GET", f"/v1/requests/{args.request}")


def cmd_request_propose(args: argparse.Namespace) -> int:
    return _call(args, "GET", f"/v1/requests/{args.request}/proposals")


def cmd_request_volunteer(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"step": args.step, "price_yen": args.price, "date": args.date}
    if args.note:
        body["note"] = args.note
    return _call(args, "POST", f"/v1/requests/{args.request}/volunteer", body)


def chosen_route(proposals: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """The default route of a request: per step the cheapest volunteer, else the first
    proposal. Returns the route text and the volunteers' prices per step."""
    parts: list[str] = []
    prices: dict[str, int] = {}
    for step in proposals["steps"]:
        cands = step["candidates"]
        if not cands:
            raise ValueError(f"{step['seq']}:{step.get('none', 'no_process')}")
        offers = [c for c in cands if c.get("offer")]
        pick = min(offers, key=lambda c: c["offer"]["price_yen"]) if offers else cands[0]
        parts.append(f"{step['seq']}:{step['process']}:{pick['firm']}")
        if pick.get("offer"):
            prices[str(step["seq"])] = int(pick["offer"]["price_yen"])
    return ",".join(parts), prices


def cmd_request_confirm(args: argparse.Namespace) -> int:
    """Create the job on this terminal for the request, sync it, then link it."""
    from app.sync import Syncer, SyncError
    from app.sync.syncer import sync_until_idle

    with open_store(args) as store:
        try:
            client = _client(store)
        except SyncError as exc:
            print(texts.explain(exc.code, exc.detail), file=sys.stderr)
            return 1
        try:
            req = client.request("GET", f"/v1/requests/{args.request}")
            prices: dict[str, int] = {}
            job_id = args.job
            if job_id is None:
                proposals = client.request("GET", f"/v1/requests/{args.request}/proposals")
                route, prices = chosen_route(proposals)
                if args.route:  # the lead's own choice: it records prices itself
                    route, prices = args.route, {}
                actor = resolve_actor(store, args.operator, args.pin)
                if isinstance(actor, commands.Refusal):
                    print(texts.explain(actor.reason, actor.detail), file=sys.stderr)
                    return 1
                fields = {
                    "part": req["part"],
                    "qty": str(req["qty"]),
                    "due": req["due"],
                    "route": route,
                    "drawing": req.get("drawing") or "",
                    "note": f"依頼 {req['request_id']}",
                }
                if args.price:
                    fields["price"] = args.price
                if args.customer:
                    fields["customer"] = args.customer
                spec = job_spec(
                    {k: v for k, v in fields.items() if v},
                    firm=store.firm_id or "",
                    today=datetime.now(UTC).date(),
                )
                res = store.record(commands.create_job(store.job(spec.job_id), actor, spec))
                if not res.ok:
                    print(texts.explain(res.reason or "refused", spec.job_id), file=sys.stderr)
                    return 1
                job_id = spec.job_id
                syncer = Syncer(store)
                try:
                    sync_until_idle(syncer)
                finally:
                    syncer.close()
            body: dict[str, Any] = {"job_id": job_id}
            if prices:
                body["prices"] = prices
            print_json(
                client.request("POST", f"/v1/requests/{args.request}/confirm", json_body=body)
            )
        except JobInputError as exc:
            print(texts.explain(exc.code, f"{exc.field} {exc.detail}".strip()), file=sys.stderr)
            return 2
        except ValueError as exc:
            print(texts.explain("no_candidate", str(exc)), file=sys.stderr)
            return 1
        except SyncError as exc:
            hint = f" (job {job_id}: nakama request confirm {args.request} --job {job_id})"
            print(texts.explain(exc.code, exc.detail + (hint if job_id else "")), file=sys.stderr)
            return 1
        finally:
            client.close()
    return 0


def cmd_price_show(args: argparse.Namespace) -> int:
    return _call(args, "GET", f"/v1/jobs/{args.job}/prices")


def cmd_price_set(args: argparse.Namespace) -> int:
    body = {"op": args.op, "yen": args.yen}
    return _call(args, "POST", f"/v1/jobs/{args.job}/prices", body)


def cmd_qcd(args: argparse.Namespace) -> int:
    return _call(args, "GET", "/v1/qcd")


def cmd_rate(args: argparse.Namespace) -> int:
    body = {"firm": args.firm.upper(), "q": args.q, "c": args.c, "d": args.d}
    if args.comment:
        body["comment"] = args.comment
    return _call(args, "POST", f"/v1/jobs/{args.job}/ratings", body)
