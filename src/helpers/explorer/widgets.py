"""Interactive explorer: ipywidgets controls around the workbook's pure functions.

:class:`Explorer` is what ``notebooks/utforska.ipynb`` shows (also served as a
dashboard with Voilà)::

    from helpers.explorer.widgets import Explorer
    Explorer(data_source="demo", lan_code="20", kommun="2080")

Controls for county, kommun, indicator, sex, period and comparison (the
county and Sweden, or similar kommuner) update

* a chart over time with confidence intervals (:func:`helpers.plots.common.timeseries`),
* a map of the county in the chosen period (:func:`helpers.plots.common.choropleth`),
* a table with the reliability flag and its reason for every row,

and an export button writes the current table (after disclosure control) as a
Swedish Excel CSV and the chart and map as PNG to ``reports/export/``. The data
pass the workbook's one disclosure rule
(:func:`helpers.explorer.tables.controlled`, i.e.
:func:`helpers.stats.disclosure.suppress_small_cells` with ``disclosure.min_n``
of ``params`` and the catalogue's flag) as soon as they are loaded, and again
before the table is shown and exported.

The widgets only wire controls to functions: the data are prepared by the pure
functions of :mod:`helpers.explorer.explore`, drawn by :mod:`helpers.plots.common`, and the
state after each update is kept on the explorer (``table``, ``comparison_data``,
``map_data``, ``figure``, ``map_figure``, ``messages``, ``error``) so that tests
can change the controls programmatically and check what a user would see.
Charts are PNG images (:class:`ipywidgets.Image`), so the explorer works the
same in JupyterLab, in Voilà and in a plain kernel without a browser.

Every output area has a stable CSS class for browser tests: ``explorer``,
``explorer-header``, ``explorer-message``, ``explorer-chart``, ``explorer-map``,
``explorer-table`` (the HTML table also has ``data-testid="explorer-table"``
and ``data-kommun``), ``explorer-export``; the controls ``explorer-lan``,
``explorer-kommun``, ``explorer-indicator``, ``explorer-sex``,
``explorer-period``, ``explorer-comparison`` and ``explorer-export-button``.

Data are loaded by :mod:`helpers.explorer.loading` (kept in memory for the
kernel's lifetime) and drawn by :mod:`helpers.explorer.figures`; this module
holds the controls (:class:`Explorer`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from helpers.core import lookup, paths
from helpers.core.errors import DataError, SourceError
from helpers.core.fmt import SYNTHETIC_LABEL, excel_csv
from helpers.explorer import explore
from helpers.explorer import specs as explorer_specs
from helpers.explorer import tables as explorer_tables
from helpers.explorer.figures import (
    EXPORT_DPI,
    chart_figure,
    figure_png,
    map_figure,
)
from helpers.explorer.loading import (
    load_significance,
    load_table,
    similar_kommuner,
)
from helpers.explorer.specs import IndicatorSpec, check_explorer_source

#: Default export folder below the project root.
EXPORT_SUBDIR = "export"


# -- the explorer -------------------------------------------------------------------------------------
class Explorer:
    """Interactive explorer of one indicator for a kommun, its county and comparisons.

    Parameters
    ----------
    data_source : {"demo", "kolada"}
        ``"demo"`` (synthetic, offline) or ``"kolada"`` (real data; cached
        downloads in ``data/raw/kolada`` are used without network).
    lan_code : str
        County shown first (two digits, ``"20"`` = Dalarna).
    kommun : str, optional
        Kommun shown first (default: the first kommun of the county by name).
    indicator : str
        Key of :data:`helpers.explorer.explore.INDICATORS`.
    sex : str, optional
        ``"totalt"``, ``"kvinnor"`` or ``"män"`` (default the first available).
    period : int, optional
        Period (last year); default the latest.
    comparison : str
        Key of :data:`helpers.explorer.explore.COMPARISONS`.
    params : mapping, optional
        Workbook parameters; ``disclosure.min_n`` sets the disclosure threshold.
    survey_extract, variable_map : str or Path, optional
        A survey extract of your own and its variable map (instead of the demo extract).
    survey_source : str, optional
        Attribution of that extract.
    export_dir : str or Path, optional
        Where exports go (default ``reports/export``).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole explorer (displaying the explorer displays this).
    spec : IndicatorSpec
        The current indicator.
    data : pandas.DataFrame
        The current indicator's table.
    comparison_data : pandas.DataFrame
        The chart's data (:func:`helpers.explorer.explore.comparison_frame`).
    table : pandas.DataFrame
        The table's data (:func:`helpers.explorer.explore.display_frame`).
    map_data : pandas.DataFrame
        The map's data (:func:`helpers.explorer.explore.map_frame`).
    figure, map_figure : matplotlib.figure.Figure or None
        The chart and the map last drawn.
    messages : list of str
        Notes shown above the outputs (missing comparisons, errors).
    error : str or None
        The last error message, ``None`` when everything was drawn.
    exported : dict of str to Path
        Files written by the last export.
    """

    def __init__(
        self,
        data_source: str = "demo",
        lan_code: str = "20",
        kommun: str | None = None,
        indicator: str = "medellivslangd",
        sex: str | None = None,
        period: int | None = None,
        comparison: str = "lan_riket",
        *,
        params: Mapping[str, object] | None = None,
        survey_extract: str | Path | None = None,
        variable_map: str | Path | None = None,
        survey_source: str | None = None,
        export_dir: str | Path | None = None,
    ):
        check_explorer_source(data_source)
        self.data_source = data_source
        self.params = params
        self.survey_extract = survey_extract
        self.variable_map = variable_map
        self.survey_source = survey_source
        self.export_dir = Path(export_dir) if export_dir else None
        specs = explorer_specs.available_indicators(data_source, survey_extract is not None)
        if indicator not in {s.key for s in specs}:
            raise DataError(
                f"Indikatorn '{indicator}' finns inte för datakällan '{data_source}' – välj en "
                f"av: {', '.join(s.key for s in specs)}"
            )
        if comparison not in explore.COMPARISONS:
            raise DataError(
                f"Okänd jämförelse '{comparison}' – välj en av: {', '.join(explore.COMPARISONS)}"
            )
        lookup.region_code(lan_code)  # validates the county (Swedish DataError)
        kommuner = [c for _, c in explore.kommun_options(lan_code)]
        if kommun is not None and kommun not in kommuner:
            raise DataError(f"Kommunen '{kommun}' ligger inte i län {lan_code}")

        self.spec: IndicatorSpec = explorer_specs.indicator_spec(indicator)
        self.data = pd.DataFrame()
        self.comparison_data = pd.DataFrame()
        self.table = pd.DataFrame()
        self.map_data = pd.DataFrame()
        self.figure: Figure | None = None
        self.map_figure: Figure | None = None
        self.messages: list[str] = []
        self.error: str | None = None
        self.exported: dict[str, Path] = {}
        self.peers: tuple[str, ...] = ()
        self._hold_count = 0

        style = {"description_width": "initial"}
        wide = w.Layout(width="auto", min_width="220px")
        self.county = w.Dropdown(
            options=explore.county_options(), value=lan_code, description="Län", style=style
        )
        self.kommun = w.Dropdown(
            options=explore.kommun_options(lan_code),
            value=kommun or kommuner[0],
            description="Kommun",
            style=style,
        )
        self.indicator = w.Dropdown(
            options=[(s.label, s.key) for s in specs],
            value=indicator,
            description="Indikator",
            style=style,
            layout=w.Layout(width="auto", min_width="420px"),
        )
        self.sex = w.Dropdown(options=[], description="Kön", style=style, layout=wide)
        self.period = w.Dropdown(options=[], description="Period", style=style, layout=wide)
        self.comparison = w.Dropdown(
            options=[(label, key) for key, label in explore.COMPARISONS.items()],
            value=comparison,
            description="Jämför med",
            style=style,
        )
        self.export_button = w.Button(
            description="Exportera tabell och diagram",
            icon="download",
            tooltip="Skriver tabellen (CSV för Excel) och diagrammen (PNG) till reports/export/",
            layout=w.Layout(width="auto"),
        )
        self.header = w.HTML()
        self.message = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(width="100%", max_width="800px"))
        self.map = w.Image(format="png", layout=w.Layout(width="100%", max_width="660px"))
        self.table_view = w.HTML(layout=w.Layout(overflow="auto"))
        self.export_status = w.HTML()
        for widget, css in (
            (self.county, "explorer-lan"),
            (self.kommun, "explorer-kommun"),
            (self.indicator, "explorer-indicator"),
            (self.sex, "explorer-sex"),
            (self.period, "explorer-period"),
            (self.comparison, "explorer-comparison"),
            (self.export_button, "explorer-export-button"),
            (self.header, "explorer-header"),
            (self.message, "explorer-message"),
            (self.chart, "explorer-chart"),
            (self.map, "explorer-map"),
            (self.table_view, "explorer-table"),
            (self.export_status, "explorer-export"),
        ):
            widget.add_class(css)
        row = w.Layout(flex_flow="row wrap", align_items="center")
        controls = w.VBox(
            [
                w.HBox([self.county, self.kommun, self.comparison], layout=row),
                w.HBox([self.indicator, self.sex, self.period], layout=row),
            ]
        )
        outputs = w.HBox([self.chart, self.map], layout=row)
        self.widget = w.VBox(
            [
                controls,
                self.header,
                self.message,
                outputs,
                self.table_view,
                w.HBox([self.export_button, self.export_status], layout=row),
            ]
        )
        self.widget.add_class("explorer")

        self.county.observe(self._on_county, names="value")
        self.indicator.observe(self._on_indicator, names="value")
        for control in (self.kommun, self.sex, self.period, self.comparison):
            control.observe(self._on_change, names="value")
        self.export_button.on_click(self._on_export)

        self._load_indicator(sex=sex, period=period)
        self.update()

    # -- display -----------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (
            f"Explorer(data_source={self.data_source!r}, lan_code={self.county.value!r}, "
            f"kommun={self.kommun.value!r}, indicator={self.indicator.value!r}, "
            f"sex={self.sex.value!r}, period={self.period.value!r}, "
            f"comparison={self.comparison.value!r})"
        )

    # -- wiring -----------------------------------------------------------------------------
    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Change several controls without an update per change."""
        self._hold_count += 1
        try:
            yield
        finally:
            self._hold_count -= 1

    def set(self, **values: Any) -> Explorer:
        """Set several controls at once and update once.

        Keys: ``lan_code``, ``kommun``, ``indicator``, ``sex``, ``period``,
        ``comparison`` (as for the constructor). Returns the explorer.
        """
        unknown = set(values) - {"lan_code", "kommun", "indicator", "sex", "period", "comparison"}
        if unknown:
            raise DataError(f"Okända inställningar: {', '.join(sorted(unknown))}")
        try:
            with self._hold():
                if "lan_code" in values:
                    self.county.value = values["lan_code"]
                    self._refresh_kommuner()
                if "kommun" in values:
                    if values["kommun"] not in {c for _, c in self.kommun.options}:
                        raise DataError(
                            f"Kommunen '{values['kommun']}' ligger inte i län {self.county.value}"
                        )
                    self.kommun.value = values["kommun"]
                if "comparison" in values:
                    self.comparison.value = values["comparison"]
                if "indicator" in values:
                    self.indicator.value = values["indicator"]
                self._load_indicator(sex=values.get("sex"), period=values.get("period"))
        finally:
            self.update()  # the controls and the outputs always agree
        return self

    def _refresh_kommuner(self) -> None:
        options = explore.kommun_options(self.county.value)
        keep = self.kommun.value
        with self._hold():
            self.kommun.options = options
            codes = [c for _, c in options]
            self.kommun.value = keep if keep in codes else codes[0]

    def _on_county(self, change: dict) -> None:
        if not self._hold_count:
            self._safely(self._refresh_kommuner, self.update)

    def _on_indicator(self, change: dict) -> None:
        if not self._hold_count:
            self._safely(self._load_indicator, self.update)

    def _on_change(self, change: dict) -> None:
        if not self._hold_count:
            self._safely(self.update)

    def _safely(self, *steps: Callable[[], None]) -> None:
        """Run callback steps; show any error in the explorer instead of losing it in a log.

        Errors about the data (:class:`DataError`, :class:`SourceError`) are already
        shown by :meth:`update`; anything else would otherwise only reach the
        kernel's log, and the dashboard would look frozen.
        """
        try:
            for step in steps:
                step()
        except Exception as exc:  # shown to the user and kept in self.error
            self._fail(f"Något gick fel: {type(exc).__name__}: {exc}")

    def _on_export(self, _button: Any) -> None:
        try:
            self.export()
        except (DataError, OSError) as exc:
            self.export_status.value = (
                f'<span style="color:#B00020">Exporten misslyckades: {html.escape(str(exc))}</span>'
            )

    def _load_indicator(self, sex: str | None = None, period: int | None = None) -> None:
        """Load the chosen indicator's table and refresh the sex and period choices."""
        self.spec = explorer_specs.indicator_spec(self.indicator.value)
        try:
            # Disclosure control before anything is shown: chart, map and table use self.data.
            self.data = explorer_tables.controlled(
                load_table(
                    self.spec,
                    self.data_source,
                    survey_extract=self.survey_extract,
                    variable_map=self.variable_map,
                    survey_source=self.survey_source,
                    params=self.params,
                ),
                self.params,
            )
        except (DataError, SourceError, OSError) as exc:
            self.data = pd.DataFrame()
            self.error = (
                f"Data för {explorer_specs.lower_first(self.spec.label)} kunde inte läsas: {exc}"
            )
            with self._hold():
                self.sex.options, self.period.options = [], []
            return
        rows = self.data[self.data["indicator"].isin(self.spec.indicator_ids)]
        sexes = explore.sex_options(rows)
        periods = explore.period_options(rows)
        want_sex = sex or self.sex.value
        want_period = period or self.period.value
        with self._hold():
            self.sex.options = sexes
            codes = [s for _, s in sexes]
            self.sex.value = want_sex if want_sex in codes else (codes[0] if codes else None)
            self.period.options = periods
            years = [p for _, p in periods]
            if want_period is not None and int(want_period) in years:
                self.period.value = int(want_period)
            else:
                self.period.value = years[-1] if years else None
        if sex is not None and sex not in codes:
            raise DataError(
                f"Könet '{sex}' finns inte för {explorer_specs.lower_first(self.spec.label)}"
            )
        if period is not None and int(period) not in years:
            raise DataError(
                f"Perioden {period} finns inte för {explorer_specs.lower_first(self.spec.label)}"
            )

    # -- updating --------------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the chart, the map and the table for the current controls."""
        spec = self.spec
        lan_code, kommun = self.county.value, self.kommun.value
        sex, period, comparison = self.sex.value, self.period.value, self.comparison.value
        self.messages = []
        load_error = self.error if self.data.empty else None
        self.error = None
        self.figure = self.map_figure = None
        self.comparison_data = self.table = self.map_data = pd.DataFrame()
        self._show_header(spec, kommun, sex, period)
        if self.data.empty:
            self._fail(load_error or f"Inga data för {explorer_specs.lower_first(spec.label)}")
            return
        gap = explore.coverage_message(self.data, spec, lan_code)
        if gap:
            self._fail(gap)
            return
        self.peers = ()
        if comparison == "liknande":
            self.peers, note = similar_kommuner(kommun, self.data_source)
            if note:
                self.messages.append(note)
        try:
            significance = load_significance(spec, self.survey_extract, self.variable_map)
            self.comparison_data = explore.comparison_frame(
                self.data, spec, kommun, sex, comparison, self.peers
            )
            missing = explore.missing_comparisons(self.comparison_data, comparison)
            if missing:
                self.messages.append(
                    f"{' och '.join(missing)} saknas i data för {explorer_specs.lower_first(spec.label)} – "
                    "diagrammet visar det som finns."
                )
            self.table = explorer_tables.controlled(
                explore.display_frame(
                    self.data, spec, kommun, sex, period, comparison, self.peers, significance
                ),
                self.params,
            )
            self.map_data = explore.map_frame(self.data, spec, lan_code, sex, period)
            self.figure = chart_figure(self.comparison_data, spec, kommun, sex, period)
            self.map_figure = map_figure(self.map_data, spec, lan_code, kommun)
        except (DataError, SourceError) as exc:
            self._fail(str(exc))
            return
        caption = explorer_tables.title_text(spec, kommun, sex, self._period_label())
        self.table_view.value = explorer_tables.table_html(
            self.table, spec, caption, params=self.params
        )
        self.chart.value = figure_png(self.figure)
        self.map.value = figure_png(self.map_figure)
        self._show_messages()
        self.export_status.value = ""

    def _period_label(self) -> str:
        labels = {p: lab for lab, p in self.period.options}
        return str(labels.get(self.period.value, self.period.value))

    def _show_header(self, spec: IndicatorSpec, kommun: str, sex: str | None, period: Any) -> None:
        title = (
            explorer_tables.title_text(spec, kommun, sex, self._period_label())
            if sex and period is not None
            else spec.label
        )
        synthetic = (
            f'<p style="margin:2px 0"><b>{html.escape(SYNTHETIC_LABEL)}</b></p>'
            if self.data_source == "demo"
            or (len(self.data) and explorer_tables.is_synthetic(self.data))
            else ""
        )
        self.header.value = (
            f'<h3 style="margin:8px 0 2px 0">{html.escape(title)}</h3>'
            f'<p style="margin:2px 0;color:#4D4D4D"><b>{html.escape(spec.kind)}.</b> '
            f"{html.escape(spec.about.format(min_n=self._min_n()))}</p>{synthetic}"
        )

    def _min_n(self) -> int:
        from helpers.stats.disclosure import min_n_from_params

        return min_n_from_params(self.params)

    def _show_messages(self) -> None:
        self.message.value = "".join(
            f'<p style="margin:2px 0;color:#8A4B00">{html.escape(m)}</p>' for m in self.messages
        )

    def _fail(self, message: str) -> None:
        self.error = message
        self.messages.append(message)
        self._show_messages()
        self.chart.value = b""
        self.map.value = b""
        self.table_view.value = (
            f'<p class="explorer-empty" data-testid="explorer-table">{html.escape(message)}</p>'
        )

    # -- export ---------------------------------------------------------------------------------
    def export(self, directory: str | Path | None = None) -> dict[str, Path]:
        """Write the current table and figures to ``reports/export/`` (or ``directory``).

        The table is written after disclosure control
        (:func:`helpers.explorer.explore.export_frame`) as a CSV for Swedish Excel
        (``;``, decimal comma, UTF-8 with BOM); the chart and the map as PNG.

        Returns
        -------
        dict of str to Path
            ``"csv"``, ``"diagram"`` and ``"karta"``.

        Raises
        ------
        DataError
            If there is nothing to export (the last update failed).
        """
        if self.table.empty or self.figure is None:
            raise DataError("Det finns ingen tabell att exportera – välj en kommun med värden")
        out = Path(directory or self.export_dir or paths.reports_dir() / EXPORT_SUBDIR)
        out.mkdir(parents=True, exist_ok=True)
        stem = explorer_tables.export_stem(
            self.spec, self.kommun.value, self.sex.value, self.period.value
        )
        csv_bytes = excel_csv(explorer_tables.export_frame(self.table, self.params))
        files = {
            "csv": out / f"{stem}.csv",
            "diagram": out / f"{stem}_diagram.png",
            "karta": out / f"{stem}_karta.png",
        }
        files["csv"].write_bytes(csv_bytes)
        self.figure.savefig(files["diagram"], dpi=EXPORT_DPI)
        if self.map_figure is not None:
            self.map_figure.savefig(files["karta"], dpi=EXPORT_DPI)
        else:
            del files["karta"]
        self.exported = files
        links = []
        for key, path in files.items():
            mime = "text/csv" if key == "csv" else "image/png"
            payload = base64.b64encode(path.read_bytes()).decode("ascii")
            links.append(
                f'<a download="{html.escape(path.name)}" href="data:{mime};base64,{payload}">'
                f"{html.escape(path.name)}</a>"
            )
        where = _shown_path(out)
        self.export_status.value = (
            f'<span data-testid="explorer-export">Sparat i <code>{html.escape(where)}</code>: '
            f"{', '.join(links)}</span>"
        )
        return files


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.project_root()))
    except ValueError:
        return str(path)


__all__ = [
    "EXPORT_SUBDIR",
    "Explorer",
]
