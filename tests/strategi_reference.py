"""Real Kolada values of the Strategi för hälsa KPIs, replayed as Kolada v3 (tests only).

``../shared/reference/kolada/strategi_ddf/`` holds Kolada's values for 16 of
the Strategi KPIs for every kommun, county and Riket, as scraped from the API
in August 2024 and published as a DDF package (one CSV per KPI: the total by
``geo, year`` and, for most KPIs, women and men by ``geo, gender, year``). The
files are flattened: the v3 envelope and data objects are rebuilt here –
``{"kpi", "municipality", "period", "values": [{"gender", "count", "status",
"value", "isdeleted"}]}`` with ``count`` 1 and ``status`` "" (the DDF dump kept
neither; missing values are absent rows, as Kolada leaves out a data object
without values) – and served by :class:`replay_server.KoladaFake` together with
the recorded v3 municipality groups. Kolada ids: kommun = the four-digit code,
county ``"20"`` -> ``"0020"``, Riket ``"0"`` -> ``"0000"``.

It is a helper module, not a test file; the tests that use it skip when
``../shared/reference`` is absent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pandas as pd
from replay_server import KoladaFake, ReplayServer

DDF = Path("kolada") / "strategi_ddf"
GENDERS = {"k": "K", "m": "M"}


def kolada_id(geo: str) -> str:
    """Return Kolada's id of a DDF ``geo``: ``"0"`` -> ``"0000"``, ``"20"`` -> ``"0020"``."""
    geo = str(geo)
    if geo == "0":
        return "0000"
    if len(geo) == 2:
        return "00" + geo
    return geo


@cache
def flat(reference_dir: Path) -> pd.DataFrame:
    """Return every DDF value as rows ``kpi, municipality, period, gender, value`` (v3 ids)."""
    frames = []
    for path in sorted((reference_dir / DDF).glob("ddf--datapoints--*--by--geo*--year.csv")):
        kpi = path.name.split("--")[2]
        df = pd.read_csv(path, dtype={"geo": str, "gender": str})
        if "gender" in df.columns:
            df["gender"] = df["gender"].map(GENDERS)
        else:
            df["gender"] = "T"
        frames.append(
            pd.DataFrame(
                {
                    "kpi": kpi.upper(),
                    "municipality": df["geo"].map(kolada_id),
                    "period": df["year"].astype(int),
                    "gender": df["gender"],
                    "value": df[kpi].astype(float),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    if (
        out["gender"].isna().any()
        or out.duplicated(["kpi", "municipality", "period", "gender"]).any()
    ):
        raise ValueError("unexpected gender or duplicated point in the DDF files")
    return out


def data_objects(reference_dir: Path) -> list[dict]:
    """Return the DDF values as Kolada v3 data objects (one per KPI, area and year)."""
    objs: dict[tuple[str, str, int], dict] = {}
    for r in flat(reference_dir).itertuples(index=False):
        key = (r.kpi, r.municipality, int(r.period))
        obj = objs.setdefault(
            key, {"kpi": r.kpi, "municipality": r.municipality, "period": key[2], "values": []}
        )
        obj["values"].append(
            {
                "gender": r.gender,
                "count": 1,
                "status": "",
                "value": float(r.value),
                "isdeleted": False,
            }
        )
    return list(objs.values())


def value(reference_dir: Path, kpi: str, area: str, year: int, gender: str = "T") -> float | None:
    """Return one value straight from the DDF files (``None`` when Kolada had none)."""
    df = flat(reference_dir)
    sel = df[
        (df["kpi"] == kpi)
        & (df["municipality"] == area)
        & (df["period"] == year)
        & (df["gender"] == gender)
    ]
    return None if sel.empty else float(sel["value"].iloc[0])


def serve(server: ReplayServer, reference_dir: Path) -> KoladaFake:
    """Install a fake Kolada v3 with the real Strategi values and municipality groups."""
    groups = json.loads(
        (reference_dir / "kolada" / "v3_municipality_groups.json").read_text(encoding="utf-8")
    )
    if isinstance(groups, dict):  # the recorded file keeps the envelope
        groups = groups["values"]
    return KoladaFake(server, data_objects(reference_dir), municipality_groups=groups)
