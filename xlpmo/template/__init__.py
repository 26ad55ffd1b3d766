"""The standard PMO workbook (workbook/PMO_Tracker.xlsx) and its sample data.

- :mod:`.builder`: :func:`~xlpmo.template.builder.build_workbook`;
- :mod:`.layout`, :mod:`.content`, :mod:`.dashboard`: where things go, the notes and live
  examples, the Dashboard with its charts;
- :mod:`.buttons`: the Dashboard's buttons (shared with the commands);
- :mod:`.capacitysheet`: the CapacityPlan sheet (heat map, group picker, chart);
- :mod:`.sample`, :mod:`.sample_demand`: the sample portfolio, its unnamed demand and the
  example rows.
"""

__all__ = [
    "builder", "buttons", "capacitysheet", "content", "dashboard", "layout", "sample",
    "sample_demand",
]
