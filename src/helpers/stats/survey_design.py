"""The design-based machinery behind :mod:`helpers.stats.survey`: the design, codes, Taylor scores.

:class:`SurveyDesign` is the one object that says how a survey was sampled –
which columns hold the weight, the strata, the PSUs (clusters) and the finite
population correction, and how strata with a single PSU are treated. It is
built once from the variable map (:meth:`SurveyDesign.from_variable_map`) or
read off a canonical microdata frame (:meth:`SurveyDesign.of`) and passed, whole,
to every estimator (:func:`helpers.stats.survey.prevalence`,
:func:`helpers.stats.survey.estimate_indicator`,
:func:`helpers.stats.survey_compare.compare_with_parent`), so no call site can
forget the cluster column of a school survey.

The rest are internal building blocks shared by :mod:`helpers.stats.survey`
(prevalence and indicator tables) and :mod:`helpers.stats.survey_compare`
(changes and comparisons with the county or Sweden); the estimator, the variance
formula and their conventions are described in :mod:`helpers.stats.survey`.

* :func:`build_design` – integer-coded strata and PSUs, nested in survey year,
  with the finite population correction per stratum;
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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.errors import DataError, Problem, first_bad_row

if TYPE_CHECKING:
    from helpers.config.variable_map import VariableMap

SINGLETON_METHODS: tuple[str, ...] = ("center", "skip")
#: Key under which a microdata frame carries its :class:`SurveyDesign` (``frame.attrs``).
DESIGN_ATTR = "survey_design"
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


# the design (public)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveyDesign:
    """How a survey was sampled: the columns of weight, strata, PSU and fpc, and singleton handling.

    Built once – from the variable map (:meth:`from_variable_map`) or from a
    canonical microdata frame (:meth:`of`) – and passed whole to the estimators,
    so the cluster column of a school survey cannot be forgotten at one call site.

    Attributes
    ----------
    weight : str
        Column of the (calibration) weights, > 0.
    strata : str
        Column of the sampling strata (nested in survey year).
    psu : str or None
        Column of the primary sampling units (clusters, e.g. school classes);
        ``None`` makes every respondent its own PSU.
    fpc : str or None
        Column with the population size of the respondent's stratum at the first
        stage (number of PSUs in the population, or of persons without PSUs);
        each stratum's variance is multiplied by ``1 − n_h/N_h``. ``None``: no
        finite population correction (sampling with replacement).
    year : str
        Column of the survey year; strata and PSUs are nested in it.
    singleton : {"center", "skip"}
        Treatment of strata with a single PSU (see :mod:`helpers.stats.survey`).
    """

    weight: str = "weight"
    strata: str = "stratum"
    psu: str | None = None
    fpc: str | None = None
    year: str = "year"
    singleton: str = "center"

    def __post_init__(self) -> None:
        check_singleton(self.singleton)
        for name in ("weight", "strata", "year"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise DataError(f"designen saknar kolumnnamn för {name}")
        for name in ("psu", "fpc"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise DataError(f"designens {name} ska vara ett kolumnnamn eller None")

    @property
    def columns(self) -> list[str]:
        """The design columns the microdata must have (weight, strata, year, PSU, fpc)."""
        return [self.weight, self.strata, self.year, *(c for c in (self.psu, self.fpc) if c)]

    @property
    def clustered(self) -> bool:
        """True when the design has PSUs (clusters) above the respondents."""
        return self.psu is not None

    @classmethod
    def from_variable_map(
        cls, variable_map: VariableMap, singleton: str = "center"
    ) -> SurveyDesign:
        """Return the design of canonical microdata read with ``variable_map``.

        The canonical frame (:func:`helpers.sources.survey_files.read_microdata`)
        has the columns ``weight`` and ``stratum``, and ``psu``/``fpc`` when the
        map defines them.
        """
        mapped = set(variable_map.variables)
        return cls(
            psu="psu" if "psu" in mapped else None,
            fpc="fpc" if "fpc" in mapped else None,
            singleton=singleton,
        )

    @classmethod
    def of(cls, data: pd.DataFrame) -> SurveyDesign:
        """Return the design a microdata frame carries, else the one its canonical columns imply.

        ``data.attrs["survey_design"]`` (set by the loaders from the variable map)
        wins; a frame without it is taken as canonical microdata, whose ``psu``
        and ``fpc`` columns hold values only when the variable map defined them.
        """
        carried = data.attrs.get(DESIGN_ATTR)
        if isinstance(carried, SurveyDesign):
            return carried
        given = {
            c: c if c in data.columns and bool(data[c].notna().any()) else None
            for c in ("psu", "fpc")
        }
        return cls(psu=given["psu"], fpc=given["fpc"])

    def attach(self, data: pd.DataFrame) -> pd.DataFrame:
        """Record the design on ``data`` (``attrs``), so estimators called later find it; returns ``data``."""
        data.attrs[DESIGN_ATTR] = self
        return data


# design and linearization (internal)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CodedDesign:
    """Integer-coded design: stratum ``h`` and PSU ``j`` per row, PSUs and fpc factor per stratum."""

    h: np.ndarray
    j: np.ndarray
    psu_stratum: np.ndarray
    n_h: np.ndarray
    w: np.ndarray
    year: np.ndarray
    fpc_h: np.ndarray  # 1 − n_h/N_h per stratum (1 without a finite population correction)

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


def build_design(data: pd.DataFrame, design: SurveyDesign, name: str = "mikrodata") -> CodedDesign:
    """Code strata as ``(year, stratum)`` and PSUs as ``(year, stratum, psu)`` (each row without a PSU column).

    With ``design.fpc`` the population size of each stratum is checked (one
    value per stratum, at least the number of sampled PSUs) and turned into the
    factor ``1 − n_h/N_h``; a problem is a Swedish :class:`DataError` naming the
    first bad row.
    """
    year, stratum, psu = design.year, design.strata, design.psu
    h = codes(data, [year, stratum])
    if psu is None:
        j = np.arange(len(data), dtype=np.int64)
    else:
        j = codes(data, [year, stratum, psu])
    n_psu = int(j.max()) + 1 if len(j) else 0
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[j] = h
    n_h = np.bincount(psu_stratum, minlength=int(h.max()) + 1 if len(h) else 0)
    fpc_h = np.ones(len(n_h))
    if design.fpc is not None:
        fpc_h = _fpc_factors(data, design, h, n_h, name)
    return CodedDesign(
        h=h,
        j=j,
        psu_stratum=psu_stratum,
        n_h=n_h,
        w=data[design.weight].to_numpy(dtype=float),
        year=pd.to_numeric(data[year]).to_numpy(dtype=np.int64),
        fpc_h=fpc_h,
    )


def _fpc_factors(
    data: pd.DataFrame, design: SurveyDesign, h: np.ndarray, n_h: np.ndarray, name: str
) -> np.ndarray:
    """``1 − n_h/N_h`` per stratum from the fpc column (population size of the stratum)."""
    col = design.fpc
    assert col is not None
    big_n = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
    unit = "PSU" if design.psu else "personer"

    def shown(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(float(x)).replace(".", ",")

    first = np.full(len(n_h), np.nan)
    strata, first_row = np.unique(h, return_index=True)
    first[strata] = big_n[first_row]
    checks = [
        (
            ~(np.isfinite(big_n) & (big_n > 0)),
            lambda i, n: (
                f"populationsstorleken (fpc) ska vara ett tal större än 0 ({n} rader fel, "
                f"t.ex. '{data[col].iloc[i]}')"
            ),
        ),
        (
            big_n != first[h],
            lambda i, n: (
                f"populationsstorleken (fpc) ska vara densamma för hela stratumet "
                f"'{data[design.strata].iloc[i]}' år {data[design.year].iloc[i]} "
                f"({n} rader avviker, t.ex. {shown(big_n[i])} mot {shown(first[h[i]])})"
            ),
        ),
        (
            big_n < n_h[h],
            lambda i, n: (
                f"populationsstorleken (fpc) {shown(big_n[i])} är mindre än de {int(n_h[h[i]])} "
                f"{unit} som valts i stratumet '{data[design.strata].iloc[i]}' år "
                f"{data[design.year].iloc[i]} – fpc ska vara antalet {unit} i populationen "
                "i stratumet, inte en urvalsfraktion"
            ),
        ),
    ]
    for bad, message in checks:
        problem = first_bad_row(bad, message, file=name, column=col)
        if problem is not None:
            raise DataError(problem)
    return 1.0 - n_h / first


def stratum_terms(
    prod: np.ndarray,
    s1a: np.ndarray,
    s1b: np.ndarray,
    nh: np.ndarray,
    singleton: str,
    fpc: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Per-(domain, stratum) contribution ``f·n_h/(n_h−1)(Σ a·b − S_a S_b / n_h)``, singletons handled.

    ``f`` is the finite population correction ``1 − n_h/N_h`` (1 without one).
    A stratum with one PSU adds ``f·Σ a·b`` (``"center"``: the PSU's deviation
    from the grand mean of PSU scores, which is 0 for a linearized ratio) or
    nothing (``"skip"``); never NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        regular = nh / (nh - 1.0) * (prod - s1a * s1b / nh)
    single = prod if singleton == "center" else np.zeros_like(prod)
    return fpc * np.where(nh > 1, regular, single)


def linearize(design: CodedDesign, g: np.ndarray, y: np.ndarray, singleton: str) -> Scores:
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
    contrib = stratum_terms(s2, s1, s1, nh, singleton, design.fpc_h[key_gh % n_hh])
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
    design: CodedDesign, a: Scores, b: Scores, a_to_b: np.ndarray, singleton: str
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
    contrib = stratum_terms(prod, a.s1, s1b, nh, singleton, design.fpc_h[h_ah])
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
    design: SurveyDesign,
    name: str,
    *,
    kommun: bool = False,
) -> tuple[pd.DataFrame, CodedDesign, np.ndarray]:
    """Check the microdata for one answer variable, then code its design and answers.

    Parameters
    ----------
    data, variable : pandas.DataFrame, str
        The microdata and its 0/1 answer column.
    keys : sequence of str
        Grouping columns that must be present.
    design : SurveyDesign
        Weight, strata, PSU, fpc and year columns.
    name : str
        The name of the data in messages.
    kommun : bool
        Also require a ``kommun`` column of four-digit codes.

    Returns
    -------
    tuple
        The data with a fresh index, its :class:`CodedDesign` and the answers as floats.

    Raises
    ------
    DataError
        As :func:`validate` and (with ``kommun``) :func:`check_kommun`; also when
        no respondent has answered ``variable`` (every answer missing), and for an
        fpc that is not one population size per stratum (:func:`build_design`).
    """
    design_cols = design.columns
    required = [variable, *(["kommun"] if kommun else []), *design_cols, *keys]
    validate(data, [variable], required, design.weight, name, design_cols, design.year)
    if kommun:
        check_kommun(data, name)
    data = data.reset_index(drop=True)
    y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(y).any():
        raise DataError(
            Problem(
                f"ingen av de {len(y)} svarande har besvarat frågan (alla svar saknas), så "
                "ingen andel kan skattas – kontrollera variabelkartans koder för ja, nej och "
                "saknas",
                file=name,
                column=variable,
            )
        )
    coded = build_design(data, design, name)
    return data, coded, y


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
