"""Test-suite options shared by every test module.

- ``--runslow``: tests marked ``@pytest.mark.slow`` are skipped unless it is given; it also
  selects the Hypothesis profile ``all`` and lets bounded samples (fault injection, fuzzing)
  run in full (:func:`runslow`).
- Hypothesis profiles: ``ci`` (the default: bounded examples, no deadline, derandomized so a
  CI run is reproducible, no example database) and ``all`` (many examples, random). Pick one
  with ``--runslow``, ``HYPOTHESIS_PROFILE=all`` or Hypothesis' own ``--hypothesis-profile``.
  Tests that build workbooks per example scale their count from the profile's
  ``max_examples`` (``settings.default.max_examples`` at import time).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "all",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False,
        help="run tests marked slow, full fault-injection samples, Hypothesis profile 'all'",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: long-running; skipped unless --runslow")
    chosen = config.getoption("hypothesis_profile", default=None)
    if chosen is None and config.getoption("--runslow") and "HYPOTHESIS_PROFILE" not in os.environ:
        settings.load_profile("all")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def runslow(request: pytest.FixtureRequest) -> bool:
    """True when the run asked for the full samples (``--runslow``)."""
    return bool(request.config.getoption("--runslow"))
