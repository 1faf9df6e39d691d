"""One error base class: every exception Nakama defines on purpose derives from
``wire.errors.NakamaError``, and the tree in its docstring names each of them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import app
import drivers
import hub
import wire
from wire.errors import NakamaError


def _our_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for pkg in (app, drivers, hub, wire):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if ".ui" in info.name or info.name.endswith("__main__") or ".migrations" in info.name:
                continue  # screens need a display; migrations need alembic's context
            mod = importlib.import_module(info.name)
            for name, obj in inspect.getmembers(mod, inspect.isclass):
                if (
                    issubclass(obj, BaseException)
                    and obj.__module__ == mod.__name__
                    and not name.startswith("_")
                ):
                    found[f"{obj.__module__}.{name}"] = obj
    return list(found.values())


def test_every_error_derives_from_the_one_base_and_is_in_its_tree() -> None:
    errors = _our_exceptions()
    assert len(errors) >= 15
    stray = [e.__qualname__ for e in errors if not issubclass(e, NakamaError)]
    assert not stray
    tree = importlib.import_module("wire.errors").__doc__ or ""
    unnamed = [e.__name__ for e in errors if e.__name__ not in tree]
    assert not unnamed
