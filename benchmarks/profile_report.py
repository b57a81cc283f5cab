"""Profile where one warm kommun report spends its time, per section and per figure.

Builds one kommun's profile once (cold: county computations, imports), then a
second kommun of the same county (warm: what every further report of a batch
costs), timing each section builder, each figure's PNG rendering as the
notebook's inline backend does it, the notebook-to-HTML conversion and the
facts. With ``--cprofile FILE`` the warm report is also run under cProfile
(``python -m pstats FILE`` or snakeviz to browse it).

Usage::

    .venv/bin/python benchmarks/profile_report.py [--cold 2080] [--warm 2085] [--plain --dpi 100]
        [--cprofile out.prof]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import time
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("agg")


def _timed(label: str, rows: list[tuple[str, float, float]], fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return out


def sections(kommun: str, rows: list[tuple[str, float, float]]) -> dict[str, Any]:
    """Build every section of ``kommun`` as :func:`helpers.report.profile.build` does, timed."""
    from helpers.report import education, mortality, profile, strategi, survey
    from helpers.report import life_expectancy as e0

    le = _timed(
        "data: life expectancy (kommun_data, checks)",
        rows,
        lambda: e0.kommun_data(kommun, "demo", 2024),
    )
    e0.check_results(le)
    out = {
        "sammanfattning": _timed("section sammanfattning", rows, lambda: e0.summary_section(le)),
        "tidsserie": _timed("section tidsserie", rows, lambda: e0.timeseries_section(le)),
        "skillnad": _timed("section skillnad", rows, lambda: e0.range_section(le)),
        "placering": _timed("section placering", rows, lambda: e0.rank_section(le)),
        "karta": _timed("section karta", rows, lambda: e0.map_section(le)),
        "dodlighet": _timed(
            "section dodlighet", rows, lambda: mortality.mortality_section(kommun, "demo", 2024)
        ),
        "utbildning": _timed(
            "section utbildning", rows, lambda: education.education_section(le.lan_code, "demo")
        ),
        "enkat": _timed(
            "section enkat",
            rows,
            lambda: survey.survey_section(kommun, "demo", list(profile.SURVEY_VARIABLES), min_n=5),
        ),
        "strategi": _timed(
            "section strategi", rows, lambda: strategi.strategi_section(kommun, "demo")
        ),
    }
    return out


def figures(
    built: dict[str, Any], rows: list[tuple[str, float, float]], dpi: float, plain: bool
) -> int:
    """Render every figure to PNG as the report does; return the total bytes.

    ``plain``: matplotlib's full-colour PNG (the inline backend's default) instead
    of :func:`helpers.plots.inline.compact_png`.
    """
    from helpers.plots.inline import compact_png

    total = 0
    for name, section in built.items():
        for fig_name, fig in section.figures.items():
            if plain:
                buf = io.BytesIO()
                _timed(
                    f"png {name}/{fig_name}",
                    rows,
                    lambda fig=fig, buf=buf: fig.savefig(buf, format="png", dpi=dpi),
                )
                size = buf.tell()
            else:
                png = _timed(f"png {name}/{fig_name}", rows, lambda fig=fig: compact_png(fig, dpi))
                size = len(png)
            rows[-1] = (f"{rows[-1][0]} ({size / 1024:.0f} kB)", *rows[-1][1:])
            total += size
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", default="2080")
    parser.add_argument("--warm", default="2085")
    parser.add_argument("--dpi", type=float, default=96.0, help="figure dpi")
    parser.add_argument(
        "--plain", action="store_true", help="full-colour matplotlib PNG (before issue 14)"
    )
    parser.add_argument("--cprofile", help="write the warm report's cProfile stats here")
    args = parser.parse_args()

    rows: list[tuple[str, float, float]] = []
    t0 = time.perf_counter()
    _timed("import helpers.report.profile", rows, lambda: __import__("helpers.report.profile"))
    cold = sections(args.cold, rows)
    figures(cold, rows, args.dpi, args.plain)
    cold_s = time.perf_counter() - t0
    print(f"cold report {args.cold} (imports + county work + draw): {cold_s:.1f} s")

    rows.clear()
    prof = cProfile.Profile() if args.cprofile else None
    if prof:
        prof.enable()
    from helpers.report import profile

    built = sections(args.warm, rows)
    nbytes = figures(built, rows, args.dpi, args.plain)
    p = _timed("profile.build (all sections, again)", rows, lambda: profile.build(args.warm))
    _timed("facts + check one value", rows, lambda: profile.check(p))
    _timed("facts payload (JSON records)", rows, lambda: profile.facts_payload(p))
    if prof:
        prof.disable()
        prof.dump_stats(args.cprofile)
    print(f"warm report {args.warm}: figures {nbytes / 1e6:.2f} MB PNG at {args.dpi:g} dpi")
    print(f"{'step':<62} {'wall s':>7} {'cpu s':>7}")
    for label, wall, cpu in rows:
        print(f"{label:<62} {wall:7.2f} {cpu:7.2f}")


if __name__ == "__main__":
    main()
