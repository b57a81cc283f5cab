"""Command-line entry point ``python -m helpers.demo``: build the synthetic demo data.

The generators live in :mod:`helpers.sources.demo` and are built in dependency
order by :func:`helpers.sources.demo.build.build_all`; this module only keeps the
command short and stable for analysts, workshops and the README.
"""

from helpers.sources.demo.build import main

if __name__ == "__main__":
    main()
