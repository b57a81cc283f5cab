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
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

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

#: Cell texts that mean "no value" (compared case-insensitively, trimmed); never a category.
MISSING_TOKENS: frozenset[str] = frozenset(
    {"na", "n/a", "nan", "null", "none", ".", "-", "–", "—", "--"}
)
#: Excel's error values (a formula that failed); refused wherever they occur.
EXCEL_ERRORS: frozenset[str] = frozenset(
    {
        "#null!",
        "#div/0!",
        "#value!",
        "#ref!",
        "#name?",
        "#num!",
        "#n/a",
        "#getting_data",
        "#spill!",
        "#calc!",
        "#field!",
        "#blocked!",
        "#connect!",
        "#busy!",
        "#unknown!",
    }
)

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


def is_missing(value: object) -> bool:
    """Return True for a blank cell or a missing-value spelling (:data:`MISSING_TOKENS`)."""
    if is_blank(value):
        return True
    return isinstance(value, str) and " ".join(value.split()).casefold() in MISSING_TOKENS


def text_key(value: object) -> str | None:
    """Text of a cell as an identifier (integers without decimals), ``None`` when blank.

    A boolean (Excel SANT/FALSKT) is ``"true"``/``"false"``, never the code 1 or 0.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
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


# -- numbers written as text ----------------------------------------------------------------
_ROLE_TEXT = {
    (",", "decimal"): "decimalkomma",
    (".", "decimal"): "decimalpunkt",
    (",", "thousands"): "komma som tusentalsavgränsare",
    (".", "thousands"): "punkt som tusentalsavgränsare",
}
_NUMBER_TEXT = re.compile(r"([+-]?)([0-9][0-9., ]*|[.,][0-9]+)(?:[eE]([+-]?[0-9]{1,3}))?")
_DIGITS = re.compile(r"[0-9]+")
_SPACE_CHARS = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
#: Texts that are not finite numbers; refused in numeric columns.
NON_FINITE_TOKENS = frozenset(
    {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "-∞", "+∞", "oändligt"}
)
#: Texts that could mean zero or "no value" in a numeric column; refused there.
DASH_TOKENS = frozenset({"-", "–", "—", "--"})


@dataclass(frozen=True)
class NumberFormat:
    """How numbers written as text are separated: stated, or decided per column.

    Attributes
    ----------
    decimal : {",", "."}, optional
        The decimal separator; ``None`` lets :func:`decide_numbers` decide per
        column from values that can only be read one way.
    thousands : {" ", ".", ",", ""}, optional
        The thousands separator (``""`` = none). When only ``decimal`` is
        stated, the other of ``,``/``.`` may separate thousands (in groups of
        three digits). A space between groups of three digits is always read
        as a thousands separator.
    hint : str
        What the user should do to state the format (ends a message).
    """

    decimal: str | None = None
    thousands: str | None = None
    hint: str = 'ange talformatet i variabelkartan, t.ex. decimal: "," och thousands: "."'

    def roles(self) -> dict[str, str]:
        """Return the stated role (``decimal``, ``thousands`` or ``none``) of ``,`` and ``.``."""
        roles: dict[str, str] = {}
        if self.decimal in (",", "."):
            other = "." if self.decimal == "," else ","
            roles[self.decimal] = "decimal"
            roles[other] = "thousands" if self.thousands in (None, other) else "none"
        elif self.thousands in (",", "."):
            other = "." if self.thousands == "," else ","
            roles[self.thousands] = "thousands"
            roles[other] = "decimal"
        return roles

    def describe(self) -> str:
        """Describe the stated format in Swedish (for messages)."""
        parts = []
        if self.decimal:
            parts.append(f"decimaltecken '{self.decimal}'")
        thousands = self.roles().get("." if self.decimal == "," else ",")
        if self.thousands == "":
            parts.append("ingen tusentalsavgränsare")
        elif self.thousands is not None:
            parts.append(f"tusentalsavgränsare '{self.thousands}'")
        elif thousands == "thousands":
            parts.append(f"tusentalsavgränsare '{'.' if self.decimal == ',' else ','}'")
        return ", ".join(parts)


@dataclass
class NumberReading:
    """The numbers of one column's text cells, as decided by :func:`decide_numbers`.

    Attributes
    ----------
    values : dict
        Text -> number, for every text that is a number read with certainty.
    errors : dict
        Text -> Swedish message, for texts that look like numbers but cannot
        be read with certainty (ambiguous, or against the stated format).
    conflict : tuple, optional
        ``(message, row)`` when the column mixes ways of writing numbers; then
        no text of the column is read.
    note : str
        What was decided (for the run log), empty when every number was plain.
    """

    values: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    conflict: tuple[str, int] | None = None
    note: str = ""


def _normal(text: str) -> str:
    return text.translate(_SPACE_CHARS).replace("−", "-").strip().strip("\ufeff").strip()


def _read_as(body: str, roles: Mapping[str, str]) -> float | None:
    """Read ``body`` (digits, ``,``, ``.``, spaces) with the given separator roles."""
    dec = next((c for c, r in roles.items() if r == "decimal"), None)
    if dec is not None:
        if body.count(dec) != 1:
            return None
        whole, frac = body.split(dec)
        if not _DIGITS.fullmatch(frac):
            return None
    else:
        whole, frac = body, ""
    seps = {c for c in whole if not c.isdigit()}
    if seps:
        if len(seps) > 1:
            return None
        sep = seps.pop()
        if sep != " " and roles.get(sep) != "thousands":
            return None
        if not re.fullmatch(rf"[1-9][0-9]{{0,2}}(?:{re.escape(sep)}[0-9]{{3}})+", whole):
            return None
        whole = whole.replace(sep, "")
    elif whole and not _DIGITS.fullmatch(whole):
        return None
    return float(f"{whole or '0'}.{frac or '0'}")


def _readings(text: str) -> dict[tuple[tuple[str, str], ...], float] | None:
    """Every way ``text`` can be read as a number: separator roles -> value; None if not a number."""
    m = _NUMBER_TEXT.fullmatch(_normal(text))
    if not m:
        return None
    sign, body, exp = m.groups()
    chars = [c for c in ",." if c in body]
    out: dict[tuple[tuple[str, str], ...], float] = {}
    for roles in itertools.product(("decimal", "thousands"), repeat=len(chars)):
        if roles.count("decimal") > 1:
            continue
        assign = tuple(zip(chars, roles, strict=True))
        x = _read_as(body, dict(assign))
        if x is None:
            continue
        x = -x if sign == "-" else x
        if exp:
            x = float(f"{x!r}e{int(exp)}")  # 1e400 is inf (refused below), never an error
        if math.isfinite(x):
            out[assign] = x
    return out or None


def _way(assign: tuple[tuple[str, str], ...]) -> str:
    return "med " + " och ".join(_ROLE_TEXT[a] for a in assign) if assign else "utan avgränsare"


def decide_numbers(texts: Mapping[str, int], fmt: NumberFormat | None = None) -> NumberReading:
    """Read the numbers of one column's text cells, or say why they cannot be read with certainty.

    A ``,`` or ``.`` can be a decimal separator or a thousands separator;
    ``"2.105"`` is 2 105 in some exports and 2,105 in others. The roles come
    from the stated format (``fmt``) or, for a character the format does not
    state, from the column itself: a value that can only be read one way
    (``"12,5"``: decimal comma; ``"1.234.567"``: dot thousands; ``"1,234.5"``:
    both) proves the role for the whole column. A text is read only when
    every separator in it has a stated or proven role; otherwise it is an
    error naming both readings. Roles proven two ways (decimal comma on one
    row, decimal dot on another) make the whole column a conflict. Plain
    integers and a space between groups of three digits need no decision.

    Parameters
    ----------
    texts : mapping of str to int
        Each distinct text of the column and the row where it first occurs.
    fmt : NumberFormat, optional
        The stated format (default: nothing stated).

    Returns
    -------
    NumberReading
        Texts that are not numbers at all (``"abc"``) are in neither
        ``values`` nor ``errors``; the caller reports them.
    """
    fmt = fmt or NumberFormat()
    stated = fmt.roles()
    parsed = {t: r for t in texts if (r := _readings(t)) is not None}
    order = sorted(parsed, key=lambda t: texts[t])
    proofs: dict[tuple[str, str], str] = {}
    for t in order:
        for c in {c for assign in parsed[t] for c, _ in assign}:
            if c in stated:
                continue
            seen = {r for assign in parsed[t] for ch, r in assign if ch == c}
            if len(seen) == 1:
                proofs.setdefault((c, seen.pop()), t)
    out = NumberReading()
    clash = [
        (a, b)
        for a, b in (
            ((",", "decimal"), (",", "thousands")),
            ((".", "decimal"), (".", "thousands")),
            ((",", "decimal"), (".", "decimal")),
        )
        if a in proofs and b in proofs
    ]
    if clash:
        a, b = sorted(clash[0], key=lambda k: texts[proofs[k]])
        ta, tb = proofs[a], proofs[b]
        out.conflict = (
            f"talen i kolumnen är skrivna på olika sätt: '{ta}' (rad {texts[ta]}) har "
            f"{_ROLE_TEXT[a]} men '{tb}' (rad {texts[tb]}) har {_ROLE_TEXT[b]}. Skriv alla tal "
            f"på samma sätt, eller {fmt.hint}.",
            texts[tb],
        )
        return out
    known = {**stated, **{c: r for c, r in proofs}}
    used: set[tuple[str, str]] = set()
    for t in order:
        readings = parsed[t]
        fits = {
            assign: x
            for assign, x in readings.items()
            if all(known.get(c, r) == r for c, r in assign)
            and not any(
                r == "decimal" and known.get("." if c == "," else ",") == "decimal"
                for c, r in assign
            )
        }
        sure = {a: x for a, x in fits.items() if all(c in known for c, _ in a)}
        if len(set(sure.values())) == 1:
            out.values[t] = next(iter(sure.values()))
            used.update(next(iter(sure)))
        elif not fits:
            out.errors[t] = (
                f"'{t}' stämmer inte med talformatet ({fmt.describe()}) – rätta värdet "
                "eller talformatet."
            )
        else:
            ways = " och som ".join(
                f"{fmt_number(x)} ({_way(a)})" for a, x in sorted(readings.items())
            )
            context = ""
            proven = [k for k in proofs if k[1] == "decimal"]
            if proven:
                p = proofs[proven[0]]
                context = (
                    f" Kolumnen har {_ROLE_TEXT[proven[0]]} (t.ex. '{p}' på rad {texts[p]}), "
                    "men ingen rad visar säkert vilket tecken som skiljer tusental."
                )
            out.errors[t] = (
                f"'{t}' kan läsas både som {ways}.{context} Arbetsboken gissar inte – {fmt.hint}."
            )
    if used:
        how = ", ".join(_ROLE_TEXT[u] for u in sorted(used))
        if all(c in stated for c, _ in used):
            out.note = f"tal med {how} enligt det angivna talformatet"
        else:
            ex = min((proofs[u] for u in used if u in proofs), key=lambda t: texts[t])
            out.note = f"tal med {how} (avgjort av värdena, t.ex. '{ex}' på rad {texts[ex]})"
    return out


def parse_number(value: object) -> float | None:
    """Parse one number; NaN when blank, None when invalid, ambiguous (``"2.105"``) or not finite.

    A text is read only when it can be read one way (see :func:`decide_numbers`):
    ``"12,75"``, ``"12.75"``, ``"1 234,5"``, ``"1.234,5"`` and ``"3"`` are read;
    ``"2.105"`` and ``"2,105"`` (2 105 or 2,105?) are not.
    """
    if isinstance(value, str) and _DIGITS.fullmatch(value):  # fast path: "3"
        return float(value)
    if is_missing(value):
        return math.nan
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    if not isinstance(value, str):
        return None
    return decide_numbers({value: 0}).values.get(value)


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


@dataclass(frozen=True)
class Percent:
    """A cell that states its value in percent: Excel's percent format, or text ending in ``%``.

    Attributes
    ----------
    value : float
        The value in percent (an Excel cell holding 0,0607 shown as 6,07 % gives 6,07).
    text : str
        The cell as the user sees it.
    """

    value: float
    text: str

    def __str__(self) -> str:
        return self.text


# -- what a value label means ---------------------------------------------------------------
_LABEL_PREFIX = re.compile(r"^[(\[]?\s*\d{1,3}\s*[)\]]?\s*[.=:)\-–]?\s+")
_YES_LABELS = frozenset({"ja", "yes", "j", "y"})
_NO_LABELS = frozenset({"nej", "no", "n"})
_MISSING_LABELS = frozenset(
    {
        "uppgift saknas",
        "saknas",
        "saknat svar",
        "svar saknas",
        "ej svar",
        "inget svar",
        "ej besvarad",
        "obesvarad",
        "bortfall",
        "internt bortfall",
        "partiellt bortfall",
        "missing",
        "vill ej svara",
        "vill inte svara",
    }
)


def label_key(label: object) -> str:
    """Return the comparable form of a value label: trimmed, case-folded, without a leading code (``1 = Man``)."""
    text = _LABEL_PREFIX.sub("", str(label).strip())
    return " ".join(text.casefold().split()).rstrip(".:!")


def answer_meaning(label: object) -> str | None:
    """Return what an answer's value label says: ``"yes"`` (Ja), ``"no"`` (Nej), ``"missing"`` or None.

    Only labels that say nothing else count (``"Ja, ibland"`` may rightly be
    coded as no for *daily* smoking, so it is not classified).
    """
    key = label_key(label)
    if key in _YES_LABELS:
        return "yes"
    if key in _NO_LABELS:
        return "no"
    if key in _MISSING_LABELS:
        return "missing"
    return None


def sex_meaning(label: object) -> str | None:
    """Return the sex (``kvinnor``/``män``) a value label names (``Kvinna``, ``Flickor``, ``Man/pojke``), or None."""
    parts = re.split(r"\s*/\s*|\s*,\s*|\s+eller\s+|\s+och\s+", label_key(label))
    found = {SEX_SYNONYMS.get(p) for p in parts if p}
    return found.pop() if len(found) == 1 and None not in found else None


def education_meaning(label: object) -> str | None:
    """Return the education level a value label names, when it names exactly one, else None."""
    key = label_key(label)
    if key in EDUCATION_SYNONYMS:
        return EDUCATION_SYNONYMS[key]
    found = set()
    if re.search(r"eftergymnasi|högskol|universitet|forskarutb", key):
        found.add("eftergymnasial")
    if re.search(r"förgymnasi|grundskol|folkskol", key):
        found.add("förgymnasial")
    if "gymnasi" in re.sub(r"(efter|för)gymnasi", "", key):
        found.add("gymnasial")
    return found.pop() if len(found) == 1 else None


def age_start(text: object) -> int | None:
    """Return the first whole number in an age group or its label (``"16–29 år"`` -> 16), or None."""
    m = re.search(r"\d+", str(text))
    return int(m.group()) if m else None


def kommun_meaning(label: object) -> str | None:
    """Return the kommun code a value label names (``"Falun"`` or ``"2080 Falun"``), or None."""
    m = re.match(r"\s*(\d{4})\b", str(label))
    if m and m.group(1) in kommun_codes():
        return m.group(1)
    names = _MEMO.get(
        "kommun_names",
        lambda: {
            " ".join(str(n).casefold().split()): c
            for n, c in zip(
                lookup.kommuner()["kommun_name"], lookup.kommuner()["kommun_code"], strict=True
            )
        },
    )
    return names.get(" ".join(str(label).casefold().split()))
