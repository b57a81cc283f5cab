"""Command-line entry point ``python -m helpers.reports``: one report per kommun.

The runner itself lives in :mod:`helpers.run.runner`; this module only keeps the
command short and stable for analysts and the README.
"""

from helpers.run.runner import main

if __name__ == "__main__":
    raise SystemExit(main())
