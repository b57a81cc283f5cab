"""The array core of the life table: band starts, labels and Chiang II arithmetic.

:func:`chiang` computes complete life tables (probabilities of dying,
survivors, person-years, life expectancy and Chiang's variance with
Silcocks' term for the open band) for many groups at once on arrays of shape
``(n_groups, n_bands)``. It does no validity checks; those live in
:mod:`helpers.stats.lifetable_checks`, and the table functions that combine
both are in :mod:`helpers.stats.lifetable` (see its docstring for the method).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from helpers.core.errors import DataError

#: Start ages of the abridged bands 0, 1–4, 5–9, …, 85–89, 90+.
ABRIDGED_AGES: tuple[int, ...] = (0, 1, *range(5, 95, 5))
#: Start ages of the single-year table 0, 1, …, 99, 100+.
SINGLE_AGES: tuple[int, ...] = tuple(range(101))
#: Radix of the life table (l at age 0).
RADIX = 100_000.0


# --------------------------------------------------------------------------------------
# Small public helpers
# --------------------------------------------------------------------------------------
def single_year_ages(open_age: int = 100) -> tuple[int, ...]:
    """Return band starts 0, 1, …, ``open_age`` (the last band is open).

    Parameters
    ----------
    open_age : int
        Start of the open band, e.g. 100 for ``100+`` or 90 for ``90+``.
    """
    if open_age < 1:
        raise DataError(f"Den öppna åldersgruppen måste börja vid minst 1 år, inte {open_age}")
    return tuple(range(open_age + 1))


def age_labels(ages: Sequence[int]) -> list[str]:
    """Return Swedish band labels: ``"0"``, ``"1–4"``, …, ``"90+"`` (single years: ``"7"``)."""
    ages = [int(a) for a in ages]
    out = []
    for i, start in enumerate(ages):
        if i == len(ages) - 1:
            out.append(f"{start}+")
        elif ages[i + 1] - start == 1:
            out.append(str(start))
        else:
            out.append(f"{start}–{ages[i + 1] - 1}")
    return out


def indicator_id(age: int, prefix: str = "e") -> str:
    """Return the indicator id of life expectancy at ``age`` (``"e0"``, ``"e30"``)."""
    return f"{prefix}{int(age)}"


def period_label(first_year: int, last_year: int) -> str:
    """Return the label of a multi-year period, ``"2015–2019"`` (en dash)."""
    return str(last_year) if first_year == last_year else f"{first_year}–{last_year}"


def _check_ages(ages: Sequence[int]) -> np.ndarray:
    arr = np.asarray([int(a) for a in ages], dtype=int)
    if len(arr) < 2:
        raise DataError("Livstabellen behöver minst två åldersgrupper")
    if arr[0] != 0:
        raise DataError(f"Den första åldersgruppen måste börja vid 0 år, inte {arr[0]}")
    if np.any(np.diff(arr) <= 0):
        bad = [int(x) for x, d in zip(arr[1:], np.diff(arr), strict=True) if d <= 0]
        raise DataError(
            "Åldersgrupperna måste anges i stigande ordning; i fel ordning: "
            + ", ".join(map(str, bad))
        )
    return arr


# --------------------------------------------------------------------------------------
# The array core
# --------------------------------------------------------------------------------------
def chiang(
    deaths: np.ndarray,
    population: np.ndarray,
    ages: Sequence[int],
    radix: float = RADIX,
    *,
    open_ex: np.ndarray | None = None,
    open_var: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Compute Chiang II life tables for many groups at once (pure array arithmetic).

    Parameters
    ----------
    deaths, population : numpy.ndarray
        Arrays of shape ``(n_groups, n_bands)``; bands in the order of ``ages``.
        No validity checks are made here (see :func:`life_table`); degenerate
        groups give ``inf``/``nan`` without warnings.
    ages : sequence of int
        Band starts, first 0, strictly increasing; the last band is open.
    radix : float
        ``l`` at age 0.
    open_ex, open_var : numpy.ndarray, optional
        Shape ``(n_groups,)``: close the table with a *given* remaining life
        expectancy at the start of the last band and its variance (for
        example another area's, see :mod:`helpers.stats.lifetable_scb`)
        instead of the band's own ``1/M`` and Silcocks' term. The last
        band's person-years are then ``l·open_ex`` and its variance term
        ``l²·open_var``; the last column of ``deaths``/``population`` is
        not used. Both or neither must be given.

    Returns
    -------
    dict of str to numpy.ndarray
        ``nx`` (band width, NaN for the open band), ``ax``, ``mx``, ``qx``, ``px``,
        ``lx``, ``dx``, ``Lx``, ``Tx``, ``ex`` (life expectancy at the band start),
        ``var_ex`` (its variance), ``se_ex`` and ``q_capped`` (q set to 1 in a
        closed band), each ``(n_groups, n_bands)``.
    """
    age = _check_ages(ages).astype(float)
    D = np.atleast_2d(np.asarray(deaths, dtype=float))
    P = np.atleast_2d(np.asarray(population, dtype=float))
    if D.shape != P.shape or D.shape[1] != len(age):
        raise ValueError(f"shape mismatch: deaths {D.shape}, population {P.shape}, {len(age)} ages")
    G, B = D.shape
    if (open_ex is None) != (open_var is None):
        raise ValueError("open_ex and open_var must be given together")
    n = np.append(np.diff(age), np.nan)
    a = np.where(age == 0, 0.1, 0.5)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        M = D / P
        nc, ac = n[:-1], a[:-1]
        Mc = M[:, :-1]
        rule = D[:, :-1] <= P[:, :-1] / nc / ac
        q = np.ones_like(M)
        q[:, :-1] = np.where(rule, Mc * nc / (1 + Mc * nc * (1 - ac)), 1.0)
        q_capped = np.zeros(M.shape, dtype=bool)
        q_capped[:, :-1] = ~rule
        p = 1.0 - q
        lx = np.empty_like(M)
        lx[:, 0] = radix
        lx[:, 1:] = radix * np.cumprod(p[:, :-1], axis=1)
        l_next = np.zeros_like(lx)
        l_next[:, :-1] = lx[:, 1:]
        dx = lx - l_next
        Lx = np.empty_like(M)
        Lx[:, :-1] = nc * (l_next[:, :-1] + ac * dx[:, :-1])
        if open_ex is None:
            Lx[:, -1] = lx[:, -1] / M[:, -1]
        else:
            Lx[:, -1] = lx[:, -1] * np.asarray(open_ex, dtype=float)
        Tx = np.cumsum(Lx[:, ::-1], axis=1)[:, ::-1]
        ex = np.where(lx == 0, 0.0, Tx / lx)
        # Chiang's variance of q (zero where nobody dies in the table) ...
        spi = np.where(dx == 0, 0.0, q**2 * (1 - q) / D)
        # ... and Silcocks' term for the open band (mean survival 1/M).
        spi[:, -1] = 4.0 / (D[:, -1] * M[:, -1] ** 2)
        e_next = np.zeros_like(ex)
        e_next[:, :-1] = ex[:, 1:]
        W = np.empty_like(M)
        W[:, :-1] = spi[:, :-1] * lx[:, :-1] ** 2 * ((1 - ac) * nc + e_next[:, :-1]) ** 2
        if open_var is None:
            W[:, -1] = (lx[:, -1] / 2) ** 2 * spi[:, -1]
        else:
            W[:, -1] = lx[:, -1] ** 2 * np.asarray(open_var, dtype=float)
        ST = np.cumsum(W[:, ::-1], axis=1)[:, ::-1]
        var = ST / lx**2
        se = np.sqrt(var)
    return {
        "nx": np.broadcast_to(n, (G, B)).copy(),
        "ax": np.broadcast_to(a, (G, B)).copy(),
        "mx": M,
        "qx": q,
        "px": p,
        "lx": lx,
        "dx": dx,
        "Lx": Lx,
        "Tx": Tx,
        "ex": ex,
        "var_ex": var,
        "se_ex": se,
        "q_capped": q_capped,
    }
