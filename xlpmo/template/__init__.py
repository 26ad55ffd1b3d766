"""The standard PMO workbook (workbook/PMO_Tracker.xlsx) and its sample data.

- :mod:`.builder`: :func:`~xlpmo.template.builder.build_workbook`;
- :mod:`.layout`, :mod:`.content`, :mod:`.dashboard`: where things go, the notes and live
  examples, the Dashboard with its charts;
- :mod:`.buttons`: the Dashboard's buttons (shared with the commands);
- :mod:`.sample`: the sample portfolio and the example rows.
"""

__all__ = ["builder", "buttons", "content", "dashboard", "layout", "sample"]
