"""xlpmo: the PMO tracker that lives inside Excel.

The core (everything under ``xlpmo/``) is pure pandas/numpy and never imports
xlwings; the Excel-facing layer lives in ``udfs/`` (import name ``xlpmo_udfs``).
"""

__version__ = "0.1.0"
