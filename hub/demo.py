"""A demo hub in its own process, as a shop would run one: ``python -m hub.demo``.

    python -m hub.demo --db sqlite:///demo-hub.db --firms '{"F001": ["山田精機", "ota"]}' \\
        --enroll F001 [--port 18765]

Registers the firms it is given (once), prints one JSON line
``{"url": …, "enroll_code": …}`` on standard output when it is serving (the code is a
fresh one-time code for the ``--enroll`` firm's terminal), then serves until it is told
to stop (SIGTERM) or its standard input closes (the app that started it is gone).
The terminal app starts it as a subprocess and never imports the hub's code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Sequence

from hub import embedded, registry
from hub.db import HubDB


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hub.demo")
    p.add_argument("--db", required=True)
    p.add_argument("--firms", required=True, help='JSON {"CODE": ["name", "region"], …}')
    p.add_argument("--enroll", required=True, help="the firm whose terminal enrols")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    db = HubDB(args.db)
    try:
        for code, (name, region) in json.loads(args.firms).items():
            if registry.firm(db, code) is None:
                registry.add_firm(db, code, name, region)
        code = registry.make_enroll_code(db, args.enroll)
    finally:
        db.close()
    try:
        url, stop = embedded.start(args.db, port=args.port)
    except OSError:  # the port is taken (a second demo app): any free port
        url, stop = embedded.start(args.db)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the parent closes the pipe or dies
        done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"url": url, "enroll_code": code}), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
