from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nakama")
except PackageNotFoundError:  # a source tree without an install
    __version__ = "0"
