"""Command-line entry point ``python -m helpers.demo``: build the synthetic demo data.

The generators live in :mod:`helpers.sources.demo`; this module only keeps the
command short and stable for analysts, workshops and the README.
"""

from helpers.sources.demo.base import main

if __name__ == "__main__":
    main()
