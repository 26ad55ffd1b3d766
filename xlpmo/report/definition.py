"""The Report, defined once: which figures, over which output tables (functions.md "Report").

:data:`REPORT` lists the figures; :func:`build_report` makes their data from the computed
output tables (and the baseline plan). Three renderers draw the result: the Report sheet
written into the file (:mod:`xlpmo.report.sheet` -> :mod:`xlpmo.io.canvaswriter`), the same
sheet drawn in Excel (:mod:`xlpmo_udfs.report`), and the printable PDF pack
(:mod:`xlpmo.report.pdf`). None of them decides what is shown.

Figures (each one data table: a label column, then the series):

- **Portfolio CPI and SPI** (tblPortfolio): a column chart of CPI and SPI per portfolio and
  the total. The roll-up sums money first, then divides (tblPortfolio does that).
- **Projects: CPI against the schedule index** (tblEVM): a scatter of every project's CPI (x)
  and its schedule index (y): SPI(t) or SPI, as ``ScheduleIndex`` says, the index its
  schedule RAG uses. Above 1 is favourable on both axes (EVM sign convention).
- **EAC trend** (tblTrend): each project's EAC month by month, a line per project.
- **Utilisation heatmap** (tblUtilisation): Utilisation (booked hours / capacity) by
  resource and month up to the status month (later months have no bookings yet), coloured
  from blue (idle) through green (at ``UtilisationTarget``) to red (at the larger of 120 %
  and the target + 20 points).
- **Capacity-plan heatmap** (tblCapacityPlan): Utilisation (demand / capacity) by group and
  month, coloured the same way.
- **S-curve per project** (tblEVM for the projects, tblForecastOut): cumulative money by
  month. *Baseline*: the cumulative plan (tblPlan) over every planned month, to completion
  (it ends at the sum of the plan). *Actual*: cumulative actual cost to the status month.
  *Forecast*: from the status month's actual on, the cumulative tblForecastOut forecast, which
  ends at the EAC when the forecast comes from the plan scaled to the EAC. *Earned*:
  cumulative EV by month, when tblTrend is there.
- **CPI and SPI(t) per project** (tblTrend): the project's cumulative CPI and schedule index
  (SPI(t), or SPI as ``ScheduleIndex`` says, as the projects' scatter) month by month, with
  an *On plan* line at 1.0 (above it is favourable, PMI / Lipke sign convention).

A project's figures follow one another (its S-curve, then its CPI and SPI(t) trend). A figure
whose table is not among the outputs (a workbook made before tblTrend or tblCapacityPlan, or
one without resources) is not drawn; :attr:`Report.notes` says which and why. An Excel error
in a cell (``#DIV/0!``) is a blank point: the charts leave a gap rather than plot a made-up
number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.contract.model import Inputs
from xlpmo.contract.settings import Settings

TREND = "tblTrend"
CAPACITY_PLAN = "tblCapacityPlan"
HEAT_COLOURS = ("9DC3E6", "63BE7B", "F8696B")  # idle, at target, over-used (the template's)


@dataclass(frozen=True)
class Figure:
    """One figure's data: ``frame``'s first columns are labels, ``series`` are the columns
    drawn (their header = the series name), ``category`` the column of the categories (the
    x values of a scatter). ``kinds`` are contract column kinds (number formats)."""

    key: str
    name: str  # the chart's name in Excel ("S-curve PRJ-101")
    title: str
    kind: str  # "line", "column", "scatter" or "heatmap"
    frame: pd.DataFrame
    kinds: tuple[str, ...]
    category: int = 0
    series: tuple[int, ...] = ()
    x_title: str | None = None
    y_title: str | None = None
    x_format: str | None = None
    y_format: str | None = None
    project: str | None = None
    thresholds: tuple[float, float, float] = (0.0, 0.8, 1.2)  # heatmaps


@dataclass(frozen=True)
class FigureDef:
    """A figure of the Report: the tables it needs and how its data is made."""

    key: str
    title: str
    needs: tuple[str, ...]
    make: Callable[[Sources], list[Figure]]


@dataclass
class Sources:
    inputs: Inputs
    outputs: Mapping[str, pd.DataFrame]

    @property
    def settings(self) -> Settings:
        return self.inputs.settings

    def table(self, name: str) -> pd.DataFrame:
        return self.outputs[name]


@dataclass
class Report:
    settings: Settings
    figures: list[Figure]
    notes: list[str]
    outputs: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    projects: pd.DataFrame | None = None  # tblProjects as read (Manager, Status ...)

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    def scurves(self) -> dict[str, Figure]:
        return self.per_project("scurve")

    def per_project(self, key: str) -> dict[str, Figure]:
        """The figures of one per-project kind (``"scurve"``, ``"index-trend"``) by project."""
        return {f.project: f for f in self.figures
                if f.project is not None and f.key == f"{key}:{f.project}"}


# -- cell values ------------------------------------------------------------------------------


def number(value: Any) -> float | None:
    """A plottable number, or None for blanks, Excel errors, text and infinities."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _numbers(column: pd.Series) -> pd.Series:
    return pd.Series([number(v) for v in column.tolist()], index=column.index, dtype=object)


