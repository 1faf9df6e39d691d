"""The one base class of every error Nakama raises on purpose.

Each carries ``code``, a stable snake_case reason that the CLI and the screens turn into
a Japanese or English sentence (``app/texts.py``), and ``detail`` for the log. A refused
*command* is not an error: the core returns a ``Refusal`` with a reason code instead.

The tree::

    NakamaError                      (wire.errors)
    ├── WireError                    wire.events         an event not in the wire format
    ├── StoreError                   app.store.errors    the local database (disk_full …)
    ├── KeyImportError               app.store.keyring   a key directory file
    ├── NoSuchLot                    app.store.inspection  a report for a lot not here
    ├── FileRefused                  app.store.files     a drawing or photo not taken in
    ├── SyncError                    app.sync.errors     talking to the hub
    │   ├── Offline, HubTimeout, HubBusy, Unauthorized, HubRefused, NotEnrolled
    │   └── CursorGone               app.sync.client
    ├── SettingsError                app.settings
    ├── JobInputError                app.core.job_input  a typed or imported job
    ├── TravelerError                app.core.traveler   a traveler that cannot be made
    ├── DeviceUrlError               drivers.url
    ├── TransportError               drivers.transport   a port that vanished or failed
    ├── RegistryError                hub.registry        firms, terminals, codes, tokens
    │   └── QuotaExceeded            hub.photos          a firm's photo quota is spent
    ├── HubUnavailable               hub.db              the hub's database is down
    ├── BackupFailed                 hub.backup          pg_dump or VACUUM INTO failed
    ├── CursorGone                   hub.feed            a feed cursor from before a reset
    └── PostgresUnavailable          hub.throwaway_pg    no PostgreSQL for tests/benches
"""

from __future__ import annotations


class NakamaError(Exception):
    """Base of every deliberate error: ``code`` is translatable, ``detail`` is for logs."""

    code: str = "error"
    detail: str = ""
