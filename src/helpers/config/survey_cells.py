"""Cell values of survey extracts and variable maps: codes, numbers, problems (Swedish).

The shared vocabulary of :mod:`helpers.config.variable_map` (the variable maps
in ``params/``) and the survey readers in :mod:`helpers.sources`: the canonical
variables and categories, how a cell is compared as a code (``1``, ``1.0``,
``"01"`` and ``" 1,0"`` are the same code), how a number written the Swedish or
the English way is parsed, and :class:`Problems`, which collects every problem
of one file and caps the list (:data:`MAX_PROBLEMS`, :data:`MAX_ROWS_PER_PROBLEM`)
before raising one :class:`helpers.core.errors.DataError`.
"""

from __future__ import annotations

import difflib
import math
import re

import numpy as np
import pandas as pd

from helpers.core import lookup
from helpers.core.errors import DataError, Problem
from helpers.core.fmt import num
from helpers.core.memo import Memo

#: Canonical columns of a microdata frame (answer columns follow these).
CANONICAL_COLUMNS: tuple[str, ...] = (
    "respondent_id",
    "kommun",
    "year",
    "sex",
    "age_group",
    "education",
    "weight",
    "stratum",
    "psu",
)
#: Variables a variable map must define (``psu`` is optional).
REQUIRED_VARIABLES: tuple[str, ...] = CANONICAL_COLUMNS[:-1]
#: Sexes in microdata (the indicator table also has ``"totalt"``).
SEXES: tuple[str, ...] = ("kvinnor", "män")
#: Education levels, from lowest to highest, then unknown.
EDUCATION_LEVELS: tuple[str, ...] = ("förgymnasial", "gymnasial", "eftergymnasial", "okänd")
#: At most this many problems are listed in one error.
MAX_PROBLEMS = 50
#: The same kind of problem in one column is listed for this many rows, then counted.
MAX_ROWS_PER_PROBLEM = 5

SEX_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        [
            "kvinnor",
            "kvinna",
            "k",
            "flicka",
            "flickor",
            "tjej",
            "tjejer",
            "female",
            "woman",
            "women",
        ],
        "kvinnor",
    ),
    **dict.fromkeys(
        ["män", "man", "m", "pojke", "pojkar", "kille", "killar", "male", "men"],
        "män",
    ),
}
TOTAL_SYNONYMS = frozenset({"totalt", "t", "alla", "samtliga", "båda", "båda könen", "total"})
EDUCATION_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        ["förgymnasial", "förgymnasial utbildning", "grundskola", "grundskoleutbildning"],
        "förgymnasial",
    ),
    **dict.fromkeys(
        ["gymnasial", "gymnasial utbildning", "gymnasieutbildning", "gymnasium"], "gymnasial"
    ),
    **dict.fromkeys(
        [
            "eftergymnasial",
            "eftergymnasial utbildning",
            "högskola",
            "högskoleutbildning",
            "universitet",
        ],
        "eftergymnasial",
    ),
    **dict.fromkeys(["okänd", "okänt", "uppgift saknas", "saknas", "vet ej"], "okänd"),
}

_MEMO = Memo("enkat_koder")
_INT_LIKE = re.compile(r"[+-]?\d+(?:[.,]0+)?")


