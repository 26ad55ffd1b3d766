"""The printable portfolio pack (``xlpmo report BOOK --pdf FILE``), drawn with matplotlib.

One A4 landscape page for the portfolio, then one page per project of tblEVM, in its order
(so 1 + N pages):

- portfolio page: tblPortfolio (money summed first, indices from the sums), the count of
  projects by cost and schedule RAG, and the projects' CPI against their schedule index
  (the Report's "Projects" figure) with the 1.0 lines and the Red thresholds of tblConfig;
- project page: the RAGs and, when tblEVM's BACAtRisk is TRUE, a "Budget at risk" flag
  (TCPI above CPI by more than 0.10); the key figures of its tblEVM row with the EAC range
  EACLow – EAC – EACHigh at ``ForecastConfidence`` when tblEVM has those columns; its
  S-curve (the Report's S-curve figure: baseline to completion, actual, forecast to the EAC,
  earned when tblTrend is there) with the forecast band of tblForecastOut (Low/High), the
  status date, the BAC, and the EAC with its range; when tblTrend is there, the EAC trend and
  the CPI and SPI(t) trend against the 1.0 line (the Report's figure of that name).

The numbers are those of the Report definition (:mod:`xlpmo.report.definition`); an Excel
error in a figure is printed as its text (``#DIV/0!``) and left out of the charts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from xlpmo.contract import tables
from xlpmo.errors import FileRefused, InputError, XLError
from xlpmo.report.definition import (
    ON_PLAN,
    TREND,
    Figure,
    Report,
    number,
    schedule_column,
    schedule_label,
)
from xlpmo.template.layout import RAG_COLOURS

PAGE = (11.69, 8.27)  # A4 landscape, inches
RAGS = ("Green", "Amber", "Red")
INK, MUTED = "#1F1F1F", "#595959"
LINES = {"Baseline": "#4472C4", "Actual": "#ED7D31", "Forecast": "#A5A5A5", "Earned": "#FFC000"}


def _text(value: Any, kind: str = "text", currency: str = "") -> str:
    """A cell as printed: money with thousands separators, indices with two decimals."""
    if isinstance(value, XLError):
        return value.value
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if kind in ("money", "hours"):
        v = float(value)
        return f"{'-' if v < 0 else ''}{currency}{abs(v):,.0f}"
    if kind in ("index", "periods"):
        return f"{float(value):.2f}"
    if kind == "fraction":
        return f"{float(value):.1%}"
    if kind in ("date", "period"):
        return pd.Timestamp(value).strftime("%d %b %Y" if kind == "date" else "%b %Y")
    return str(value)


def _currency(report: Report) -> str:
    code = str(report.settings.Currency or "").strip()
    return {"GBP": "£", "EUR": "€", "USD": "$"}.get(code.upper(), f"{code} " if code else "")


def write_pack(report: Report, path: Path, title: str = "PMO") -> int:
    """Write the pack to ``path``; returns the number of pages."""
    from matplotlib.backends.backend_pdf import PdfPages

    evm = report.outputs.get(tables.EVM.name)
    if evm is None:
        raise InputError("the PDF pack needs tblEVM, which was not computed")
    path = Path(path)
    pages = 0
    try:
        with PdfPages(path, metadata={"Title": f"{title}: portfolio report",
                                      "Creator": "xlpmo"}) as pdf:
            _page(pdf, lambda fig: _portfolio_page(fig, report, title))
            pages += 1
            for row in evm.to_dict("records"):
                _page(pdf, lambda fig, row=row: _project_page(fig, report, row))
                pages += 1
    except OSError as exc:
        raise FileRefused(f"could not write {path}: {exc.strerror or exc}") from None
    return pages


def _page(pdf: Any, draw: Any) -> None:
    """One page: a bare Figure (no pyplot, so no GUI backend and no global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=PAGE)
    draw(fig)
    pdf.savefig(fig)


def _header(fig: Any, title: str, subtitle: str) -> None:
    fig.text(0.04, 0.96, title, fontsize=18, fontweight="bold", color=INK, va="top")
    fig.text(0.04, 0.905, subtitle, fontsize=10, color=MUTED, va="top")


