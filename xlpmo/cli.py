"""The ``xlpmo`` command line: new, demo, validate, refresh, import, close-period,
new-project, report, functions, addin.

Exit codes (functions.md): 0 done, 1 findings with errors, 2 could not run (the message says
why; nothing was written). Exit 0 means the figures are right: ``validate``, ``refresh``,
``report`` and ``import`` exit 1 when a finding is an Error or changed a number (a value read
otherwise than typed, or left out), after writing what they could (:func:`findings_exit`)."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from xlpmo import __version__
from xlpmo.app.progress import Progress
from xlpmo.contract import tables
from xlpmo.errors import Finding, InputError, WriteConflict, XLError, XlpmoError

__all__ = [
    "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "build_parser", "findings_exit", "format_table",
    "group_findings", "main", "print_dashboard",
]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fmt(value: object, kind: str) -> str:
    if isinstance(value, XLError):
        return value.value
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if kind in ("money", "hours"):
        return f"{value:,.0f}"
    if kind in ("index", "periods", "number"):
        return f"{value:.2f}"
    if kind == "fraction":
        return f"{value:.1%}"
    if kind in ("date", "period") and isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d" if kind == "date" else "%b %Y")
    return str(value)


def format_table(df: pd.DataFrame, spec: tables.TableSpec, columns: Sequence[str]) -> str:
    """A plain-text table of ``columns`` of an output table, numbers right-aligned."""
    kinds = {c: spec.column(c).kind for c in columns}
    cells = [[_fmt(v, kinds[c]) for c, v in zip(columns, row, strict=True)]
             for row in df[list(columns)].itertuples(index=False)]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    right = [k not in ("text", "id") for k in kinds.values()]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w)
                         for v, w, r in zip(values, widths, right, strict=True)).rstrip()

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


_FIGURES = re.compile(r"-?\d[\d,.]*")


def group_findings(findings: Sequence[Finding]) -> list[str]:
    """Console lines for findings: those that differ only in their figures (``25 hours in one
    day``, ``30 hours in one day``) are one line naming how many and the first cells."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.severity, f.table, _FIGURES.sub("#", f.message)), []).append(f)
    lines = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            lines.append(str(first))
            continue
        cells = ", ".join(f.cell for f in same[:3]) + (", ..." if len(same) > 3 else "")
        lines.append(f"{first.severity}: {len(same)} cells ({cells}): {first.message}"
                     + ("" if all(f.message == first.message for f in same) else " (and alike)"))
    return lines


def _print_findings(findings, limit: int = 20) -> None:
    lines = group_findings(findings)
    for line in lines[:limit]:
        print(f"  {line}")
    if len(lines) > limit:
        print(f"  ... and {len(lines) - limit} more (all of them are in tblChecks)")


def _summary(result) -> None:
    errors, warnings = result.errors, result.warnings
    print(f"{result.path.name}: {len(errors)} error(s), {len(warnings)} warning(s)")
    _print_findings(errors + warnings)