# -- problem collection ----------------------------------------------------------------
class Problems:
    """Collect problems for one file; the same kind in one column is counted, not repeated."""

    def __init__(self, file: str):
        self.file = file
        self._items: list[Problem] = []
        self._shown: dict[tuple[str, str | None], int] = {}
        self._hidden: dict[tuple[str, str | None], int] = {}

    def add(
        self, message: str, row: int | None = None, column: str | None = None, kind: str = ""
    ) -> None:
        """Add a problem; ``kind`` groups repeats of one problem in one column."""
        if kind:
            key = (kind, column)
            if self._shown.get(key, 0) >= MAX_ROWS_PER_PROBLEM:
                self._hidden[key] = self._hidden.get(key, 0) + 1
                return
            self._shown[key] = self._shown.get(key, 0) + 1
        self._items.append(Problem(message, self.file, None if row is None else int(row), column))

    def __bool__(self) -> bool:
        return bool(self._items)

    def problems(self) -> list[Problem]:
        """Return the problems by row, repeats counted, capped at :data:`MAX_PROBLEMS`."""
        items = sorted(self._items, key=lambda p: -1 if p.row is None else p.row)
        for (kind, column), count in self._hidden.items():
            rows = "rad" if count == 1 else "rader"
            items.append(
                Problem(
                    f"… och {count} {rows} till med samma problem ({kind})", self.file, None, column
                )
            )
        if len(items) > MAX_PROBLEMS:
            rest = len(items) - MAX_PROBLEMS
            items = [*items[:MAX_PROBLEMS], Problem(f"… och {rest} problem till", self.file)]
        return items

    def raise_if_any(self) -> None:
        """Raise one :class:`DataError` listing every problem, if there are any."""
        if self._items:
            raise DataError(self.problems())


def suggest(name: str, candidates: list[str]) -> str:
    """Return ``" Menade du 'X'?"`` for the closest candidate, or ``""``.

    Close means a difflib ratio of at least 0.7 (case-insensitive), or one name
    starting with the other (at least three letters, e.g. ``Alk``/``Alkohol``).
    """
    lowered = {c.casefold(): c for c in candidates if c}
    key = name.casefold()
    match = difflib.get_close_matches(key, list(lowered), n=1, cutoff=0.7)
    if not match and len(key) >= 3:
        match = [c for c in lowered if len(c) >= 3 and (c.startswith(key) or key.startswith(c))]
    return f" Menade du '{lowered[match[0]]}'?" if match else ""


# -- cell normalisation ------------------------------------------------------------------
def is_blank(value: object) -> bool:
    """Return True for ``None``, NA, NaN and text that is only blanks (or a BOM)."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip().strip("\ufeff\u00a0")
    return bool(pd.isna(value)) if np.isscalar(value) else False


def text_key(value: object) -> str | None:
    """Text of a cell as an identifier (integers without decimals), ``None`` when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value).strip().strip("\ufeff\u00a0")


def code_key(value: object) -> str | None:
    """Return the comparable form of a code: ``1``, ``1.0``, ``"01"`` and ``" 1,0"`` all give ``"1"``."""
    text = text_key(value)
    if text is None:
        return None
    if _INT_LIKE.fullmatch(text):
        return str(int(re.split(r"[.,]", text)[0]))
    return " ".join(text.casefold().split())


_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,15})?")


def parse_number(value: object) -> float | None:
    """Parse a number written the Swedish or the English way; NaN when blank, None when invalid."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):  # fast path: "12,75", "3"
        return float(value.replace(",", "."))
    if is_blank(value):
        return math.nan
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f", "\u2009", "\ufeff"):
        text = text.replace(space, "")
    text = text.replace("−", "-")
    if "," in text:
        if text.count(",") > 1:
            return None
        if "." in text:
            if text.index(".") > text.index(","):
                return None
            text = text.replace(".", "")
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, flags=re.IGNORECASE):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


def fmt_number(x: float) -> str:
    """Format a number for a message: Swedish decimal comma, no needless decimals."""
    if float(x).is_integer():
        return num(x, 0)
    return num(x, 4).rstrip("0").rstrip(",")


def shown(value: object, label: str | None = None) -> str:
    """Quote a cell for a message, with its SPSS label when it has one."""
    text = text_key(value) or ""
    return f"'{text}' ({label})" if label else f"'{text}'"


def kommun_codes() -> frozenset[str]:
    """Return the 4-digit codes of all kommuner."""
    return _MEMO.get("kommun_codes", lambda: frozenset(lookup.kommuner()["kommun_code"]))


def kommun_text(value: object) -> str:
    """Kommun code as 4-digit text; restores a leading zero Excel dropped (``180`` -> ``0180``)."""
    text = text_key(value) or ""
    return lookup.pad_kommun(text) if text.isdigit() and len(text) == 3 else text
