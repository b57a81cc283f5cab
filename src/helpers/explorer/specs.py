"""The explorer's indicators, built from the indicator catalogue (``params/indicators.yaml``).

The explorer keeps no copy of names, units, axis labels, definitions,
directions or data sources: every :class:`IndicatorSpec` is derived from one
:class:`helpers.config.catalogue.Indicator` and the source registry
(:mod:`helpers.config.sources`). What is the explorer's own is :data:`MENU`:
which catalogue entries it offers, in which order, under which key (the
``indicator`` parameter of ``notebooks/utforska.ipynb``) and through which
*family* of loader:

* ``medellivslangd`` – Kolada's life-expectancy KPIs (no interval);
* ``livstabell`` – life expectancy with confidence intervals, computed from
  deaths and population (Chiang II);
* ``enkat`` – a survey answer variable estimated from microdata;
* ``kolada`` – any other Kolada KPI (found in the catalogue by its KPI id).

A source offers an indicator when the catalogue has a recipe for it of a kind
the family can load (``kpi`` for the Kolada families, ``life_table``,
``survey_variable``), or when it is the synthetic demo source with any recipe
(the demo data are built for every recipe from one synthetic population), and
the explorer can read that source (:data:`EXPLORER_SOURCES`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from helpers.config import catalogue
from helpers.config import sources as data_sources
from helpers.core.errors import DataError

#: Indicator families: how the data of an indicator are obtained.
FAMILY_LIFE_EXPECTANCY = "medellivslangd"
FAMILY_LIFE_TABLE = "livstabell"
FAMILY_SURVEY = "enkat"
FAMILY_KOLADA = "kolada"

#: What kind of statistics an indicator is (shown to the user).
KIND_REGISTER = "Registerdata"
KIND_SURVEY = "Enkätdata"
KIND_KOLADA_SURVEY = "Enkätdata via Kolada"

#: Recipe kinds (:data:`helpers.config.catalogue.RECIPE_KINDS`) each family can load.
FAMILY_RECIPES: dict[str, tuple[str, ...]] = {
    FAMILY_LIFE_EXPECTANCY: ("kpi",),
    FAMILY_LIFE_TABLE: ("life_table",),
    FAMILY_SURVEY: ("survey_variable",),
    FAMILY_KOLADA: ("kpi", "kolada_shape"),
}

#: The registry's source for a survey extract of the user's own.
EXTRACT_SOURCE = data_sources.check_source("extrakt")
#: Sources the explorer can read: those of a report run, and the user's own survey extract.
EXPLORER_SOURCES: tuple[str, ...] = (*data_sources.EXPLORER_RUN_SOURCES, EXTRACT_SOURCE)

#: The explorer's menu: (key, family, catalogue id – or the KPI id for family ``kolada``).
MENU: tuple[tuple[str, str, str], ...] = (
    ("medellivslangd", FAMILY_LIFE_EXPECTANCY, "e0"),
    ("medellivslangd_ki", FAMILY_LIFE_TABLE, "e0"),
    ("daglig_rokning", FAMILY_SURVEY, "daglig_rokning"),
    ("riskabla_alkoholvanor", FAMILY_SURVEY, "riskabla_alkoholvanor"),
    ("bra_halsa", FAMILY_SURVEY, "bra_halsa"),
    ("stillasittande", FAMILY_SURVEY, "stillasittande"),
    ("kolada_U01405", FAMILY_KOLADA, "U01405"),
    ("kolada_N02797", FAMILY_KOLADA, "N02797"),
    ("kolada_N66077", FAMILY_KOLADA, "N66077"),
)

_DIRECTIONS = {"higher": "higher_is_better", "lower": "lower_is_better"}


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator the explorer can show (derived from a catalogue entry).

    Attributes
    ----------
    key : str
        Identifier used by the controls (``"medellivslangd"``).
    label : str
        Swedish name shown in the menu and on the chart.
    family : str
        One of the ``FAMILY_*`` constants: which loader provides the table.
    unit : str
        The catalogue's unit (``"år"``, ``"%"``).
    axis_label : str
        Label of the chart's value axis (:attr:`helpers.config.catalogue.Indicator.value_label`).
    kind : str
        ``KIND_REGISTER``, ``KIND_SURVEY`` or ``KIND_KOLADA_SURVEY``.
    about : str
        The catalogue's definition and what the interval means (may contain
        ``{min_n}``, filled in with the disclosure threshold).
    indicator_ids : tuple of str
        Ids in the indicator table's ``indicator`` column (several when the
        source has one id per sex, as Kolada's life expectancy).
    variable : str or None
        Survey answer variable (family ``FAMILY_SURVEY``).
    direction : str or None
        ``"higher_is_better"`` / ``"lower_is_better"`` (verdicts against the county).
    data_sources : tuple of str
        Sources of :mod:`helpers.config.sources` for which the indicator is offered.
    decimals : int
        Decimals shown.
    catalogue_id : str
        The catalogue entry it comes from.
    """

    key: str
    label: str
    family: str
    unit: str
    axis_label: str
    kind: str
    about: str
    indicator_ids: tuple[str, ...] = ()
    variable: str | None = None
    direction: str | None = None
    data_sources: tuple[str, ...] = ()
    decimals: int = 1
    catalogue_id: str = ""


