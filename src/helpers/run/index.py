"""Status and overview of a run: ``status.json`` and ``index.html`` in ``reports/<run>/``.

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

from helpers.config import notebook_params, yamlfile
from helpers.config.params import RunSpec
from helpers.core import fmt, lookup

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
max-width:72rem;padding:0 1rem;color:#1a1a1a}
h1{margin-bottom:.2rem}.meta{color:#555;margin-top:0}
.demo{background:#fff4d6;border:1px solid #e0b84a;padding:.5rem .8rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}
.ok{color:#11632b;font-weight:600}.failed{color:#a4161a;font-weight:600}
.not_run{color:#777}.err{font-family:ui-monospace,monospace;font-size:.85em;color:#a4161a}
"""


def write_index(
    spec: RunSpec, out_dir: Path, statuses: list[ReportResult], data_source: str | None = None
) -> Path:
    """Write ``index.html``: a Swedish overview linking every kommun's report.

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
        The file written.
    """
    esc = html.escape
    n_ok = sum(r.status == STATUS_OK for r in statuses)
    n_failed = sum(r.status == STATUS_FAILED for r in statuses)
    n_not_run = sum(r.status == STATUS_NOT_RUN for r in statuses)
    lan_names = lookup.lan().set_index("lan_code")["lan_name"]
    area = (
        "Alla län"
        if spec.lan == notebook_params.ALL_LAN
        else str(lan_names.get(spec.lan, spec.lan))
    )
    param_text = (
        ", ".join(f"{k} = {v}" for k, v in spec.parameters.items()) or "mallens standardvärden"
    )
    summary = f"{n_ok} av {len(statuses)} rapporter klara"
    if n_failed:
        summary += f", {n_failed} misslyckades"
    if n_not_run:
        summary += f", {n_not_run} ej körda"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv"><head><meta charset="utf-8">',
        f"<title>Kommunprofiler – {esc(area)} ({esc(spec.run)})</title>",
        f"<style>{_INDEX_CSS}</style></head><body>",
        f"<h1>Kommunprofiler – {esc(area)}</h1>",
        f'<p class="meta">Körning <b>{esc(spec.run)}</b> ({esc(spec.name)}), mall '
        f"<code>{esc(yamlfile.display_path(spec.template))}</code>, {esc(param_text)}. "
        f"Uppdaterad {esc(datetime.now().strftime('%Y-%m-%d %H:%M'))}.</p>",
    ]
    if data_source == "demo":
        parts.append(f'<p class="demo">{esc(fmt.SYNTHETIC_LABEL)}.</p>')
    parts.append(f"<p><b>{esc(summary)}.</b></p>")
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
            data_link = f'<a href="{esc(r.data)}">{esc(r.data)}</a>' if r.data else ""
            seconds = fmt.num(r.seconds, 1, "s") if r.status != STATUS_NOT_RUN else ""
            parts.append(
                f"<tr><td>{esc(r.kommun)}</td><td>{link}</td>"
                f'<td class="{esc(r.status)}">{esc(STATUS_LABELS.get(r.status, r.status))}</td>'
                f'<td class="num">{esc(seconds)}</td><td>{data_link}</td><td>{nb_link}</td>'
                f'<td class="err">{esc(r.error)}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    path = out_dir / INDEX_FILE
    write_text(path, "\n".join(parts) + "\n")
    return path