def _months(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, errors="coerce").dt.to_period("M").dt.to_timestamp()


# -- the figures ------------------------------------------------------------------------------


def _portfolio(src: Sources) -> list[Figure]:
    p = src.table(tables.PORTFOLIO.name)
    frame = pd.DataFrame({"Portfolio": p["Portfolio"].astype(str).to_numpy(),
                          "CPI": _numbers(p["CPI"]).to_numpy(),
                          "SPI": _numbers(p["SPI"]).to_numpy()})
    return [Figure("portfolio", "Portfolio CPI and SPI", "Portfolio CPI and SPI (1 = on plan)",
                   "column", frame, ("text", "index", "index"), 0, (1, 2),
                   y_title="Index", y_format="0.00")]


def schedule_column(settings: Settings) -> str:
    """The tblEVM column of the schedule index the RAG uses (``ScheduleIndex``)."""
    return "SPI" if str(settings.ScheduleIndex).strip().upper() == "SPI" else "SPIt"


def _projects(src: Sources) -> list[Figure]:
    evm = src.table(tables.EVM.name)
    sched = schedule_column(src.settings)
    frame = pd.DataFrame({"ProjectID": evm["ProjectID"].astype(str).to_numpy(),
                          "CPI": _numbers(evm["CPI"]).to_numpy(),
                          sched: _numbers(evm[sched]).to_numpy()})
    label = "SPI(t)" if sched == "SPIt" else "SPI"
    return [Figure("projects", "Projects CPI and SPI", f"Projects: CPI against {label}",
                   "scatter", frame, ("id", "index", "index"), 1, (2,),
                   x_title="CPI (cost)", y_title=f"{label} (schedule)", x_format="0.00",
                   y_format="0.00")]


def _eac_trend(src: Sources) -> list[Figure]:
    trend = src.table(TREND)
    if trend.empty:
        return []
    data = pd.DataFrame({"ProjectID": trend["ProjectID"].astype(str),
                         "Period": _months(trend["Period"]), "EAC": _numbers(trend["EAC"])})
    grid = data.pivot_table(index="Period", columns="ProjectID", values="EAC",
                            aggfunc="last", sort=False, dropna=False)
    order = list(dict.fromkeys(data["ProjectID"]))
    grid = grid.reindex(columns=order).sort_index()
    frame = pd.concat([pd.Series(grid.index, name="Period").reset_index(drop=True),
                       grid.reset_index(drop=True).astype(object)], axis=1)
    frame = frame.where(frame.notna(), None)
    return [Figure("eac-trend", "EAC trend", "EAC trend by project (money)", "line", frame,
                   ("period", *["money"] * len(order)), 0, tuple(range(1, 1 + len(order))),
                   y_title="EAC", x_format="mmm yy", y_format="#,##0")]


ON_PLAN = "On plan"  # the 1.0 line of an index chart


def schedule_label(settings: Settings) -> str:
    """How the schedule index of the RAG is written: SPI(t) or SPI."""
    return "SPI(t)" if schedule_column(settings) == "SPIt" else "SPI"


def project_label(pid: str, name: Any) -> str:
    """``PRJ-101: Mobile App Relaunch``, or the ID alone without a name."""
    return f"{pid}: {name}" if isinstance(name, str) and name.strip() else pid


