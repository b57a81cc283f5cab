"""Match the Strategi goal KPIs against Kolada's own KPI catalogue (pure functions).

Kolada's ``/v3/kpi`` records are indexed by id (:func:`catalog_index`); a KPI's
unit is read from its title (:func:`unit_from_title`), and its *Osäkerhetstal*
is found by comparing titles (:func:`find_uncertainty_kpi`). The checks that
use these (:func:`helpers.stats.strategi.goal_problems`) report whether the
workbook's indicator catalogue still agrees with Kolada.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

#: KPI unit -> Swedish description (in messages).
UNIT_NAMES: dict[str, str] = {
    "procent": "procent (en andel)",
    "per 1000": "antal per 1 000 invånare",
    "per 100 000": "antal per 100 000 invånare",
    "år": "år",
    "index": "ett index",
    "antal": "antal",
    "kronor": "kronor",
}


class Catalog(dict):
    """Kolada's KPI catalogue as ``{id: record}``, with title words cached for matching."""

    _tokens: dict[str, tuple[str, ...]] | None = None

    def tokens(self) -> dict[str, tuple[str, ...]]:
        """Return the normalised title words of every KPI (computed once)."""
        if self._tokens is None:
            self._tokens = {cid: _title_tokens(r.get("title") or "") for cid, r in self.items()}
        return self._tokens


def catalog_index(catalog: Any) -> Catalog:
    """Index Kolada's KPI catalogue by id.

    Parameters
    ----------
    catalog : list of dict, dict, pandas.DataFrame or Catalog
        KPI records (``/v3/kpi``), an envelope ``{"values": [...]}``, a mapping
        ``{id: record}`` or a DataFrame with an ``id`` column.

    Returns
    -------
    Catalog
        The same object if it already is one.
    """
    if isinstance(catalog, Catalog):
        return catalog
    if isinstance(catalog, pd.DataFrame):
        frame = catalog if "id" in catalog.columns else catalog.reset_index()
        records = frame.to_dict("records")
    elif isinstance(catalog, Mapping):
        if isinstance(catalog.get("values"), list):
            records = catalog["values"]
        else:
            return Catalog({str(k): dict(v) for k, v in catalog.items()})
    else:
        records = list(catalog)
    return Catalog({str(r["id"]): r for r in records})


#: Title patterns and the unit they mean, tried in this order by :func:`unit_from_title`.
_TITLE_UNITS: tuple[tuple[str, str], ...] = (
    (r"(/|per )\s*100[\s\u00a0]?000", "per 100 000"),
    (r"(/|per )\s*1[\s\u00a0]?000\b", "per 1000"),
    (r"\(%\)|andel|procent", "procent"),
    (r"\bindex\b", "index"),
    (r",\s*år$", "år"),
    (r"\bkr\b|kronor|kr/", "kronor"),
    (r",\s*antal$", "antal"),
)


def unit_from_title(title: str) -> str | None:
    """Guess a KPI's unit from its Kolada title.

    Parameters
    ----------
    title : str
        Kolada KPI title, e.g. ``"Fallskador bland personer 80+, 3-årsm, antal
        slutenvårdstillfällen/100 000 inv"``.

    Returns
    -------
    str or None
        ``"per 100 000"``, ``"per 1000"``, ``"procent"``, ``"index"``, ``"år"``,
        ``"kronor"``, ``"antal"``, or ``None`` when the title does not say (for
        example a ``medelvärde``).
    """
    t = re.sub(r"\(-\s*\d{4}\)\s*$", "", title.casefold()).strip()
    return next((unit for pattern, unit in _TITLE_UNITS if re.search(pattern, t)), None)


def norm_title(title: str) -> str:
    """Return a title with repeated spaces collapsed and case folded (for comparing titles)."""
    return re.sub(r"\s+", " ", str(title)).strip().casefold()


def _title_tokens(title: str) -> tuple[str, ...]:
    t = norm_title(title)
    t = re.sub(r"^osäkerhetstal\s*-\s*", "", t)
    t = re.sub(r"\(-\s*\d{4}\)", "", t)
    t = t.replace("andel (%)", " ").replace("(%)", " ")
    t = re.sub(r"^\s*andel\s+", "", t)
    tokens = re.findall(r"[0-9a-zåäöéü+]+(?:-[0-9a-zåäöéü+]+)*", t)
    return tuple(tok for tok in tokens if tok != "andel")


def _is_uncertainty(title: str) -> bool:
    return title.casefold().startswith("osäkerhetstal")


def _numbers(words: set[str]) -> set[str]:
    return {w for w in words if any(ch.isdigit() for ch in w)}


def _match_score(words: set[str], other: set[str]) -> float:
    """Jaccard similarity of two word sets; 0 unless every number in ``words`` is in ``other``."""
    if not _numbers(words) <= _numbers(other):
        return 0.0  # "7 timmar" is not "10 timmar"
    union = words | other
    return len(words & other) / len(union) if union else 0.0


def find_uncertainty_kpi(kpi: str, catalog: Any, min_score: float = 0.6) -> dict | None:
    """Find the *Osäkerhetstal* KPI whose title matches a KPI's title.

    Kolada's uncertainty KPIs are titled ``"Osäkerhetstal - <title>"``, but the
    titles are not always identical (``"Andel invånare 16-84 år med …"`` for
    ``"Invånare med …"``). Titles are normalised (prefix, ``andel``, ``(%)``
    removed) and compared as word sets (Jaccard similarity); every number in
    the KPI's title (ages, hours) must also be in the candidate's title. The
    match must be mutual: the KPI must also be the uncertainty KPI's best match
    among all ordinary KPIs (so ``"alltid eller oftast bra bemötande"`` does not
    take the uncertainty of ``"alltid bra bemötande"``).

    Parameters
    ----------
    kpi : str
        KPI id, e.g. ``"U01405"``.
    catalog : list of dict or pandas.DataFrame or dict
        Kolada v3 KPI records.
    min_score : float
        Smallest similarity accepted; the best match must also beat the
        second-best by 0,1.

    Returns
    -------
    dict or None
        ``{"id", "title", "score", "quality"}`` with quality ``"exact"`` (same
        normalised words in the same order) or ``"closest"``; ``None`` when no
        uncertainty KPI matches clearly.
    """
    cat = catalog_index(catalog)
    rec = cat.get(kpi)
    if rec is None or _is_uncertainty(rec.get("title") or ""):
        return None
    tokens = cat.tokens()
    uncertain = [cid for cid, r in cat.items() if _is_uncertainty(r.get("title") or "")]
    words = set(tokens[kpi])
    scored = sorted(
        ((_match_score(words, set(tokens[cid])), cid) for cid in uncertain),
        key=lambda x: (-x[0], x[1]),
    )
    if not scored or scored[0][0] < min_score:
        return None
    best_score, best = scored[0]
    if len(scored) > 1 and best_score - scored[1][0] < 0.1:
        return None
    best_words = set(tokens[best])
    rivals = [
        _match_score(set(tokens[cid]), best_words)
        for cid in cat
        if cid != kpi and cid not in uncertain
    ]
    if rivals and max(rivals) >= best_score:
        return None  # another KPI fits this uncertainty KPI at least as well
    return {
        "id": best,
        "title": cat[best].get("title"),
        "score": round(best_score, 3),
        "quality": "exact" if tokens[best] == tokens[kpi] else "closest",
    }
