"""Strategi för hälsa: a kommun against its county, Sweden, similar kommuner and all kommuner.

Pure functions on the tidy indicator table and the goal table
(:mod:`helpers.stats.strategi`). Comparisons use the latest year with a value:
the kommun against its county (region), Sweden (Riket) and the unweighted mean
of its "Liknande kommuner socioekonomi" group (the newest edition by the year
in its title; the kommun itself is never counted). Differences are
standardised by the standard deviation across all kommuner (regions for
region-level KPIs), and flagged as uncertain when they are within
``sqrt(u_area² + u_reference²)``. Rank colours follow Kolada: all kommuner
ranked per KPI, sex and year with the catalogue's direction, best third green,
middle third yellow, worst third red. :func:`deviations` ranks where a kommun
deviates most; its sentences are written by :mod:`helpers.text.strategi`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.config.goals import DIRECTIONS
from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.stats.strategi import (
    _EPS,
    RANK_GREEN,
    RANK_MISSING,
    RANK_RED,
    RANK_YELLOW,
    STATUS_CLOSER,
    STATUS_REACHED,
    STATUS_WORSE,
    _area_info,
    _nan,
    _sexes,
    _value_area,
    per_table,
    prepare,
    series_of,
    sexes_in_data,
)
from helpers.stats.strategi_kolada import norm_title

SIMILAR_KOMMUNER = "Liknande kommuner socioekonomi"
SIMILAR_REGIONER = "Liknande regioner socioekonomi"
COMPARISONS: tuple[str, ...] = ("län", "riket", "liknande")


# --------------------------------------------------------------------------- groups
def _group_year(title: str) -> int | None:
    m = re.search(r",\s*(\d{4})\s*$", title)
    return int(m.group(1)) if m else None


def _group_base(title: str) -> str:
    return norm_title(re.sub(r",\s*\d{4}\s*$", "", title))


def find_group(groups: Iterable[Mapping], title: str) -> tuple[dict | None, str]:
    """Find one municipality group by (part of) its title; newest edition wins.

    Matching ignores case and repeated spaces. An exact title wins over
    titles that merely contain ``title``. When all matches are editions of
    the same group (titles equal up to a trailing ``", <year>"``), the newest
    year is chosen.

    Parameters
    ----------
    groups : iterable of dict
        Kolada v3 municipality groups ``{id, title, members: [{member_id, member_title}]}``.
    title : str
        Title or part of it, e.g. ``"Liknande kommuner socioekonomi, Falun,"``.

    Returns
    -------
    (dict or None, str)
        The group and ``""``, or ``None`` and a Swedish message (no match, or
        several different groups).
    """
    want = norm_title(title)
    groups = list(groups)
    cands = [g for g in groups if want in norm_title(g.get("title", ""))]
    exact = [g for g in cands if norm_title(g.get("title", "")) == want]
    if exact:
        cands = exact
    if not cands:
        return (
            None,
            f"Ingen kommungrupp i Kolada har en titel som innehåller '{title.strip(', ')}'.",
        )
    bases = sorted({_group_base(g["title"]) for g in cands})
    if len(bases) > 1:
        names = "; ".join(f"{g['id']} '{g['title']}'" for g in cands[:5])
        more = f" (och {len(cands) - 5} till)" if len(cands) > 5 else ""
        return None, (
            f"Titeln '{title.strip(', ')}' matchar flera kommungrupper: {names}{more}. "
            "Ange hela titeln."
        )
    years = [_group_year(g["title"]) or 0 for g in cands]
    newest = max(years)
    best = [g for g, y in zip(cands, years, strict=True) if y == newest]
    if len(best) > 1:
        names = "; ".join(f"{g['id']} '{g['title']}'" for g in best)
        return None, f"Titeln '{title.strip(', ')}' matchar flera grupper från samma år: {names}."
    return dict(best[0]), ""


def similar_group(
    groups: Iterable[Mapping], area_code: str, title: str | None = None
) -> tuple[dict | None, str]:
    """Return the "Liknande kommuner/regioner socioekonomi" group of a kommun or region.

    Parameters
    ----------
    groups : iterable of dict
        Kolada v3 municipality groups.
    area_code : str
        Kommun id (``"2080"``) or region id (``"0020"``).
    title : str, optional
        Another group title to use instead (matched by :func:`find_group`).

    Returns
    -------
    (dict or None, str)
        The group (members exclude ``area_code``, whatever the source says) and
        ``""``, or ``None`` and a Swedish message.
    """
    info = _area_info()
    if area_code not in info.index or info.loc[area_code, "area_type"] == "riket":
        return None, f"Liknande områden finns bara för kommuner och regioner, inte '{area_code}'."
    name = str(info.loc[area_code, "area_name"])
    if title is None:
        prefix = (
            SIMILAR_KOMMUNER if info.loc[area_code, "area_type"] == "kommun" else SIMILAR_REGIONER
        )
        title = f"{prefix}, {name},"
    group, msg = find_group(groups, title)
    if group is None:
        return None, msg
    members = [m for m in group.get("members") or [] if str(m.get("member_id")) != area_code]
    group["members"] = members
    if not members:
        return None, f"Gruppen '{group['title']}' har inga andra medlemmar än {name}."
    return group, ""


def _member_ids(group: Mapping | None, exclude: str) -> list[str]:
    if not group:
        return []
    return [
        str(m["member_id"]) for m in group.get("members") or [] if str(m["member_id"]) != exclude
    ]


def peer_mean(values: pd.Series, members: Sequence[str], exclude: str) -> tuple[float, int]:
    """Unweighted mean of the members' values, never counting ``exclude``.

    Parameters
    ----------
    values : pandas.Series
        Values indexed by area code (NaN = no value).
    members : sequence of str
        Member area codes.
    exclude : str
        The focal area, left out even if listed among the members.

    Returns
    -------
    (float, int)
        Mean and the number of members with a value (NaN and 0 when none).
    """
    ids = [m for m in members if m != exclude]
    v = values.reindex(ids).dropna()
    return (float(v.mean()) if len(v) else float("nan")), int(len(v))


# --------------------------------------------------------------------------- comparisons
def _goals_key(goals: pd.DataFrame) -> str:
    """Return what :func:`_peer_stats` reads from the goal table as one string (a cache key)."""
    rows = goals.dropna(subset=["kpi"])[["kpi", "level"]].astype(str)
    return ";".join(sorted("|".join(r) for r in rows.itertuples(index=False)))


def _peer_stats(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """SD across kommuner (region-level KPIs: across regions) per KPI, sex and period."""
    info = lookup.areas().set_index("area_code")["area_type"]
    t = table[indicators.usable(table) & (table["group"] == indicators.ALL_GROUPS)]
    level = goals.dropna(subset=["kpi"]).drop_duplicates("kpi").set_index("kpi")["level"]
    peer_type = t["indicator"].map(level).map({"kommun": "kommun", "region": "region"})
    t = t[t["area_code"].map(info).to_numpy() == peer_type.to_numpy()]
    return (
        t.groupby(["indicator", "sex", "period"])["value"]
        .agg(sd="std", n="count")
        .reset_index()
        .rename(columns={"indicator": "kpi"})
    )


COMPARISON_COLUMNS: tuple[str, ...] = (
    "goal",
    "label",
    "kpi",
    "short_name",
    "sex",
    "area_code",
    "area_name",
    "period",
    "value",
    "u",
    "comparison",
    "ref_code",
    "ref_name",
    "ref_value",
    "ref_u",
    "n_ref",
    "diff",
    "sd",
    "z",
    "better",
    "margin",
    "uncertain",
    "unit",
    "direction",
    "decimals",
    "message",
)


def comparisons(
    table: pd.DataFrame,
    goals: pd.DataFrame,
    area_code: str,
    groups: Iterable[Mapping],
    *,
    until_year: int | None = None,
    group_title: str | None = None,
) -> pd.DataFrame:
    """Compare a kommun with its county, Sweden and similar kommuner in the latest year.

    Region-level KPIs are compared for the kommun's region (against Sweden and
    the "Liknande regioner socioekonomi" group).

    Parameters
    ----------
    table, goals : pandas.DataFrame
        Indicator table and goal table (as for :func:`helpers.stats.strategi.prepare`).
    area_code : str
        Kommun id (or region id).
    groups : iterable of dict
        Kolada v3 municipality groups.
    until_year : int, optional
        Latest year to use.
    group_title : str, optional
        Title of another peer group (default: the socioeconomic one).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, one row per KPI, sex and comparison
        (``"län"``, ``"riket"``, ``"liknande"``). ``diff`` = area − reference;
        ``z`` = diff / SD across kommuner (or regions); ``better`` in the KPI's
        direction; ``uncertain`` when ``|diff| <= sqrt(u² + u_ref²)``.
    """
    info = _area_info()
    if area_code not in info.index:
        raise DataError(f"Okänd områdeskod '{area_code}'")
    groups = list(groups)
    table = prepare(table, goals)
    if until_year is not None:
        table = table[table["period"] <= until_year]
    stats = per_table(
        table,
        "peer_stats",
        lambda: _peer_stats(table, goals).set_index(["kpi", "sex", "period"]),
        _goals_key(goals),
    )
    focal_areas = {area_code, _value_area(_Level("region"), area_code, info)}
    peer_groups: dict[str, tuple[dict | None, str]] = {}
    for a in focal_areas:
        peer_groups[a] = similar_group(groups, a, group_title if a == area_code else None)
    series = series_of(table)
    present = sexes_in_data(table)
    rows = []
    for g in goals.dropna(subset=["kpi"]).itertuples(index=False):
        focal = _value_area(g, area_code, info)
        group, gmsg = peer_groups[focal]
        is_kommun = info.loc[focal, "area_type"] == "kommun"
        for sex in _sexes(g, present):
            s = series.get(g.kpi, focal, sex)
            base = {
                "goal": g.goal,
                "label": g.label,
                "kpi": g.kpi,
                "short_name": g.short_name,
                "sex": sex,
                "area_code": focal,
                "area_name": str(info.loc[focal, "area_name"]),
                "unit": g.unit,
                "direction": g.direction,
                "decimals": g.decimals,
            }
            if s.empty:
                for comp in COMPARISONS:
                    rows.append(base | {"comparison": comp, "message": "data saknas för området"})
                continue
            year = int(s.index.max())
            value, u = float(s.loc[year, "value"]), float(s.loc[year, "u"])
            sd = stats["sd"].get((g.kpi, sex, year), np.nan)
            refs: list[tuple[str, str, str, float, float, int, str]] = []
            if is_kommun:
                reg = str(info.loc[focal, "region_code"])
                at = series.at(g.kpi, reg, sex, year)
                refs.append(("län", reg, str(info.loc[reg, "area_name"]), *at, 1, ""))
            at = series.at(g.kpi, lookup.RIKET_CODE, sex, year)
            refs.append(("riket", lookup.RIKET_CODE, lookup.RIKET_NAME, *at, 1, ""))
            if group is None:
                refs.append(("liknande", "", "", np.nan, np.nan, 0, gmsg))
            else:
                ids = _member_ids(group, focal)
                pairs = np.array([series.at(g.kpi, m, sex, year) for m in ids], dtype=float)
                pairs = pairs.reshape(-1, 2)
                vals = pd.Series(pairs[:, 0], index=ids, dtype=float)
                mean, n = peer_mean(vals, ids, focal)
                have = ~np.isnan(pairs[:, 0])
                us = pairs[have, 1]
                ref_u = (
                    float(np.sqrt((us**2).sum()) / have.sum())
                    if have.any() and not np.isnan(us).any()
                    else np.nan
                )
                kind = "liknande kommuner" if is_kommun else "liknande regioner"
                msg = "" if n else f"ingen av de {len(ids)} {kind} har värde {year}"
                refs.append(("liknande", group["id"], group["title"], mean, ref_u, n, msg))
            for comp, rcode, rname, rvalue, ru, n, msg in refs:
                diff = value - rvalue
                if _nan(u) and _nan(ru):
                    margin = np.nan
                else:
                    margin = math.hypot(0.0 if _nan(u) else u, 0.0 if _nan(ru) else ru)
                rows.append(
                    base
                    | {
                        "period": year,
                        "value": value,
                        "u": u,
                        "comparison": comp,
                        "ref_code": rcode,
                        "ref_name": rname,
                        "ref_value": rvalue,
                        "ref_u": ru,
                        "n_ref": n,
                        "diff": diff,
                        "sd": sd,
                        "z": diff / sd if sd and not _nan(sd) else np.nan,
                        "better": (diff * DIRECTIONS[g.direction] > 0) if not _nan(diff) else pd.NA,
                        "margin": margin,
                        "uncertain": bool(abs(diff) <= margin + _EPS)
                        if not (_nan(diff) or _nan(margin))
                        else False,
                        "message": msg,
                    }
                )
    out = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    missing_ref = out["ref_value"].isna() & (out["message"].fillna("") == "") & out["value"].notna()
    out.loc[missing_ref, "message"] = "referensen saknar värde samma år"
    return out


class _Level:
    """Tiny stand-in for a goal row when only the level matters."""

    def __init__(self, level: str):
        self.level = level


# --------------------------------------------------------------------------- rank colours
def rank_colours(table: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Kolada-style colours: rank all kommuner (or regions) per KPI, sex and year.

    The best third (in the goal file's direction) is green, the middle third
    yellow, the worst third red: with rank ``r`` (1 = best, ties share the best
    rank) among ``n`` areas with a value, ``(r − 1)/n < 1/3`` is green and
    ``(r − 1)/n >= 2/3`` red. Kommun-level KPIs rank the 290 kommuner,
    region-level KPIs the 21 regions.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator table.
    goals : pandas.DataFrame
        Goal table (KPI levels and directions).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``sex``, ``period``, ``area_code``, ``value``, ``rank``,
        ``n`` and ``colour`` (``"grön"``, ``"gul"``, ``"röd"``).
    """
    table = prepare(table, goals)
    info = lookup.areas().set_index("area_code")["area_type"]
    meta = goals.dropna(subset=["kpi"]).drop_duplicates("kpi").set_index("kpi")
    t = table[indicators.usable(table) & (table["group"] == indicators.ALL_GROUPS)]
    t = t[t["indicator"].isin(meta.index)]
    peer = t["indicator"].map(meta["level"])
    t = t[t["area_code"].map(info).to_numpy() == peer.to_numpy()]
    score = t["value"] * t["indicator"].map(meta["direction"].map(DIRECTIONS))
    df = pd.DataFrame(
        {
            "kpi": t["indicator"].astype(str),
            "sex": t["sex"].astype(str),
            "period": t["period"].astype(int),
            "area_code": t["area_code"].astype(str),
            "value": t["value"].astype(float),
            "_score": score.astype(float),
        }
    )
    grp = df.groupby(["kpi", "sex", "period"])["_score"]
    df["rank"] = grp.rank(ascending=False, method="min").astype(int)
    df["n"] = grp.transform("count").astype(int)
    q = (df["rank"] - 1) / df["n"]
    df["colour"] = np.select(
        [q < 1 / 3 - _EPS, q >= 2 / 3 - _EPS], [RANK_GREEN, RANK_RED], RANK_YELLOW
    )
    return df.drop(columns="_score").reset_index(drop=True)


