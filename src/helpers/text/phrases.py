"""Small Swedish phrase builders shared by the sentence modules of :mod:`helpers.text`.

One place for the pieces every sentence uses: "81,3 år", the confidence
interval "95 % KI 80,1–82,3", the p-value, "3:e", "15 kommuner", "I Falun" /
"I riket", "0,3 år högre än i länet" / "ungefär lika hög som i länet". The
sentence modules (:mod:`helpers.text.narrative`, :mod:`helpers.text.life_table`,
:mod:`helpers.text.education`, :mod:`helpers.text.survey`) build on these, so the
same thing is always said the same way.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.fmt import num

#: Differences smaller than this (in years) are described as equal/unchanged.
EQUAL_TOLERANCE = 0.05


def missing(x: object) -> bool:
    """Return True for ``None`` and NaN (a value a sentence must call missing)."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def years(value: float) -> str:
    """``81,3 år`` (decimal comma, non-breaking space)."""
    return num(float(value), 1, "år")


def ci_text(lower: float, upper: float) -> str:
    """``"95 % KI 80,1–82,3"``; for intervals that include negative numbers ``"från −0,6 till 0,4"``."""
    if missing(lower) or missing(upper):
        return ""
    if lower < 0 or upper < 0:
        return f"95\u00a0% KI från {num(lower, 1)} till {num(upper, 1)}"
    return f"95\u00a0% KI {num(lower, 1)}–{num(upper, 1)}"


def p_text(p: float) -> str:
    """``"p = 0,15"``, ``"p = 0,003"``, ``"p < 0,001"`` (``""`` when missing)."""
    if missing(p):
        return ""
    if p < 0.001:
        return "p < 0,001"
    return f"p = {num(p, 3 if p < 0.01 else 2)}"


def ordinal(n: int) -> str:
    """Return a Swedish ordinal with colon: ``1:a``, ``2:a``, ``3:e``, ``11:e``, ``21:a``.

    Parameters
    ----------
    n : int
        A positive integer.
    """
    n = int(n)
    suffix = "a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else "e"
    return f"{n}:{suffix}"


def count_kommuner(n: int) -> str:
    """``"1 kommun"``, ``"15 kommuner"``."""
    return f"{n} kommun" if n == 1 else f"{n} kommuner"


def in_area(row: pd.Series) -> str:
    """``"I riket"`` for Riket's row, else ``"I <area_name>"``."""
    return "I riket" if row.get("area_type") == "riket" else f"I {row['area_name']}"


def relative(diff: float, where: str, same: str = "ungefär lika hög som") -> str:
    """``"0,3 år högre än i länet"``, or ``same + where`` when the difference is below 0,05.

    Parameters
    ----------
    diff : float
        Difference in years (unrounded).
    where : str
        ``"i länet"``, ``"i riket"`` …
    same : str
        Words for "about as high as" (``"ungefär lika högt som"`` after "Det är").
    """
    if abs(diff) < EQUAL_TOLERANCE:
        return f"{same} {where}"
    word = "högre" if diff > 0 else "lägre"
    return f"{years(abs(diff))} {word} än {where}"
