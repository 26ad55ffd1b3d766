"""Country cells of tblResources and tblHolidays (workbook.md: ``Country``).

One reading of a Country cell for the whole package: ISO 3166-1 alpha-2 or alpha-3 codes
(``GB``, ``DEU``), English names (``Germany``), subdivisions as ``GB-SCT`` / ``US-CA`` and a
few common aliases (``UK``, ``England``, ``Holland``), matched ignoring case, spaces and
punctuation, against the ``holidays`` package's registry. Validation
(:mod:`xlpmo.io.validate`) flags the cells it does not know; the capacity calendars
(:mod:`xlpmo.core.capacity`) pick each resource's public holidays with it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["UNKNOWN_COUNTRY", "Country", "country_codes", "norm", "resolve_country",
           "unknown_countries"]

Country = tuple[str, str | None]  # (ISO alpha-2 code, subdivision code or None)

_EXTRA_NAMES: dict[str, Country] = {
    "unitedstatesofamerica": ("US", None), "greatbritain": ("GB", None),
    "england": ("GB", "ENG"), "scotland": ("GB", "SCT"), "wales": ("GB", "WLS"),
    "northernireland": ("GB", "NIR"), "czechrepublic": ("CZ", None),
    "turkiye": ("TR", None), "cotedivoire": ("CI", None), "capeverde": ("CV", None),
    "holland": ("NL", None), "thenetherlands": ("NL", None),
}
_RE_SUBDIV = re.compile(r"^([a-z]{2,3})\s*[-/]\s*([a-z0-9]{1,3})$")


def norm(text: str) -> str:
    """Lower case, letters and digits only: ``"United Kingdom"`` -> ``"unitedkingdom"``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@functools.cache
def _country_names() -> dict[str, str]:
    """Normalised name, alpha-2, alpha-3 or alias -> alpha-2, from the holidays registry."""
    from holidays import registry

    names: dict[str, str] = {}
    for module, (class_name, alpha2, *aliases) in registry.COUNTRIES.items():
        keys = [module, class_name, alpha2, *(a for a in aliases if not a.startswith("Holidays"))]
        for key in keys:
            names.setdefault(norm(key), alpha2)
    return names


@functools.cache
def _subdivisions(alpha2: str) -> frozenset[str]:
    import holidays

    return frozenset(s.upper() for s in holidays.list_supported_countries().get(alpha2, ()))


def resolve_country(text: Any) -> Country | None:
    """A Country cell -> ``(alpha2, subdivision)``, or None when blank or unknown.

    ``"Germany"``, ``"DE"``, ``"DEU"`` -> ``("DE", None)``; ``"GB-SCT"``, ``"Scotland"`` ->
    ``("GB", "SCT")``. Matching ignores case, spaces and punctuation.
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    raw = str(text).strip()
    key = norm(raw)
    if not key:
        return None
    if key in _EXTRA_NAMES:
        return _EXTRA_NAMES[key]
    names = _country_names()
    if key in names:
        return names[key], None
    m = _RE_SUBDIV.match(raw.lower())
    if m and norm(m[1]) in names:
        alpha2, sub = names[norm(m[1])], m[2].upper()
        if sub in _subdivisions(alpha2):
            return alpha2, sub
    return None


def country_codes(values: Any) -> tuple[np.ndarray, list[str]]:
    """Country cells -> (code per cell into the unique stripped texts, those texts);
    blanks become the text ``""``."""
    text = pd.Series(list(values) if not isinstance(values, pd.Series) else values,
                     dtype=object)
    text = text.where(text.notna(), "").astype(str).str.strip()
    codes, uniques = pd.factorize(text.to_numpy(dtype=object))
    return codes, [str(u) for u in uniques]


def unknown_countries(resources: pd.DataFrame) -> np.ndarray:
    """Mask of tblResources rows whose Country the ``holidays`` package does not know
    (their capacity then uses only tblHolidays dates); a blank Country is not unknown."""
    codes, texts = country_codes(resources["Country"])
    unknown = np.array([bool(t) and resolve_country(t) is None for t in texts], dtype=bool)
    return unknown[codes] if len(codes) else np.zeros(0, dtype=bool)


UNKNOWN_COUNTRY = (
    "Country {country!r} is not a country (or subdivision) the holidays package knows; only "
    "tblHolidays dates are used. Use an ISO code (GB, DEU, US-CA) or an English country name."
)
