"""The one result type of every report section (life expectancy, education, survey, Strategi).

A section builder is a function ``build(kommun, data_source, ...) -> Section``:
it computes nothing itself (it calls :mod:`helpers.stats` and the loaders in
:mod:`helpers.sources`), takes its sentences from :mod:`helpers.text` and its
figures from :mod:`helpers.plots`, and returns them together with ``facts``:
the indicator-table rows behind every number the section shows. The facts are
what the exports write and what the "one fact, one value" check compares
across sections and reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure


def bullets(lines: list[str]) -> str:
    """Return non-empty lines as a Markdown bullet list."""
    return "\n".join(f"- {s}" for s in lines if s)


@dataclass
class Section:
    """One part of a report.

    Attributes
    ----------
    title : str
        Heading of the section (Swedish).
    sentences : list of str
        Key results in Swedish, generated from the numbers.
    figures : dict of str to Figure
        Figures by name; the caller shows and closes them.
    tables : dict of str to DataFrame
        Display tables by name (formatted, Swedish headers).
    notes : list of str
        Footnotes on method and data.
    source : str
        Source line ("Källa: …").
    period_label : str
        The period the section describes (empty when several).
    facts : pandas.DataFrame
        Indicator-table rows (``helpers.core.indicators`` columns) behind every
        number shown; empty when the section shows none.
    messages : list of str
        Problems the reader should see (for example a goal that could not be computed).
    available : bool
        False when the data source cannot serve this section (``sentences``
        then say why).
    """

    title: str
    sentences: list[str] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = ""
    period_label: str = ""
    facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    messages: list[str] = field(default_factory=list)
    available: bool = True

    def markdown(self) -> str:
        """Return the sentences as a Markdown bullet list (with the source line, if any)."""
        text = bullets(self.sentences)
        if self.source:
            text += f"\n\n*{self.source}.*"
        return text

    def notes_markdown(self) -> str:
        """Return the notes as a Markdown bullet list."""
        return bullets(self.notes)
