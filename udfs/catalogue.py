"""The worksheet function catalogue as registered with xlwings (``xlpmo functions``).

:func:`catalogue` asks ``xlwings.server.custom_functions_meta`` — the metadata xlwings
Lite and Office.js register — when xlwings runs in server mode (``XLWINGS_ON_SERVER``),
and otherwise reads the same facts that :func:`xlpmo_udfs.functions.pmo_function` keeps
on each adapter (the decorators are no-ops outside a runtime, so xlwings keeps nothing).
"""

from __future__ import annotations

from typing import Any

import xlpmo.functions as pmo

from . import functions as adapters
from .functions import CLASSIC_PREFIX, NAMESPACE

__all__ = ["catalogue"]


def _adapters() -> list[Any]:
    return [getattr(adapters, n) for n in dir(adapters)
            if n.startswith(CLASSIC_PREFIX) and hasattr(getattr(adapters, n), "__pmo__")]


def _from_xlwings() -> list[dict[str, Any]] | None:
    """Entries from xlwings.server's Office.js metadata, or None outside server mode."""
    import xlwings as xw

    if not getattr(xw.func, "__module__", "").startswith("xlwings.pro"):
        return None
    import xlwings.server

    meta = xlwings.server.custom_functions_meta(adapters)
    out = []
    for f in meta["functions"]:
        name = f["name"].rpartition(".")[2]
        out.append({
            "name": name,
            "description": f["description"],
            "parameters": [
                {"name": p["name"], "description": p["description"],
                 "optional": bool(p.get("optional", False))}
                for p in f["parameters"]
            ],
            "excel_name": f["name"],
        })
    return out


def catalogue() -> list[dict[str, Any]]:
    """Every worksheet function: ``name`` (``CPI``), ``excel_name`` (``PMO.CPI``),
    ``classic_name`` (``PMO_CPI``), ``description`` (one line) and ``parameters``
    (``name``, ``description``, ``optional``), in the order of functions.md."""
    entries = _from_xlwings()
    if entries is None:
        entries = [{**f.__pmo__, "excel_name": f"{NAMESPACE}.{f.__pmo__['name']}"}
                   for f in _adapters()]
    order = {name: i for i, name in enumerate(pmo.__all__)}
    for e in entries:
        e["classic_name"] = CLASSIC_PREFIX + e["name"]
    return sorted(entries, key=lambda e: (order.get(e["name"], len(order)), e["name"]))

