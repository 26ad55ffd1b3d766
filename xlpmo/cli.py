"""The ``xlpmo`` command line: new, demo, validate, refresh, functions, addin."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from xlpmo import __version__
from xlpmo.app.progress import Progress
from xlpmo.contract import tables
from xlpmo.errors import WriteConflict, XLError, XlpmoError

__all__ = [
    "EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "build_parser", "format_table", "main",
    "print_dashboard",
]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fmt(value: object, kind: str) -> str:
    if isinstance(value, XLError):
        return value.value
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if kind in ("money", "hours"):
        return f"{value:,.0f}"
    if kind in ("index", "periods"):
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


def _print_findings(findings, limit: int = 20) -> None:
    for f in findings[:limit]:
        print(f"  {f}")
    if len(findings) > limit:
        print(f"  ... and {len(findings) - limit} more (all of them are in tblChecks)")


def _summary(result) -> None:
    errors, warnings = result.errors, result.warnings
    print(f"{result.path.name}: {len(errors)} error(s), {len(warnings)} warning(s)")
    _print_findings(errors + warnings)


def cmd_validate(args: argparse.Namespace) -> int:
    from xlpmo.app.pipeline import validate_file

    result = validate_file(args.path, args.status_date, Progress(2, enabled=not args.quiet))
    _summary(result)
    return EXIT_FINDINGS if result.errors else EXIT_OK


def cmd_refresh(args: argparse.Namespace) -> int:
    from xlpmo.app.pipeline import refresh_file

    progress = Progress(9, enabled=not args.quiet)
    result = refresh_file(args.path, status_date=args.status_date, backup=not args.no_backup,
                          progress=progress)
    seconds = progress.done()
    _summary(result)
    sizes = ", ".join(f"{name} {len(df)} rows" for name, df in result.outputs.items())
    print(f"refreshed {result.path} in {seconds:.1f} s: {sizes}")
    if result.backup:
        print(f"previous version kept as {result.backup}")
    return EXIT_OK


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

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "PMO_Sample.xlsx"
    progress = Progress(10, enabled=not args.quiet)
    progress("building the sample portfolio workbook")
    build_workbook(path, sample_portfolio())
    result = refresh_file(path, backup=False, progress=progress)
    seconds = progress.done()
    print_dashboard(result.outputs, result.inputs.settings.StatusDate)
    print(f"\nwrote {path} (refreshed in {seconds:.1f} s; "
          f"{len(result.errors)} error(s), {len(result.warnings)} warning(s) in tblChecks)")
    print(f"next: open it in Excel, or run `xlpmo refresh {path}` after changing inputs")
    return EXIT_OK


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xlpmo", description=__doc__)
    p.add_argument("--version", action="version", version=f"xlpmo {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("new", help="create a new standard PMO workbook")
    s.add_argument("path")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.set_defaults(func=cmd_new)

    s = sub.add_parser("demo", help="write and refresh the bundled sample portfolio")
    s.add_argument("dir", nargs="?", default="xlpmo-demo")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    for name, func, helptext in (
        ("validate", cmd_validate, "check a workbook's inputs (exit 1 on errors)"),
        ("refresh", cmd_refresh, "recompute and write the output tables, in place"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("path")
        s.add_argument("--status-date", help="data date to use instead of tblConfig's StatusDate")
        s.add_argument("--quiet", action="store_true", help="no progress lines")
        if name == "refresh":
            s.add_argument("--no-backup", action="store_true",
                           help="do not keep the previous version as a backup")
        s.set_defaults(func=func)

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
