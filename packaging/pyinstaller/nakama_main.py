"""Entry point of the built terminal (PyInstaller): the same ``nakama`` command line."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
