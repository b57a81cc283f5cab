"""The indicator catalogue: one entry per indicator, read from ``params/indicators.yaml``.

Every name, short name, reader's definition, unit, number of decimals,
direction of "better", sex split, period type, CI method, reliability rule,
disclosure rule and source recipe that the workbook shows or uses comes from
here. Loaders, statistics, plots, report sections, the explorer, Strategi för
hälsa and the exports read the catalogue instead of keeping their own copies;
adding an indicator is one catalogue entry (plus, where needed, one loader).

The file is validated completely on load (:func:`load`), and every problem is
reported at once as a :class:`helpers.core.errors.DataError` naming the file,
line and key, in Swedish.

Schema of one entry (``indicators: {<id>: {...}}``)
----------------------------------------------------
``name`` : str
    Full Swedish name ("Medellivslängd vid födelsen").
``short_name`` : str
    Short name for tables and chart legends (at most 40 characters).
``definition`` : str
    One to three sentences for readers: what the number is and how it is made.
``unit`` : str
    ``år``, ``%``, ``per 1 000 invånare``, ``per 100 000 invånare``, ``index`` …
``decimals`` : int, 0–3
``better`` : ``higher`` | ``lower`` | ``none``
``sexes`` : list of ``kvinnor``, ``män``, ``totalt``
``period_type`` : ``year`` | ``five_year`` | ``multi_year`` | ``pooled_survey``
``pooled_years`` : int, optional
    How many years one value summarises (default 1 for ``year``, 5 for
    ``five_year``; required for ``multi_year`` and ``pooled_survey``).
``ci_method`` : one of :data:`CI_METHODS`
``reliability`` : one of :data:`RELIABILITY_RULES`
``disclosure`` : bool
    Whether small-cell suppression (:mod:`helpers.stats.disclosure`) applies.
``sources`` : mapping from a source name (:mod:`helpers.config.sources`) to a recipe
    with exactly one of ``kpi`` (a Kolada id, or ``{kvinnor: id, män: id}``;
    optional ``uncertainty_kpi``), ``scb_table`` (with ``content_code``),
    ``survey_variable`` (an answer variable of the variable map),
    ``life_table`` (``{age: 0}``: computed from deaths and population) or
    ``kolada_shape`` (demo values served in Kolada's shape, with ``kpi``).
    Optional ``title``: the source's own title of the KPI (str, or one per sex),
    used to check the id against the source's catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from helpers.config import sources as source_registry
from helpers.config.yamlfile import display_path, read_yaml
from helpers.core import paths
from helpers.core.errors import DataError, Problem

CATALOGUE_FILE = "indicators.yaml"
BETTER: tuple[str, ...] = ("higher", "lower", "none")
SEXES: tuple[str, ...] = ("kvinnor", "män", "totalt")
PERIOD_TYPES: dict[str, str] = {
    "year": "ett år",
    "five_year": "femårsmedelvärde",
    "pooled_survey": "flera enkätår sammanslagna",
    "multi_year": "flerårsvärde (flera år sammanslagna)",
}
#: Years one value summarises, by period type (None: the entry must say ``pooled_years``).
POOLED_YEARS: dict[str, int | None] = {
    "year": 1,
    "five_year": 5,
    "pooled_survey": None,
    "multi_year": None,
}
CI_METHODS: dict[str, str] = {
    "chiang_ii": "livstabell enligt Chiang II (som PHEindicatormethods)",
    "scb_single_year": (
        "ettårig livstabell som SCB:s (egna döda och medelfolkmängd 0–89 år, länets "
        "återstående medellivslängd vid 90 år), varians enligt Chiang"
    ),
    "korn_graubard": "Korn–Graubard, designbaserat (Taylor-linearisering)",
    "wilson": "Wilsons intervall",
    "kolada_uncertainty": "Koladas osäkerhetstal (± runt skattningen)",
    "given": "intervallet som källan anger",
    "none": "källan anger ingen osäkerhet",
}
RELIABILITY_RULES: dict[str, str] = {
    "lifetable_phe": "för få döda eller för liten folkmängd för en säker livstabell",
    "nchs_2017": "NCHS standard för andelar (2017): för få svarande eller för brett intervall",
    "nchs_without_n": "NCHS-regeln för intervallets bredd (antal svarande saknas)",
    "survey_no_ci": "urvalsundersökning utan osäkerhetsmått: en skillnad kan vara slumpmässig",
    "none": "ingen flaggning (registerdata om alla)",
}
RECIPE_KINDS: tuple[str, ...] = (
    "kpi",
    "scb_table",
    "survey_variable",
    "life_table",
    "kolada_shape",
)
REQUIRED: tuple[str, ...] = (
    "name",
    "short_name",
    "definition",
    "unit",
    "decimals",
    "better",
    "sexes",
    "period_type",
    "ci_method",
    "reliability",
    "disclosure",
    "sources",
)
_OPTIONAL: tuple[str, ...] = ("axis_label", "notes", "pooled_years")
_RECIPE_KEYS: tuple[str, ...] = (
    *RECIPE_KINDS,
    "uncertainty_kpi",
    "content_code",
    "age",
    "title",
)
_KPI = re.compile(r"^[NU]\d{5}$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry (see the module docstring for the fields)."""

    id: str
    name: str
    short_name: str
    definition: str
    unit: str
    decimals: int
    better: str
    sexes: tuple[str, ...]
    period_type: str
    ci_method: str
    reliability: str
    disclosure: bool
    sources: Mapping[str, Mapping[str, Any]]
    axis_label: str = ""
    notes: str = ""
    pooled_years: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def higher_is_better(self) -> bool | None:
        """True, False or None (no direction)."""
        return {"higher": True, "lower": False}.get(self.better)

    @property
    def period_text(self) -> str:
        """Swedish words for the period type ("femårsmedelvärde")."""
        return PERIOD_TYPES[self.period_type]

    @property
    def ci_text(self) -> str:
        """Swedish words for the CI method."""
        return CI_METHODS[self.ci_method]

    @property
    def reliability_text(self) -> str:
        """Swedish words for what the reliability flag means for this indicator."""
        return RELIABILITY_RULES[self.reliability]

    @property
    def value_label(self) -> str:
        """Axis label: ``axis_label`` if given, else "<short name> (<unit>)"."""
        return self.axis_label or f"{self.short_name} ({self.unit})"

    def serves(self, source: str) -> bool:
        """Return True when ``source`` has a recipe for this indicator."""
        return source in self.sources

    def recipe(self, source: str) -> Mapping[str, Any]:
        """Return the recipe for ``source`` or refuse in Swedish.

        Raises
        ------
        DataError
            Unknown source, or a source that cannot serve this indicator.
        """
        source_registry.check_source(
            source, allowed=tuple(self.sources), what=f"indikatorn '{self.name}'"
        )
        return self.sources[source]

    def kpis(self, source: str = "kolada") -> dict[str, str]:
        """Return the Kolada KPI id per sex (``{"totalt": id}`` when not split)."""
        kpi = self.recipe(source).get("kpi")
        if kpi is None:
            return {}
        return dict(kpi) if isinstance(kpi, Mapping) else {"totalt": str(kpi)}


