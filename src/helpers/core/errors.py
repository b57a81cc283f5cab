"""Errors shown to users, in Swedish, naming the file, row and column.

Every loader and validator raises :class:`DataError` (or collects
:class:`Problem` items and raises them all at once) so that an analyst sees
what is wrong with *their* data and where, instead of a Python traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    """One problem found in a user's data.

    Attributes
    ----------
    message : str
        What is wrong, in Swedish.
    file : str, optional
        File (or table) name.
    row : int, optional
        Row number as the user sees it (1-based, header = row 1 in a CSV/Excel file).
    column : str, optional
        Column name.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"fil {self.file}")
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn '{self.column}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DataError(ValueError):
    """A user's data (or parameters) cannot be used; the message is in Swedish.

    Parameters
    ----------
    problems : Problem or str or iterable of Problem
        One or more problems. All are listed in the message.
    """

    def __init__(self, problems: Problem | str | Iterable[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            text = f"{len(self.problems)} problem hittades:\n{lines}"
        super().__init__(text)


class SourceError(RuntimeError):
    """A data source (Kolada, SCB) did not answer as documented; message in Swedish."""


def first_bad_row(
    mask: object,
    message: Callable[[int, int], str],
    *,
    file: str | None = None,
    column: str | None = None,
    header_rows: int = 1,
) -> Problem | None:
    """Return a :class:`Problem` for the first True row of ``mask``, or None.

    This is the one implementation of the idiom "find the first bad row, count
    the bad rows and name the row as the user sees it in the file".

    Parameters
    ----------
    mask : array-like of bool
        True for each bad data row, in file order (row 0 = first data row).
    message : callable
        ``message(i, n_bad)`` returns the Swedish text, given the 0-based position
        of the first bad row and the number of bad rows (use ``i`` to quote the value).
    file, column : str, optional
        Where, as shown to the user.
    header_rows : int, default 1
        Rows above the data in the file; the first data row is row ``header_rows + 1``.
    """
    bad = np.asarray(mask, dtype=bool)
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad)[0])
    return Problem(message(i, int(bad.sum())), file=file, row=i + header_rows + 1, column=column)
