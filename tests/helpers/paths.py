"""Paths the tests share: the checkout, the committed template, test data, and the real-world
workbooks of shared/corpus (beside the checkout, where CI lays ``shared/`` next to its clone, or
at the workplace's /work/shared)."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parents[2]
TEMPLATE: Path = ROOT / "workbook" / "PMO_Tracker.xlsx"
DATA: Path = ROOT / "tests" / "data"

_CANDIDATES = (
    ROOT.parent / "shared" / "corpus",
    Path("/work/shared/corpus"),
)
CORPUS: Path = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])


def print_summary(request: object, text: str) -> None:
    """Print a results table past pytest's output capture (shown at the end of the run)."""
    capman = request.config.pluginmanager.getplugin("capturemanager")  # type: ignore[attr-defined]
    if capman is None:
        print(text)
        return
    with capman.global_and_fixture_disabled():
        print(text)
