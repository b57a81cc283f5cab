"""Swedish number formatting and labels (decimal comma, non-breaking thousands).

Everything a user reads goes through these functions so that numbers are
written the Swedish way: ``81,3 år``, ``12,5 %``, ``1 234``; tables handed to
users are written by :func:`excel_csv` in the dialect of Swedish Excel.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib.ticker as mticker

if TYPE_CHECKING:
    import pandas as pd

NBSP = "\u00a0"
SEX_LABELS: dict[str, str] = {"totalt": "Totalt", "kvinnor": "Kvinnor", "män": "Män"}
SYNTHETIC_LABEL = "Syntetiska demodata – inte verkliga värden"


def num(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """Format a number with decimal comma and a thin space as thousands separator.

    Parameters
    ----------
    value : float or None
        The number; ``None`` or NaN gives ``"–"``.
    decimals : int
        Number of decimals.
    unit : str
        Appended after a non-breaking space (e.g. ``"år"``, ``"%"``).

    Returns
    -------
    str
        For example ``num(1234.56, 1, "år") == "1 234,6 år"`` (with non-breaking spaces).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if text.startswith("-"):
        text = "−" + text[1:]
    return f"{text}{NBSP}{unit}" if unit else text


def signed(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """Like :func:`num` but always with a sign (``+0,4``, ``−1,2``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = num(value, decimals, unit)
    return text if text.startswith("−") else "+" + text


def ci(lower: float | None, upper: float | None, decimals: int = 1) -> str:
    """Format a confidence interval as ``(80,1–82,3)``; ``""`` when unknown."""
    if lower is None or upper is None or math.isnan(lower) or math.isnan(upper):
        return ""
    return f"({num(lower, decimals)}–{num(upper, decimals)})"


def decimal_comma_formatter(decimals: int = 1) -> mticker.FuncFormatter:
    """Return a matplotlib tick formatter that writes decimal commas."""
    return mticker.FuncFormatter(lambda x, _pos: num(x, decimals))


def excel_csv(df: pd.DataFrame, decimals: int = 4) -> bytes:
    """Write a table as CSV for Swedish Excel: ``;``, decimal comma, CRLF, UTF-8 with BOM.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    decimals : int
        Decimals of float columns.

    Returns
    -------
    bytes
        The file's content.
    """
    text = df.to_csv(
        sep=";",
        decimal=",",
        index=False,
        lineterminator="\r\n",
        float_format=f"%.{decimals}f",
    )
    return text.encode("utf-8-sig")


def join_names(names: list[str]) -> str:
    """Join names the Swedish way: ``"A, B och C"``."""
    names = [str(n) for n in names]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " och " + names[-1]
