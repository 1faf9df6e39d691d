"""A hub inside another process (the demo app, tests, benchmarks): uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from hub.api import create_app
from hub.db import HubDB


def start(
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    rate_per_s: float = 50.0,
    burst: float = 200.0,
    **options: Any,
) -> tuple[str, Callable[[], None]]:
    """Start a hub on ``host:port`` (0: any free port). Returns its URL and a stop function.
    ``options`` go to ``hub.api.create_app`` (trusted proxies, photo quota, other rates)."""
    db = HubDB(db_url)
    app = create_app(db, rate_per_s=rate_per_s, burst=burst, **options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        # The hub decides whom to believe about client addresses (trusted proxies);
        # uvicorn's own X-Forwarded-For handling trusts any local peer.
        proxy_headers=False,
        timeout_keep_alive=30,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="nakama-hub", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the embedded hub did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.close()

    return f"http://{host}:{bound}", stop