def findings_exit(findings: Sequence[Finding], *, wrote: bool = True) -> int:
    """1 (:data:`EXIT_FINDINGS`) when a finding is an Error or changed a number (a value read
    otherwise than typed, or left out): the figures leave something out, so the exit code
    must not say "done". Else 0. With ``wrote``, a last line says the file was written
    anyway and where the findings are."""
    bad = [f for f in findings if f.severity == "Error" or f.changed_number]
    if not bad:
        return EXIT_OK
    if wrote:
        print(f"exit 1: {len(bad)} finding(s) left a value out of the figures or read it "
              "otherwise than typed; the file was written with them listed in tblChecks")
    return EXIT_FINDINGS


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 1 when a finding is an Error or changed a number, else 0."""
    from xlpmo.app.pipeline import validate_file

    result = validate_file(args.path, args.status_date, Progress(2, enabled=not args.quiet))
    _summary(result)
    return findings_exit(result.findings, wrote=False)


def cmd_refresh(args: argparse.Namespace) -> int:
    from xlpmo.app.pipeline import refresh_file

    progress = Progress(10, enabled=not args.quiet)
    result = refresh_file(args.path, status_date=args.status_date, backup=not args.no_backup,
                          progress=progress)
    seconds = progress.done()
    _summary(result)
    sizes = ", ".join(f"{name} {len(df)} rows" for name, df in result.outputs.items())
    print(f"refreshed {result.path} in {seconds:.1f} s: {sizes}")
    if result.backup:
        print(f"previous version kept as {result.backup}")
    return findings_exit(result.findings)


def cmd_report(args: argparse.Namespace) -> int:
    from xlpmo.app.report import report_file

    progress = Progress(11 if args.pdf else 10, enabled=not args.quiet)
    result = report_file(args.path, pdf=args.pdf, status_date=args.status_date,
                         backup=not args.no_backup, progress=progress)
    seconds = progress.done()
    errors = [f for f in result.findings if f.severity == "Error"]
    warnings = [f for f in result.findings if f.severity == "Warning"]
    print(f"{result.path.name}: {len(errors)} error(s), {len(warnings)} warning(s) in the "
          "inputs (`xlpmo validate` lists them; rows with errors are left out)")
    _print_findings(errors + warnings)
    print(f"wrote the Report sheet into {result.path} in {seconds:.1f} s: "
          f"{len(result.charts)} chart(s)")
    for note in result.report.notes:
        print(f"  {note}")
    if result.pdf is not None:
        print(f"wrote {result.pdf}: {result.pages} page(s), the portfolio and one per project")
    if result.backup:
        print(f"previous version kept as {result.backup}")
    return findings_exit(result.findings)


def cmd_new(args: argparse.Namespace) -> int:
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import example_rows

    path = Path(args.path)
    if path.exists() and not args.force:
        raise WriteConflict(f"{path} exists: choose another name or pass --force")
    build_workbook(path, example_rows())
    print(f"created {path} (the standard PMO workbook with example rows)")
    return EXIT_OK


def print_dashboard(outputs: dict[str, pd.DataFrame], status_date: pd.Timestamp) -> None:
    """Print the portfolio EVM and the utilisation of the last months up to the status date."""
    portfolio = outputs[tables.PORTFOLIO.name]
    print("\nPortfolio earned value")
    print(format_table(portfolio, tables.PORTFOLIO, tables.PORTFOLIO.column_names))
    _print_at_risk(outputs[tables.EVM.name])
    util = outputs.get(tables.UTILISATION.name)
    if util is not None and len(util):
        by_month = util.groupby("Period", as_index=False)[
            ["CapacityHours", "AllocatedHours", "ActualHours", "BillableHours"]].sum()
        from xlpmo.core.arith import divide

        by_month["Utilisation"] = divide(by_month["ActualHours"], by_month["CapacityHours"])
        by_month["BillableUtilisation"] = divide(by_month["BillableHours"],
                                                 by_month["CapacityHours"])
        by_month["Allocation"] = divide(by_month["AllocatedHours"], by_month["CapacityHours"])
        past = by_month[by_month["Period"] <= status_date].tail(6)
        print(f"\nResource utilisation, last {len(past)} months to the status date "
              f"({util['ResourceID'].nunique()} resources)")
        cols = ["Period", "CapacityHours", "AllocatedHours", "ActualHours", "Allocation",
                "Utilisation", "BillableUtilisation"]
        print(format_table(past, tables.UTILISATION, cols))


def print_red_projects(evm: pd.DataFrame, settings) -> None:
    """Which projects are Red, and why (the index and the threshold it fell below)."""
    from xlpmo.core.rag import red_reasons

    red = red_reasons(evm, settings)
    print(f"\nRed projects: {len(red)} of {len(evm)}")
    for pid, name, reasons in red:
        print(f"  {pid} {name}: {'; '.join(reasons)}")


def default_demo_dir() -> Path:
    """Where ``xlpmo demo`` writes without a folder: ``xlpmo-demo`` in the user's home, so
    running it inside a checkout leaves nothing there."""
    return Path.home() / "xlpmo-demo"


def worst_gaps(plan: pd.DataFrame, status_date: pd.Timestamp, n: int = 3) -> pd.DataFrame:
    """The ``n`` groups most short of people after the status month: each group's month of
    the most negative GapHours, worst first (groups with no shortage left out)."""
    status = pd.Timestamp(status_date).to_period("M").to_timestamp()
    ahead = plan[(plan["Period"] > status) & (plan["GapHours"] < 0)]
    worst = ahead.sort_values(["GapHours", "Group", "Period"], kind="stable")
    return worst.drop_duplicates("Group").head(n)


def print_capacity_gaps(outputs: dict[str, pd.DataFrame], status_date: pd.Timestamp) -> None:
    """Print the three worst gaps of tblCapacityPlan after the status month."""
    plan = outputs.get(tables.CAPACITY_PLAN.name)
    if plan is None or plan.empty:
        return
    worst = worst_gaps(plan, status_date)
    if worst.empty:
        print("\nCapacity plan: no group is short of people after the status month")
        return
    print("\nCapacity plan: the three worst gaps after the status month (demand above "
          "capacity; the whole plan is on the CapacityPlan sheet)")
    cols = ["Group", "Period", "Headcount", "CapacityHours", "DemandHours", "GapHours",
            "Utilisation", "RAG"]
    print(format_table(worst, tables.CAPACITY_PLAN, cols))


def _print_at_risk(evm: pd.DataFrame) -> None:
    """The projects whose budget is at risk (tblEVM BACAtRisk: TCPI above CPI by more than
    0.10), with their EAC range and latest finish."""
    risk = evm[evm["BACAtRisk"].map(lambda v: v is True)]
    if risk.empty:
        print("\nNo project needs markedly better cost performance than to date to meet "
              "its budget (BACAtRisk)")
        return
    print(f"\nBudget at risk (TCPI above CPI by more than 0.10): {len(risk)} of {len(evm)} "
          "projects, with the EAC range and the latest finish (Lipke's statistical method)")
    cols = ["ProjectID", "ProjectName", "BAC", "CPI", "TCPI", "EAC", "EACLow", "EACHigh",
            "FinishHigh"]
    print(format_table(risk, tables.EVM, cols))


def cmd_demo(args: argparse.Namespace) -> int:
    from xlpmo.app.pipeline import refresh_file
    from xlpmo.template.builder import build_workbook
    from xlpmo.template.sample import sample_portfolio

    folder = Path(args.dir) if args.dir else default_demo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / "PMO_Sample.xlsx").absolute()
    progress = Progress(11, enabled=not args.quiet)
    progress("building the sample portfolio workbook")
    build_workbook(path, sample_portfolio())
    result = refresh_file(path, backup=False, progress=progress)
    seconds = progress.done()
    print_dashboard(result.outputs, result.inputs.settings.StatusDate)
    print_red_projects(result.outputs[tables.EVM.name], result.inputs.settings)
    print_capacity_gaps(result.outputs, result.inputs.settings.StatusDate)
    print(f"\nwrote {path} (refreshed in {seconds:.1f} s; "
          f"{len(result.errors)} error(s), {len(result.warnings)} warning(s) in tblChecks)")
    print(f"next: open it in Excel, or run `xlpmo refresh {path}` after changing inputs")
    return EXIT_OK


def _session(args: argparse.Namespace, steps: int):
    from xlpmo.app.session import FileSession

    progress = Progress(steps, enabled=not args.quiet)
    return FileSession.writing(args.path, backup=not args.no_backup,
                               progress=progress), progress


def _saved(session) -> None:
    if session.backup_path:
        print(f"previous version kept as {session.backup_path}")


def _parse_maps(pairs: Sequence[str]) -> dict[str, str]:
    """``--map "Export column=ContractColumn"`` options -> {export column: contract column}."""
    out: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise InputError(f'--map {pair!r}: write it as "Export column=ContractColumn"')
        out[source.strip()] = target.strip()
    return out


def cmd_import(args: argparse.Namespace) -> int:
    from xlpmo.app.commands import Export, import_export

    overrides = _parse_maps(args.map)
    export = Export.from_file(args.export, args.into, overrides)
    session, progress = _session(args, 4)
    done = import_export(session, export, args.into, overrides)
    progress.done()
    print(done.message)
    for line in done.details:
        print(f"  {line}")
    _print_findings(done.findings)
    _saved(session)
    code = findings_exit(done.findings)
    if done.left_out and code == EXIT_OK:  # the table holds less than the export says
        print(f"exit 1: {done.left_out} posting(s) of the export could not be read and were "
              "left out")
        return EXIT_FINDINGS
    return code


def cmd_close_period(args: argparse.Namespace) -> int:
    from xlpmo.app.commands import close_period

    session, progress = _session(args, 4)
    done = close_period(session)
    progress.done()
    print(done.message)
    _print_findings(done.findings)
    _saved(session)
    return findings_exit(done.findings)


def cmd_new_project(args: argparse.Namespace) -> int:
    from xlpmo.app.commands import NewProject, new_project

    session, progress = _session(args, 2)
    done = new_project(session, NewProject(
        args.id, args.name, args.portfolio, args.manager, args.status, args.start,
        args.finish, args.bac))
    progress.done()
    print(done.message)
    _print_findings(done.findings)
    _saved(session)
    return findings_exit(done.findings)


def cmd_functions(args: argparse.Namespace) -> int:
    from xlpmo_udfs.catalogue import catalogue

    entries = catalogue()
    if args.json:
        print(json.dumps(entries, indent=2))
        return EXIT_OK
    for e in entries:
        params = ", ".join(f"[{p['name']}]" if p["optional"] else p["name"]
                           for p in e["parameters"])
        print(f"{e['excel_name']}({params})  classic: {e['classic_name']}\n"
              f"    {e['description']}")
    return EXIT_OK


def cmd_addin(args: argparse.Namespace) -> int:
    from xlpmo_udfs import addin_build

    if args.action == "build":
        path = addin_build.build_addin(Path(args.out))
        print(f"built {path}")
    else:
        print(addin_build.install_addin())
    return EXIT_OK


class _Help(argparse.HelpFormatter):
    """Wraps descriptions line by line and keeps indented lines (the examples) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return "\n".join(indent + line if line.startswith(" ") or not line else
                         textwrap.fill(line, width, initial_indent=indent,
                                       subsequent_indent=indent)
                         for line in text.splitlines())


