"""Command-line entry point ``python -m helpers.fetch``: download what a run needs, then work offline.

Usage::

    python -m helpers.fetch --params params/dalarna.yaml
    python -m helpers.fetch --params params/dalarna.yaml --med scb
    python -m helpers.fetch --params params/dalarna.yaml --med scb --update-lock
    make fetch PARAMS=params/dalarna.yaml

What happens
------------
1. The run file is validated (:func:`helpers.config.params.load_run`) and its
   downloads are listed by the sources' needs functions
   (:func:`helpers.sources.needs.plan`): Kolada for ``data_source: kolada``,
   SCB for ``scb`` (or ``--med scb``), and whatever other sources register.
2. If SCB is needed, its table ids are resolved with PxWebApi 2.0's search
   endpoint and compared with the lock file ``params/scb_tables.lock.yaml``
   (:mod:`helpers.sources.scb_tables`): new pins and first confirmations are
   written; a table that SCB has changed since it was pinned (another
   ``updated`` date or title, or no longer found) is reported in Swedish and
   the fetch stops before downloading – ``--update-lock`` accepts the change,
   rewrites the lock and downloads the new version.
3. Every download runs with a progress bar (tqdm on stderr). What is already
   in the raw cache and matches its checksum is skipped; answers are cached one
   by one as they arrive, so an interrupted fetch resumes where it stopped.
4. A Swedish summary: how many were already cached, fetched, failed (with the
   reason). Exit code 0 when everything is cached, 1 when something failed,
   2 for a bad run file or a refused lock change.

Afterwards the run (``python -m helpers.reports --params …``) needs no network.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from helpers.config import params, sources
from helpers.config.notebook_params import template_parameters
from helpers.core import fmt
from helpers.core.errors import DataError, SourceError
from helpers.sources import needs, scb, scb_tables


@dataclass
class FetchResult:
    """What a fetch did.

    Attributes
    ----------
    cached, fetched : list of str
        Descriptions of downloads that were already cached / fetched now.
    failed : list of (str, str)
        Description and Swedish reason of each failed download.
    lock_lines : list of str
        What happened to the SCB lock file (pinned, confirmed, changed).
    seconds : float
        Duration.
    """

    cached: list[str] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    lock_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when everything is in the cache, 1 when something failed."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        """Return the Swedish summary printed at the end."""
        total = len(self.cached) + len(self.fetched) + len(self.failed)
        lines = [
            f"Hämtning klar på {fmt.num(self.seconds, 1, 's')}: {total} delar – "
            f"{len(self.cached)} fanns redan i cachen, {len(self.fetched)} hämtades, "
            f"{len(self.failed)} misslyckades."
        ]
        lines += [f"  SCB-tabell: {line}" for line in self.lock_lines]
        lines += [f"  Hämtad: {what}" for what in self.fetched]
        lines += [f"  Misslyckades: {what} – {why}" for what, why in self.failed]
        if not total:
            lines.append(
                "  Körningen använder ingen nedladdad källa (t.ex. demodata); inget behövs."
            )
        elif self.failed:
            lines.append(
                "Kör samma kommando igen när felet är åtgärdat; det som redan hämtats hämtas inte om."
            )
        else:
            lines.append("Allt finns i cachen (data/raw): körningen fungerar nu utan nätverk.")
        return "\n".join(lines)


def _data_source(spec: params.RunSpec) -> str:
    if "data_source" in spec.parameters:
        return str(spec.parameters["data_source"])
    p = template_parameters(spec.template).get("data_source")
    return str(p.default) if p is not None and p.default is not None else "demo"


def pin_scb_tables(
    client: scb.ScbClient | None = None,
    *,
    update_lock: bool = False,
    lock: str | Path | None = None,
    today: str | None = None,
) -> list[str]:
    """Resolve the SCB tables with the search endpoint and check or write the lock file.

    Parameters
    ----------
    client : helpers.sources.scb.ScbClient, optional
        Client; the search is always asked afresh (``use_cache=False``) so a
        changed table is seen.
    update_lock : bool
        Accept tables that changed at SCB and rewrite the lock.
    lock : str or Path, optional
        The lock file (default ``params/scb_tables.lock.yaml``).
    today : str, optional
        Date written into new pins (default today, ISO).

    Returns
    -------
    list of str
        Swedish lines: what was pinned, confirmed or (with ``update_lock``) changed.

    Raises
    ------
    DataError
        A pinned table changed at SCB and ``update_lock`` is False (nothing is written).
    """
    client = client or scb.ScbClient(use_cache=False)
    searcher = scb.ScbClient(
        client.base_url, client.cache, use_cache=False, lang=client.lang, http=client.http
    )
    current = scb_tables.read_lock(lock)
    found = {key: searcher.search_tables(spec.query) for key, spec in scb_tables.SPECS.items()}
    check = scb_tables.check_against_search(
        current, found, searched_on=today or date.today().isoformat()
    )
    path = scb_tables.lock_path(lock)
    if check.changed and not update_lock:
        raise DataError(
            f"SCB har ändrat tabeller som är låsta i {path.name}; de blandas inte med det som "
            "redan hämtats:\n"
            + "\n".join(f"  – {line}" for line in check.changed)
            + "\nGranska ändringen (titel och datum) och hämta med --update-lock för att låsa "
            "den nya versionen."
        )
    if check.changed or check.added:
        scb_tables.write_lock(check.pins, lock)
    return [*check.added, *(f"ändrad och omlåst: {line}" for line in check.changed)]


def fetch(
    params_path: str | Path,
    *,
    extra_sources: Sequence[str] = (),
    update_lock: bool = False,
    lock: str | Path | None = None,
    progress: bool = True,
    scb_client: scb.ScbClient | None = None,
) -> FetchResult:
    """Download everything the run file needs into the raw cache (see the module docstring).

    Parameters
    ----------
    params_path : str or Path
        The run file.
    extra_sources : sequence of str
        Sources to fetch in addition to the run's ``data_source`` (e.g. ``["scb"]``).
    update_lock : bool
        Accept SCB tables that changed since they were pinned.
    lock : str or Path, optional
        SCB lock file (default ``params/scb_tables.lock.yaml``).
    progress : bool
        Show a tqdm progress bar on stderr.
    scb_client : helpers.sources.scb.ScbClient, optional
        Client for the SCB table search (tests).

    Returns
    -------
    FetchResult

    Raises
    ------
    DataError
        Invalid run file or source name, or a refused lock change.
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    spec = params.load_run(params_path)
    for name in extra_sources:
        sources.check_source(name)
    run = needs.run_needs(spec, _data_source(spec), extra_sources, params_path)
    result = FetchResult()
    if run.wants("scb"):
        try:
            result.lock_lines = pin_scb_tables(scb_client, update_lock=update_lock, lock=lock)
        except SourceError as exc:
            result.failed.append(
                ("SCB:s tabellsökning (låsfilen kunde inte kontrolleras)", str(exc))
            )
            result.seconds = time.perf_counter() - started
            return result
    downloads = needs.plan(run)
    bar = tqdm(
        total=len(downloads), desc="Hämtar", unit="del", disable=not progress or not downloads
    )
    try:
        for d in downloads:
            bar.set_postfix_str(d.source)
            if needs.probe(d).cached:
                result.cached.append(d.what)
            else:
                try:
                    d.load()
                except (SourceError, DataError, OSError) as exc:
                    result.failed.append((d.what, str(exc)))
                else:
                    result.fetched.append(d.what)
            bar.update(1)
    finally:
        bar.close()
    result.seconds = time.perf_counter() - started
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 all cached, 1 failures, 2 bad input)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.fetch",
        description=(
            "Hämta allt en körfil behöver till rådatacachen (data/raw); "
            "sedan fungerar körningen utan nätverk."
        ),
    )
    parser.add_argument("--params", required=True, help="körfilen, t.ex. params/dalarna.yaml")
    parser.add_argument(
        "--med",
        action="append",
        default=[],
        metavar="KÄLLA",
        help="hämta även från denna källa (t.ex. scb); kan upprepas",
    )
    parser.add_argument(
        "--update-lock",
        action="store_true",
        help="godkänn SCB-tabeller som ändrats sedan de låstes och skriv om låsfilen",
    )
    parser.add_argument("--no-progress", action="store_true", help="ingen förloppsindikator")
    args = parser.parse_args(argv)
    try:
        result = fetch(
            args.params,
            extra_sources=args.med,
            update_lock=args.update_lock,
            progress=not args.no_progress,
        )
    except DataError as exc:
        print(f"Fel – inget hämtades.\n{exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
