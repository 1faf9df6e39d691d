"""``python -m bench NAME [args]``: run one benchmark; its last output line is a JSON object."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def available() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in available():
        print(f"usage: python -m bench NAME [args]; NAME is one of: {', '.join(available())}")
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
