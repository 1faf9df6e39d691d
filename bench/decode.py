"""``python -m bench decode``: Nakama's frame pipeline against plain pyzbar, OpenCV and zxing-cpp.

Frames are synthetic camera photographs of printed travelers (``drivers.qr.synth``), made
once into a cache folder. Every decoder sees the same grey frames, one core, one frame at
a time; a code counts when its exact payload is read back. The last output line is
``{"nakama": …, "pyzbar": …, "opencv": …, "zxing_cpp": …, "meta": …}``, each decoder with
``success_rate``, ``by_category``, and ``p50_ms`` / ``p95_ms`` per 720p frame.
"""

from __future__ import annotations

import os

# "One core": no worker pools in OpenCV, OpenMP or BLAS; set before they are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import zxingcpp  # noqa: E402
from pyzbar import pyzbar  # noqa: E402

from drivers.qr.decoders import payload_text  # noqa: E402
from drivers.qr.pipeline import FramePipeline  # noqa: E402
from drivers.qr.synth import CATEGORIES, make_frame  # noqa: E402

HD = (1920, 1080)
SD = (1280, 720)


def default_cache() -> Path:
    return (
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "nakama" / "bench-decode"
    )


def build_set(cache: Path, per_category: int, hd_per_category: int) -> list[dict]:
    """Make (or reuse) the frames; returns their manifest entries."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [(c, s, SD) for c in CATEGORIES for s in range(per_category)]
    wanted += [(c, 1000 + s, HD) for c in CATEGORIES for s in range(hd_per_category)]
    entries = []
    for category, seed, size in wanted:
        stem = f"{size[1]}p-{category}-{seed:04d}"
        png, meta = cache / f"{stem}.png", cache / f"{stem}.json"
        if not (png.exists() and meta.exists()):
            f = make_frame(seed, category, size)
            cv2.imwrite(str(png), f.image)
            meta.write_text(json.dumps([c.__dict__ for c in f.codes]), encoding="utf-8")
        codes = json.loads(meta.read_text(encoding="utf-8"))
        entries.append({"file": png, "category": category, "size": size, "codes": codes})
    return entries


def _texts_zbar(gray: np.ndarray) -> set[str]:
    return {payload_text(d.data)[0] for d in pyzbar.decode(gray)}


_cv_qr = None


def _texts_opencv(gray: np.ndarray) -> set[str]:
    global _cv_qr
    if _cv_qr is None:
        _cv_qr = cv2.QRCodeDetector()
    try:
        ok, texts, _, _ = _cv_qr.detectAndDecodeMulti(gray)
    except cv2.error:
        return set()
    return {t for t in texts if t} if ok else set()


def _texts_zxing(gray: np.ndarray) -> set[str]:
    return {b.text for b in zxingcpp.read_barcodes(gray)}


def _pin_one_core() -> str:
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu{cpu}"
    return "unpinned"


def run(entries: list[dict], progress: Callable[[str], None]) -> dict:
    pipeline = FramePipeline()
    decoders: dict[str, Callable[[np.ndarray], set[str]]] = {
        "nakama": lambda g: {c.text for c in pipeline.decode(g).codes},
        "pyzbar": _texts_zbar,
        "opencv": _texts_opencv,
        "zxing_cpp": _texts_zxing,
    }
    hits = {d: {} for d in decoders}  # decoder -> category -> [found, total]
    times: dict[str, dict[str, list[float]]] = {d: {"720p": [], "1080p": []} for d in decoders}
    order = list(entries)
    # Mixed order: the pipeline adapts to what worked on the last frames, and a run sorted
    # by category would flatter it.
    random.Random(7).shuffle(order)
    for i, e in enumerate(order):
        gray = cv2.imread(str(e["file"]), cv2.IMREAD_GRAYSCALE)
        res = "1080p" if e["size"] == HD else "720p"
        cat = e["category"] if res == "720p" else "1080p"
        for name, fn in decoders.items():
            t0 = time.perf_counter()
            texts = fn(gray)
            times[name][res].append((time.perf_counter() - t0) * 1000)
            tally = hits[name].setdefault(cat, [0, 0])
            for c in e["codes"]:
                tally[0] += c["text"] in texts
                tally[1] += 1
        if i % 25 == 0:
            progress(f"{i}/{len(order)} frames")
    out = {}
    for name in decoders:
        found = sum(v[0] for v in hits[name].values())
        total = sum(v[1] for v in hits[name].values())
        t720, t1080 = times[name]["720p"], times[name]["1080p"]
        out[name] = {
            "success_rate": round(found / total, 4),
            "by_category": {k: round(v[0] / v[1], 4) for k, v in sorted(hits[name].items())},
            "p50_ms": round(float(np.percentile(t720, 50)), 2),
            "p95_ms": round(float(np.percentile(t720, 95)), 2),
            "p50_ms_1080p": round(float(np.percentile(t1080, 50)), 2) if t1080 else None,
            "p95_ms_1080p": round(float(np.percentile(t1080, 95)), 2) if t1080 else None,
        }
    out["meta"] = {
        "frames_720p": sum(e["size"] == SD for e in entries),
        "frames_1080p": sum(e["size"] == HD for e in entries),
        "codes": sum(len(e["codes"]) for e in entries),
        "stages": {s.name: {"runs": s.runs, "wins": s.wins} for s in pipeline.stages},
        "budget_ms": pipeline.budget_ms,
    }
    return out


def targets(result: dict) -> dict:
    """Whether Nakama is at least the best baseline in every category, and p95 ≤ 33 ms."""
    behind = {}
    for cat, rate in result["nakama"]["by_category"].items():
        best = max(
            result[b]["by_category"].get(cat, 0.0) for b in ("pyzbar", "opencv", "zxing_cpp")
        )
        if rate < best:
            behind[cat] = {"nakama": rate, "best_baseline": best}
    return {"behind_in": behind, "p95_within_33ms": result["nakama"]["p95_ms"] <= 33.0}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench decode")
    ap.add_argument("--per-category", type=int, default=16, help="720p frames per category")
    ap.add_argument("--hd-per-category", type=int, default=3, help="1080p frames per category")
    ap.add_argument("--cache", type=Path, default=default_cache(), help="frame cache folder")
    args = ap.parse_args(argv)
    core = _pin_one_core()
    t0 = time.perf_counter()
    entries = build_set(args.cache, args.per_category, args.hd_per_category)
    print(f"frames ready in {time.perf_counter() - t0:.1f} s ({args.cache}), timing on {core}")

    result = run(entries, lambda msg: print(msg, flush=True))
    result["meta"]["core"] = core
    result["meta"]["targets"] = targets(result)
    for name in ("nakama", "pyzbar", "opencv", "zxing_cpp"):
        r = result[name]
        print(f"{name:10s} success {r['success_rate']:.3f}  p50 {r['p50_ms']:6.1f} ms  "
              f"p95 {r['p95_ms']:6.1f} ms")  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    return 0
