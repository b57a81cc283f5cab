"""The design-based machinery behind :mod:`helpers.stats.survey`: codes, Taylor scores, covariances.

Internal building blocks shared by :mod:`helpers.stats.survey` (prevalence and
indicator tables) and :mod:`helpers.stats.survey_compare` (changes and
comparisons with the county or Sweden); the estimator, the variance formula and
their conventions are described in :mod:`helpers.stats.survey`.

* :func:`build_design` – integer-coded strata and PSUs, nested in survey year;
* :func:`linearize` – domain prevalences and Taylor (with-replacement) variances
  for many domains in one ``bincount`` pass, keeping each domain's PSU scores;
* :func:`covariance` – the covariance of two domain sets estimated from the same
  sample (a kommun and its county);
* :func:`validate`, :func:`check_kommun`, :func:`windows` … – checks of the
  microdata (Swedish problems naming file, row and column) and the periods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.errors import DataError, Problem, first_bad_row

SINGLETON_METHODS: tuple[str, ...] = ("center", "skip")
#: Derived grouping column: the 2-digit län code (first two digits of ``kommun``).
LAN = "lan"
#: Columns of a design frame (:func:`helpers.stats.survey.prevalence`), after the grouping columns.
DESIGN_COLUMNS: tuple[str, ...] = (
    "period",
    "period_label",
    "first_year",
    "n",
    "yes",
    "weighted_n",
    "p",
    "se",
    "deff",
    "n_eff",
    "n_eff_df",
    "df",
    "n_psu",
    "n_strata",
    "ci_lower",
    "ci_upper",
    "ci_level",
)


# design and linearization (internal)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Design:
    """Integer-coded design: stratum ``h`` and PSU ``j`` per row, PSUs per stratum."""

    h: np.ndarray
    j: np.ndarray
    psu_stratum: np.ndarray
    n_h: np.ndarray
    w: np.ndarray
    year: np.ndarray

    @property
    def n_psu_total(self) -> int:
        """Number of PSUs in the whole sample."""
        return len(self.psu_stratum)

    @property
    def n_strata_total(self) -> int:
        """Number of variance strata in the whole sample."""
        return len(self.n_h)


@dataclass(frozen=True)
class Scores:
    """Linearized domain statistics: per domain, per (domain, PSU) and per (domain, stratum)."""

    n: np.ndarray
    yes: np.ndarray
    wsum: np.ndarray
    p: np.ndarray
    var: np.ndarray
    n_psu: np.ndarray
    n_strata: np.ndarray
    key_gj: np.ndarray  # sorted g * J + j
    z: np.ndarray
    key_gh: np.ndarray  # sorted g * H + h
    s1: np.ndarray
    first_row: np.ndarray  # a row index of each domain (to read its labels)

    @property
    def df(self) -> np.ndarray:
        """Domain degrees of freedom: PSUs minus strata with domain members."""
        return (self.n_psu - self.n_strata).astype(float)


def codes(frame: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Dense int64 codes of the combination of ``cols``; -1 where any column is missing."""
    if not cols:
        return np.zeros(len(frame), dtype=np.int64)
    code = np.zeros(len(frame), dtype=np.int64)
    bad = np.zeros(len(frame), dtype=bool)
    for c in cols:
        cc, uniq = pd.factorize(frame[c], sort=True)
        bad |= cc < 0
        code = code * (len(uniq) + 1) + cc
    _, dense = np.unique(code, return_inverse=True)
    dense = dense.astype(np.int64)
    if bad.any():
        dense[bad] = -1
        _, d2 = np.unique(dense[~bad], return_inverse=True)
        dense[~bad] = d2
    return dense


def build_design(
    data: pd.DataFrame, weight: str, stratum: str, psu: str | None, year: str
) -> Design:
    """Code strata as ``(year, stratum)`` and PSUs as ``(year, stratum, psu)`` (each row without a PSU column)."""
    h = codes(data, [year, stratum])
    if psu is None:
        j = np.arange(len(data), dtype=np.int64)
    else:
        j = codes(data, [year, stratum, psu])
    n_psu = int(j.max()) + 1 if len(j) else 0
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[j] = h
    n_h = np.bincount(psu_stratum, minlength=int(h.max()) + 1 if len(h) else 0)
    return Design(
        h=h,
        j=j,
        psu_stratum=psu_stratum,
        n_h=n_h,
        w=data[weight].to_numpy(dtype=float),
        year=pd.to_numeric(data[year]).to_numpy(dtype=np.int64),
    )


def stratum_terms(
    prod: np.ndarray, s1a: np.ndarray, s1b: np.ndarray, nh: np.ndarray, singleton: str
) -> np.ndarray:
    """Per-(domain, stratum) contribution ``n_h/(n_h−1)(Σ a·b − S_a S_b / n_h)``, singletons handled."""
    with np.errstate(divide="ignore", invalid="ignore"):
        regular = nh / (nh - 1.0) * (prod - s1a * s1b / nh)
    single = prod if singleton == "center" else np.zeros_like(prod)
    return np.where(nh > 1, regular, single)