def _index_trends(src: Sources) -> list[Figure]:
    """Each project's CPI and schedule index by month (tblTrend) and the 1.0 line."""
    trend = src.table(TREND)
    if trend.empty:
        return []
    sched, label = schedule_column(src.settings), schedule_label(src.settings)
    names = dict(zip(src.table(tables.EVM.name)["ProjectID"].astype(str),
                     src.table(tables.EVM.name)["ProjectName"], strict=True))
    ids = trend["ProjectID"].astype(str)
    figures = []
    for pid in dict.fromkeys(ids):
        rows = trend[(ids == pid).to_numpy()]
        frame = pd.DataFrame({"Period": _months(rows["Period"]).to_numpy(),
                              "CPI": _numbers(rows["CPI"]).to_numpy(),
                              label: _numbers(rows[sched]).to_numpy(),
                              ON_PLAN: 1.0})
        figures.append(Figure(
            f"index-trend:{pid}", f"CPI and {label} {pid}",
            f"CPI and {label} {project_label(pid, names.get(pid))} (1 = on plan)", "line",
            frame, ("period", "index", "index", "index"), 0, (1, 2, 3), y_title="Index",
            x_format="mmm yy", y_format="0.00", project=pid))
    return figures


def _heatmap(key: str, name: str, title: str, table: pd.DataFrame, label: str,
             settings: Settings) -> list[Figure]:
    if table.empty:
        return []
    data = pd.DataFrame({label: table[label].astype(str), "Period": _months(table["Period"]),
                         "U": _numbers(table["Utilisation"])})
    grid = data.pivot_table(index=label, columns="Period", values="U", aggfunc="first",
                            sort=False, dropna=False)
    months = sorted(grid.columns)
    grid = grid.reindex(index=list(dict.fromkeys(data[label])), columns=months)
    frame = grid.reset_index().astype(object)
    frame = frame.where(frame.notna(), None)
    target = float(settings.UtilisationTarget)
    return [Figure(key, name, title, "heatmap", frame,
                   ("id" if label == "ResourceID" else "text", *["fraction"] * len(months)),
                   thresholds=(0.0, target, max(1.2, target + 0.2)))]


def _utilisation(src: Sources) -> list[Figure]:
    util = src.table(tables.UTILISATION.name)
    status = pd.Timestamp(src.settings.StatusDate).to_period("M").to_timestamp()
    booked = util[(_months(util["Period"]) <= status).to_numpy()]  # no bookings after it yet
    return _heatmap("utilisation", "Utilisation heatmap",
                    "Utilisation by resource and month to the status date "
                    "(booked hours / capacity)", booked, "ResourceID", src.settings)


def _capacity(src: Sources) -> list[Figure]:
    return _heatmap("capacity", "Capacity plan heatmap",
                    "Capacity plan by group and month (demand / capacity)",
                    src.table(CAPACITY_PLAN), "Group", src.settings)


def baseline(plan: pd.DataFrame) -> pd.DataFrame:
    """Cumulative planned money per project and month, over every month from the project's
    first to its last month with a non-zero Planned amount (months in between without a
    plan row add 0). Columns ProjectID, Period, Baseline."""
    if plan.empty:
        return pd.DataFrame({"ProjectID": [], "Period": pd.Series([], dtype="datetime64[ns]"),
                             "Baseline": []})
    p = pd.DataFrame({"ProjectID": plan["ProjectID"].astype(str),
                      "Period": _months(plan["Period"]),
                      "Planned": pd.to_numeric(plan["Planned"], errors="coerce").fillna(0.0)})
    p = p.dropna(subset=["Period"]).groupby(["ProjectID", "Period"], sort=False,
                                            as_index=False)["Planned"].sum()
    frames = []
    for pid, rows in p.groupby("ProjectID", sort=False):
        used = rows.loc[rows["Planned"] != 0, "Period"]
        if used.empty:
            continue
        months = pd.date_range(used.min(), used.max(), freq="MS")
        amounts = rows.set_index("Period")["Planned"].reindex(months, fill_value=0.0)
        frames.append(pd.DataFrame({"ProjectID": pid, "Period": months,
                                    "Baseline": amounts.cumsum().to_numpy()}))
    if not frames:
        return baseline(plan.iloc[:0])
    return pd.concat(frames, ignore_index=True)


