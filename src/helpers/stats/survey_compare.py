"""Changes and comparisons of survey prevalences: between periods, with the county, by rank.

* :func:`difference` / :func:`compare_periods` – change between two periods
  (independent samples, Welch–Satterthwaite degrees of freedom);
* :func:`compare_with_parent` – each kommun against its county or Sweden, with
  the covariance of the overlapping samples;
* :func:`rank_colours` – Kolada-style red/yellow/green ranks.

The verdicts are short Swedish labels (:data:`VERDICT_DECREASE` …) that the
sentences in :mod:`helpers.text.survey` build on; this module writes no sentences.
Estimation itself is in :mod:`helpers.stats.survey`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.stats import survey_design as sd
from helpers.stats.ci import confidence_level
from helpers.stats.survey_design import DESIGN_COLUMNS, LAN, SurveyDesign

Direction = Literal["higher_is_better", "lower_is_better"] | None

VERDICT_DECREASE = "statistiskt säkerställd minskning"
VERDICT_INCREASE = "statistiskt säkerställd ökning"
VERDICT_NO_CHANGE = "ingen statistiskt säkerställd förändring"

COLOUR_GREEN = "grön"
COLOUR_YELLOW = "gul"
COLOUR_RED = "röd"
COLOUR_MISSING = "grå"


# ---------------------------------------------------------------------------
# public: comparisons
# ---------------------------------------------------------------------------
def _p_value(stat: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value from t(df), normal where df is infinite or missing."""
    normal = 2 * special.ndtr(-np.abs(stat))
    use_t = np.isfinite(df) & (df > 0)
    t = 2 * special.stdtr(np.where(use_t, df, 1.0), -np.abs(stat))
    return np.where(use_t, t, normal)


def _crit(conf: float, df: np.ndarray) -> np.ndarray:
    use_t = np.isfinite(df) & (df > 0)
    z = special.ndtri(1 - (1 - conf) / 2)
    return np.where(use_t, special.stdtrit(np.where(use_t, df, 1.0), 1 - (1 - conf) / 2), z)