def _entry(family: str, ref: str, cat: catalogue.Catalogue) -> catalogue.Indicator:
    if family == FAMILY_KOLADA:
        ind = cat.by_kpi(ref)
        if ind is None:
            raise DataError(
                f"Kolada-nyckeltalet {ref} som utforskaren erbjuder saknas i "
                "indikatorkatalogen (params/indicators.yaml)"
            )
        return ind
    return cat.get(ref)


def _recipe_kind(recipe: Mapping[str, object]) -> str | None:
    return next((k for k in catalogue.RECIPE_KINDS if k in recipe), None)


def _offered_by(ind: catalogue.Indicator, family: str) -> tuple[str, ...]:
    """Return the sources (registry order) that serve ``ind`` through ``family`` here."""
    out = []
    for name in data_sources.names():
        if name not in EXPLORER_SOURCES or not ind.serves(name):
            continue
        kind = _recipe_kind(ind.sources[name])
        if kind in FAMILY_RECIPES[family] or data_sources.SOURCES[name].synthetic:
            out.append(name)
    return tuple(out)


def _about(ind: catalogue.Indicator, family: str, kpis: Mapping[str, str]) -> str:
    """Return the catalogue's definition plus what the interval (or its absence) means."""
    if family == FAMILY_LIFE_EXPECTANCY:
        ids = ", ".join(f"{kpi} {sex}" for sex, kpi in kpis.items())
        note = (
            f"Kolada {ids}: registerdata om alla invånare, men källan anger inget "
            "konfidensintervall – i små kommuner kan några tiondelars skillnad vara slump."
        )
    elif family == FAMILY_LIFE_TABLE:
        note = (
            f"Egen beräkning från döda och folkmängd, {ind.ci_text}. Konfidensintervallet "
            "visar hur mycket slumpen i antalet dödsfall betyder – mest i små kommuner."
        )
    elif family == FAMILY_SURVEY:
        note = (
            f"Konfidensintervall enligt {ind.ci_text}; för osäkra skattningar visas inget "
            "värde (NCHS:s regler)."
        )
        if ind.disclosure:
            note += " Celler med färre än {min_n} svarande döljs (röjandekontroll)."
    elif ind.ci_method == "kolada_uncertainty":
        note = "Intervallet är Koladas osäkerhetstal (± runt värdet); konfidensnivån anges inte."
    else:
        note = "Källan anger ingen osäkerhet."
    return f"{ind.definition} {note}"


def _kind(ind: catalogue.Indicator, family: str) -> str:
    if family == FAMILY_SURVEY:
        return KIND_SURVEY
    if ind.period_type == "pooled_survey" or ind.reliability in ("nchs_without_n", "survey_no_ci"):
        return KIND_KOLADA_SURVEY
    return KIND_REGISTER