def _status(report: Report) -> str:
    return f"Status date {pd.Timestamp(report.settings.StatusDate):%d %b %Y}"


# -- portfolio page ---------------------------------------------------------------------------

PORTFOLIO_COLUMNS = ("Portfolio", "BAC", "PV", "EV", "AC", "CV", "SV", "CPI", "SPI", "EAC",
                     "VAC")


def _portfolio_page(fig: Any, report: Report, title: str) -> None:
    evm = report.outputs[tables.EVM.name]
    cur = _currency(report)
    _header(fig, f"{title}: portfolio report",
            f"{_status(report)}  ·  {len(evm)} projects  ·  money in "
            f"{report.settings.Currency or 'the workbook currency'}")
    portfolio = report.outputs.get(tables.PORTFOLIO.name)
    ax = fig.add_axes((0.04, 0.55, 0.92, 0.28))
    ax.axis("off")
    if portfolio is not None and len(portfolio):
        kinds = [tables.PORTFOLIO.column(c).kind for c in PORTFOLIO_COLUMNS]
        cells = [[_text(r[c], k, cur if k == "money" else "") for c, k in
                  zip(PORTFOLIO_COLUMNS, kinds, strict=True)] for r in portfolio.to_dict("records")]
        table = ax.table(cellText=cells, colLabels=list(PORTFOLIO_COLUMNS), loc="upper center",
                         cellLoc="right", colLoc="right")
        table.auto_set_font_size(False)
        table.set_fontsize(9)
        table.scale(1, 1.35)
        for (r, c), cell in table.get_celld().items():
            cell.set_edgecolor("#D9D9D9")
            if r == 0:
                cell.set_text_props(fontweight="bold")
                cell.set_facecolor("#DDEBF7")
            if c == 0:
                cell.set_text_props(ha="left")
                cell._loc = "left"
            if r == len(cells):  # the Total row
                cell.set_text_props(fontweight="bold")
    ax.set_title("Portfolios (tblPortfolio)", loc="left", fontsize=12, fontweight="bold")
    _rag_counts(fig.add_axes((0.11, 0.12, 0.33, 0.32)), evm)
    _scatter(fig.add_axes((0.54, 0.10, 0.42, 0.38)), report)


def _rag_counts(ax: Any, evm: pd.DataFrame) -> None:
    rows = [("Cost", "CostRAG"), ("Schedule", "ScheduleRAG")]
    left = np.zeros(len(rows))
    for rag in RAGS:
        counts = np.array([int((evm[col].astype(str) == rag).sum()) for _, col in rows])
        ax.barh([r for r, _ in rows], counts, left=left, color=RAG_COLOURS[rag][1],
                edgecolor=RAG_COLOURS[rag][0], label=rag)
        for i, n in enumerate(counts):
            if n:
                ax.text(left[i] + n / 2, i, str(n), ha="center", va="center",
                        color=RAG_COLOURS[rag][0], fontweight="bold")
        left += counts
    other = [len(evm) - int(x) for x in left]
    if any(other):
        ax.barh([r for r, _ in rows], other, left=left, color="#F2F2F2", edgecolor="#BFBFBF",
                label="not rated")
    ax.invert_yaxis()
    ax.set_xlim(0, max(1, len(evm)))
    ax.set_xlabel("projects")
    ax.set_title("Projects by RAG", loc="left", fontsize=12, fontweight="bold")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)


def _worst(row: dict[str, Any]) -> str | None:
    found = {str(row.get("CostRAG")), str(row.get("ScheduleRAG"))}
    return next((r for r in reversed(RAGS) if r in found), None)


