"""CORS Inspector from the source tree: ``python main.py`` opens the window (the demo on the
command line when there is no display); ``python main.py --help`` lists the commands. The
installed command ``cors-inspector`` is the same ``corsinspector.cli.main``."""

import sys

from corsinspector.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
