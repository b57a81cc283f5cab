"""Confidence levels and normal quantiles: the one place that reads a confidence level.

Users and the PHE functions give a level either as a fraction (0.95) or in
percent (95). :func:`confidence_level` accepts both, refuses anything outside
50–99.99 % with a Swedish message, and every statistics function calls it (or
:func:`z_value`) instead of normalising the level itself.
"""

from __future__ import annotations

from scipy import special

from helpers.core.errors import DataError


def confidence_level(confidence: object) -> float:
    """Return the confidence level as a fraction (0.95 or 95 -> 0.95), validated.

    Raises
    ------
    DataError
        If the level is not a number between 50 % and 99.99 %.
    """
    try:
        conf = float(confidence)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DataError(f"Konfidensnivån måste vara ett tal, inte '{confidence}'") from None
    if conf > 1:
        conf = conf / 100
    if not 0.5 <= conf < 1:
        raise DataError(
            "Konfidensnivån måste ligga mellan 0,5 och 0,9999 (eller 50 och 99,99), "
            f"inte {confidence}"
        )
    return conf


def z_value(confidence: object = 0.95) -> float:
    """Return the two-sided standard-normal quantile (1.959964 for 0.95 or 95)."""
    conf = confidence_level(confidence)
    return float(special.ndtri(0.5 + conf / 2))
