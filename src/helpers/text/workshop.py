"""Sentences of the workshop notebooks that depend on a parameter the participant may change.

A workshop notebook invites its participants to pick another kommun or
variable; its prose must then still be true. These functions write the
sentences from the numbers: which way weighting moved an estimate (or that it
barely moved it), and whether a change between two surveys is larger than
chance. Numbers are in percent (0–100) and written with decimal comma.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from helpers.core.fmt import num

#: A difference smaller than this (percentage points) is said to have "barely changed".
BARELY_PP = 0.2


def _pct(value: float, decimals: int = 1) -> str:
    return num(value, decimals, "%")


def _pp(value: float) -> str:
    """Absolute difference in percentage points, with two decimals when it is below one tenth."""
    decimals = 2 if abs(value) < 0.1 else 1
    return num(abs(value), decimals, "procentenheter")


def weighting_sentence(
    area_name: str,
    year: int,
    unweighted: float,
    weighted: float,
    *,
    expected: str | None = None,
    why: str = "",
    barely: float = BARELY_PP,
) -> str:
    """Say what weighting did to a share: raised it, lowered it or barely changed it.

    Parameters
    ----------
    area_name : str
        Where ("Dalarna").
    year : int
    unweighted, weighted : float
        The shares in percent.
    expected : {"up", "down"}, optional
        Which way weighting is expected to move the share (for the variable at
        hand); the sentence says whether it did.
    why : str
        Why that is expected (one clause, e.g. "de som röker svarar mer sällan").
    barely : float
        Below this many percentage points the share "ändrades knappt".

    Returns
    -------
    str

    Examples
    --------
    >>> weighting_sentence("Dalarna", 2024, 6.06, 6.12, expected="up").startswith(
    ...     "I Dalarna 2024 ändrade vikterna andelen knappt")
    True
    """
    diff = weighted - unweighted
    both = f"oviktat {_pct(unweighted)}, viktat {_pct(weighted)}"
    if not np.isfinite(diff):
        return f"I {area_name} {year} kan oviktad och viktad andel inte jämföras ({both})."
    if abs(diff) < barely:
        text = (
            f"I {area_name} {year} ändrade vikterna andelen knappt: {both} (skillnad {_pp(diff)})."
        )
        if expected:
            text += " Vikterna gör alltså nästan ingen skillnad här."
        return text
    verb = "höjde" if diff > 0 else "sänkte"
    text = (
        f"I {area_name} {year} {verb} vikterna andelen från {_pct(unweighted)} till "
        f"{_pct(weighted)} ({_pp(diff)})"
    )
    if expected in ("up", "down"):
        as_expected = (diff > 0) == (expected == "up")
        reason = f", eftersom {why}" if why else ""
        text += (
            f" – åt det håll man väntar sig{reason}"
            if as_expected
            else f" – åt motsatt håll mot vad man väntar sig{reason}"
        )
    return text + "."


def period_change_sentence(
    area_name: str, before: int, after: int, row: Mapping, *, barely: float = BARELY_PP
) -> str:
    """Say how a share changed between two surveys and whether chance can explain it.

    Parameters
    ----------
    area_name : str
    before, after : int
        The two survey years.
    row : mapping
        A row of :func:`helpers.stats.survey_compare.compare_periods`
        (``diff_pp``, ``ci_lower_pp``, ``ci_upper_pp`` in percentage points).
    barely : float
        Below this many percentage points (and not significant) the share "ändrades knappt".

    Returns
    -------
    str
    """
    diff, lo, hi = (float(row[k]) for k in ("diff_pp", "ci_lower_pp", "ci_upper_pp"))
    span = f"mellan {before} och {after}"
    if not np.isfinite(diff):
        return f"I {area_name} kan förändringen {span} inte redovisas."
    ci = f"95 % konfidensintervall {num(lo, 1)} till {num(hi, 1)} procentenheter"
    certain = np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0)
    if abs(diff) < barely and not certain:
        return f"I {area_name} ändrades andelen knappt {span} ({_pp(diff)}; {ci})."
    way = "ökade" if diff > 0 else "minskade"
    noun = "ökningen" if diff > 0 else "minskningen"
    if certain:
        verdict = f"{noun} är så stor att slumpen i urvalet inte kan förklara den"
    else:
        verdict = f"{noun} ryms inom vad slumpen i urvalet kan ge"
    return f"I {area_name} {way} andelen med {_pp(diff)} {span}; {verdict} ({ci})."
