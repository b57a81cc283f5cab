"""Client for Folkhälsomyndigheten's Folkhälsodata (PxWeb API v1) and the HLV survey tables.

Base URL ``https://fohm-app.folkhalsomyndigheten.se/Folkhalsodata/api/v1/sv/``.
The survey tables that regional analysts use – *Hälsa på lika villkor* (HLV) by
county and kommun: daily smoking, self-rated health, overweight and so on –
give, per area, sex and pooled four-year period (``"2021-2024"``), four
numbers: the share in percent, the lower and upper limit of its confidence
interval and the number of respondents. :func:`hlv_table` turns them into the
workbook's tidy indicator table (:mod:`helpers.core.indicators`).

**No recording of the real API exists in this project.** Everything here
follows the documented PxWeb v1 shapes and the variable and value labels seen
in public scripts that query these tables; the tests replay responses built
from those documented shapes (``tests/unit/sources/test_fohm.py``), not
recorded answers. Where a label or code is not certain it is *refused* with a
Swedish :class:`~helpers.core.errors.DataError` that names the URL, the field
and the labels found, so that the first real fetch either works or says
exactly what to add – it never guesses.

Transport
---------
The HTTP client (documented PxWeb v1 shapes for folders, metadata and
json-stat2 data, same-origin requests, deadline, size cap, checks before
caching in ``data/raw/fohm``, splitting under a cell limit) is
:mod:`helpers.sources.fohm_client`; this module reads the HLV tables.

From the four numbers to the indicator table
--------------------------------------------
Which content code is the share, the lower and upper limit and the number of
respondents is decided **by label only** (:data:`MEASURE_LABELS`, extendable
per table with :attr:`HlvSpec.measure_labels`), never by position; an unknown
label stops the read. The same holds for sex (:data:`SEX_LABELS`), the area
(the code must be a known kommun, county or Riket *and* its label must name
that area) and the period (``"2021-2024"`` → period 2024, label
``"2021–2024"``; a single year stays a single year). A missing value (``".."``)
becomes a missing row (flag ``saknas``); a share outside 0–100, limits that
cross or do not contain the share, a share without its limits or respondents,
or a count that is not a whole number is refused.

The reliability flag applies the NCHS presentation standards for proportions
(:func:`helpers.stats.reliability.assess`, the rule the workbook uses for every
survey) with what the source gives: the standard error is taken from the
interval (half-width / 1,96, the interval assumed to be a 95 % interval), the
effective sample size is p(1 − p)/se² capped at the number of respondents,
and the width rules use the interval as published. The source gives no
degrees of freedom, so the "fewer than 8 degrees of freedom" review rule is
not applied (HLV's regional samples are large and stratified; see
``docs/assumptions.md``, A30).

Requests for a run
------------------
:func:`fohm_requests` lists what a run needs (one :class:`FohmRequest` per
table: its metadata and the data for the run's county, its kommuner and
Riket); :func:`fetch` carries one out through the cache. The fetch
command (``python -m helpers.fetch``) can call both without knowing PxWeb.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.core import indicators, lookup
from helpers.core.errors import DataError
from helpers.sources.fohm_client import (
    DEFAULT_BASE_URL,
    LICENCE,
    FohmClient,
    check_path,
    fohm_cache,
)
from helpers.stats import reliability

__all__ = [
    "DEFAULT_BASE_URL",
    "HLV_TABLES",
    "LICENCE",
    "SOURCE",
    "FohmClient",
    "FohmRequest",
    "HlvSpec",
    "fetch",
    "fohm_cache",
    "fohm_requests",
    "hlv_table",
]

#: Attribution on charts and in the indicator table.
SOURCE = "Källa: Folkhälsomyndigheten, Folkhälsodata (Hälsa på lika villkor)"
#: z of the (assumed) 95 % interval, used to recover the standard error from it.
Z95 = 1.959963984540054
CI_LEVEL = 0.95


def _n(x: float) -> str:
    """Return a number as Swedish text with decimal comma (``19,6``, ``1900``)."""
    return f"{x:g}".replace(".", ",")


def _norm(text: object) -> str:
    """Return a label reduced for comparison: lower case, no punctuation, single spaces."""
    s = str(text).casefold().replace("–", "-").replace("—", "-")
    s = re.sub(r"[()\[\],:;%*]", " ", s)
    return " ".join(s.split())


#: Labels of the four content values, normalised with :func:`_norm` -> role.
MEASURE_LABELS: dict[str, str] = {
    **dict.fromkeys(["andel", "andel procent", "procent", "andel i procent"], "value"),
    **dict.fromkeys(
        [
            "konfidensintervall nedre",
            "konfidensintervall nedre gräns",
            "konfidensintervall - nedre gräns",
            "nedre konfidensintervall",
            "nedre konfidensgräns",
            "konfidensintervall undre gräns",
            "ki nedre",
            "nedre gräns",
        ],
        "ci_lower",
    ),
    **dict.fromkeys(
        [
            "konfidensintervall övre",
            "konfidensintervall övre gräns",
            "konfidensintervall - övre gräns",
            "övre konfidensintervall",
            "övre konfidensgräns",
            "ki övre",
            "övre gräns",
        ],
        "ci_upper",
    ),
    **dict.fromkeys(["antal svarande", "antal svar", "antal individer", "antal"], "n"),
}
MEASURE_ROLES: tuple[str, ...] = ("value", "ci_lower", "ci_upper", "n")
_ROLE_SV = {
    "value": "andel",
    "ci_lower": "konfidensintervallets nedre gräns",
    "ci_upper": "konfidensintervallets övre gräns",
    "n": "antal svarande",
}
#: Labels (normalised) of the variable that holds the four content values.
MEASURE_VARIABLES: frozenset[str] = frozenset(
    {"andel och konfidensintervall", "andel konfidensintervall och antal svarande", "mått"}
)
#: Labels (normalised) of the area, sex and time variables.
REGION_VARIABLES: frozenset[str] = frozenset({"region", "kommun", "län", "område"})
SEX_VARIABLES: frozenset[str] = frozenset({"kön"})
TIME_VARIABLES: frozenset[str] = frozenset({"år", "period", "tid"})
#: Sex labels (normalised) -> the indicator table's sex.
SEX_LABELS: dict[str, str] = {
    "totalt": "totalt",
    "båda könen": "totalt",
    "samtliga": "totalt",
    "kvinnor": "kvinnor",
    "män": "män",
}
_RIKET_LABELS = frozenset({"riket", "sverige", "hela riket", "hela landet", "riket totalt"})
_PERIOD = re.compile(r"(?P<first>\d{4})\s*[-–]\s*(?P<last>\d{4})|(?P<year>\d{4})")


@dataclass(frozen=True)
class HlvSpec:
    """One HLV indicator in a Folkhälsodata table.

    Attributes
    ----------
    indicator : str
        The workbook's indicator id for the rows (e.g. ``"fetma_fohm"``).
    path : str
        Table path under the base URL (ends in ``.px``).
    categories : mapping of str to str
        For every variable that is not area, sex, time or the content values:
        variable label -> value label to keep (e.g. ``{"Viktstatus (BMI)":
        "Fetma"}``). Matched by label, case and punctuation aside.
    title : str
        Swedish name, for messages.
    measure_labels : mapping of str to str
        Extra content-value labels -> role (``value``, ``ci_lower``,
        ``ci_upper``, ``n``) for a table whose labels :data:`MEASURE_LABELS`
        does not know (check them in the table's metadata first).
    verified : bool
        False while path and labels come from public scripts and not from a
        checked answer of the real API.
    """

    indicator: str
    path: str
    categories: Mapping[str, str] = field(default_factory=dict)
    title: str = ""
    measure_labels: Mapping[str, str] = field(default_factory=dict)
    verified: bool = False


#: HLV tables whose paths and labels were seen in public scripts that query the live API
#: (Region Dalarna's own scripts among them). Not verified here: the first fetch checks every
#: label against the table's metadata and stops with the labels found if one differs. The
#: indicator ids end in ``_fohm`` so they never clash with the Kolada KPIs of the same survey.
HLV_TABLES: tuple[HlvSpec, ...] = (
    HlvSpec(
        "bra_halsa_fohm",
        # county and kommun, four-year means; "Bra eller mycket bra hälsa" is its only state
        "A_Folkhalsodata/A_Mo8/Halsoutfall/01Overgrip/01.01halsgod/halsgodyreg.px",
        {"Hälsotillstånd": "Bra eller mycket bra hälsa"},
        "Bra eller mycket bra självskattad hälsa (HLV)",
    ),
    HlvSpec(
        "fetma_fohm",
        "A_Folkhalsodata/B_HLV/bFyshals/bbeFyshalsvikt/hlv1bmixreg.px",
        {"Viktstatus (BMI)": "Fetma"},
        "Fetma (HLV)",
    ),
    HlvSpec(
        "svar_angslan_fohm",
        "A_Folkhalsodata/B_HLV/dPsykhals/hlv1psyxreg.px",
        {"Psykisk hälsa": "Svår ängslan, oro eller ångest"},
        "Svår ängslan, oro eller ångest (HLV)",
    ),
)


# -- requests for a run -------------------------------------------------------------------
@dataclass(frozen=True)
class FohmRequest:
    """One unit of work for a run: a table's metadata and the data for some areas.

    Attributes
    ----------
    spec : HlvSpec
        Which table and category.
    areas : tuple of str
        Kolada-style area codes wanted (kommun ``"2080"``, region ``"0020"``,
        Riket ``"0000"``); those the table does not have are left out (a county
        table has no kommuner).
    url : str
        The table's URL (metadata GET and data POST).
    description : str
        Swedish description for a progress bar.
    """

    spec: HlvSpec
    areas: tuple[str, ...]
    url: str
    description: str


def _run_areas(params: Any) -> tuple[str, ...]:
    """Return the areas of a run: its kommuner, their county's region and Riket."""
    if isinstance(params, Mapping):
        lan, kommuner = params.get("lan") or params.get("lan_code"), params.get("kommuner")
    else:
        lan, kommuner = getattr(params, "lan", None), getattr(params, "kommuner", None)
    if not isinstance(lan, str):
        raise DataError("Körfilen anger inget län (lan) – Folkhälsodata kan inte väljas ut.")
    codes = list(kommuner or lookup.kommuner_in(lan)["kommun_code"])
    for code in codes:
        if lookup.lan_of(code) != lan:
            raise DataError(f"Kommunen {code} ligger inte i län {lan}.")
    return (*codes, lookup.region_code(lan), lookup.RIKET_CODE)


def fohm_requests(
    params: Any,
    specs: Sequence[HlvSpec] = HLV_TABLES,
    base_url: str = DEFAULT_BASE_URL,
) -> list[FohmRequest]:
    """List the Folkhälsodata requests a run needs (for ``python -m helpers.fetch``).

    Parameters
    ----------
    params : helpers.config.params.RunSpec or mapping
        The run: ``lan`` (two digits) and ``kommuner`` (four-digit codes; all of
        the county's when empty). A mapping with the same keys also works.
    specs : sequence of HlvSpec
        The tables; :data:`HLV_TABLES` by default.
    base_url : str
        API root.

    Returns
    -------
    list of FohmRequest
        One per table; carry each out with :func:`fetch` (cached
        answers are not fetched again).
    """
    areas = _run_areas(params)
    root = base_url.rstrip("/") + "/"
    return [
        FohmRequest(
            spec,
            areas,
            root + check_path(spec.path, table=True),
            f"Folkhälsodata: {spec.title or spec.indicator}",
        )
        for spec in specs
    ]


# -- the client ---------------------------------------------------------------------------


def fetch(request: FohmRequest, client: FohmClient | None = None) -> pd.DataFrame:
    """Carry out one :class:`FohmRequest` (metadata, then data) and return the indicator table.

    Answers already in the raw cache are not fetched again; afterwards the same
    request works offline.
    """
    client = client or FohmClient(
        request.url.removesuffix(check_path(request.spec.path, table=True))
    )
    return hlv_table(request.spec, request.areas, client=client)


@dataclass(frozen=True)
class _Layout:
    region: dict[str, Any]
    sex: dict[str, Any]
    time: dict[str, Any]
    measure: dict[str, Any]
    categories: dict[str, str]  # variable code -> value code kept
    roles: dict[str, str]  # measure value code -> role


def _label_error(url: str, what: str, found: Iterable[str], advice: str) -> DataError:
    listing = ", ".join(f"'{t}'" for t in list(found)[:20])
    return DataError(f"{url}: {what} Etiketter i tabellen: {listing}. {advice}")


def _one_variable(variables: list[dict], names: frozenset[str], url: str, what: str) -> dict:
    found = [v for v in variables if _norm(v["text"]) in names or _norm(v["code"]) in names]
    if len(found) != 1:
        raise _label_error(
            url,
            f"variabeln för {what} går inte att hitta med säkerhet ({len(found)} träffar).",
            (v["text"] for v in variables),
            "Tabellen läses inte; kontrollera att det är en HLV-tabell efter region, kön och år.",
        )
    return found[0]


def layout(spec: HlvSpec, meta: Mapping[str, Any], url: str) -> _Layout:
    """Identify area, sex, time, content and category variables of a table by their labels.

    Raises
    ------
    DataError
        A variable or value label that is not known with certainty (the message
        names the URL and lists the labels found).
    """
    variables = list(meta["variables"])
    timed = [v for v in variables if v.get("time") is True]
    time = timed[0] if len(timed) == 1 else _one_variable(variables, TIME_VARIABLES, url, "år")
    rest = [v for v in variables if v is not time]
    region = _one_variable(rest, REGION_VARIABLES, url, "område (region)")
    sex = _one_variable(rest, SEX_VARIABLES, url, "kön")
    measure = _one_variable(rest, MEASURE_VARIABLES, url, "andel och konfidensintervall")
    known = {_norm(k): r for k, r in {**MEASURE_LABELS, **spec.measure_labels}.items()}
    bad_roles = sorted(set(known.values()) - set(MEASURE_ROLES))
    if bad_roles:
        raise DataError(f"Okända roller i measure_labels: {', '.join(bad_roles)}")
    roles: dict[str, str] = {}
    for code, text in zip(measure["values"], measure["valueTexts"], strict=True):
        role = known.get(_norm(text))
        if role is None:
            raise _label_error(
                url,
                f"innehållet '{text}' (kod {code}) i '{measure['text']}' är okänt – vilken kod "
                "som är andel, nedre och övre gräns och antal svarande avgörs bara av etiketten.",
                measure["valueTexts"],
                "Lägg till etiketten i HlvSpec.measure_labels om du har kontrollerat vad den är.",
            )
        if role in roles.values():
            raise _label_error(
                url,
                f"två innehållskoder betyder {_ROLE_SV[role]} i '{measure['text']}'.",
                measure["valueTexts"],
                "Tabellen läses inte.",
            )
        roles[code] = role
    missing = [_ROLE_SV[r] for r in MEASURE_ROLES if r not in roles.values()]
    if missing:
        raise _label_error(
            url,
            f"'{measure['text']}' saknar {', '.join(missing)}.",
            measure["valueTexts"],
            "Utan alla fyra uppgifter kan andelens tillförlitlighet inte bedömas.",
        )
    categories: dict[str, str] = {}
    wanted = {_norm(k): v for k, v in spec.categories.items()}
    for var in rest:
        if var in (region, sex, measure):
            continue
        label = wanted.pop(_norm(var["text"]), None)
        if label is None:
            raise _label_error(
                url,
                f"variabeln '{var['text']}' ({var['code']}) har inget valt värde i "
                f"tabellbeskrivningen för {spec.indicator}.",
                var["valueTexts"],
                f"Ange categories={{'{var['text']}': '<etikett>'}} i HlvSpec.",
            )
        hits = [
            c
            for c, t in zip(var["values"], var["valueTexts"], strict=True)
            if _norm(t) == _norm(label)
        ]
        if len(hits) != 1:
            raise _label_error(
                url,
                f"värdet '{label}' finns inte (eller flera gånger) i '{var['text']}'.",
                var["valueTexts"],
                "Rätta etiketten i HlvSpec.categories.",
            )
        categories[var["code"]] = hits[0]
    if wanted:
        raise _label_error(
            url,
            f"tabellen har inga variabler {', '.join(repr(k) for k in spec.categories if _norm(k) in wanted)}.",
            (v["text"] for v in variables),
            "Rätta HlvSpec.categories.",
        )
    return _Layout(region, sex, time, measure, categories, roles)


def _area_names(code: str) -> tuple[str, ...]:
    """Names a label may use for an area code of the workbook."""
    if code == lookup.RIKET_CODE:
        return tuple(_RIKET_LABELS)
    areas = lookup.areas().set_index("area_code")
    if areas.loc[code, "area_type"] == "kommun":
        return (str(areas.loc[code, "area_name"]),)
    lan = lookup.lan().set_index("region_code").loc[code]
    lan_name, region_name = str(lan["lan_name"]), str(lan["region_name"])
    return (
        lan_name,
        lan_name.removesuffix(" län"),
        lan_name.removesuffix("s län"),
        region_name,
        region_name.removeprefix("Region "),
    )


def area_of(code: str, label: str, url: str) -> str | None:
    """Return the workbook's area code for a Folkhälsodata region code, checked against its label.

    ``"00"`` is Riket, a two-digit county code becomes the region (``"20"`` ->
    ``"0020"``), a four-digit kommun code stays. Returns ``None`` for a code the
    workbook does not know (for example a group of counties); a known code whose
    label names another area is refused.
    """
    kommuner = set(lookup.kommuner()["kommun_code"])
    lans = set(lookup.lan()["lan_code"])
    if code == "00" or code == lookup.RIKET_CODE:
        ours = lookup.RIKET_CODE
    elif len(code) == 2 and code in lans:
        ours = lookup.region_code(code)
    elif len(code) == 4 and code in kommuner:
        ours = code
    else:
        return None
    text = _norm(re.sub(r"^\d+\s*", "", label))
    if ours == lookup.RIKET_CODE:
        ok = text in _RIKET_LABELS
    else:
        ok = any(_norm(n) and _norm(n) in text for n in _area_names(ours))
    if not ok:
        raise DataError(
            f"{url}: området med kod {code} heter '{label}', vilket inte är "
            f"{lookup.area_name(ours)} – koden och namnet säger olika saker och inget gissas."
        )
    return ours


def period_of(code: str, label: str, url: str) -> tuple[int, str]:
    """Return ``(period, period_label)`` of a time value: ``"2021-2024"`` -> ``(2024, "2021–2024")``."""
    for text in (label, code):
        m = _PERIOD.fullmatch(str(text).strip())
        if m is None:
            continue
        if m.group("year"):
            return int(m.group("year")), m.group("year")
        first, last = int(m.group("first")), int(m.group("last"))
        if first < last:
            return last, f"{first}–{last}"
    raise DataError(
        f"{url}: tidsperioden '{label}' (kod {code}) är varken ett år eller en period som "
        "'2021-2024'; den läses inte."
    )


def hlv_table(
    spec: HlvSpec,
    areas: Iterable[str] | None = None,
    *,
    client: FohmClient | None = None,
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Fetch one HLV indicator and return it as the tidy indicator table.

    Parameters
    ----------
    spec : HlvSpec
        Table, indicator id and the category kept.
    areas : iterable of str, optional
        Area codes wanted (``"2080"``, ``"0020"``, ``"0000"``); those the table
        does not have are left out. Default: every area the table has.
    client : FohmClient, optional
        A default client (live API, ``data/raw/fohm``) otherwise.
    periods : iterable of str, optional
        Period labels or codes as in the table (``"2021-2024"``); default all.

    Returns
    -------
    pandas.DataFrame
        Indicator table: ``value`` = share in percent, ``ci_lower``/``ci_upper``
        (95 %), ``n`` = respondents, ``flag`` by the NCHS rules applied with
        the interval and n (see the module docstring), ``source`` :data:`SOURCE`.

    Raises
    ------
    DataError
        Unknown labels, a share outside 0–100, a crossed interval or one that
        does not contain the share, a share without its limits or respondents,
        a count that is not a whole number, no area asked for in the table.
    SourceError
        The API could not be reached (and nothing is cached) or answered in an
        undocumented way.
    """
    client = client or FohmClient()
    url = client.url(spec.path)
    meta = client.metadata(spec.path)
    lay = layout(spec, meta, url)
    region_map: dict[str, str] = {}
    for code, text in zip(lay.region["values"], lay.region["valueTexts"], strict=True):
        ours = area_of(code, text, url)
        if ours is not None:
            region_map[code] = ours
    wanted = None if areas is None else set(areas)
    region_codes = [c for c, a in region_map.items() if wanted is None or a in wanted]
    if not region_codes:
        raise DataError(f"{url}: tabellen har inget av de efterfrågade områdena.")
    sex_map: dict[str, str] = {}
    for code, text in zip(lay.sex["values"], lay.sex["valueTexts"], strict=True):
        sex = SEX_LABELS.get(_norm(text))
        if sex is None:
            raise _label_error(
                url,
                f"könet '{text}' (kod {code}) är okänt.",
                lay.sex["valueTexts"],
                "Tabellen läses inte.",
            )
        sex_map[code] = sex
    if len(set(sex_map.values())) != len(sex_map):
        raise _label_error(
            url, "två kodvärden betyder samma kön.", lay.sex["valueTexts"], "Tabellen läses inte."
        )
    time_labels = dict(zip(lay.time["values"], lay.time["valueTexts"], strict=True))
    if periods is None:
        time_codes = list(time_labels)
    else:
        keep = {str(p) for p in periods}
        time_codes = [c for c, t in time_labels.items() if c in keep or t in keep]
        if not time_codes:
            raise DataError(f"{url}: perioderna {sorted(keep)} finns inte i tabellen.")
    period_map = {c: period_of(c, time_labels[c], url) for c in time_codes}
    selection = {
        lay.region["code"]: region_codes,
        lay.sex["code"]: list(sex_map),
        lay.time["code"]: time_codes,
        lay.measure["code"]: list(lay.roles),
        **{c: [v] for c, v in lay.categories.items()},
    }
    selection = {v["code"]: selection[v["code"]] for v in meta["variables"]}
    frame = client.data(spec.path, selection)
    return to_indicator_table(frame, spec, lay, region_map, sex_map, period_map, url)


def to_indicator_table(
    frame: pd.DataFrame,
    spec: HlvSpec,
    lay: _Layout,
    region_map: Mapping[str, str],
    sex_map: Mapping[str, str],
    period_map: Mapping[str, tuple[int, str]],
    url: str,
) -> pd.DataFrame:
    """Pair the four content values of each area, sex and period and flag the share."""
    rc, sc, tc, mc = (lay.region["code"], lay.sex["code"], lay.time["code"], lay.measure["code"])
    wide = frame.assign(role=frame[mc].map(lay.roles)).pivot(
        index=[rc, sc, tc], columns="role", values="value"
    )
    wide = wide.reindex(columns=list(MEASURE_ROLES)).reset_index()
    problems: list[str] = []
    value, lo, hi, n = (wide[r].to_numpy(dtype=float) for r in MEASURE_ROLES)
    keys = wide[[rc, sc, tc]].astype(str).to_numpy()
    for i in range(len(wide)):
        where = f"{rc}={keys[i][0]}, {sc}={keys[i][1]}, {tc}={keys[i][2]}"
        if np.isnan(value[i]):
            continue
        gaps = [
            _ROLE_SV[r]
            for r, x in (("ci_lower", lo[i]), ("ci_upper", hi[i]), ("n", n[i]))
            if np.isnan(x)
        ]
        if gaps:
            problems.append(f"{where}: andelen finns men {', '.join(gaps)} saknas")
            continue
        if not 0 <= value[i] <= 100:
            problems.append(f"{where}: fältet andel är {_n(value[i])}, utanför 0–100 %")
        if not (0 <= lo[i] <= 100 and 0 <= hi[i] <= 100):
            problems.append(
                f"{where}: konfidensgränserna {_n(lo[i])}–{_n(hi[i])} ligger utanför 0–100 %"
            )
        if lo[i] > hi[i]:
            problems.append(
                f"{where}: fältet nedre gräns ({_n(lo[i])}) är större än övre ({_n(hi[i])})"
            )
        elif not lo[i] - 1e-9 <= value[i] <= hi[i] + 1e-9:
            problems.append(
                f"{where}: konfidensintervallet {_n(lo[i])}–{_n(hi[i])} omsluter inte andelen {_n(value[i])}"
            )
        if n[i] < 1 or n[i] != math.floor(n[i]):
            problems.append(f"{where}: fältet antal svarande är {_n(n[i])}, inget positivt heltal")
    if problems:
        more = f" (och {len(problems) - 5} fel till)" if len(problems) > 5 else ""
        raise DataError(
            f"{url} ({spec.indicator}) kan inte läsas med säkerhet: {'; '.join(problems[:5])}{more}. "
            "Inget värde gissas – kontrollera tabellen hos Folkhälsomyndigheten."
        )
    p = value / 100
    se = (hi - lo) / 100 / (2 * Z95)
    assessment = reliability.assess(p, n, se, np.inf, lo / 100, hi / 100)
    areas = lookup.areas().set_index("area_code")
    codes = wide[rc].map(region_map)
    periods = wide[tc].map(period_map)
    has = ~np.isnan(value)
    table = pd.DataFrame(
        {
            "area_code": codes.to_numpy(),
            "area_name": areas.loc[codes, "area_name"].to_numpy(),
            "area_type": areas.loc[codes, "area_type"].to_numpy(),
            "period": [p_[0] for p_ in periods],
            "period_label": [p_[1] for p_ in periods],
            "sex": wide[sc].map(sex_map).to_numpy(),
            "group": indicators.ALL_GROUPS,
            "indicator": spec.indicator,
            "value": value,
            "ci_lower": np.where(has, lo, np.nan),
            "ci_upper": np.where(has, hi, np.nan),
            "ci_level": np.where(has, CI_LEVEL, np.nan),
            "n": n,
        }
    )
    table = reliability.apply_flags(table, assessment)
    table.loc[~has, "flag_reason"] = "värde saknas hos Folkhälsomyndigheten (..)"
    table = table.sort_values(["area_code", "period", "sex"], kind="stable")
    return indicators.make(table, source=SOURCE)
