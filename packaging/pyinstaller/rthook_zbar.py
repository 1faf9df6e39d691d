# pyzbar finds libzbar with ctypes.util.find_library, which looks in the system's
# library paths only: in the bundle it must find the copy beside the program.
import ctypes.util
import os
import sys

_bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libzbar.so.0")
_find = ctypes.util.find_library


def _find_library(name):
    if name == "zbar" and os.path.exists(_bundled):
        return _bundled
    return _find(name)


ctypes.util.find_library = _find_library
