"""xlpmo: the PMO tracker that lives inside Excel.

The library (everything under ``xlpmo/``) never imports xlwings; the Excel-facing layer
lives in ``udfs/`` (import name ``xlpmo_udfs``). The packages and the imports they may make
are in the README's ARCHITECTURE section (checked by tests/test_architecture.py).
"""

__version__ = "0.1.0"

__all__ = [
    "__version__", "app", "cli", "contract", "core", "errors", "excel", "functions", "io",
    "template", "user",
]