def _scatter(ax: Any, report: Report) -> None:
    evm = report.outputs[tables.EVM.name]
    s = report.settings
    sched, label = schedule_column(s), schedule_label(s)
    xs, ys, skipped = [], [], []
    for row in evm.to_dict("records"):
        x, y = number(row["CPI"]), number(row[sched])
        if x is None or y is None:
            skipped.append(str(row["ProjectID"]))
            continue
        rag = _worst(row)
        colour = RAG_COLOURS[rag] if rag else ("#404040", "#BFBFBF")
        ax.scatter([x], [y], s=60, color=colour[1], edgecolor=colour[0], zorder=3)
        ax.annotate(str(row["ProjectID"]), (x, y), xytext=(4, 4), textcoords="offset points",
                    fontsize=7, color=MUTED)
        xs.append(x)
        ys.append(y)
    lo = min([*xs, *ys, float(s.CPIRed), float(s.SPIRed), 0.8]) - 0.05
    hi = max([*xs, *ys, 1.2]) + 0.05
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.axvline(1.0, color="#7F7F7F", lw=1)
    ax.axhline(1.0, color="#7F7F7F", lw=1)
    ax.axvline(float(s.CPIRed), color=RAG_COLOURS["Red"][0], lw=0.8, ls="--")
    ax.axhline(float(s.SPIRed), color=RAG_COLOURS["Red"][0], lw=0.8, ls="--")
    ax.text(hi - 0.01, hi - 0.01, "under budget, ahead", ha="right", va="top", fontsize=8,
            color=MUTED)
    ax.text(lo + 0.01, lo + 0.01, "over budget, late", ha="left", va="bottom", fontsize=8,
            color=MUTED)
    ax.set_xlabel("CPI (cost)")
    ax.set_ylabel(f"{label} (schedule)")
    ax.set_title(f"Projects: CPI against {label}", loc="left", fontsize=12,
                 fontweight="bold")
    ax.grid(True, color="#EEEEEE")
    if skipped:
        ax.text(0, -0.16, "not plotted (no index yet): " + ", ".join(skipped[:12])
                + (" ..." if len(skipped) > 12 else ""), transform=ax.transAxes, fontsize=8,
                color=MUTED)


# -- project pages ----------------------------------------------------------------------------

KEY_FIGURES = (("BAC", "money", "BAC"), ("PV", "money", "PV"), ("EV", "money", "EV"),
               ("AC", "money", "AC"), ("CV", "money", "CV"), ("CVPct", "fraction", "CV %"),
               ("SV", "money", "SV"), ("SVPct", "fraction", "SV %"), ("CPI", "index", "CPI"),
               ("SPI", "index", "SPI"), ("SPIt", "index", "SPI(t)"), ("TCPI", "index", "TCPI"),
               ("EAC", "money", "EAC"), ("ETC", "money", "ETC"), ("VAC", "money", "VAC"),
               ("ForecastFinish", "date", "Forecast finish"))


def _project_page(fig: Any, report: Report, row: dict[str, Any]) -> None:
    pid = str(row["ProjectID"])
    name = row.get("ProjectName")
    details = [str(row.get("Portfolio") or "")]
    projects = report.projects
    if projects is not None and len(projects):
        match = projects[projects["ProjectID"].astype(str) == pid]
        if len(match):
            first = match.iloc[0]
            details += [f"{c.lower()} {first[c]}" if c == "Status" else f"{c}: {first[c]}"
                        for c in ("Manager", "Status")
                        if c in first and isinstance(first[c], str) and first[c].strip()]
    details.append(_status(report))
    _header(fig, f"{pid}  {name}" if isinstance(name, str) and name else pid,
            "  ·  ".join(d for d in details if d))
    for i, (label, col) in enumerate((("Cost", "CostRAG"), ("Schedule", "ScheduleRAG"))):
        rag = str(row.get(col))
        _badge(fig, 0.72 + i * 0.13, 0.935, f"{label}: {rag}",
               RAG_COLOURS.get(rag, (INK, "#F2F2F2")))
    if _flag(row.get("BACAtRisk")) is True:
        _badge(fig, 0.72, 0.87, "Budget at risk (TCPI > CPI + 0.10)", RAG_COLOURS["Red"],
               size=10)
    _key_figures(fig.add_axes((0.04, 0.06, 0.23, 0.76)), report, row)
    curve = report.scurves().get(pid)
    trend = report.outputs.get(TREND)
    has_trend = trend is not None and (trend["ProjectID"].astype(str) == pid).any()
    box = (0.37, 0.40, 0.59, 0.42) if has_trend else (0.37, 0.10, 0.59, 0.72)
    _scurve(fig.add_axes(box), report, row, curve)
    if has_trend:
        _eac_trend(fig.add_axes((0.37, 0.07, 0.27, 0.22)), trend, row, pid)
        index = report.per_project("index-trend").get(pid)
        if index is not None:
            _index_trend(fig.add_axes((0.69, 0.07, 0.27, 0.22)), index)