def build_spec(key: str, family: str, ind: catalogue.Indicator) -> IndicatorSpec:
    """Return the explorer's view of one catalogue entry through one loader family."""
    if family not in FAMILY_RECIPES:
        raise DataError(f"Okänd indikatorfamilj '{family}'")
    kpis = ind.kpis("kolada") if ind.serves("kolada") else {}
    variable = None
    if family == FAMILY_SURVEY:
        recipes = [ind.sources[s] for s in ind.sources if "survey_variable" in ind.sources[s]]
        variable = str(recipes[0]["survey_variable"]) if recipes else None
    if family in (FAMILY_LIFE_EXPECTANCY, FAMILY_KOLADA):
        ids = tuple(kpis.values())
    else:
        ids = (ind.id,)
    label = ind.name
    if family == FAMILY_LIFE_TABLE:
        label = f"{ind.name}, med konfidensintervall (livstabell)"
    elif family == FAMILY_KOLADA:
        label = f"{ind.short_name} (Kolada {', '.join(dict.fromkeys(kpis.values()))})"
    return IndicatorSpec(
        key=key,
        label=label,
        family=family,
        unit=ind.unit,
        axis_label=ind.value_label,
        kind=_kind(ind, family),
        about=_about(ind, family, kpis),
        indicator_ids=ids,
        variable=variable,
        direction=_DIRECTIONS.get(ind.better),
        data_sources=_offered_by(ind, family),
        decimals=ind.decimals,
        catalogue_id=ind.id,
    )


_BUILT: dict[int, dict[str, IndicatorSpec]] = {}


def indicator_specs() -> dict[str, IndicatorSpec]:
    """Return every indicator of :data:`MENU`, in menu order (rebuilt when the catalogue changes)."""
    cat = catalogue.load()
    if id(cat) not in _BUILT:
        _BUILT.clear()
        _BUILT[id(cat)] = {
            key: build_spec(key, family, _entry(family, ref, cat)) for key, family, ref in MENU
        }
    return _BUILT[id(cat)]


class _Specs(Mapping[str, IndicatorSpec]):
    """Read-only mapping view of :func:`indicator_specs` (built on first use)."""

    def __getitem__(self, key: str) -> IndicatorSpec:
        return indicator_specs()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(indicator_specs())

    def __len__(self) -> int:
        return len(indicator_specs())

    def __repr__(self) -> str:
        return f"INDICATORS({', '.join(self)})"


#: Every indicator the explorer knows, in menu order (key -> :class:`IndicatorSpec`).
INDICATORS: Mapping[str, IndicatorSpec] = _Specs()


def lower_first(text: str) -> str:
    """Lower-case the first letter only (keeps acronyms such as AUDIT-C): "Röker" -> "röker"."""
    return text[:1].lower() + text[1:]


def available_indicators(data_source: str, survey_extract: bool = False) -> list[IndicatorSpec]:
    """Return the indicators on offer for a data source, in menu order.

    Parameters
    ----------
    data_source : str
        The explorer's data source (one of :data:`helpers.config.sources.RUN_SOURCES`).
    survey_extract : bool
        Whether the user gave a survey extract of their own (then the survey
        indicators are offered also with ``"kolada"``).

    Returns
    -------
    list of IndicatorSpec
    """
    out = []
    for spec in INDICATORS.values():
        if data_source in spec.data_sources or (
            survey_extract and EXTRACT_SOURCE in spec.data_sources
        ):
            out.append(spec)
    return out


def indicator_spec(key: str) -> IndicatorSpec:
    """Return the :class:`IndicatorSpec` of ``key``; :class:`DataError` in Swedish if unknown."""
    if key not in INDICATORS:
        raise DataError(f"Okänd indikator '{key}' – välj en av: {', '.join(INDICATORS)}")
    return INDICATORS[key]


def check_explorer_source(data_source: object) -> str:
    """Validate the explorer's ``data_source`` through the registry (Swedish error)."""
    return data_sources.check_source(
        data_source, allowed=data_sources.EXPLORER_RUN_SOURCES, what="utforskarens indikatorer"
    )
