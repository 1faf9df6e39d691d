"""``python -m bench traveler_qr``: how big a traveler QR is, and which error-correction
level survives a creased, oily sheet.

For routes of 1, 5 and 12 ops: the text length, the QR version at each level L/M/Q/H,
and the module size when printed in the A4 sheet's 72 mm square and the label's 56 mm.
Then, for a 12-op traveler at each level, the share of codes zxing-cpp still reads
after simulated damage: oil blots (dark and light discs) covering a given share of the
symbol, plus one crease (a light band across it), at 5 px per module with blur and
noise. Prints JSON; the last line is the result object.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.clock import new_event_id
from app.core.model import Operation, Route
from app.core.traveler import JobOrigin, Traveler, encode, key_id_for, raw_public_key

PROCESSES = ["LATHE", "HEAT", "GRIND", "PLATE", "INSPECT", "MC", "MILL", "POLISH",
             "WELD", "PAINT", "ASSY", "WIRE"]  # fmt: skip
A4_QR_MM, LABEL_QR_MM = 72.0, 56.0
PX = 5


def sample_text(n_ops: int) -> str:
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC).replace(microsecond=0)
    ms = int(now.timestamp() * 1000)
    ops = tuple(
        Operation(10 * (i + 1), PROCESSES[i], f"F{(i * 7) % 40 + 1:03d}") for i in range(n_ops)
    )
    occurred = (now - timedelta(seconds=1)).isoformat(timespec="milliseconds")
    t = Traveler(
        job_id="F001-261129-7K3Q",
        lot_id="F001-261129-7K3Q-1",
        part_no="SHAFT-A2041-03",
        qty=120,
        due=(now + timedelta(days=21)).date(),
        route=Route(ops),
        issuer="F001",
        issued_at=now,
        drawing_no="DWG-A2041 rev.C",
        job_qty=120,
        origin=JobOrigin(new_event_id(), "T3FA2B1C09D4E", 17, (ms << 16) | 2, occurred, ""),
    )
    return encode(t, key, key_id_for(raw_public_key(key)))


def image(text: str, error: str) -> np.ndarray:
    q = segno.make(text, error=error, micro=False, boost_error=False)
    m = np.array([list(r) for r in q.matrix], dtype=np.uint8)
    m = np.pad(m, 4)
    img = np.where(m == 1, 0, 255).astype(np.uint8)
    return cv2.resize(img, None, fx=PX, fy=PX, interpolation=cv2.INTER_NEAREST)


def damage(img: np.ndarray, share: float, rng: random.Random) -> np.ndarray:
    out = img.copy()
    h, w = out.shape
    inner = (4 * PX, h - 4 * PX)
    target = share * (inner[1] - inner[0]) ** 2
    covered = 0.0
    while covered < target:
        r = rng.uniform(1.5, 4.0) * PX
        cx, cy = rng.uniform(*inner), rng.uniform(*inner)
        shade = rng.choice((40, 110, 200, 235))
        cv2.circle(out, (int(cx), int(cy)), int(r), int(shade), -1)
        covered += np.pi * r * r
    y = rng.uniform(*inner)  # a crease: a light, slightly slanted band
    cv2.line(out, (0, int(y)), (w, int(y + rng.uniform(-20, 20))), 225, max(2, PX // 2))
    out = cv2.GaussianBlur(out, (3, 3), 0.8)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 8, out.shape)
    return np.clip(out + noise, 0, 255).astype(np.uint8)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench traveler_qr")
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    sizes = {}
    for n in (1, 5, 12):
        text = sample_text(n)
        per_level = {}
        for e in "LMQH":
            q = segno.make(text, error=e, micro=False, boost_error=False)
            modules = q.symbol_size(scale=1, border=4)[0]
            per_level[e] = {
                "version": q.version,
                "modules_with_quiet_zone": modules,
                "a4_module_mm": round(A4_QR_MM / modules, 3),
                "label_module_mm": round(LABEL_QR_MM / modules, 3),
            }
        sizes[str(n)] = {"chars": len(text), "levels": per_level}
        print(json.dumps({"ops": n, **sizes[str(n)]}))
    rng = random.Random(args.seed)
    text = sample_text(12)
    survival: dict[str, dict[str, float]] = {}
    for e in "LMQH":
        clean = image(text, e)
        survival[e] = {}
        for share in (0.0, 0.05, 0.10, 0.15, 0.20, 0.25):
            ok = 0
            for _ in range(args.trials):
                read = zxingcpp.read_barcodes(damage(clean, share, rng))
                ok += any(r.text == text for r in read)
            survival[e][f"{share:.2f}"] = round(ok / args.trials, 2)
        print(json.dumps({"level": e, "read_share_by_damage": survival[e]}))
    print(
        json.dumps(
            {
                "bench": "traveler_qr",
                "sizes": sizes,
                "survival_12_ops": survival,
                "trials": args.trials,
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    )
    return 0
