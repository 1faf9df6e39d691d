"""``nakama decode FILE...``: every code in each image, one JSON line per image."""

from __future__ import annotations

import argparse
import sys
import time

from app.commands.common import open_store, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("decode", help="decode the codes in image files (JSON lines)")
    p.add_argument("files", nargs="+", metavar="FILE", help="image files (PNG, JPEG …)")
    p.add_argument(
        "--budget-ms",
        type=float,
        default=None,
        help="time budget per image as for a camera frame (default: try every fallback)",
    )
    p.set_defaults(func=cmd_decode)


def cmd_decode(args: argparse.Namespace) -> int:
    # OpenCV and the decoders take a fifth of a second to import: every other command
    # (``nakama run`` first) would pay for them, since the CLI registers all commands.
    import cv2

    from app.scanned import classify
    from app.store.keyring import key_directory
    from drivers.qr.pipeline import FramePipeline

    with open_store(args) as store:
        directory = key_directory(store)  # travelers are verified offline, against it
    pipeline = FramePipeline(budget_ms=args.budget_ms)
    status = 0
    for name in args.files:
        t0 = time.perf_counter()
        image = cv2.imread(name, cv2.IMREAD_COLOR)
        if image is None:
            print(
                f"画像を読めません: {name}\nCannot read this file as an image: {name}",
                file=sys.stderr,
            )
            print_json({"file": name, "error": "unreadable_image", "codes": [], "ms": 0})
            status = 1
            continue
        result = pipeline.decode(image)
        codes = []
        for c in result.codes:
            verdict = classify(c.text, c.format, directory)
            codes.append(
                {
                    "text": c.text,
                    "format": c.format,
                    "kind": verdict["kind"],
                    "traveler": verdict["traveler"],
                    "verdict": verdict["verdict"],
                    "encoding": c.encoding,
                    "corners": [[round(x, 1), round(y, 1)] for x, y in c.corners],
                    "decoder": c.decoder,
                }
            )
        ms = (time.perf_counter() - t0) * 1000
        print_json({"file": name, "codes": codes, "ms": round(ms, 1)})
    return status
