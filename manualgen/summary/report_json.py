"""The figures as JSON: the numbers behind the PDF and the Word file, for NSNY or a next year.

Dates are ISO strings, rates are numbers rounded as printed, and the key order is fixed,
so the same records give the same text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from manualgen.summary.figures import Figures

SCHEMA = "manualgen-summary/1"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def figures_dict(figures: Figures) -> dict[str, Any]:
    data = {"schema": SCHEMA}
    data.update(_plain(figures))
    data["incidents_total"] = figures.incidents_total
    return data


def json_text(figures: Figures) -> str:
    return json.dumps(figures_dict(figures), indent=2, ensure_ascii=False) + "\n"
