"""Build workbook/PMO_Tracker.xlsx, the standard PMO workbook, from the example rows.

Run from anywhere: ``python workbook/build_template.py``. The output is deterministic:
run it again after changing xlpmo/template.py or xlpmo/sample.py and commit the xlsx
(tests/test_template.py checks that the committed file equals a fresh build).
"""

from __future__ import annotations

from pathlib import Path

from xlpmo.template.builder import build_workbook
from xlpmo.template.sample import example_rows

TEMPLATE = Path(__file__).resolve().parent / "PMO_Tracker.xlsx"


def main() -> Path:
    return build_workbook(TEMPLATE, example_rows(), title="PMO Tracker")


if __name__ == "__main__":
    print(main())
