"""Everything the hub client raises, in one place.

``SyncError(code)`` is the base; ``code`` is a translatable reason.

- ``Offline``: no connection, refused, reset, or cut off mid-answer. Retried later.
- ``HubTimeout``: no answer in time. Retried with half the batch.
- ``HubBusy``: 429, 5xx. Retried after ``retry_after`` seconds (or the backoff).
- ``Unauthorized``: 401/403: the token is unknown or revoked. Nothing is parked; the
  queue waits for the terminal to be enrolled again.
- ``HubRefused``: any other 4xx for a request: the request itself is wrong. For a push
  the batch is split until the one event at fault is found and parked as rejected.
- ``NotEnrolled``: this terminal has no hub set up (``nakama enroll``).
"""

from __future__ import annotations

from wire.errors import NakamaError


class SyncError(NakamaError):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class Offline(SyncError):
    pass


class HubTimeout(SyncError):
    pass


class HubBusy(SyncError):
    def __init__(self, code: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after


class Unauthorized(SyncError):
    pass


class HubRefused(SyncError):
    def __init__(self, code: str, detail: str = "", status: int = 400) -> None:
        super().__init__(code, detail)
        self.status = status


class NotEnrolled(SyncError):
    pass
