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
    """Print a results table past pytest's output capture, only when asked for: with ``-s``
    or ``-v`` (the project's addopts has ``-q``, so ``-v`` brings the verbosity to 0). A
    plain ``python -m pytest`` shows dots and failures only."""
    config = request.config  # type: ignore[attr-defined]
    if config.getoption("capture") != "no" and config.getoption("verbose") < 0:
        return
    capman = config.pluginmanager.getplugin("capturemanager")
    if capman is None:
        print(text)
        return
    with capman.global_and_fixture_disabled():
        print(text)
