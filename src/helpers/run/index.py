"""Status and overview of a run: ``status.json``, ``index.html`` and ``status.html`` in ``reports/<run>/``.

``index.html`` is the county overview (kommun × indicator, :mod:`helpers.run.overview`);
``status.html`` is the run log.

:class:`ReportResult` is the outcome of one kommun's report; :func:`merged_status`
merges this run's results over the statuses saved by earlier (``--only``) runs;
:func:`write_status` and :func:`write_index` write the two files (atomically,
with :func:`write_text`).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from helpers.config import catalogue, notebook_params, yamlfile
from helpers.config.params import RunSpec
from helpers.core import fmt, indicators, lookup
from helpers.core.errors import DataError
from helpers.report import facts as report_facts
from helpers.run import overview
from helpers.stats import benchmark

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_NOT_RUN = "not_run"
STATUS_LABELS = {STATUS_OK: "OK", STATUS_FAILED: "Misslyckades", STATUS_NOT_RUN: "Ej körd"}
STATUS_FILE = "status.json"
INDEX_FILE = "index.html"


@dataclass
class ReportResult:
    """Outcome of one kommun's report.

    Attributes
    ----------
    kommun, name, lan_code : str
        The kommun.
    status : str
        :data:`STATUS_OK` or :data:`STATUS_FAILED` (:data:`STATUS_NOT_RUN` in the index only).
    error : str
        Short Swedish/Python error message ("" when ok).
    notebook, html : str
        File names (relative to the output folder) of the executed notebook and its HTML.
    data : str
        File name of the report's data file: every number it shows, one row per
        section and fact, in the indicator-table columns (CSV, Swedish Excel dialect).
    data_xlsx : str
        File name of the same rows as an Excel workbook.
    seconds : float
        Wall time for executing and converting this report.
    finished : str
        Local time the report finished (ISO 8601).
    """

    kommun: str
    name: str
    lan_code: str
    status: str
    error: str = ""
    notebook: str = ""
    html: str = ""
    seconds: float = 0.0
    data: str = ""
    finished: str = ""
    data_xlsx: str = ""

    @property
    def ok(self) -> bool:
        """True if the report was made without error."""
        return self.status == STATUS_OK


def write_text(path: Path, text: str) -> None:
    """Write ``text`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_status(out_dir: Path) -> dict[str, dict]:
    """Return the statuses saved in ``status.json`` (empty if there is none or it is unreadable)."""
    try:
        doc = json.loads((out_dir / STATUS_FILE).read_text(encoding="utf-8"))
        return {str(k): dict(v) for k, v in doc.get("kommuner", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def merged_status(spec: RunSpec, out_dir: Path, results: list[ReportResult]) -> list[ReportResult]:
    """Statuses of every kommun of the run: this run's results over earlier ones."""
    earlier = load_status(out_dir)
    now = {r.kommun: r for r in results}
    merged = []
    for job in spec.jobs():
        if job.kommun in now:
            merged.append(now[job.kommun])
            continue
        old = earlier.get(job.kommun)
        if old and old.get("status") in (STATUS_OK, STATUS_FAILED):
            known = {k: old[k] for k in ReportResult.__dataclass_fields__ if k in old}
            merged.append(ReportResult(**{**known, "kommun": job.kommun}))
        else:
            merged.append(ReportResult(job.kommun, job.name, job.lan_code, STATUS_NOT_RUN))
    return merged


def write_status(spec: RunSpec, out_dir: Path, statuses: list[ReportResult]) -> Path:
    """Write ``status.json`` with the status of every kommun of the run."""
    doc = {
        "run": spec.run,
        "params": spec.name,
        "template": yamlfile.display_path(spec.template),
        "parameters": spec.parameters,
        "updated": datetime.now().isoformat(timespec="seconds"),
        "kommuner": {r.kommun: asdict(r) for r in statuses},
    }
    path = out_dir / STATUS_FILE
    write_text(path, json.dumps(doc, ensure_ascii=False, indent=1, default=str))
    return path


_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:110rem;padding:0 1rem;color:#1a1a1a}
.scroll{overflow-x:auto;max-width:100%}
h1{margin-bottom:.2rem}.meta{color:#555;margin-top:0}
.demo{background:#fff4d6;border:1px solid #e0b84a;padding:.5rem .8rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}
.ok{color:#11632b;font-weight:600}.failed{color:#a4161a;font-weight:600}
.not_run{color:#777}.err{font-family:ui-monospace,monospace;font-size:.85em;color:#a4161a}
.status{font-size:.9em;color:#333}
table.rug{width:auto;font-size:.8em}
table.rug th{font-weight:600;vertical-align:bottom;max-width:6.5rem;white-space:normal;font-size:.92em}
table.rug td{text-align:right;white-space:nowrap;padding:.25rem .4rem;border:1px solid #fff}
table.rug td.k,table.rug th.k{text-align:left;position:sticky;left:0;background:#fff;z-index:1}
table.rug th.k{background:#f3f3f3}
table.rug td a{color:inherit;text-decoration:none;display:block}
table.rug tr.ref td{background:#f3f3f3;font-weight:600}
table.rug tr.range td{color:#444;font-style:italic}
td.c-better{background:#56B4E9}td.c-similar{background:#F0E442}
td.c-worse{background:#D55E00;color:#fff}td.c-higher{background:#CC79A7;color:#fff}
td.c-lower{background:#E5C8DC}td.c-none{background:#fff;color:#555}
.legend span{display:inline-block;padding:.1rem .5rem;margin:.1rem .3rem .1rem 0}
"""

_CATEGORY_CLASS = {
    benchmark.BETTER: "c-better",
    benchmark.SIMILAR: "c-similar",
    benchmark.WORSE: "c-worse",
    benchmark.HIGHER: "c-higher",
    benchmark.LOWER: "c-lower",
    benchmark.NOT_COMPARED: "c-none",
    benchmark.MISSING: "c-none",
    "": "c-none",
}
#: Symbol after a cell value for its reliability flag (readable in greyscale).
_FLAG_MARK = {
    indicators.FLAG_UNCERTAIN: "\u00a0◐",
    indicators.FLAG_NOT_ASSESSED: "\u00a0○",
    indicators.FLAG_SUPPRESSED: "✕",
    indicators.FLAG_MISSING: "–",
}
OVERVIEW_STEM = "lansoversikt"
STATUS_PAGE = "status.html"


def _page(title: str, body: list[str]) -> str:
    esc = html.escape
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="sv"><head><meta charset="utf-8">',
            f"<title>{esc(title)}</title>",
            f"<style>{_INDEX_CSS}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def _area(spec: RunSpec) -> str:
    lan_names = lookup.lan().set_index("lan_code")["lan_name"]
    if spec.lan == notebook_params.ALL_LAN:
        return "Alla län"
    return str(lan_names.get(spec.lan, spec.lan))


def _summary(statuses: list[ReportResult]) -> str:
    n_ok = sum(r.status == STATUS_OK for r in statuses)
    n_failed = sum(r.status == STATUS_FAILED for r in statuses)
    n_not_run = sum(r.status == STATUS_NOT_RUN for r in statuses)
    summary = f"{n_ok} av {len(statuses)} rapporter klara"
    if n_failed:
        summary += f", {n_failed} misslyckades"
    if n_not_run:
        summary += f", {n_not_run} ej körda"
    return summary


def write_status_page(
    spec: RunSpec, out_dir: Path, statuses: list[ReportResult], data_source: str | None = None
) -> Path:
    """Write ``status.html``: the run log (status, time, data files, notebooks, errors) per kommun."""
    esc = html.escape
    area = _area(spec)
    param_text = (
        ", ".join(f"{k} = {v}" for k, v in spec.parameters.items()) or "mallens standardvärden"
    )
    lan_names = lookup.lan().set_index("lan_code")["lan_name"]
    parts = [
        f"<h1>Körlogg – {esc(area)}</h1>",
        f'<p class="meta">Körning <b>{esc(spec.run)}</b> ({esc(spec.name)}), mall '
        f"<code>{esc(yamlfile.display_path(spec.template))}</code>, {esc(param_text)}. "
        f"Uppdaterad {esc(datetime.now().strftime('%Y-%m-%d %H:%M'))}. "
        f'<a href="{INDEX_FILE}">Tillbaka till länsöversikten</a>.</p>',
    ]
    if data_source == "demo":
        parts.append(f'<p class="demo">{esc(fmt.SYNTHETIC_LABEL)}.</p>')
    parts.append(f"<p><b>{esc(_summary(statuses))}.</b></p>")
    groups: dict[str, list[ReportResult]] = {}
    for r in statuses:
        groups.setdefault(r.lan_code, []).append(r)
    for lan_code, rows in sorted(groups.items()):
        if len(groups) > 1:
            parts.append(
                f"<h2>{esc(str(lan_names.get(lan_code, lan_code)))} ({esc(lan_code)})</h2>"
            )
        parts.append(
            "<table><thead><tr><th>Kod</th><th>Kommun</th><th>Status</th><th>Tid</th>"
            "<th>Data</th><th>Notebook</th><th>Fel</th></tr></thead><tbody>"
        )
        for r in sorted(rows, key=lambda r: r.kommun):
            name = esc(r.name)
            link = f'<a href="{esc(r.html)}">{name}</a>' if r.html else name
            nb_link = f'<a href="{esc(r.notebook)}">{esc(r.notebook)}</a>' if r.notebook else ""
            data_links = " ".join(
                f'<a href="{esc(f)}">{esc(f)}</a>' for f in (r.data, r.data_xlsx) if f
            )
            seconds = fmt.num(r.seconds, 1, "s") if r.status != STATUS_NOT_RUN else ""
            parts.append(
                f"<tr><td>{esc(r.kommun)}</td><td>{link}</td>"
                f'<td class="{esc(r.status)}">{esc(STATUS_LABELS.get(r.status, r.status))}</td>'
                f'<td class="num">{esc(seconds)}</td><td>{data_links}</td><td>{nb_link}</td>'
                f'<td class="err">{esc(r.error)}</td></tr>'
            )
        parts.append("</tbody></table>")
    path = out_dir / STATUS_PAGE
    write_text(path, _page(f"Körlogg – {area} ({spec.run})", parts) + "\n")
    return path


def overview_cells(out_dir: Path, statuses: list[ReportResult]) -> pd.DataFrame:
    """Read the data files of the kommuner whose report is made and build the county overview.

    One region per call: the overview of a run over several counties is built per county
    (:func:`write_index` groups by county). Returns :func:`helpers.run.overview.cells`.
    """
    by_kommun = {}
    for r in statuses:
        if r.status == STATUS_OK and r.data and (out_dir / r.data).exists():
            by_kommun[r.kommun] = overview.read_facts(out_dir / r.data)
    if not by_kommun:
        return overview.cells({}, "")
    lan_code = statuses[0].lan_code
    return overview.cells(by_kommun, lookup.region_code(lan_code))


def _cell_text(row: pd.Series, decimals: int) -> str:
    if indicators.usable(row.to_frame().T).iloc[0]:
        return fmt.num(float(row["value"]), decimals) + _FLAG_MARK.get(str(row["flag"]), "")
    return _FLAG_MARK.get(str(row["flag"]), "–")


def rug_html(cells: pd.DataFrame, statuses: list[ReportResult]) -> str:
    """Return the county overview table (kommun × indicator) as HTML."""
    esc = html.escape
    if cells.empty:
        return "<p>Inga rapporter med data ännu.</p>"
    cat = catalogue.load()
    cols = (
        cells[["column", "indicator", "sex", "period_label"]]
        .drop_duplicates("column")
        .sort_values("column")
    )
    head = ['<th class="k">Kommun</th>']
    for c in cols.itertuples(index=False):
        ind = cat.get(str(c.indicator))
        sex = "" if c.sex == "totalt" else f", {c.sex}"
        unit = f" ({ind.unit})" if ind.unit else ""
        head.append(
            f'<th title="{esc(ind.name)}">{esc(ind.short_name + sex)}{esc(unit)}'
            f"<br><small>{esc(str(c.period_label))}</small></th>"
        )
    pooled_cells = False
    links = {r.kommun: r.html for r in statuses if r.html}
    names = {r.kommun: r.name for r in statuses}
    body = []
    kommuner = sorted(
        cells.loc[cells["area_type"] == "kommun", "area_code"].unique(),
        key=lambda code: names.get(code, code),
    )
    for code in kommuner:
        href = links.get(code, "")
        name = esc(names.get(code, code))
        label = f'<a href="{esc(href)}">{name}</a>' if href else name
        row = [f'<td class="k">{label}</td>']
        mine = cells[cells["area_code"] == code].set_index("column")
        for c in cols.itertuples(index=False):
            if c.column not in mine.index:
                row.append('<td class="c-none">–</td>')
                continue
            r = mine.loc[c.column]
            d = cat.get(str(c.indicator)).decimals
            text = esc(_cell_text(r, d))
            if str(r["period_label"]) != str(c.period_label):
                text += "\u00a0†"  # another period than the column's (pooled survey years)
                pooled_cells = True
            comp = str(r["comparison"] or "")
            title = esc(
                f"{names.get(code, code)}: {r['period_label']}"
                + (
                    f", {comp} än länet"
                    if comp
                    in (benchmark.BETTER, benchmark.WORSE, benchmark.HIGHER, benchmark.LOWER)
                    else (", inte säkert skild från länet" if comp == benchmark.SAME else "")
                )
                + (f"; {r['flag']}" if r["flag"] else "")
                + (f" ({r['flag_reason']})" if r["flag_reason"] else "")
            )
            cell = f'<a href="{esc(href)}">{text}</a>' if href else text
            row.append(
                f'<td class="{_CATEGORY_CLASS.get(comp, "c-none")}" title="{title}">{cell}</td>'
            )
        body.append(f"<tr>{''.join(row)}</tr>")
    for area_type, label in (("region", "Länet"), ("riket", "Riket")):
        row = [f'<td class="k">{label}</td>']
        for c in cols.itertuples(index=False):
            r = cells[(cells["area_type"] == area_type) & (cells["column"] == c.column)]
            d = cat.get(str(c.indicator)).decimals
            row.append(f"<td>{esc(_cell_text(r.iloc[0], d)) if len(r) else '–'}</td>")
        body.append(f'<tr class="ref">{"".join(row)}</tr>')
    row = ['<td class="k">Spridning mellan kommunerna</td>']
    for c in cols.itertuples(index=False):
        k = cells[(cells["area_type"] == "kommun") & (cells["column"] == c.column)]
        k = k[indicators.usable(k)]
        d = cat.get(str(c.indicator)).decimals
        text = f"{fmt.num(k['value'].min(), d)}–{fmt.num(k['value'].max(), d)}" if len(k) else "–"
        row.append(f"<td>{esc(text)}</td>")
    body.append(f'<tr class="range">{"".join(row)}</tr>')
    note = (
        '<p class="status">† Värdet gäller en annan period än kolumnens: för kommuner där ett '
        "enskilt enkätår är för osäkert slår rapporten samman de två senaste enkätomgångarna "
        "(perioden står när muspekaren hålls över cellen och i rapporten).</p>"
        if pooled_cells
        else ""
    )
    return (
        '<div class="scroll"><table class="rug"><thead><tr>'
        + "".join(head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
        + note
    )


_LEGEND = (
    '<p class="legend">Färg: jämförelse med länet (95 % konfidensintervall mot länets värde, '
    "katalogens riktning för bättre): "
    '<span class="c-better" style="background:#56B4E9">bättre</span>'
    '<span style="background:#F0E442">inte säkert skild</span>'
    '<span style="background:#D55E00;color:#fff">sämre</span>'
    '<span style="background:#CC79A7;color:#fff">högre</span>'
    '<span style="background:#E5C8DC">lägre</span> (utan riktning för bättre) '
    '<span style="border:1px solid #ccc">vit: ej jämförd (källan anger ingen osäkerhet)</span>'
    "<br>Flaggor: ◐ osäker, läs med försiktighet; ○ ej bedömd: ingen tillförlitlighetsbedömning "
    "(har värdet ett konfidensintervall färgas det ändå efter jämförelsen med länet); "
    "✕ undertryckt, för få svar eller för osäkert; – saknas. Klicka på ett värde för kommunens "
    "rapport; håll muspekaren över en cell för period, jämförelse och flagga.</p>"
)


def write_index(
    spec: RunSpec, out_dir: Path, statuses: list[ReportResult], data_source: str | None = None
) -> Path:
    """Write ``index.html`` (the county overview) and ``status.html`` (the run log).

    The overview is a kommun × indicator table built from the reports' own data
    files (:mod:`helpers.run.overview`), so it shows exactly the reports'
    numbers, coloured by significance against the county; its data are written
    beside it as ``lansoversikt.csv`` and ``.xlsx``. The run log moves to
    ``status.html``, linked from a status line.

    Parameters
    ----------
    spec : RunSpec
        The run.
    out_dir : Path
        The output folder.
    statuses : list of ReportResult
        One per kommun of the run (see :func:`merged_status`).
    data_source : str, optional
        Shown in the header; ``"demo"`` adds the synthetic-data notice.

    Returns
    -------
    Path
        The index written.
    """
    esc = html.escape
    area = _area(spec)
    write_status_page(spec, out_dir, statuses, data_source)
    parts = [f"<h1>Folkhälsa i {esc(area)}: kommunerna jämförda med länet</h1>"]
    if data_source == "demo":
        parts.append(f'<p class="demo">{esc(fmt.SYNTHETIC_LABEL)}.</p>')
    failed = [r for r in statuses if r.status == STATUS_FAILED]
    status_line = (
        f'<p class="status">{esc(_summary(statuses))} '
        f"({esc(datetime.now().strftime('%Y-%m-%d %H:%M'))}). "
        f'<a href="{STATUS_PAGE}">Körlogg</a>'
    )
    if failed:
        status_line += " · Misslyckades: " + ", ".join(esc(r.name) for r in failed)
    parts.append(status_line + "</p>")
    made = sorted((r for r in statuses if r.html), key=lambda r: r.name)
    if made:
        parts.append(
            '<p class="status">Rapporter: '
            + " · ".join(f'<a href="{esc(r.html)}">{esc(r.name)}</a>' for r in made)
            + "</p>"
        )
    groups: dict[str, list[ReportResult]] = {}
    for r in statuses:
        groups.setdefault(r.lan_code, []).append(r)
    min_n = spec.parameters.get("min_n")
    frames = []
    lan_names = lookup.lan().set_index("lan_code")["lan_name"]
    for lan_code, rows in sorted(groups.items()):
        if len(groups) > 1:
            parts.append(f"<h2>{esc(str(lan_names.get(lan_code, lan_code)))}</h2>")
        try:
            cells = overview_cells(out_dir, rows)
        except DataError as exc:
            parts.append(f'<p class="err">Länsöversikten kunde inte göras: {esc(str(exc))}</p>')
            continue
        frames.append(cells)
        parts.append(rug_html(cells, rows))
    parts.append(_LEGEND)
    data = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame()
    )
    if len(data):
        report_facts.to_csv(data, out_dir / f"{OVERVIEW_STEM}.csv", min_n=min_n)
        report_facts.to_xlsx(data, out_dir / f"{OVERVIEW_STEM}.xlsx", min_n=min_n)
        parts.append(
            f'<p>Siffrorna i tabellen: <a href="{OVERVIEW_STEM}.csv">{OVERVIEW_STEM}.csv</a> '
            f'(Excel, semikolon och decimalkomma) och <a href="{OVERVIEW_STEM}.xlsx">'
            f"{OVERVIEW_STEM}.xlsx</a>. Varje kommuns rapport har sina siffror i en fil med "
            "samma namn som rapporten (.csv och .xlsx).</p>"
        )
    path = out_dir / INDEX_FILE
    write_text(path, _page(f"Folkhälsa – {area} ({spec.run})", parts) + "\n")
    return path
