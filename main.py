"""CORS Inspector: ``python main.py --help``."""

import sys

from corsinspector.cli import main

if __name__ == "__main__":
    sys.exit(main())