def difference(
    p1: ArrayLike,
    se1: ArrayLike,
    p2: ArrayLike,
    se2: ArrayLike,
    df1: ArrayLike | None = None,
    df2: ArrayLike | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Change from estimate 1 to estimate 2 for independent samples (e.g. two survey periods).

    ``diff = p2 − p1`` with ``SE = sqrt(se1² + se2²)``. With degrees of freedom
    the reference distribution is t with Welch–Satterthwaite df
    ``(v1 + v2)² / (v1²/df1 + v2²/df2)``; without, standard normal.

    Parameters
    ----------
    p1, se1, p2, se2 : array_like
        Proportions (0–1) and standard errors of the earlier and later estimate.
    df1, df2 : array_like, optional
        Design degrees of freedom of each estimate.
    confidence : float
        Confidence level of the interval and significance level ``1 − confidence``.

    Returns
    -------
    pandas.DataFrame
        ``diff_pp``, ``se_pp``, ``ci_lower_pp``, ``ci_upper_pp`` (percentage
        points), ``df``, ``statistic``, ``p_value`` and ``verdict`` (Swedish:
        :data:`VERDICT_DECREASE`, :data:`VERDICT_INCREASE` or
        :data:`VERDICT_NO_CHANGE`; empty when an input is missing).
    """
    conf = confidence_level(confidence)
    a = [np.atleast_1d(np.asarray(x, dtype=float)) for x in (p1, se1, p2, se2)]
    p1a, se1a, p2a, se2a = np.broadcast_arrays(*a)
    v1, v2 = se1a**2, se2a**2
    diff = p2a - p1a
    se = np.sqrt(v1 + v2)
    if df1 is None or df2 is None:
        df = np.full(diff.shape, np.inf)
    else:
        d1 = np.broadcast_to(np.asarray(df1, dtype=float), diff.shape)
        d2 = np.broadcast_to(np.asarray(df2, dtype=float), diff.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (v1 + v2) ** 2 / (v1**2 / d1 + v2**2 / d2)
    return _test_frame(diff, se, df, conf, (VERDICT_DECREASE, VERDICT_NO_CHANGE, VERDICT_INCREASE))


def se_from_ci(lower: ArrayLike, upper: ArrayLike, level: ArrayLike = 0.95) -> np.ndarray:
    """Return the standard error from a symmetric normal-approximation interval: half-width / z.

    ``SE = (upper − lower) / (2 z)`` with ``z`` the two-sided normal quantile of
    ``level`` (1,96 for 95 %). Units are those of the limits.
    """
    lo, hi, lv = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, dtype=float)) for x in (lower, upper, level))
    )
    z = special.ndtri(1 - (1 - lv) / 2)
    return (hi - lo) / (2 * z)


def compare_ci(
    value1: ArrayLike,
    lower1: ArrayLike,
    upper1: ArrayLike,
    value2: ArrayLike,
    lower2: ArrayLike,
    upper2: ArrayLike,
    level1: ArrayLike = 0.95,
    level2: ArrayLike = 0.95,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare two independent estimates known only as percent with a confidence interval.

    Each standard error is approximated from its interval (:func:`se_from_ci`,
    half-width / 1,96 for 95 %), and the difference ``value2 − value1`` is
    tested with a two-sided z-test (:func:`difference` without degrees of
    freedom): ``z = (v2 − v1) / sqrt(se1² + se2²)``. Used for aggregated
    tables without microdata (e.g. a region's HLV spreadsheet), where no
    covariance can be known: for a kommun against its county the test is
    then conservative.

    Parameters
    ----------
    value1, lower1, upper1 : array_like
        The first (reference, earlier) estimate and its limits, in percent.
    value2, lower2, upper2 : array_like
        The second estimate and its limits, in percent.
    level1, level2 : array_like
        Confidence levels of the two intervals.
    confidence : float
        Level of the interval of the difference and of the test.

    Returns
    -------
    pandas.DataFrame
        As :func:`difference`: ``diff_pp`` (second minus first), ``se_pp``,
        ``ci_lower_pp``, ``ci_upper_pp``, ``df`` (inf), ``statistic``,
        ``p_value`` and ``verdict`` (empty when an input is missing).
    """
    se1 = se_from_ci(lower1, upper1, level1) / 100
    se2 = se_from_ci(lower2, upper2, level2) / 100
    v1 = np.asarray(value1, dtype=float) / 100
    v2 = np.asarray(value2, dtype=float) / 100
    return difference(v1, se1, v2, se2, confidence=confidence)


def _test_frame(
    diff: np.ndarray, se: np.ndarray, df: np.ndarray, conf: float, labels: tuple[str, str, str]
) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se
    pval = _p_value(stat, df)
    crit = _crit(conf, df)
    sig = pval < (1 - conf)
    known = np.isfinite(diff) & np.isfinite(se)
    verdict = np.where(
        ~known,
        "",
        np.where(sig & (diff < 0), labels[0], np.where(sig & (diff > 0), labels[2], labels[1])),
    )
    return pd.DataFrame(
        {
            "diff_pp": diff * 100,
            "se_pp": se * 100,
            "ci_lower_pp": (diff - crit * se) * 100,
            "ci_upper_pp": (diff + crit * se) * 100,
            "df": df,
            "statistic": stat,
            "p_value": pval,
            "verdict": verdict,
        }
    )


def compare_periods(
    design: pd.DataFrame,
    before: int,
    after: int,
    keys: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare two periods of a design frame, row by row (independent samples).

    Parameters
    ----------
    design : pandas.DataFrame
        Output of :func:`prevalence` or ``estimate_indicator(...).design``.
    before, after : int
        ``period`` values (last year of each period) to compare.
    keys : sequence of str, optional
        Columns that identify the same group in both periods; default: every
        column that is not a design statistic.
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``p_before``, ``p_after`` (0–1), ``n_before``, ``n_after``,
        ``yes_before``, ``yes_after`` and the columns of :func:`difference`.
        Carries ``flag_before``/``flag_after`` when the design frame has flags.

    Raises
    ------
    DataError
        If a period is missing or the two (pooled) periods share survey years,
        which would violate independence.
    """
    stats = set(DESIGN_COLUMNS) | {
        "present",
        "rule",
        "footnote",
        "review",
        "flag",
        "flag_reason",
        "ci_width",
        "relative_width",
        "relative_width_complement",
    }
    if keys is None:
        keys = [c for c in design.columns if c not in stats]
    keys = list(keys)
    b = design[design["period"] == before]
    a = design[design["period"] == after]
    if b.empty or a.empty:
        raise DataError(f"perioden {before if b.empty else after} finns inte i skattningarna")
    if int(a["first_year"].min()) <= int(b["period"].max()) and int(b["first_year"].min()) <= int(
        a["period"].max()
    ):
        raise DataError(
            f"perioderna {b['period_label'].iloc[0]} och {a['period_label'].iloc[0]} överlappar – "
            "samma svarande kan ingå i båda, så de kan inte jämföras som oberoende urval"
        )
    cols = ["p", "se", "df", "n", "yes"] + (["flag"] if "flag" in design.columns else [])
    m = b[keys + cols].merge(a[keys + cols], on=keys, suffixes=("_before", "_after"))
    res = difference(
        m["p_before"],
        m["se_before"],
        m["p_after"],
        m["se_after"],
        m["df_before"],
        m["df_after"],
        confidence,
    )
    out = m.drop(columns=["se_before", "se_after", "df_before", "df_after"]).reset_index(drop=True)
    return pd.concat([out, res], axis=1)


def compare_labels(direction: Direction) -> tuple[str, str, str]:
    """Verdict labels (below, same, above the reference) for a direction of "better"."""
    if direction is None:
        return ("lägre", "likartad", "högre")
    if direction == "lower_is_better":
        return ("bättre", "likartad", "sämre")
    if direction == "higher_is_better":
        return ("sämre", "likartad", "bättre")
    raise DataError(f"okänd riktning '{direction}' (tillåtna: higher_is_better, lower_is_better)")


def compare_with_parent(
    data: pd.DataFrame,
    variable: str,
    parent: Literal["lan", "riket"] = "lan",
    by: Sequence[str] = (),
    *,
    direction: Direction = None,
    design: SurveyDesign | None = None,
    pool_years: int | None = None,
    confidence: float = 0.95,
    name: str = "mikrodata",
) -> pd.DataFrame:
    """Compare every kommun with its county (``parent="lan"``) or with Sweden (``"riket"``).

    The kommun is part of the county, so the two estimates are *not*
    independent and ``sqrt(se_k² + se_c²)`` would be wrong (too wide). We
    linearize the difference itself: ``Var(p_k − p_c) = V_k + V_c − 2·Cov``
    where the covariance comes from the same Taylor scores summed per PSU over
    the shared sample. This is valid for any design (also strata or PSUs that
    cross kommun borders). When strata are kommuner it is equivalent to
    testing the kommun against the *rest* of the county, because
    ``p_k − p_c = (1 − s)(p_k − p_rest)`` with ``s`` the kommun's weight share.
    The test uses t with the kommun's domain degrees of freedom (the smaller,
    conservative choice).

    Parameters
    ----------
    data : pandas.DataFrame
        Respondent-level microdata.
    variable : str
        0/1 answer column.
    parent : {"lan", "riket"}
        What to compare with.
    by : sequence of str
        Further breakdown applied to both (e.g. ``("sex",)``).
    direction : {"higher_is_better", "lower_is_better"} or None
        With a direction the verdicts are "bättre"/"likartad"/"sämre",
        otherwise "högre"/"likartad"/"lägre".
    design, pool_years, confidence, name
        As in :func:`helpers.stats.survey.prevalence` (the design defaults to
        the one the frame carries, :meth:`SurveyDesign.of`).

    Returns
    -------
    pandas.DataFrame
        ``kommun``, ``lan``, ``by`` columns, ``period``, ``period_label``,
        ``p``, ``p_parent`` (0–1), ``n``, ``yes``, the columns of
        :func:`difference` for ``p − p_parent`` and ``verdict``.
    """
    if parent not in ("lan", "riket"):
        raise DataError(f"okänd jämförelsenivå '{parent}' (tillåtna: lan, riket)")
    labels = compare_labels(direction)
    design_spec = SurveyDesign.of(data) if design is None else design
    singleton = design_spec.singleton
    conf = confidence_level(confidence)
    by = [c for c in by if c not in (design_spec.year, "kommun", LAN)]
    data = data.assign(**{LAN: lookup.lan_code_of(data["kommun"].astype("string"))})
    data, coded, y = sd.prepare(data, variable, by, design_spec, name, kommun=True)
    child_cols = ["kommun", *by]
    parent_cols = ([LAN] if parent == "lan" else []) + list(by)
    base_c = sd.codes(data, child_cols)
    base_p = sd.codes(data, parent_cols)
    frames = []
    for first, last in sd.windows(coded.year, pool_years):
        in_window = (coded.year >= first) & (coded.year <= last)
        gc = sd.compact(np.where(in_window & (base_p >= 0), base_c, -1))
        gp = sd.compact(np.where(in_window & (base_c >= 0), base_p, -1))
        sc = sd.linearize(coded, gc, y, singleton)
        sp = sd.linearize(coded, gp, y, singleton)
        c2p = np.full(len(sc.n), -1, dtype=np.int64)
        ok = gc >= 0
        c2p[gc[ok]] = gp[ok]
        cov = sd.covariance(coded, sc, sp, c2p, singleton)
        keep = sc.n > 0
        par = c2p[keep]
        var = np.maximum(sc.var[keep] + sp.var[par] - 2 * cov[keep], 0.0)
        out = data.iloc[sc.first_row[keep]][["kommun", LAN, *by]].reset_index(drop=True)
        out["period"] = last
        out["period_label"] = sd.period_label(first, last)
        out["p"] = sc.p[keep]
        out["p_parent"] = sp.p[par]
        out["n"] = sc.n[keep]
        out["yes"] = sc.yes[keep]
        res = _test_frame(sc.p[keep] - sp.p[par], np.sqrt(var), sc.df[keep], conf, labels)
        frames.append(pd.concat([out, res], axis=1))
    if not frames:
        raise DataError("inga hela perioder att jämföra – kontrollera pool_years mot åren i data")
    return pd.concat(frames, ignore_index=True)


def rank_colours(
    table: pd.DataFrame,
    direction: Literal["higher_is_better", "lower_is_better"],
    area_type: str = "kommun",
    green_share: float = 1 / 3,
    red_share: float = 1 / 3,
) -> pd.DataFrame:
    """Kolada-style colours: rank all areas of one type per indicator, period, sex and group.

    Areas are ranked best first (ties share the best rank). With ``N`` ranked
    areas and rank ``r``, the position ``q = (r − 1)/N`` gives green when
    ``q < green_share``, red when ``q >= 1 − red_share`` and yellow otherwise;
    areas without a usable value are grey. Kolada's own page says only that
    the best are green, the worst red and the middle yellow; thirds are the
    workbook's default. The colour is relative: it says nothing about whether a
    difference is statistically significant (see
    :data:`helpers.text.survey.RANK_VS_SIGNIFICANCE_NOTE`).

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    direction : {"higher_is_better", "lower_is_better"}
        Which end of the scale is good (daily smoking: lower is better).
    area_type : str
        Area type to rank (others get no colour).
    green_share, red_share : float
        Shares of areas coloured green and red.

    Returns
    -------
    pandas.DataFrame
        ``table`` with ``rank``, ``n_ranked`` and ``colour`` added (``rank``
        and ``n_ranked`` NaN and ``colour`` empty for other area types).
    """
    if direction not in ("higher_is_better", "lower_is_better"):
        raise DataError(
            f"okänd riktning '{direction}' (tillåtna: higher_is_better, lower_is_better)"
        )
    out = table.copy()
    sel = (out["area_type"] == area_type).to_numpy()
    usable = indicators.usable(out).to_numpy() & sel
    keys = ["indicator", "period", "sex", "group"]
    ranked = out.loc[usable, keys + ["value"]]
    rank = ranked.groupby(keys)["value"].rank(
        method="min", ascending=direction == "lower_is_better"
    )
    n_ranked = ranked.groupby(keys)["value"].transform("size")
    out["rank"] = np.nan
    out["n_ranked"] = np.nan
    out.loc[usable, "rank"] = rank.to_numpy()
    out.loc[usable, "n_ranked"] = n_ranked.to_numpy()
    q = (out["rank"] - 1) / out["n_ranked"]
    colour = np.where(
        q < green_share,
        COLOUR_GREEN,
        np.where(q >= 1 - red_share - 1e-12, COLOUR_RED, COLOUR_YELLOW),
    )
    out["colour"] = np.where(usable, colour, np.where(sel, COLOUR_MISSING, ""))
    return out