@dataclass(frozen=True)
class Catalogue:
    """All indicators, by id, in file order."""

    indicators: Mapping[str, Indicator]
    path: Path

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, key: object) -> bool:
        return key in self.indicators

    def get(self, indicator_id: str) -> Indicator:
        """Return one indicator or refuse with the known ids."""
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise DataError(
                f"Indikatorn '{indicator_id}' finns inte i katalogen {display_path(self.path)} "
                f"– kända: {', '.join(self.indicators)}."
            ) from None

    def by_kpi(self, kpi: str) -> Indicator | None:
        """Return the indicator that a Kolada KPI id belongs to (any source), or None."""
        for ind in self.indicators.values():
            for recipe in ind.sources.values():
                k = recipe.get("kpi")
                values = k.values() if isinstance(k, Mapping) else [k]
                if kpi in values or recipe.get("uncertainty_kpi") == kpi:
                    return ind
        return None

    def for_source(self, source: str) -> list[Indicator]:
        """Return the indicators that ``source`` can serve (source validated)."""
        source_registry.check_source(source)
        return [ind for ind in self.indicators.values() if ind.serves(source)]


def _problems_for(
    ind_id: str, entry: Any, line: int | None, shown: str
) -> tuple[list[Problem], dict[str, Any]]:
    """Validate one entry; return its problems and the cleaned fields."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    def bad(message: str, key: str | None = None) -> None:
        row = getattr(entry, "lines", {}).get(key, line) if key else line
        where = f"indicators.{ind_id}" + (f".{key}" if key else "")
        problems.append(Problem(f"{where}: {message}", file=shown, row=row))

    def whole_number(key: str, low: int, high: int, message: str) -> bool:
        """Check an optional whole-number field in ``[low, high]``; True when ``key`` is given."""
        if key not in entry:
            return False
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            bad(message, key)
        else:
            out[key] = value
        return True

    if not _ID.match(str(ind_id)):
        bad("id ska bestå av små bokstäver a–z, siffror och _ (och börja med en bokstav)")
    if not isinstance(entry, Mapping):
        bad("ska vara en mappning med nycklarna " + ", ".join(REQUIRED))
        return problems, {}
    for key in REQUIRED:
        if key not in entry:
            bad(f"nyckeln '{key}' saknas")
    for key in entry:
        if key not in REQUIRED and key not in _OPTIONAL:
            bad(f"okänd nyckel '{key}' (tillåtna: {', '.join(REQUIRED + _OPTIONAL)})", key)
    for key in ("name", "short_name", "definition", "unit", "axis_label", "notes"):
        if key in entry:
            value = entry[key]
            if not isinstance(value, str) or not value.strip():
                bad("ska vara en text som inte är tom", key)
            else:
                out[key] = " ".join(value.split())
    if isinstance(out.get("short_name"), str) and len(out["short_name"]) > 40:
        bad("kortnamnet får vara högst 40 tecken (det visas i tabeller)", "short_name")
    whole_number("decimals", 0, 3, "ska vara ett heltal 0–3")
    for key, allowed in (
        ("better", BETTER),
        ("period_type", tuple(PERIOD_TYPES)),
        ("ci_method", tuple(CI_METHODS)),
        ("reliability", tuple(RELIABILITY_RULES)),
    ):
        if key in entry:
            if entry[key] not in allowed:
                bad(f"{entry[key]!r} är inte tillåtet – välj en av: {', '.join(allowed)}", key)
            else:
                out[key] = entry[key]
    pooled_given = whole_number(
        "pooled_years", 1, 10, "ska vara ett heltal 1–10 (antal år som ett värde sammanfattar)"
    )
    if not pooled_given and out.get("period_type") in POOLED_YEARS:
        default = POOLED_YEARS[out["period_type"]]
        if default is None:
            bad(
                f"period_type {out['period_type']} kräver pooled_years (antal år per värde)",
                "period_type",
            )
        else:
            out["pooled_years"] = default
    if "disclosure" in entry:
        if not isinstance(entry["disclosure"], bool):
            bad("ska vara true eller false", "disclosure")
        else:
            out["disclosure"] = entry["disclosure"]
    if "sexes" in entry:
        sexes = entry["sexes"]
        if (
            not isinstance(sexes, list)
            or not sexes
            or any(s not in SEXES for s in sexes)
            or len(set(sexes)) != len(sexes)
        ):
            bad(f"ska vara en lista utan dubbletter av: {', '.join(SEXES)}", "sexes")
        else:
            out["sexes"] = tuple(sexes)
    if "sources" in entry:
        recipes = entry["sources"]
        if not isinstance(recipes, Mapping) or not recipes:
            bad("ska vara en mappning från datakälla till recept", "sources")
        else:
            cleaned = {}
            for source, recipe in recipes.items():
                where = f"sources.{source}"
                if source not in source_registry.SOURCES:
                    bad(
                        f"okänd datakälla '{source}' – välj en av: "
                        f"{', '.join(source_registry.names())}",
                        "sources",
                    )
                    continue
                if not isinstance(recipe, Mapping):
                    bad(f"{where}: receptet ska vara en mappning", "sources")
                    continue
                kinds = [k for k in RECIPE_KINDS if k in recipe]
                if "kolada_shape" in kinds and "kpi" in kinds:
                    kinds.remove("kpi")  # demo values in Kolada's shape name their kpi
                if len(kinds) != 1:
                    bad(
                        f"{where}: ange exakt en av {', '.join(RECIPE_KINDS)}",
                        "sources",
                    )
                unknown = [k for k in recipe if k not in _RECIPE_KEYS]
                if unknown:
                    bad(f"{where}: okänd nyckel {', '.join(map(str, unknown))}", "sources")
                for key in ("kpi", "uncertainty_kpi"):
                    k = recipe.get(key)
                    values = k.values() if isinstance(k, Mapping) else [k]
                    if isinstance(k, Mapping) and any(s not in SEXES for s in k):
                        bad(f"{where}.{key}: kön ska vara {', '.join(SEXES)}", "sources")
                    if k is not None and any(not _KPI.match(str(v)) for v in values):
                        bad(
                            f"{where}.{key}: Kolada-id ska se ut som N00925 eller U01405",
                            "sources",
                        )
                cleaned[source] = dict(recipe)
            out["sources"] = cleaned
    return problems, out


def parse(doc: Mapping[str, Any], path: Path) -> Catalogue:
    """Validate a catalogue document (as read by :func:`helpers.config.yamlfile.read_yaml`).

    Raises
    ------
    DataError
        Listing every problem with file, line and key.
    """
    shown = display_path(path)
    problems: list[Problem] = []
    if set(doc) != {"indicators"}:
        extra = ", ".join(str(k) for k in doc if k != "indicators")
        problems.append(
            Problem(
                "filen ska ha en enda nyckel 'indicators'"
                + (f" (okänd: {extra})" if extra else ""),
                file=shown,
            )
        )
    entries = doc.get("indicators")
    if not isinstance(entries, Mapping) or not entries:
        problems.append(
            Problem("'indicators' ska vara en mappning med minst en indikator", file=shown)
        )
        raise DataError(problems)
    lines = getattr(entries, "lines", {})
    indicators: dict[str, Indicator] = {}
    for ind_id, entry in entries.items():
        found, fields = _problems_for(str(ind_id), entry, lines.get(ind_id), shown)
        problems += found
        if not found:
            indicators[str(ind_id)] = Indicator(id=str(ind_id), **fields)
    if problems:
        raise DataError(problems)
    return Catalogue(indicators, path)


@cache
def _load_cached(path: str, mtime_ns: int) -> Catalogue:
    return parse(read_yaml(path), Path(path))


def load(path: str | Path | None = None) -> Catalogue:
    """Load and validate the catalogue (cached per file version).

    Parameters
    ----------
    path : str or Path, optional
        Default ``params/indicators.yaml``.
    """
    # A root without its own catalogue (FOLKHALSA_ROOT, tests) uses the shipped one.
    p = Path(path) if path is not None else paths.project_file(Path("params") / CATALOGUE_FILE)
    if not p.is_file():
        raise DataError(Problem("indikatorkatalogen finns inte", file=display_path(p)))
    return _load_cached(str(p), p.stat().st_mtime_ns)


def get(indicator_id: str) -> Indicator:
    """Return one indicator of the default catalogue."""
    return load().get(indicator_id)
