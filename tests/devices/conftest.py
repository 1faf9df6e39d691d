from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from drivers.supervisor import Backoff


@pytest.fixture
def fast_backoff() -> Backoff:
    return Backoff(initial=0.05, factor=1.5, maximum=0.3, jitter=0.1)


@pytest.fixture
def thread_errors() -> Iterator[list[BaseException]]:
    """Exceptions that escaped any thread during the test (there must be none)."""
    seen: list[BaseException] = []
    old = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        seen.append(args.exc_value or RuntimeError("unknown"))

    threading.excepthook = hook
    yield seen
    threading.excepthook = old