def add_rank_colours(status: pd.DataFrame, ranks: pd.DataFrame) -> pd.DataFrame:
    """Put the rank colour of the latest year beside each target status.

    Parameters
    ----------
    status : pandas.DataFrame
        From :func:`helpers.stats.strategi.goal_status`.
    ranks : pandas.DataFrame
        From :func:`rank_colours`.

    Returns
    -------
    pandas.DataFrame
        ``status`` with ``rank``, ``n_ranked``, ``colour`` (``"saknas"`` when no
        colour) and ``differs`` (True where a good status meets red or a
        worsening meets green; :mod:`helpers.text.strategi` explains why).
    """
    r = ranks.rename(
        columns={"area_code": "value_area_code", "period": "latest_year", "n": "n_ranked"}
    )
    r = r[["kpi", "sex", "latest_year", "value_area_code", "rank", "n_ranked", "colour"]]
    out = status.copy()
    out["_year"] = pd.to_numeric(out["latest_year"], errors="coerce")
    r = r.rename(columns={"latest_year": "_year"})
    out = out.merge(r, on=["kpi", "sex", "_year", "value_area_code"], how="left").drop(
        columns="_year"
    )
    out["colour"] = out["colour"].fillna(RANK_MISSING)
    good = out["status"].isin([STATUS_REACHED, STATUS_CLOSER]) & (out["colour"] == RANK_RED)
    bad = (out["status"] == STATUS_WORSE) & (out["colour"] == RANK_GREEN)
    out["differs"] = (good | bad).to_numpy(dtype=bool)
    return out