def linearize(design: Design, g: np.ndarray, y: np.ndarray, singleton: str) -> Scores:
    """Domain prevalences and Taylor variances for domain codes ``g`` (-1 = outside every domain)."""
    inside = (g >= 0) & ~np.isnan(y)
    gi = g[inside]
    n_dom = int(g.max()) + 1 if len(g) and g.max() >= 0 else 0
    wi, yi, ji = design.w[inside], y[inside], design.j[inside]
    n = np.bincount(gi, minlength=n_dom).astype(float)
    yes = np.bincount(gi, weights=yi, minlength=n_dom)
    wsum = np.bincount(gi, weights=wi, minlength=n_dom)
    wy = np.bincount(gi, weights=wi * yi, minlength=n_dom)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = wy / wsum
    n_j = np.int64(max(design.n_psu_total, 1))
    n_hh = np.int64(max(design.n_strata_total, 1))

    key_gj, inv = np.unique(gi * n_j + ji, return_inverse=True)
    w_gj = np.bincount(inv, weights=wi)
    t_gj = np.bincount(inv, weights=wi * yi)
    g_of = key_gj // n_j
    j_of = key_gj % n_j
    z = (t_gj - p[g_of] * w_gj) / wsum[g_of]

    h_of = design.psu_stratum[j_of]
    key_gh, inv2 = np.unique(g_of * n_hh + h_of, return_inverse=True)
    s1 = np.bincount(inv2, weights=z)
    s2 = np.bincount(inv2, weights=z * z)
    m = np.bincount(inv2).astype(float)
    g2 = key_gh // n_hh
    nh = design.n_h[key_gh % n_hh].astype(float)
    contrib = stratum_terms(s2, s1, s1, nh, singleton)
    var = np.bincount(g2, weights=contrib, minlength=n_dom)
    var = np.maximum(var, 0.0)
    n_psu = np.bincount(g2, weights=m, minlength=n_dom)
    n_strata = np.bincount(g2, minlength=n_dom).astype(float)

    rows = np.flatnonzero(inside)
    first = np.full(n_dom, -1, dtype=np.int64)
    present, idx = np.unique(gi, return_index=True)
    first[present] = rows[idx]
    return Scores(
        n=n,
        yes=yes,
        wsum=wsum,
        p=p,
        var=var,
        n_psu=n_psu,
        n_strata=n_strata,
        key_gj=key_gj,
        z=z,
        key_gh=key_gh,
        s1=s1,
        first_row=first,
    )


def covariance(
    design: Design, a: Scores, b: Scores, a_to_b: np.ndarray, singleton: str
) -> np.ndarray:
    """Covariance of each domain of ``a`` with the domain ``a_to_b[g]`` of ``b`` (same sample)."""
    n_j = np.int64(max(design.n_psu_total, 1))
    n_hh = np.int64(max(design.n_strata_total, 1))
    ga = a.key_gj // n_j
    ja = a.key_gj % n_j
    gb = a_to_b[ga]
    kb = gb * n_j + ja
    pos = np.searchsorted(b.key_gj, kb)
    pos = np.minimum(pos, len(b.key_gj) - 1)
    found = b.key_gj[pos] == kb
    zb = np.where(found, b.z[pos], 0.0)
    ha = design.psu_stratum[ja]
    # Σ_j z_a z_b per (g_a, h): aligned with a.key_gh (same (g, h) set as a's scores)
    key_ah = ga * n_hh + ha
    idx = np.searchsorted(a.key_gh, key_ah)
    prod = np.bincount(idx, weights=a.z * zb, minlength=len(a.key_gh))
    g_ah = a.key_gh // n_hh
    h_ah = a.key_gh % n_hh
    kbh = a_to_b[g_ah] * n_hh + h_ah
    posb = np.minimum(np.searchsorted(b.key_gh, kbh), len(b.key_gh) - 1)
    s1b = np.where(b.key_gh[posb] == kbh, b.s1[posb], 0.0)
    nh = design.n_h[h_ah].astype(float)
    contrib = stratum_terms(prod, a.s1, s1b, nh, singleton)
    return np.bincount(g_ah, weights=contrib, minlength=len(a.n))


