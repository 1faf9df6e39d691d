"""Domain objects: firms, jobs, routes and lots, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

OTA = "ota"


@dataclass(frozen=True, slots=True)
class Firm:
    code: str
    name: str
    region: str = OTA
    processes: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()

    @property
    def in_ota(self) -> bool:
        return self.region == OTA


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of a route: sequence number, process code, the firm that does it."""

    seq: int
    process: str
    firm: str

    def to_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "process": self.process, "firm": self.firm}


@dataclass(frozen=True, slots=True)
class Route:
    ops: tuple[Operation, ...]

    @classmethod
    def parse(cls, text: str) -> Route:
        """Parse ``"10:LATHE:F001,20:HEAT:F007"``. Raises ValueError with a plain reason."""
        ops = []
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            bits = [b.strip() for b in part.split(":")]
            if len(bits) != 3 or not bits[0].isdigit() or not bits[1] or not bits[2]:
                raise ValueError(f"route step {part!r} is not SEQ:PROCESS:FIRM")
            ops.append(Operation(int(bits[0]), bits[1].upper(), bits[2].upper()))
        return cls(tuple(ops))

    @classmethod
    def from_dicts(cls, steps: list[dict[str, Any]]) -> Route:
        return cls(tuple(Operation(int(s["seq"]), s["process"], s["firm"]) for s in steps))

    def to_dicts(self) -> list[dict[str, object]]:
        return [op.to_dict() for op in self.ops]

    def op(self, seq: int) -> Operation | None:
        for o in self.ops:
            if o.seq == seq:
                return o
        return None

    def next_op(self, seq: int) -> Operation | None:
        later = [o for o in self.ops if o.seq > seq]
        return later[0] if later else None

    def firms(self) -> set[str]:
        return {o.firm for o in self.ops}


@dataclass(slots=True)
class JobSpec:
    """What a lead firm types in to create a job."""

    job_id: str
    part_no: str
    qty: int
    due: date
    lead_firm: str
    route: Route
    drawing_no: str = ""
    customer: str = ""
    unit_price_yen: int | None = None
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    part_name: str = ""  # 品名
    material: str = ""  # 材質
    revision: str = ""  # the drawing's 版
    # step number -> {"due": "YYYY-MM-DD", "note": instruction}, for the paper traveler
    step_info: dict[str, dict[str, str]] = field(default_factory=dict)

    def payload(self) -> dict[str, object]:
        p: dict[str, object] = {
            "part_no": self.part_no,
            "drawing_no": self.drawing_no,
            "qty": self.qty,
            "due": self.due.isoformat(),
            "lead_firm": self.lead_firm,
            "route": self.route.to_dicts(),
            "note": self.note,
        }
        if self.customer:
            p["customer"] = self.customer
        if self.unit_price_yen is not None:
            p["unit_price_yen"] = self.unit_price_yen
        # Only when given, so a job without them is the same event as before.
        for key in ("part_name", "material", "revision"):
            if getattr(self, key):
                p[key] = getattr(self, key)
        if self.step_info:
            p["step_info"] = {k: dict(v) for k, v in self.step_info.items()}
        return p