#: Columns of :func:`deviations`: the rank and score, and the numbers a sentence needs.
DEVIATION_COLUMNS: tuple[str, ...] = (
    "rank",
    "goal",
    "label",
    "kpi",
    "sex",
    "kind",
    "score",
    "uncertain",
    "short_name",
    "unit",
    "decimals",
    "area_name",
    "period",
    "value",
    "comparison",
    "ref_name",
    "ref_value",
    "n_ref",
    "diff",
    "z",
    "better",
    "baseline_year",
    "baseline",
    "change",
    "target_text",
    "margin",
)
KIND_DEVIATION = "avvikelse"
KIND_WORSENING = "bort från målet"


def deviations(
    comparison: pd.DataFrame,
    status: pd.DataFrame | None = None,
    top: int | None = 10,
    sexes: Sequence[str] = indicators.SEXES,
    area_code: str | None = None,
    per_sex: bool = False,
) -> pd.DataFrame:
    """Rank where an area deviates most from its references or moves away from its target.

    Scores: a comparison scores ``|z|`` (difference in standard deviations
    across kommuner, or regions); a worsening status scores
    ``|change| / SD`` with the same SD. For each KPI (and kind) only the
    largest score is kept, so one KPI does not fill the list.

    Parameters
    ----------
    comparison : pandas.DataFrame
        From :func:`comparisons`.
    status : pandas.DataFrame, optional
        From :func:`helpers.stats.strategi.goal_status` for the same area.
    top : int or None
        Number of rows to keep (None = all).
    sexes : sequence of str
        Sexes to include.
    area_code : str, optional
        Keep only rows about this area (e.g. the kommun, leaving out the
        region-level KPIs that :func:`comparisons` reports for its region).
    per_sex : bool
        Keep the largest score per KPI *and sex* instead of per KPI.

    Returns
    -------
    pandas.DataFrame
        :data:`DEVIATION_COLUMNS`: ``rank``, ``goal``, ``label``, ``kpi``,
        ``sex``, ``kind`` (:data:`KIND_DEVIATION` or :data:`KIND_WORSENING`),
        ``score``, ``uncertain`` and the numbers behind the row (for a
        worsening, ``value``/``period`` are the latest value and year and
        ``area_name`` the area the value is for). The sentences are written by
        :func:`helpers.text.strategi.with_sentences`.
    """
    cols = list(DEVIATION_COLUMNS)
    keep = cols[8:]
    keys = ["kpi", "sex"] if per_sex else ["kpi"]
    c = comparison[comparison["z"].notna() & comparison["sex"].isin(sexes)].copy()
    if area_code is not None:
        c = c[c["area_code"] == area_code]
    c["score"] = c["z"].abs()
    c = c.sort_values("score", ascending=False, kind="stable").drop_duplicates(keys)
    rows = [
        _deviation_row(r, keep, KIND_DEVIATION, r["score"], bool(r["uncertain"]))
        for r in c.to_dict("records")
    ]
    if status is not None and len(status):
        sd = (
            comparison.dropna(subset=["sd"])
            .drop_duplicates(["kpi", "sex"])
            .set_index(["kpi", "sex"])[["sd", "decimals"]]
        )
        worse = status[(status["status"] == STATUS_WORSE) & status["sex"].isin(sexes)]
        if area_code is not None:
            worse = worse[worse["value_area_code"] == area_code]
        for r in worse.to_dict("records"):
            key = (r["kpi"], r["sex"])
            if key not in sd.index:
                continue
            r["decimals"] = sd.loc[key, "decimals"]
            r["area_name"] = r["value_area_name"]
            r["value"], r["period"] = r["latest"], r["latest_year"]
            score = abs(r["change"]) / sd.loc[key, "sd"]
            uncertain = bool(r.get("survey")) and _nan(r["margin"])
            rows.append(_deviation_row(r, keep, KIND_WORSENING, score, uncertain))
    out = pd.DataFrame(rows, columns=cols[1:])
    out = out.sort_values(["score", "goal"], ascending=[False, True], kind="stable")
    out = out.drop_duplicates([*keys, "kind"]).reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def _deviation_row(
    r: Mapping, keep: Sequence[str], kind: str, score: float, uncertain: bool
) -> dict:
    """One row of :func:`deviations`: the numbers behind it, the KPI, the kind and the score."""
    return {k: r.get(k) for k in keep} | {
        "goal": r["goal"],
        "label": r["label"],
        "kpi": r["kpi"],
        "sex": r["sex"],
        "kind": kind,
        "score": score,
        "uncertain": uncertain,
    }