# ---------------------------------------------------------------------------
# validation and helpers
# ---------------------------------------------------------------------------
def validate(
    data: pd.DataFrame,
    variables: Sequence[str],
    columns: Iterable[str],
    weight: str,
    name: str,
    complete: Sequence[str] = (),
    year: str | None = None,
) -> None:
    """Check columns, weights, design variables, years and 0/1 answers; raise every problem at once."""
    problems: list[Problem] = []
    missing = [c for c in dict.fromkeys(columns) if c not in data.columns]
    for c in missing:
        problems.append(Problem("kolumnen saknas i mikrodata", file=name, column=c))
    if problems:
        raise DataError(problems)
    w = pd.to_numeric(data[weight], errors="coerce").to_numpy(dtype=float)
    found = [
        first_bad_row(
            ~(np.isfinite(w) & (w > 0)),
            lambda i, n: (
                f"vikten måste vara ett tal större än 0 ({n} rader fel, t.ex. '{data[weight].iloc[i]}')"
            ),
            file=name,
            column=weight,
        )
    ]
    found += [
        first_bad_row(
            data[c].isna().to_numpy(),
            lambda i, n: f"designvariabeln saknar värde på {n} rader",
            file=name,
            column=c,
        )
        for c in complete
    ]
    if year is not None:
        yr = pd.to_numeric(data[year], errors="coerce")
        found.append(
            first_bad_row(
                (yr.isna() | (yr % 1 != 0)).to_numpy() & data[year].notna().to_numpy(),
                lambda i, n: f"året ska vara ett heltal, inte '{data[year].iloc[i]}'",
                file=name,
                column=year,
            )
        )
    problems += [p for p in found if p is not None]
    for v in variables:
        vals = pd.to_numeric(data[v], errors="coerce")
        problem = first_bad_row(
            ((vals.isna() & data[v].notna()) | (vals.notna() & ~vals.isin([0, 1]))).to_numpy(),
            lambda i, n, v=v: (
                f"svaren ska vara 0, 1 eller tomma ({n} rader fel, t.ex. '{data[v].iloc[i]}')"
            ),
            file=name,
            column=v,
        )
        if problem is not None:
            problems.append(problem)
    if problems:
        raise DataError(problems)


def prepare(
    data: pd.DataFrame,
    variable: str,
    keys: Sequence[str],
    weight: str,
    stratum: str,
    psu: str | None,
    year: str,
    name: str,
    *,
    kommun: bool = False,
) -> tuple[pd.DataFrame, Design, np.ndarray]:
    """Check the microdata for one answer variable, then code its design and answers.

    Parameters
    ----------
    data, variable : pandas.DataFrame, str
        The microdata and its 0/1 answer column.
    keys : sequence of str
        Grouping columns that must be present.
    weight, stratum, psu, year, name
        Design columns and the name of the data in messages, as in
        :func:`helpers.stats.survey.prevalence`.
    kommun : bool
        Also require a ``kommun`` column of four-digit codes.

    Returns
    -------
    tuple
        The data with a fresh index, its :class:`Design` and the answers as floats.

    Raises
    ------
    DataError
        As :func:`validate` and (with ``kommun``) :func:`check_kommun`.
    """
    design_cols = [weight, stratum, year] + ([psu] if psu else [])
    required = [variable, *(["kommun"] if kommun else []), *design_cols, *keys]
    validate(data, [variable], required, weight, name, design_cols, year)
    if kommun:
        check_kommun(data, name)
    data = data.reset_index(drop=True)
    design = build_design(data, weight, stratum, psu, year)
    y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=float)
    return data, design, y


def check_kommun(data: pd.DataFrame, name: str) -> None:
    """Refuse kommun codes that are not four digits (first bad row, and how many)."""
    codes = data["kommun"].astype("string")
    bad = codes.notna() & ~codes.str.fullmatch(r"\d{4}").fillna(False)
    problem = first_bad_row(
        bad.to_numpy(),
        lambda i, n: (
            f"kommunkoden ska vara fyra siffror som text, t.ex. '2080' ({n} rader fel, "
            f"t.ex. '{data['kommun'].iloc[i]}')"
        ),
        file=name,
        column="kommun",
    )
    if problem is not None:
        raise DataError(problem)


def with_lan(data: pd.DataFrame, cols: Iterable[str], kommun: str = "kommun") -> pd.DataFrame:
    """Add the derived ``lan`` column when ``cols`` asks for it."""
    if LAN in cols and LAN not in data.columns:
        data = data.assign(**{LAN: lookup.lan_code_of(data[kommun].astype("string"))})
    return data


def windows(years: np.ndarray, pool_years: int | None) -> list[tuple[int, int]]:
    """(first, last) year of each estimation period."""
    uniq = sorted(int(y) for y in np.unique(years))
    if pool_years is None:
        return [(y, y) for y in uniq]
    if int(pool_years) < 1:
        raise DataError(f"pool_years måste vara minst 1, inte {pool_years}")
    k = int(pool_years)
    lo = uniq[0]
    return [(t - k + 1, t) for t in uniq if t - k + 1 >= lo]


def period_label(first: int, last: int) -> str:
    """``"2024"`` for one year, ``"2021–2024"`` for a pooled window."""
    return str(last) if first == last else f"{first}–{last}"


def check_singleton(singleton: str) -> None:
    """Refuse an unknown singleton-stratum method (Swedish message)."""
    if singleton not in SINGLETON_METHODS:
        raise DataError(
            f"okänd metod för strata med en PSU: '{singleton}' (tillåtna: center, skip)"
        )


def compact(g: np.ndarray) -> np.ndarray:
    """Renumber non-negative codes densely (keeps -1)."""
    out = np.full(len(g), -1, dtype=np.int64)
    ok = g >= 0
    if ok.any():
        _, dense = np.unique(g[ok], return_inverse=True)
        out[ok] = dense
    return out
