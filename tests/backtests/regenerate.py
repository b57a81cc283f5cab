"""Regenerate the golden key figures of the four backtest reports (an explicit, reviewed step).

Run from the project root: ``.venv/bin/python tests/backtests/regenerate.py`` (or ``make golden``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.report import facts, profile
from helpers.sources.demo import build

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_backtests import GOLDEN, golden_path  # noqa: E402


def main() -> None:
    """Build the four demo profiles and write their key figures to ``golden/``."""
    build.build_all()
    for kommun in GOLDEN:
        p = profile.build(kommun, "demo", 2024, 5)
        profile.check(p)
        path = facts.to_csv(profile.key_facts(p), golden_path(kommun))
        print(f"{path.relative_to(HERE.parent.parent)}: {len(profile.key_facts(p))} rader")


if __name__ == "__main__":
    main()