TREND_SERIES: tuple[str, ...] = ("område", "län", "riket", "liknande")


def trend_data(
    table: pd.DataFrame,
    goals: pd.DataFrame,
    area_code: str,
    groups: Iterable[Mapping],
    *,
    group_title: str | None = None,
) -> pd.DataFrame:
    """Time series per goal KPI for an area, its county, Sweden and its similar peers.

    Parameters
    ----------
    table, goals : pandas.DataFrame
        Indicator table and goal table (as for :func:`helpers.stats.strategi.prepare`).
    area_code : str
        Kommun id (region-level KPIs use its region).
    groups : iterable of dict
        Kolada v3 municipality groups.
    group_title : str, optional
        Title of another peer group.

    Returns
    -------
    pandas.DataFrame
        Columns ``goal``, ``label``, ``kpi``, ``short_name``, ``unit``, ``sex``,
        ``period``, ``series`` (:data:`TREND_SERIES`), ``series_name``, ``value``,
        ``ci_lower``, ``ci_upper`` and ``n`` (peers with a value).
    """
    info = _area_info()
    groups = list(groups)
    table = prepare(table, goals)
    rows = [
        (g, _value_area(g, area_code, info))
        for g in goals.dropna(subset=["kpi"]).itertuples(index=False)
    ]
    peer_groups = {
        focal: similar_group(groups, focal, group_title if focal == area_code else None)[0]
        for focal in dict.fromkeys(focal for _, focal in rows)
    }
    # Only the areas drawn: the focal areas, their region, Riket and the peers.
    needed = {lookup.RIKET_CODE}
    for focal, group in peer_groups.items():
        needed |= {focal, str(info.loc[focal, "region_code"]), *_member_ids(group, focal)}
    t = table[table["area_code"].isin(needed)]
    t = t[indicators.usable(t) & (t["group"] == indicators.ALL_GROUPS)]
    by_kpi = {str(kpi): part for kpi, part in t.groupby("indicator", observed=True)}

    def frame(g: Any, d: pd.DataFrame, series: str, name: str, **cols: Any) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "goal": g.goal,
                "label": g.label,
                "kpi": g.kpi,
                "short_name": g.short_name,
                "unit": g.unit,
                "sex": d["sex"].astype(str).to_numpy(),
                "period": d["period"].astype(int).to_numpy(),
                "series": series,
                "series_name": name,
                **cols,
            }
        )

    frames = []
    for g, focal in rows:
        group = peer_groups[focal]
        k = by_kpi.get(str(g.kpi), t.iloc[0:0])
        k = k[k["sex"].isin(_sexes(g))]
        parts = [("område", focal, str(info.loc[focal, "area_name"]))]
        if info.loc[focal, "area_type"] == "kommun":
            reg = str(info.loc[focal, "region_code"])
            parts.append(("län", reg, str(info.loc[reg, "area_name"])))
        parts.append(("riket", lookup.RIKET_CODE, lookup.RIKET_NAME))
        for series, code, name in parts:
            s = k[k["area_code"] == code]
            frames.append(
                frame(
                    g,
                    s,
                    series,
                    name,
                    value=s["value"].to_numpy(dtype=float),
                    ci_lower=s["ci_lower"].to_numpy(dtype=float),
                    ci_upper=s["ci_upper"].to_numpy(dtype=float),
                    n=1,
                )
            )
        ids = _member_ids(group, focal)
        if ids:
            m = k[k["area_code"].isin(ids)]
            agg = m.groupby(["sex", "period"])["value"].agg(["mean", "count"]).reset_index()
            kind = (
                "Liknande kommuner"
                if info.loc[focal, "area_type"] == "kommun"
                else "Liknande regioner"
            )
            frames.append(
                frame(
                    g,
                    agg,
                    "liknande",
                    f"{kind} (medel)",
                    value=agg["mean"].to_numpy(dtype=float),
                    ci_lower=np.nan,
                    ci_upper=np.nan,
                    n=agg["count"].to_numpy(dtype=int),
                )
            )
    if not frames:
        return pd.DataFrame(
            columns=[
                "goal", "label", "kpi", "short_name", "unit", "sex", "period", "series",
                "series_name", "value", "ci_lower", "ci_upper", "n",
            ]
        )  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["goal", "label", "series", "sex", "period"]).reset_index(drop=True)
