"""SCB table ids pinned in a lock file, resolved with PxWebApi 2.0's search endpoint.

The workbook needs three SCB tables (:data:`SPECS`): deaths and population
31 December by kommun, single age, sex and year (the life tables per kommun),
and remaining life expectancy at 30 by education, sex and county (TAB4879,
figure 1.1 and the gap trend). PxWebApi 2.0 names tables ``TAB…``; the
documentation the project has names them by their v1 paths
(``../shared/reference/scb/README.md``). So the ids are

* **resolved** at fetch time (``python -m helpers.fetch``) with the search
  endpoint ``GET /tables?query=…`` (:meth:`helpers.sources.scb.ScbClient.search_tables`),
  narrowed by words that must occur in the table's title, and
* **pinned** in ``params/scb_tables.lock.yaml`` (committed with the project):
  id, title, SCB's ``updated`` date, the query used and the v1 name.

Every later load reads the ids from the lock file only (:func:`table_id`), so
a run never depends on what a search returns today. A later fetch compares
the search answer with the lock (:func:`check_against_search`): a table whose
``updated`` date or title changed, or that the search no longer finds, is
reported in Swedish and the fetch stops – unless ``--update-lock`` is given,
in which case the lock is rewritten and the change listed. Answers cached
under the old pin are not mixed with the new table: the data URLs carry the
table id, and a changed table must be fetched afresh (``--update-lock``
downloads again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers.config import yamlfile
from helpers.core import paths
from helpers.core.errors import DataError, Problem, SourceError

#: Where the lock file lives, relative to the project root.
LOCK_FILE = "params/scb_tables.lock.yaml"


@dataclass(frozen=True)
class TableSpec:
    """What one needed SCB table is and how it is searched for.

    Attributes
    ----------
    key : str
        The workbook's name of the table (``"deaths"``).
    query : str
        Words sent to ``/tables?query=``.
    label_contains : tuple of str
        Words that must all occur in the title (case-insensitive).
    v1 : str
        The table's v1 path (as documented in ``../shared/reference/scb/README.md``).
    what : str
        Swedish description for messages.
    """

    key: str
    query: str
    label_contains: tuple[str, ...]
    v1: str
    what: str


#: The SCB tables the workbook uses, by key.
SPECS: dict[str, TableSpec] = {
    s.key: s
    for s in (
        TableSpec(
            "deaths",
            "döda region ålder kön",
            ("döda", "region", "ålder", "kön"),
            "BE/BE0101/BE0101I/DodaFodelsearK",
            "döda efter region, ålder och kön (ettårsklasser, per år)",
        ),
        TableSpec(
            "population",
            "folkmängd region civilstånd ålder kön",
            ("folkmängd", "region", "civilstånd", "ålder", "kön"),
            "BE/BE0101/BE0101A/BefolkningNy",
            "folkmängd 31 december efter region, ålder och kön",
        ),
        TableSpec(
            "e30_education_lan",
            "återstående medellivslängd utbildningsnivå län",
            ("medellivslängd", "utbildning"),
            "START/BE/BE0701/LivslUtbLan",
            "återstående medellivslängd vid 30 år efter utbildningsnivå, kön och län",
        ),
    )
}

#: The keys of the two count tables of the kommun life tables.
COUNT_KEYS: tuple[str, ...] = ("deaths", "population")


@dataclass(frozen=True)
class PinnedTable:
    """One entry of the lock file.

    ``updated`` is SCB's date as the search endpoint gives it (ISO 8601 text)
    or ``None`` when the pin has not been confirmed online yet; ``basis`` says
    where the pin comes from (``"sökning"`` when a fetch resolved it, otherwise
    a note such as ``"antagen"`` – see the lock file's header).
    """

    key: str
    id: str
    title: str = ""
    updated: str | None = None
    query: str = ""
    v1: str = ""
    basis: str = ""

    def as_yaml(self) -> dict[str, Any]:
        """Return the entry as written to the lock file (without ``key``)."""
        return {
            "id": self.id,
            "title": self.title,
            "updated": self.updated,
            "query": self.query,
            "v1": self.v1,
            "basis": self.basis,
        }


@dataclass
class LockCheck:
    """The outcome of comparing the lock with a search answer.

    Attributes
    ----------
    pins : dict of str to PinnedTable
        The lock as it should be written (new pins and confirmed dates added).
    changed : list of str
        Swedish lines, one per table that changed at SCB (refused without ``--update-lock``).
    added : list of str
        Swedish lines, one per table pinned or confirmed for the first time.
    """

    pins: dict[str, PinnedTable]
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def lock_path(path: str | Path | None = None) -> Path:
    """Return the lock file's path (``params/scb_tables.lock.yaml`` by default)."""
    return Path(path) if path is not None else paths.project_file(LOCK_FILE)


def read_lock(path: str | Path | None = None) -> dict[str, PinnedTable]:
    """Read and validate the lock file; an absent file is an empty lock.

    Raises
    ------
    DataError
        Unknown table key, missing or malformed id, or a field of the wrong
        type – naming the file and the key.
    """
    p = lock_path(path)
    if not p.is_file():
        return {}
    doc = yamlfile.read_yaml(p)
    shown = yamlfile.display_path(p)
    tables = doc.get("tables") if isinstance(doc, Mapping) else None
    if not isinstance(tables, Mapping):
        raise DataError(Problem("nyckeln 'tables' saknas eller är ingen tabell", file=shown))
    problems: list[Problem] = []
    out: dict[str, PinnedTable] = {}
    for key, entry in tables.items():
        if key not in SPECS:
            problems.append(
                Problem(f"okänd tabell '{key}' (kända: {', '.join(SPECS)})", file=shown)
            )
            continue
        if not isinstance(entry, Mapping):
            problems.append(Problem(f"'{key}' ska ha id, title, updated …", file=shown))
            continue
        tid = entry.get("id")
        if not isinstance(tid, str) or not tid.startswith("TAB") or not tid[3:].isdigit():
            problems.append(
                Problem(f"'{key}': id ska vara 'TAB' och siffror, inte {tid!r}", file=shown)
            )
            continue
        texts = {k: entry.get(k) for k in ("title", "query", "v1", "basis")}
        updated = entry.get("updated")
        bad = [k for k, v in texts.items() if v is not None and not isinstance(v, str)]
        if updated is not None and not isinstance(updated, str):
            bad.append("updated")
        if bad:
            problems.append(Problem(f"'{key}': {', '.join(bad)} ska vara text", file=shown))
            continue
        out[str(key)] = PinnedTable(
            str(key), tid, updated=updated, **{k: v or "" for k, v in texts.items()}
        )
    if problems:
        raise DataError(problems)
    return out


HEADER = """\
# SCB-tabeller som arbetsboken använder, låsta till PxWebApi 2.0-id (skrivs av
# `python -m helpers.fetch`; ändra inte för hand utan skäl).
#
# id       tabellens id i PxWebApi 2.0 (https://statistikdatabasen.scb.se/api/v2/)
# title    tabellens titel enligt SCB:s sökning
# updated  SCB:s uppdateringsdatum; en senare hämtning som ser ett annat datum
#          stoppar och säger vilken tabell som ändrats (--update-lock godkänner)
# query    sökorden som användes mot /tables?query=
# v1       tabellens namn i API v1 (som i ../shared/reference/scb/README.md)
# basis    varifrån låsningen kommer: "sökning <datum>" = löst av helpers.fetch mot
#          SCB; annars en anteckning om att id:t är antaget och inte bekräftat här
"""


def write_lock(
    pins: Mapping[str, PinnedTable], path: str | Path | None = None, header: str = HEADER
) -> Path:
    """Write the lock file (tables in :data:`SPECS` order) and return its path."""
    p = lock_path(path)
    body = {"tables": {k: pins[k].as_yaml() for k in SPECS if k in pins}}
    text = header + "\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def table_id(key: str, path: str | Path | None = None) -> str | None:
    """Return the pinned PxWebApi 2.0 id of table ``key``, or ``None`` if it is not pinned."""
    if key not in SPECS:
        raise DataError(f"Okänd SCB-tabell '{key}' (kända: {', '.join(SPECS)})")
    pin = read_lock(path).get(key)
    return pin.id if pin is not None else None


def pinned_updated(table_id: str, path: str | Path | None = None) -> str | None:
    """Return the ``updated`` date pinned for PxWebApi 2.0 table ``table_id``, if any."""
    for pin in read_lock(path).values():
        if pin.id == table_id:
            return pin.updated
    return None


def _date(value: Any) -> str:
    return str(value or "okänt datum")


def check_against_search(
    lock: Mapping[str, PinnedTable],
    found: Mapping[str, Any],
    *,
    keys: tuple[str, ...] | None = None,
    searched_on: str = "",
) -> LockCheck:
    """Compare the lock with the search answers and return what to write and what changed.

    Parameters
    ----------
    lock : mapping of str to PinnedTable
        The current lock (:func:`read_lock`).
    found : mapping of str to pandas.DataFrame
        For each table key, the rows of
        :meth:`helpers.sources.scb.ScbClient.search_tables` for its query.
    keys : tuple of str, optional
        The tables to check (default every key in ``found``).
    searched_on : str
        Date of the search, written into ``basis`` of new pins.

    Returns
    -------
    LockCheck
        ``changed`` lists a pinned table whose ``updated`` date or title
        differs, or that the search no longer finds; ``added`` a table pinned
        now (by its title words; exactly one match is required) or whose
        unconfirmed pin got its date.

    Raises
    ------
    SourceError
        A table that is not pinned matches no search result, or several.
    """
    pins = dict(lock)
    out = LockCheck(pins)
    for key in keys or tuple(found):
        spec = SPECS[key]
        rows = found[key]
        if "discontinued" in rows:
            rows = rows[~rows["discontinued"].astype(bool)]
        pin = lock.get(key)
        basis = f"sökning {searched_on}".strip()
        if pin is not None:
            hit = rows[rows["id"] == pin.id]
            if hit.empty:
                out.changed.append(
                    f"{pin.id} ({spec.what}): SCB:s sökning efter '{spec.query}' hittar inte "
                    "längre tabellen (borttagen, avslutad eller bytt id)."
                )
                continue
            row = hit.iloc[0]
            new = PinnedTable(
                key, pin.id, str(row["label"]), row["updated"], spec.query, spec.v1, pin.basis
            )
            title = str(row["label"]).casefold()
            missing = [w for w in spec.label_contains if w.casefold() not in title]
            if pin.updated is None and missing:
                out.changed.append(
                    f"{pin.id} ({spec.what}): det antagna id:t i låsfilen stämmer inte – "
                    f"SCB:s titel '{row['label']}' saknar {', '.join(missing)}."
                )
                continue
            if pin.updated is None:
                pins[key] = PinnedTable(**{**new.__dict__, "basis": basis})
                out.added.append(
                    f"{pin.id} ({spec.what}): bekräftad, uppdaterad {_date(row['updated'])}."
                )
            elif row["updated"] != pin.updated or (pin.title and str(row["label"]) != pin.title):
                pins[key] = PinnedTable(**{**new.__dict__, "basis": basis})
                out.changed.append(
                    f"{pin.id} ({spec.what}): uppdaterad av SCB {_date(row['updated'])}, "
                    f"låst version {_date(pin.updated)}"
                    + (
                        f"; titeln är nu '{row['label']}'"
                        if pin.title and str(row["label"]) != pin.title
                        else ""
                    )
                    + "."
                )
            continue
        match = rows
        for word in spec.label_contains:
            match = match[match["label"].str.casefold().str.contains(word.casefold(), regex=False)]
        if len(match) != 1:
            listing = "; ".join(f"{r.id}: {r.label}" for r in match.head(10).itertuples())
            raise SourceError(
                f"SCB-tabellen för {spec.what} kunde inte låsas: sökningen '{spec.query}' "
                f"gav {len(match)} tabeller med {', '.join(spec.label_contains)} i titeln"
                + (f" ({listing})" if listing else "")
                + f". Lägg in rätt id för '{key}' i {LOCK_FILE} och hämta igen."
            )
        row = match.iloc[0]
        pins[key] = PinnedTable(
            key, str(row["id"]), str(row["label"]), row["updated"], spec.query, spec.v1, basis
        )
        out.added.append(f"{row['id']} ({spec.what}): låst, uppdaterad {_date(row['updated'])}.")
    return out


__all__ = [
    "COUNT_KEYS",
    "HEADER",
    "LOCK_FILE",
    "LockCheck",
    "PinnedTable",
    "SPECS",
    "TableSpec",
    "check_against_search",
    "lock_path",
    "pinned_updated",
    "read_lock",
    "table_id",
    "write_lock",
]
