"""The words of the template: header notes of every contract column, the settings' help,
the Start sheet, and the worksheet functions shown on the Live sheet."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COLUMN_NOTES", "LIVE_EXAMPLES", "LIVE_INPUTS", "LIVE_SERIES", "MONTH_NOTES", "SETTING_KINDS",
    "SETTING_NOTES", "START_LINES", "UDF_PREFIX", "LiveExample", "lite_formula",
]

UDF_PREFIX = "_xldudf_PMO_"  # how Excel stores an Office.js custom function PMO.NAME


# -- column notes (from shared/spec/workbook.md) ---------------------------------------------

_PROJECT = "Project key from tblProjects."
_RESOURCE = "Resource key from tblResources."
_MONTH = "Month: any date in it stands for the month."
COLUMN_NOTES: dict[str, dict[str, str]] = {
    "tblConfig": {
        "Setting": "Name of a setting (list and defaults on the right). Other rows are kept.",
        "Value": "The setting's value. Blank = the default.",
    },
    "tblProjects": {
        "ProjectID": "Required. Unique project key, never blank (e.g. PRJ-101). The other "
        "tables refer to projects by it.",
        "ProjectName": "Display name of the project.",
        "Portfolio": "Group for the roll-up in tblPortfolio on the Dashboard.",
        "Manager": "Project manager.",
        "Status": "Not started, Active, On hold or Closed.",
        "BaselineStart": "Baseline start date. Blank = first month with a Planned amount.",
        "BaselineFinish": "Baseline finish date. Blank = last month with a Planned amount.",
        "BAC": "Budget at completion (money). Blank = sum of the project's Planned amounts.",
    },
    "tblPlan": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External, Re-plan.",
        "Planned": "Planned amount in the month (long layout). Blank = 0.",
    },
    "tblActuals": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External.",
        "Actual": "Actual cost in the month (long layout). Blank = 0.",
    },
    "tblForecast": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": _MONTH + " (long layout)",
        "CostType": "Optional split of the amounts, e.g. Labour, External.",
        "Forecast": "Forecast amount in the month (long layout). Blank = 0.",
    },
    "tblProgress": {
        "ProjectID": "Required. " + _PROJECT,
        "Period": "Required. " + _MONTH,
        "PercentComplete": "Cumulative physical % complete at the end of the month (0-100%). "
        "EV = % complete x BAC at the latest row at or before the status month.",
        "Earned": "Or: cumulative earned value in money (instead of PercentComplete).",
    },
    "tblResources": {
        "ResourceID": "Required. Unique resource key (e.g. R001).",
        "Name": "Person's name.",
        "Role": "Role, e.g. Developer.",
        "Team": "Team, e.g. Engineering.",
        "FTE": "Fraction of the full-time week worked (0.5 = half time). Blank = 1.",
        "HoursPerWeek": "Full-time hours per week. Blank = 5 x HoursPerDay (tblConfig).",
        "CostRate": "Cost per hour (money).",
        "Country": "Country code (GB, DE, US, FR ...): picks the public holidays.",
        "StartDate": "First working day on the team. Blank = always.",
        "EndDate": "Last working day on the team. Blank = open.",
    },
    "tblHolidays": {
        "Date": "Required. The day off.",
        "Country": "Country the holiday applies to. Blank = everyone (company day).",
        "Name": "Name of the holiday.",
    },
    "tblLeave": {
        "ResourceID": "Required. " + _RESOURCE,
        "Start": "Required. First day of leave.",
        "End": "Required. Last day of leave (inclusive).",
        "Hours": "Hours of leave in the span. Blank = every working day, full day.",
    },
    "tblAllocations": {
        "ResourceID": _RESOURCE + " Leave blank and give a Role for unnamed demand "
        "(a person not named yet).",
        "Role": "For unnamed demand: the role needed, e.g. Developer (as in tblResources). "
        "With a ResourceID: optional, the resource's role.",
        "ProjectID": "Required. " + _PROJECT,
        "Period": "Required. " + _MONTH,
        "Hours": "Planned hours in the month (or use Percent).",
        "Percent": "Or: % of the resource's capacity in the month (above 100% is "
        "over-allocation). Unnamed demand: % of one full-time person (200% = two).",
    },
    "tblTimesheets": {
        "ResourceID": "Required. " + _RESOURCE,
        "ProjectID": "Required. " + _PROJECT,
        "Date": "Required. Day worked.",
        "Hours": "Required. Hours booked.",
        "Billable": "TRUE or FALSE. Blank = TRUE.",
    },
    "tblMilestones": {
        "ProjectID": "Required. " + _PROJECT,
        "Milestone": "Required. Name of the milestone.",
        "BaselineDate": "Date in the baseline.",
        "ForecastDate": "Current forecast date. Slippage is counted in working days.",
        "ActualDate": "Date achieved. Blank = not yet.",
    },
    "tblEVM": {
        "ProjectID": "Project key.",
        "ProjectName": "Project name.",
        "Portfolio": "Portfolio of the project.",
        "StatusDate": "Data date of the figures (StatusDate in tblConfig).",
        "BAC": "Budget at completion (money).",
        "PV": "Planned value: cumulative Planned to the status month (money).",
        "EV": "Earned value: % complete x BAC, or Earned, at the status month (money).",
        "AC": "Actual cost: cumulative Actual to the status month (money).",
        "CV": "Cost variance EV - AC. Positive = under budget.",
        "CVPct": "CV / EV.",
        "SV": "Schedule variance EV - PV. Positive = ahead of plan.",
        "SVPct": "SV / PV.",
        "CPI": "Cost performance index EV / AC. Above 1 = under budget.",
        "SPI": "Schedule performance index EV / PV. Above 1 = ahead.",
        "ES": "Earned schedule (Lipke), in months from the first planned month.",
        "AT": "Actual time: months from the first planned month to the status month.",
        "SVt": "Schedule variance in time ES - AT (months). Positive = ahead.",
        "SPIt": "Time-based schedule index ES / AT. Above 1 = ahead.",
        "EAC": "Estimate at completion by the EACMethod setting (money).",
        "ETC": "Estimate to complete EAC - AC (money).",
        "VAC": "Variance at completion BAC - EAC. Positive = under budget.",
        "TCPI": "To-complete performance index (BAC - EV) / (BAC - AC).",
        "ForecastFinish": "Forecast finish date from earned schedule.",
        "CostRAG": "Green / Amber / Red: CPI against CPIAmber and CPIRed.",
        "ScheduleRAG": "Green / Amber / Red: SPIt or SPI (ScheduleIndex) against SPIAmber "
        "and SPIRed.",
        "EACLow": "Low end of the EAC range (Lipke's statistical method, ForecastConfidence): "
        "AC + (BAC - EV) / high CPI bound. #N/A with fewer than 3 months of progress.",
        "EACHigh": "High end of the EAC range: AC + (BAC - EV) / low CPI bound.",
        "FinishLow": "Earliest finish of the range: from the high SPIt bound.",
        "FinishHigh": "Latest finish of the range: from the low SPIt bound.",
        "BACAtRisk": "TRUE when TCPI exceeds CPI by more than 0.10 (or the budget is spent with "
        "work left): the budget needs markedly better performance than to date.",
    },
    "tblPortfolio": {
        "Portfolio": "Portfolio (from tblProjects).",
        "BAC": "Sum of the projects' BAC.",
        "PV": "Sum of PV.",
        "EV": "Sum of EV.",
        "AC": "Sum of AC.",
        "CV": "Sum EV - sum AC.",
        "SV": "Sum EV - sum PV.",
        "CPI": "Sum EV / sum AC (money summed first; indices are never averaged).",
        "SPI": "Sum EV / sum PV (money summed first).",
        "EAC": "Sum of the projects' EAC.",
        "VAC": "Sum BAC - sum EAC.",
    },
    "tblVariance": {
        "ProjectID": "Project key.",
        "Period": "Month.",
        "Planned": "Planned in the month.",
        "Actual": "Actual in the month.",
        "Variance": "Planned - Actual. Positive = under plan (favourable).",
        "VariancePct": "Variance / Planned.",
        "CumPlanned": "Running total of Planned.",
        "CumActual": "Running total of Actual.",
        "CumVariance": "CumPlanned - CumActual.",
        "CumVariancePct": "CumVariance / CumPlanned.",
        "RAG": "Green / Amber / Red: |CumVariancePct| against VarianceAmber and VarianceRed.",
    },
    "tblForecastOut": {
        "ProjectID": "Project key.",
        "Period": "Month.",
        "Kind": "Actual (to the status month) or Forecast (after it).",
        "Amount": "Amount in the month.",
        "Cumulative": "Running total of Amount.",
        "Low": "Low end of the forecast band.",
        "High": "High end of the forecast band.",
    },
    "tblUtilisation": {
        "ResourceID": "Resource key.",
        "Period": "Month.",
        "CapacityHours": "Working hours available: working days x hours per day x FTE, less "
        "holidays and leave.",
        "AllocatedHours": "Planned hours from tblAllocations.",
        "ActualHours": "Hours booked in tblTimesheets.",
        "BillableHours": "Billable hours booked.",
        "Utilisation": "ActualHours / CapacityHours.",
        "BillableUtilisation": "BillableHours / CapacityHours.",
        "Allocation": "AllocatedHours / CapacityHours.",
        "OverAllocated": "TRUE when AllocatedHours > CapacityHours.",
    },
    "tblCapacityPlan": {
        "Group": "Role or Team (CapacityBy in tblConfig).",
        "Period": "Month.",
        "Headcount": "People of the group employed in the month, FTE-weighted (a part "
        "month counts in part).",
        "CapacityHours": "Sum of the group's CapacityHours (as tblUtilisation: working days, "
        "holidays, leave, FTE).",
        "NamedDemandHours": "Hours allocated to the group's resources.",
        "UnnamedDemandHours": "Hours of allocations by Role with no ResourceID (people not "
        "named yet).",
        "DemandHours": "NamedDemandHours + UnnamedDemandHours.",
        "GapHours": "CapacityHours - DemandHours. Negative = short of people.",
        "Utilisation": "DemandHours / CapacityHours.",
        "RAG": "Red: demand above capacity. Amber: Utilisation above UtilisationTarget + 10% "
        "or below UtilisationTarget - 20%. Else Green.",
    },
    "tblTrend": {
        "ProjectID": "Project key.",
        "Period": "Month with a progress row, up to the status month.",
        "PV": "Planned value: cumulative Planned to the end of the month.",
        "EV": "Earned value reported for the month.",
        "AC": "Actual cost: cumulative Actual to the end of the month.",
        "CPI": "EV / AC as of the month.",
        "SPI": "EV / PV as of the month.",
        "SPIt": "Earned schedule / actual time as of the month.",
        "PeriodCPI": "CPI of the month alone: change in EV / change in AC since the previous "
        "row.",
        "PeriodSPIt": "Schedule earned per month elapsed since the previous row.",
        "EAC": "Estimate at completion as of the month (EACMethod).",
    },
    "tblChecks": {
        "Severity": "Error, Warning or Info.",
        "Table": "Table with the problem.",
        "Cell": "Sheet and cell, e.g. Plan!D14.",
        "Message": "What is wrong and how to fix it.",
    },
    "tblImportLog": {
        "ImportedAt": "When Import actuals added the rows.",
        "Source": "The export file (or the sheet it was pasted into).",
        "SHA256": "Fingerprint of the export's bytes: the same file gives the same text.",
        "Table": "tblActuals or tblTimesheets.",
        "Rows": "How many export rows this reference stood for.",
        "Reference": "Invoice / document number, or the whole row. Delete a row here to "
                     "import it again.",
    },
}
MONTH_NOTES = {
    "tblPlan": "Planned cost (PV) in this month, not cumulative. Blank = 0; negative = "
    "credit or re-plan. Add a month: a new column headed like 'Jan 2027'.",
    "tblActuals": "Actual cost (AC) in this month, not cumulative. Blank = 0; credits are "
    "negative. Add a month: a new column headed like 'Jan 2027'.",
    "tblForecast": "Bottom-up forecast (ETC) for this month, after the status month. "
    "Blank = 0.",
}
SETTING_NOTES = {
    "StatusDate": "The data date. Blank = today.",
    "Currency": "Display only.",
    "HoursPerDay": "Full-time hours in a working day.",
    "Workweek": "Working days, e.g. Mon-Fri.",
    "EACMethod": "CPI, BUDGET, COMPOSITE, WEIGHTED or BOTTOMUP.",
    "EACWeight": "Weight of CPI in the WEIGHTED method.",
    "ScheduleIndex": "SPIt (earned schedule) or SPI: used for the schedule RAG.",
    "CPIAmber": "CPI below this is Amber.",
    "CPIRed": "CPI below this is Red.",
    "SPIAmber": "Schedule index below this is Amber.",
    "SPIRed": "Schedule index below this is Red.",
    "VarianceAmber": "|Cumulative variance %| above this is Amber.",
    "VarianceRed": "|Cumulative variance %| above this is Red.",
    "UtilisationTarget": "Target utilisation (for the utilisation RAG).",
    "DateOrder": "DMY or MDY: how dates typed as text such as 02/01/2026 read. Blank = "
    "decide from the data (day-first, with a Warning, when it cannot tell).",
    "PlanningHorizon": "Months after the status month covered by tblCapacityPlan.",
    "CapacityBy": "Role or Team: the groups of tblCapacityPlan.",
    "ForecastConfidence": "Confidence of the EAC and finish ranges (0.90 = 90 %).",
}
SETTING_KINDS = {
    "StatusDate": "date", "HoursPerDay": "hours", "EACWeight": "index", "CPIAmber": "index",
    "CPIRed": "index", "SPIAmber": "index", "SPIRed": "index",
    "VarianceAmber": "fraction", "VarianceRed": "fraction", "UtilisationTarget": "fraction",
    "ForecastConfidence": "fraction",
}

START_LINES = (
    "1. Config: set StatusDate (the data date) and the other settings.",
    "2. Projects and Plan: one row per project; phase its budget by month on Plan (one "
    "column per month, amounts per month, not cumulative).",
    "3. Each month: add Actuals (or Import actuals / `xlpmo import PMO_Tracker.xlsx "
    "export.csv`, which adds each export once) and % complete on Progress; optionally "
    "Forecast, Resources, Allocations, Timesheets, Leave, Holidays and Milestones.",
    "4. Refresh (xlpmo ribbon or task pane, or `xlpmo refresh PMO_Tracker.xlsx`) fills "
    "Dashboard, Variance, ForecastOut, Trend, Utilisation, CapacityPlan and Checks.",
    "5. Fix anything listed on Checks; pick a project in Dashboard!B3 to see its S-curve.",
)


# -- the Live sheet --------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveExample:
    """One worksheet function shown at work: ``args`` are A1 references on the Live sheet."""

    name: str
    args: str
    what: str
    spill: bool = False
    kind: str = "number"  # number format of the result cell
    live: bool = True  # False: shown as text only (a whole table that would need room)


LIVE_INPUTS = (  # label, value, kind (rows 5-17, columns B:C)
    ("BAC", 100_000, "money"), ("PV (cumulative)", 40_000, "money"),
    ("EV (cumulative)", 35_000, "money"), ("AC (cumulative)", 36_000, "money"),
    ("Actual time AT (months)", 4, "periods"), ("Project start", "2026-01-01", "date"),
    ("Hours booked", 130, "hours"), ("Capacity hours", 150, "hours"),
    ("Optimistic (days)", 8, "number"), ("Most likely (days)", 10, "number"),
    ("Pessimistic (days)", 15, "number"), ("Amber below", 0.95, "index"),
    ("Red below", 0.90, "index"),
)
LIVE_SERIES = (  # label, values (columns E:K on rows 5-8)
    ("PV per month", (5_000, 10_000, 12_000, 13_000, 20_000, 25_000)),
    ("Actual per month", (6_000, 9_500, 12_500, 8_000)),
    ("Periodic CPI", (0.95, 0.92, 1.01, 0.96)),
    ("EV to date (cumulative)", (4_500, 13_500, 24_500, 35_000)),
)
# C5.. in order of LIVE_INPUTS: BAC=C5 PV=C6 EV=C7 AC=C8 AT=C9 Start=C10 Hours=C11 Cap=C12
# O=C13 M=C14 P=C15 Amber=C16 Red=C17; PV series F5:K5, actual history F6:I6, periodic
# CPI F7:I7, cumulative EV per month F8:I8.
LIVE_EXAMPLES = (
    LiveExample("CV", "C7,C8", "Cost variance EV - AC.", kind="money"),
    LiveExample("SV", "C7,C6", "Schedule variance EV - PV.", kind="money"),
    LiveExample("CPI", "C7,C8", "Cost performance index EV / AC."),
    LiveExample("SPI", "C7,C6", "Schedule performance index EV / PV."),
    LiveExample("EAC", "C5,C7,C8", "Estimate at completion, CPI method: BAC / CPI.",
                kind="money"),
    LiveExample("EAC", 'C5,C7,C8,"COMPOSITE",C6', "EAC = AC + (BAC - EV) / (CPI x SPI).",
                kind="money"),
    LiveExample("ETC", "C5,C7,C8", "Estimate to complete EAC - AC.", kind="money"),
    LiveExample("VAC", "C5,C7,C8", "Variance at completion BAC - EAC.", kind="money"),
    LiveExample("TCPI", "C5,C7,C8", "To-complete performance index (BAC - EV) / (BAC - AC)."),
    LiveExample("ES", "F5:K5,C7", "Earned schedule in months (Lipke)."),
    LiveExample("SVT", "F5:K5,C7,C9", "Schedule variance in time ES - AT."),
    LiveExample("SPIT", "F5:K5,C7,C9", "Time-based schedule index ES / AT."),
    LiveExample("IEACT", "F5:K5,C7,C9", "Forecast duration: planned duration / SPIt."),
    LiveExample("FINISH", "C10,F5:K5,C7,C9", "Forecast finish date from earned schedule.",
                kind="date"),
    LiveExample("VARPCT", "C6,C8", "Variance % (Planned - Actual) / Planned.",
                kind="fraction"),
    LiveExample("RAG", "C7/C8,C16,C17", "Green / Amber / Red for an index."),
    LiveExample("RUNRATE", "F6:I6,3", "Average of the last 3 months.", kind="money"),
    LiveExample("PERT", "C13,C14,C15", "PERT mean (O + 4M + P) / 6."),
    LiveExample("WORKDAYS", 'C10,EOMONTH(C10,0),tblHolidays[Date]', "Working days in a span."),
    LiveExample("CAPACITY", "C10,1,8,tblHolidays[Date]",
                "Capacity hours of a full-time person in the month.", kind="hours"),
    LiveExample("UTILISATION", "C11,C12", "Hours / capacity.", kind="fraction"),
    LiveExample("OVERALLOCATED", "C11,C12", "TRUE where allocated > capacity."),
    LiveExample("PERIOD", "C10+40", "First day of the date's month.", kind="date"),
    LiveExample("VERSION", "", "xlpmo version."),
    LiveExample("FORECAST", 'F6:I6,3,"LINEAR"', "Next 3 months by linear trend (spills).",
                spill=True, kind="money"),
    LiveExample("SCURVE", '100000,6,"BELL"', "Planned cumulative S-curve (spills).",
                spill=True, kind="money"),
    LiveExample("FORECASTRANGE", "F6:I6,3", "Low / High band of the next 3 months (spills).",
                spill=True, kind="money"),
    LiveExample("PHASE", "100000,F5:K5", "Spreads 100,000 in proportion to a profile (spills).",
                spill=True, kind="money"),
    LiveExample("EACRANGE", "C5,C7,C8,F7:I7,6",
                "EAC range (Lipke): EACLow, EACHigh from the periodic CPIs (spills).",
                spill=True, kind="money"),
    LiveExample("FINISHRANGE", "C10,F5:K5,F8:I8",
                "Finish range (Lipke): FinishLow, FinishHigh from the periodic SPIt (spills).",
                spill=True, kind="date"),
    LiveExample("PERIODS", "C10,EOMONTH(C10,5)", "The months between two dates (spills).",
                spill=True, kind="period"),
    LiveExample("VARIANCE", "F5:I5,F6:I6", "Planned - Actual month by month (spills).",
                spill=True, kind="money"),
    LiveExample("VARTABLE", "tblPlan[#All],tblActuals[#All],,tblConfig[#All]",
                "The whole tblVariance table.", spill=True, live=False),
    LiveExample("FORECASTTABLE",
                "tblPlan[#All],tblActuals[#All],tblForecast[#All],,tblConfig[#All],"
                "tblProjects[#All],tblProgress[#All]",
                "The whole tblForecastOut table (scaled to each EAC).", spill=True, live=False),
    LiveExample("UTILTABLE",
                "tblResources[#All],tblTimesheets[#All],tblAllocations[#All],"
                "tblHolidays[#All],tblLeave[#All],,tblConfig[#All]",
                "The whole tblUtilisation table.", spill=True, live=False),
    LiveExample("CAPACITYPLAN",
                "tblResources[#All],tblAllocations[#All],tblHolidays[#All],tblLeave[#All],"
                "tblConfig[#All]",
                "The whole tblCapacityPlan table: demand vs capacity by role or team.",
                spill=True, live=False),
    LiveExample(
        "EVM",
        "tblProjects[#All],tblPlan[#All],tblActuals[#All],tblProgress[#All],,tblConfig[#All]",
        "The whole tblEVM table, live (spills).", spill=True,
    ),
    LiveExample(
        "TREND",
        "tblProjects[#All],tblPlan[#All],tblActuals[#All],tblProgress[#All],,tblConfig[#All]",
        "The whole tblTrend table: each project month by month.", spill=True, live=False,
    ),
)


def lite_formula(name: str, args: str) -> str:
    """The formula text Excel stores for ``=PMO.<name>(<args>)`` (an Office.js function)."""
    return f"={UDF_PREFIX}{name}({args})"
