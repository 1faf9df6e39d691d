"""Sub-commands of ``nakama``; each module has ``register(subparsers)``.

Add a module name here to add its commands (one line each, to keep merges easy).
"""

COMMAND_MODULES = [
    "run",
    "db",
    "events",
    "settings",
    "devices",
    "decode",
    "job",
    "traveler",
    "keys",
    "sync",
    "op",
    "operators",
    "report_inspection",
    "report_daily",
    "backup",
    "support",
    "selftest",
    "screenshots",
    "consortium",
    "export",
    "approve",
]
