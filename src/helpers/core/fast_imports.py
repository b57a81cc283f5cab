"""Keep ``nbformat`` (and so papermill and nbconvert) quick to import.

``jsonschema`` (a dependency of ``nbformat``) imports the optional package
``rfc3987_syntax`` when it is installed, to check the JSON-Schema formats
``iri`` and ``iri-reference``. That package compiles about forty grammars at
import time, which costs 2–3 s in every process that reads or runs a notebook
(python-jsonschema/jsonschema#1392; a lazy fork was proposed in #1521).
The notebook schema uses neither format, so validation is unchanged without
it. :func:`skip_iri_format_checker` tells Python that the module is absent
(``sys.modules[name] = None`` makes ``import name`` raise ``ImportError``,
which ``jsonschema`` handles) – unless it has already been imported.
"""

from __future__ import annotations

import sys

SLOW_OPTIONAL_MODULE = "rfc3987_syntax"


def skip_iri_format_checker() -> bool:
    """Make ``jsonschema`` skip its ``iri`` format checker in this process.

    Returns
    -------
    bool
        True if the module is now marked absent, False if it was already
        imported (nothing changed then).
    """
    if sys.modules.get(SLOW_OPTIONAL_MODULE) is not None:
        return False
    sys.modules[SLOW_OPTIONAL_MODULE] = None  # type: ignore[assignment]
    return True
