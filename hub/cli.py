"""``nakama-hub``: the consortium hub server (being built; see the hub issue)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("nakama-hub: not yet — the hub server is being built.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
