"""Compute every output table of the standard workbook from the canonical inputs.

The one place that strings the core together (read → validate → **compute** → write):
the command line refresh, the ribbon Refresh and the table worksheet functions all
call :func:`compute`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.core.capacityplan import capacity_plan_table
from xlpmo.core.evm import evm_outputs
from xlpmo.core.evm_checks import evm_findings
from xlpmo.core.forecast_out import forecast_table
from xlpmo.core.portfolio import portfolio_table
from xlpmo.core.trend_out import trend_rows, trend_table
from xlpmo.core.utilisation import utilisation_table
from xlpmo.core.variance import variance_table
from xlpmo.errors import Finding

__all__ = ["Step", "compute", "eac_by_project", "first_project_rows"]

Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def eac_by_project(evm: pd.DataFrame, column: str = "EAC") -> pd.Series:
    """A column of tblEVM (the EAC; ``ForecastFinish``) as a Series indexed by ProjectID
    (errors kept)."""
    return pd.Series(evm[column].to_numpy(dtype=object), index=evm["ProjectID"].to_numpy())


def first_project_rows(inputs: Inputs) -> Inputs:
    """Inputs whose tblProjects keeps the first row of each ProjectID: a repeated ID is an
    Error finding of :func:`xlpmo.io.validate.validate`, not a reason to refresh nothing (the
    same rule as :func:`xlpmo.core.capacity.unique_resources` for tblResources)."""
    projects = inputs.projects
    if not projects["ProjectID"].duplicated().any():
        return inputs
    first = projects.drop_duplicates("ProjectID", keep="first").reset_index(drop=True)
    return replace(inputs, projects=first)


def compute(inputs: Inputs, step: Step = _quiet,
            findings: list[Finding] | None = None) -> dict[str, pd.DataFrame]:
    """All output tables (tblEVM, tblPortfolio, tblVariance, tblForecastOut, tblTrend,
    tblUtilisation when the workbook has resources, and tblCapacityPlan when it has resources
    or allocations), keyed by table name.

    ``step`` is called with a short label before each stage (progress display). Repeated
    ProjectIDs: the first tblProjects row counts (:func:`first_project_rows`).
    ``findings``: when given, the compute step's own findings are appended to it (what the
    figures cannot say themselves, :func:`xlpmo.core.evm_checks.evm_findings`, and the months
    the statistical ranges leave out, :func:`xlpmo.core.trend_out.range_findings`), for
    tblChecks; the core never imports io, so it hands them back this way.
    """
    original = inputs
    inputs = first_project_rows(inputs)
    # amounts near 1e308 overflow to inf in sums; that inf becomes an Excel error in the
    # output, so numpy's RuntimeWarnings would only be noise on the user's terminal
    with np.errstate(all="ignore"):
        out, measures = _compute(inputs, step, findings)
    if findings is not None:
        findings.extend(evm_findings(original, measures))
    return out


def _compute(inputs: Inputs, step: Step, findings: list[Finding] | None
             ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    step("earned value")
    trend = trend_rows(inputs)  # shared by tblEVM's ranges and tblTrend
    evm, measures = evm_outputs(inputs, trend)
    out[tables.EVM.name] = evm
    step("portfolio roll-up")
    out[tables.PORTFOLIO.name] = portfolio_table(evm)
    step("variance")
    out[tables.VARIANCE.name] = variance_table(inputs)
    step("forecast")
    out[tables.FORECAST_OUT.name] = forecast_table(
        inputs, eac_by_project(evm), finish=eac_by_project(evm, "ForecastFinish"))
    step("trend")
    out[tables.TREND.name] = trend_table(inputs, findings, trend)
    if inputs.has(tables.RESOURCES.name):
        step("utilisation")
        out[tables.UTILISATION.name] = utilisation_table(inputs)
    if inputs.has(tables.RESOURCES.name) or inputs.has(tables.ALLOCATIONS.name):
        step("capacity plan")
        out[tables.CAPACITY_PLAN.name] = capacity_plan_table(inputs)
    return out, measures