def _badge(fig: Any, x: float, y: float, text: str, colours: tuple[str, str],
           size: int = 12) -> None:
    ink, fill = colours
    fig.text(x, y, text, fontsize=size, fontweight="bold", color=ink, va="center",
             bbox={"boxstyle": "round,pad=0.4", "fc": fill, "ec": ink})


def key_figure_lines(report: Report, row: dict[str, Any]) -> list[tuple[str, str]]:
    """The project page's key figures as (label, printed value): tblEVM's figures, then the
    EAC range EACLow – EAC – EACHigh and BAC at risk when tblEVM has those columns (a range
    label of "" continues the line above: the range is too wide for one line)."""
    cur = _currency(report)
    lines = [(label, _text(row[c], k, cur if k == "money" else ""))
             for c, k, label in KEY_FIGURES if c in row]
    if "EACLow" in row and "EACHigh" in row:
        confidence = f"{float(report.settings.ForecastConfidence):.0%}"
        low, high = row["EACLow"], row["EACHigh"]
        if number(low) is not None and number(high) is not None:
            value = (f"{_text(low, 'money', cur)} – {_text(row['EAC'], 'money', cur)} – "
                     f"{_text(high, 'money', cur)}")
        elif low is XLError.NA:
            value = "#N/A: fewer than 3 months of progress"
        else:
            value = _text(low, "money", cur)
        lines += [(f"EAC range ({confidence}): low – EAC – high", ""), ("", value)]
    if "BACAtRisk" in row:
        risk = _flag(row["BACAtRisk"])
        shown = ("YES" if risk else "no") if isinstance(risk, bool) else _text(risk)
        lines.append(("BAC at risk (TCPI − CPI > 0.10)", shown))
    return lines


def _flag(value: Any) -> Any:
    """A TRUE/FALSE cell as a Python bool (numpy's too); anything else as it is."""
    return bool(value) if isinstance(value, bool | np.bool_) else value


def _key_figures(ax: Any, report: Report, row: dict[str, Any]) -> None:
    ax.axis("off")
    ax.set_title("Key figures", loc="left", fontsize=12, fontweight="bold")
    lines = key_figure_lines(report, row)
    step = min(0.055, 0.97 / max(len(lines), 1))
    for i, (label, value) in enumerate(lines):
        y = 0.97 - i * step
        ax.text(0.0, y, label, fontsize=10, color=MUTED, transform=ax.transAxes)
        at_risk = label.startswith("BAC at risk") and value == "YES"
        ax.text(1.0, y, value, fontsize=10, ha="right", transform=ax.transAxes,
                color=RAG_COLOURS["Red"][0] if at_risk else INK,
                fontweight="bold" if label in ("EAC", "CPI", "SPI(t)") or at_risk
                or not label else "normal")


def _month_ends(periods: pd.Series) -> pd.Series:
    """Months (their first days) -> their last days: a cumulative amount is as at month end."""
    return pd.to_datetime(periods) + pd.offsets.MonthEnd(0)


def _money_axis(ax: Any, ticks: int = 10) -> None:
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(AutoDateLocator(maxticks=ticks))
    ax.xaxis.set_major_formatter(DateFormatter("%b %y"))
    ax.grid(True, color="#EEEEEE")
    ax.spines[["top", "right"]].set_visible(False)