def _verb(sub, name: str, func, helptext: str, description: str, epilog: str,
          backup: bool = True) -> argparse.ArgumentParser:
    """A verb on one workbook file: ``BOOK``, ``--quiet`` and (when it writes) ``--no-backup``."""
    s = sub.add_parser(name, help=helptext, description=description, epilog=epilog,
                       formatter_class=_Help)
    s.add_argument("path", metavar="BOOK")
    s.add_argument("--quiet", action="store_true", help="no progress lines")
    if backup:
        s.add_argument("--no-backup", action="store_true",
                       help="do not keep the previous version as a backup")
    s.set_defaults(func=func)
    return s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xlpmo", description=__doc__, formatter_class=_Help)
    p.add_argument("--version", action="version", version=f"xlpmo {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("new", help="create a new standard PMO workbook")
    s.add_argument("path")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("demo", help="write and refresh the bundled sample portfolio",
                       description="Build the 25-project sample portfolio workbook, refresh "
                       "it, print the portfolio, the utilisation and the Red projects.",
                       epilog="example:\n  xlpmo demo ~/Documents/xlpmo-demo   (default folder: "
                       "~/xlpmo-demo)", formatter_class=_Help)
    s.add_argument("dir", nargs="?", default=None,
                   help="folder for PMO_Sample.xlsx (default: xlpmo-demo in your home folder)")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    for name, func, helptext, example in (
        ("validate", cmd_validate,
         "check a workbook's inputs (exit 1 on errors or when a value was not read as typed)",
         "xlpmo validate PMO_Tracker.xlsx"),
        ("refresh", cmd_refresh, "recompute and write the output tables, in place",
         "xlpmo refresh PMO_Tracker.xlsx --status-date 2026-10-31"),
    ):
        s = _verb(sub, name, func, helptext, helptext, f"example:\n  {example}",
                  backup=name == "refresh")
        s.add_argument("--status-date", help="data date to use instead of tblConfig's StatusDate")

    s = _verb(
        sub, "import", cmd_import,
        "add a finance or timesheet export to tblActuals / tblTimesheets",
        "Add a CSV / XLSX export's rows to tblActuals (wide layout: the amounts are added to "
        "the month cells) or tblTimesheets, exactly once: rows recorded in tblImportLog by an "
        "earlier import (by the export's reference column, such as an invoice or document "
        "number, else by the whole row) are skipped. A header block above the export's table "
        "is passed over; imported text never becomes a formula.",
        'examples:\n  xlpmo import PMO_Tracker.xlsx finance_march.csv\n'
        '  xlpmo import PMO_Tracker.xlsx sap_export.txt --map "Document Number=Reference" '
        '--map "WBS Element=ProjectID"\n'
        "  xlpmo import PMO_Tracker.xlsx timesheets.xlsx --into tblTimesheets")
    s.add_argument("export", metavar="EXPORT", help="the export: .csv, .txt or .xlsx")
    s.add_argument("--into", choices=["tblActuals", "tblTimesheets"],
                   help="the table to add to (default: tblTimesheets when the export has "
                   "hours and a resource, else tblActuals)")
    s.add_argument("--map", action="append", default=[], metavar='"EXPORT COLUMN=COLUMN"',
                   help="which export column is which contract column (ProjectID, Period, "
                   "CostType, Actual, ResourceID, Date, Hours, Billable, or Reference); "
                   "repeat for each column")

    _verb(sub, "close-period", cmd_close_period,
          "snapshot tblEVM into tblHistory, move StatusDate on a month",
          "Copy tblEVM, computed at the status date, into tblHistory (with the time it was "
          "closed) and move tblConfig's StatusDate to the end of the next month.",
          "example:\n  xlpmo close-period PMO_Tracker.xlsx")

    s = _verb(
        sub, "new-project", cmd_new_project,
        "add a project to tblProjects and its plan rows to tblPlan",
        "Add a project row to tblProjects and its plan rows to tblPlan (wide layout: one "
        "row, months blank; long layout: one row per month from start to finish). Without "
        "--id the next ID in the book's pattern is used (P-004 after P-003).",
        'example:\n  xlpmo new-project PMO_Tracker.xlsx --id PRJ-104 --name "CRM upgrade" '
        "--bac 250000 --start 2026-11-01 --finish 2027-06-30")
    s.add_argument("--id", help="the ProjectID (default: the next in the book's pattern)")
    s.add_argument("--name", help="the ProjectName")
    s.add_argument("--bac", help="budget at completion (money)")
    s.add_argument("--start", help="BaselineStart (a date, such as 2026-11-01)")
    s.add_argument("--finish", help="BaselineFinish (a date)")
    s.add_argument("--portfolio")
    s.add_argument("--manager")
    s.add_argument("--status", help="Not started, Active, On hold or Closed")

    s = _verb(
        sub, "report", cmd_report,
        "write the Report sheet (native charts) and optionally a PDF pack",
        "Write the Report sheet into BOOK: native Excel charts (portfolio CPI/SPI, projects CPI "
        "against SPI(t), an S-curve per project, utilisation heatmap) over figures computed from "
        "the inputs. Running it again replaces the Report sheet it made; nothing else in the "
        "workbook changes. With --pdf, also a printable pack: a portfolio page and one page per "
        "project.",
        "example:\n  xlpmo report PMO_Tracker.xlsx --pdf portfolio-pack.pdf")
    s.add_argument("--pdf", metavar="FILE", help="also write the portfolio pack as a PDF")
    s.add_argument("--status-date", help="data date to use instead of tblConfig's StatusDate")

    s = sub.add_parser("functions", help="list the worksheet functions")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_functions)

    s = sub.add_parser("addin", help="build or install the classic Excel add-in")
    s.add_argument("action", choices=["build", "install"])
    s.add_argument("--out", default=".", help="folder for `build`")
    s.set_defaults(func=cmd_addin)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except XlpmoError as exc:
        print(f"\nxlpmo: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `xlpmo functions | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nxlpmo: interrupted; nothing was written", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if args.debug or os.environ.get("XLPMO_DEBUG"):
            raise
        print(f"\nxlpmo: unexpected {type(exc).__name__}: {exc}\n"
              "(nothing was written; run with --debug for details and please report it)",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