def _scurves(src: Sources) -> list[Figure]:
    evm = src.table(tables.EVM.name)
    fc = src.table(tables.FORECAST_OUT.name)
    base = baseline(src.inputs.plan)
    spend = pd.DataFrame({"ProjectID": fc["ProjectID"].astype(str),
                          "Period": _months(fc["Period"]), "Kind": fc["Kind"].astype(str),
                          "Cumulative": _numbers(fc["Cumulative"])})
    trend = src.outputs.get(TREND)
    earned = None
    if trend is not None:
        earned = pd.DataFrame({"ProjectID": trend["ProjectID"].astype(str),
                               "Period": _months(trend["Period"]), "Earned": _numbers(trend["EV"])})
    figures = []
    for pid, name in zip(evm["ProjectID"].astype(str), evm["ProjectName"], strict=True):
        frame = _scurve_frame(pid, base, spend, earned)
        if frame is None:
            continue
        figures.append(Figure(
            f"scurve:{pid}", f"S-curve {pid}", f"S-curve {project_label(pid, name)} "
            "(cumulative)", "line", frame,
            ("period", *["money"] * (frame.shape[1] - 1)), 0,
            tuple(range(1, frame.shape[1])), y_title="Cumulative money", x_format="mmm yy",
            y_format="#,##0", project=pid))
    return figures


def _scurve_frame(pid: str, base: pd.DataFrame, spend: pd.DataFrame,
                  earned: pd.DataFrame | None) -> pd.DataFrame | None:
    b = base.loc[base["ProjectID"] == pid, ["Period", "Baseline"]]
    s = spend[spend["ProjectID"] == pid]
    actual = s.loc[s["Kind"] == "Actual", ["Period", "Cumulative"]].rename(
        columns={"Cumulative": "Actual"})
    forecast = s.loc[s["Kind"] == "Forecast", ["Period", "Cumulative"]].rename(
        columns={"Cumulative": "Forecast"})
    if len(actual) and len(forecast):  # the forecast line starts where the actuals end
        forecast = pd.concat([actual.tail(1).rename(columns={"Actual": "Forecast"}), forecast])
    parts = [b.set_index("Period"), actual.set_index("Period"), forecast.set_index("Period")]
    if earned is not None:
        e = earned.loc[earned["ProjectID"] == pid, ["Period", "Earned"]]
        parts.append(e.set_index("Period"))
    frame = pd.concat(parts, axis=1).sort_index()
    frame = frame[~frame.index.isna()]
    if frame.empty:
        return None
    frame = frame.astype(object).where(frame.notna(), None)
    frame.index.name = "Period"
    return frame.reset_index()


REPORT: tuple[FigureDef, ...] = (
    FigureDef("portfolio", "Portfolio CPI and SPI", (tables.PORTFOLIO.name,), _portfolio),
    FigureDef("projects", "Projects: CPI against the schedule index", (tables.EVM.name,),
              _projects),
    FigureDef("eac-trend", "EAC trend", (TREND,), _eac_trend),
    FigureDef("utilisation", "Utilisation heatmap", (tables.UTILISATION.name,), _utilisation),
    FigureDef("capacity", "Capacity-plan heatmap", (CAPACITY_PLAN,), _capacity),
    FigureDef("scurve", "S-curves", (tables.EVM.name, tables.FORECAST_OUT.name), _scurves),
    FigureDef("index-trend", "CPI and SPI(t) trends", (TREND, tables.EVM.name), _index_trends),
)
"""The Report's figures, in the order they appear."""


def build_report(inputs: Inputs, outputs: Mapping[str, pd.DataFrame],
                 definition: tuple[FigureDef, ...] = REPORT) -> Report:
    """The data of every figure of ``definition`` whose tables are among ``outputs``; a note
    for each one that is not drawn (a table missing, or no rows)."""
    src = Sources(inputs, outputs)
    figures: list[Figure] = []
    notes: list[str] = []
    for fig in definition:
        missing = [t for t in fig.needs if t not in outputs]
        if missing:
            notes.append(f"{fig.title}: not drawn, {' and '.join(missing)} "
                         f"{'is' if len(missing) == 1 else 'are'} not among the output tables")
            continue
        made = [f for f in fig.make(src) if len(f.frame)]
        if not made:
            notes.append(f"{fig.title}: not drawn, {', '.join(fig.needs)} has no rows")
        figures += made
    if TREND not in outputs and any(f.project for f in figures):
        notes.append(f"S-curves: no Earned line, it needs {TREND} (EV month by month)")
    return Report(inputs.settings, _together(figures), notes, dict(outputs), inputs.projects)


def _together(figures: list[Figure]) -> list[Figure]:
    """The figures with each project's ones together, after the portfolio's: projects in the
    order they first appear, a project's figures in the order of the definition."""
    shared = [f for f in figures if f.project is None]
    order = {pid: k for k, pid in enumerate(dict.fromkeys(
        f.project for f in figures if f.project is not None))}
    mine = sorted((f for f in figures if f.project is not None),
                  key=lambda f: order[f.project])  # stable: the definition's order within
    return [*shared, *mine]