def _scurve(ax: Any, report: Report, row: dict[str, Any], curve: Figure | None) -> None:
    ax.set_title("S-curve (cumulative)", loc="left", fontsize=12, fontweight="bold")
    if curve is None:
        ax.text(0.5, 0.5, "no plan, actual or forecast months", ha="center",
                transform=ax.transAxes, color=MUTED)
        ax.axis("off")
        return
    frame = curve.frame
    months = _month_ends(frame["Period"])  # cumulative to the end of each month
    for col in frame.columns[1:]:
        values = pd.to_numeric(frame[col], errors="coerce")
        ax.plot(months, values, color=LINES.get(col, INK), lw=2.2, label=col,
                ls="--" if col == "Forecast" else "-")
    fc = report.outputs.get(tables.FORECAST_OUT.name)
    if fc is not None:
        band = fc[(fc["ProjectID"].astype(str) == str(row["ProjectID"]))
                  & (fc["Kind"].astype(str) == "Forecast")]
        low = pd.to_numeric(band["Low"].map(number), errors="coerce")
        high = pd.to_numeric(band["High"].map(number), errors="coerce")
        if len(band) and low.notna().any():
            ax.fill_between(_month_ends(band["Period"]), low, high, color="#D9D9D9",
                            alpha=0.6, label="Forecast range", lw=0)
    status = pd.Timestamp(report.settings.StatusDate)
    ax.axvline(status, color="#7F7F7F", lw=1, ls=":")
    ax.text(status, 1.0, " status date", transform=ax.get_xaxis_transform(), fontsize=8,
            color=MUTED, va="top")
    bac, eac = number(row.get("BAC")), number(row.get("EAC"))
    if bac is not None:
        ax.axhline(bac, color=LINES["Baseline"], lw=0.8, ls="--")
        ax.text(months.min(), bac, " BAC", fontsize=8, color=LINES["Baseline"], va="bottom")
    if eac is not None:
        at = months.max()
        low, high = number(row.get("EACLow")), number(row.get("EACHigh"))
        if low is not None and high is not None:  # the range, whichever way round
            ax.vlines([at], min(low, high), max(low, high), color=LINES["Actual"], lw=1.5,
                      label="EAC range (EACLow to EACHigh)")
            ax.plot([at, at], [low, high], "_", color=LINES["Actual"], ms=14)
        ax.plot([at], [eac], "D", color=LINES["Actual"], label="EAC")
    _money_axis(ax)
    ax.legend(loc="lower right", fontsize=8, frameon=False)  # cumulative curves leave it empty


def _eac_trend(ax: Any, trend: pd.DataFrame, row: dict[str, Any], pid: str) -> None:
    t = trend[trend["ProjectID"].astype(str) == pid]
    ax.plot(_month_ends(t["Period"]), pd.to_numeric(t["EAC"].map(number), errors="coerce"),
            marker="o", color=LINES["Actual"], lw=1.8, label="EAC")
    bac = number(row.get("BAC"))
    if bac is not None:
        ax.axhline(bac, color=LINES["Baseline"], lw=0.8, ls="--", label="BAC")
    ax.set_title("EAC trend", loc="left", fontsize=12, fontweight="bold")
    _money_axis(ax, ticks=6)
    ax.legend(loc="best", fontsize=8, frameon=False)


def _index_trend(ax: Any, figure: Figure) -> None:
    """The Report's CPI and SPI(t) figure of a project: its indices by month and the 1.0
    line (on plan; above is favourable)."""
    frame = figure.frame
    months = _month_ends(frame["Period"])
    # the colours of the native chart's first and second series (Excel's default palette)
    colours = {"CPI": LINES["Baseline"], ON_PLAN: "#7F7F7F"}
    for col in frame.columns[1:]:
        values = pd.to_numeric(frame[col], errors="coerce")
        if col == ON_PLAN:
            ax.axhline(1.0, color=colours[col], lw=1, label="on plan (1.0)")
            continue
        ax.plot(months, values, marker="o", lw=1.8, label=col,
                color=colours.get(col, LINES["Actual"]))
    label = next((c for c in frame.columns[1:] if c not in ("CPI", ON_PLAN)), "SPI(t)")
    ax.set_title(f"CPI and {label}", loc="left", fontsize=12, fontweight="bold")
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.ticker import FormatStrFormatter

    ax.yaxis.set_major_formatter(FormatStrFormatter("%.2f"))
    ax.xaxis.set_major_locator(AutoDateLocator(maxticks=6))
    ax.xaxis.set_major_formatter(DateFormatter("%b %y"))
    ax.grid(True, color="#EEEEEE")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="best", fontsize=8, frameon=False)
