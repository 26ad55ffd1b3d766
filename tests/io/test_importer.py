"""The importer: mapping an export's columns (synonyms, the user's --map, the reference
column), typing its rows, finding the header row below a header block, CSV separators,
text that must stay text."""

from __future__ import annotations

import pandas as pd
import pytest

from xlpmo.contract import tables
from xlpmo.errors import XlpmoError
from xlpmo.io import importer


def export(**columns):
    return pd.DataFrame(columns, dtype=object)


def test_finance_export_maps_to_actuals_and_types_rows():
    e = export(**{"Project Code": ["0042", "P-2", "P-2", "=cmd"],
                  "Posting Date": ["2026-01-15", "15/02/2026", "2026-02-03", "2026-02-01"],
                  "Amount (GBP)": ["1,200.50", "(100)", "50", ""],
                  "Cost Category": ["Labour", "Labour", "Labour", "x"]})
    p = importer.prepare(e)
    assert p.target == "tblActuals"
    assert p.rows["ProjectID"].tolist() == ["0042", "P-2", "P-2"]  # text kept, blank amount out
    assert p.rows["Period"].tolist() == [pd.Timestamp("2026-01-01"),
                                         pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-01")]
    assert p.rows["Actual"].tolist() == [1200.5, -100.0, 50.0]
    assert p.skipped == [(5, "Actual is blank or unreadable ('')")]


def test_timesheet_export_maps_to_timesheets():
    e = export(Employee=["E1", "E1"], Project=["P1", "P1"], Date=["2026-01-05", "2026-01-06"],
               Hours=["7.5", "8"], Billable=["Y", ""])
    p = importer.prepare(e)
    assert p.target == "tblTimesheets"
    assert p.rows.columns.tolist() == tables.TIMESHEETS.column_names
    assert p.rows["Hours"].tolist() == [7.5, 8.0]
    assert p.rows["Billable"].tolist() == [True, None]


def test_missing_required_column_names_it():
    with pytest.raises(XlpmoError, match="Actual"):
        importer.prepare(export(Project=["P1"], Month=["2026-01"]))


@pytest.mark.parametrize(("text", "protected"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("0042", "'0042"), ("2026-01", "'2026-01"), ("1,200", "'1,200"), ("TRUE", "'TRUE"),
    ("#N/A", "'#N/A"), ("'quoted", "''quoted"), ("P-001", "P-001"), ("Labour", "Labour"),
])
def test_protect_text(text, protected):
    assert importer.protect_text(text) == protected




def test_the_header_row_is_found_below_a_header_block():
    rows = [["Actual Line Items"], [], ["Company Code", "1000"], ["Ledger", "0L"], [],
            ["Document Number", "WBS Element", "Posting Date", "Amount in LC"],
            ["49001", "P05", "05.03.2026", "1.500,00"], [], ["49002", "P05", "06.03.2026",
                                                              "250,00-"]]
    export = importer.export_frame(rows)
    assert list(export.columns) == rows[5]
    assert export.attrs["lines"] == [7, 9]  # file rows, the blank row passed over
    p = importer.prepare(export)
    assert p.rows["Actual"].tolist() == [1500.0, -250.0]
    assert p.rows["Period"].tolist() == [pd.Timestamp("2026-03-01")] * 2
    assert p.references == ["49001", "49002"] and p.lines == [7, 9]


def test_without_a_matching_row_the_first_row_is_the_header_and_prepare_says_what_lacks():
    rows = [["Projet", "Montant"], ["P1", "5"]]
    export = importer.export_frame(rows)
    assert list(export.columns) == ["Projet", "Montant"]
    with pytest.raises(XlpmoError, match=r"no column for ProjectID, Period, Actual .*--map"):
        importer.prepare(export)
    p = importer.prepare(export.assign(Mois="2026-01"),
                         overrides={"Projet": "ProjectID", "Montant": "Actual",
                                    "Mois": "Period"})
    assert p.rows[["ProjectID", "Actual"]].values.tolist() == [["P1", 5.0]]


def test_map_overrides_win_and_name_unknown_columns():
    cols = ["Project", "Net", "Amount", "Month"]
    assert importer.map_columns(cols, "tblActuals", {"Net": "Actual"})["Actual"] == "Net"
    assert importer.map_columns(cols, "tblActuals")["Actual"] == "Amount"
    with pytest.raises(XlpmoError, match="tblActuals has no column Amount2"):
        importer.map_columns(cols, "tblActuals", {"Net": "Amount2"})
    with pytest.raises(XlpmoError, match="no column 'Gross' \\(given with --map\\)"):
        importer.map_columns(cols, "tblActuals", {"Gross": "Actual"})


@pytest.mark.parametrize("header", ["Invoice No", "Document Number", "Reference", "Doc. No.",
                                    "Belegnummer", "Voucher No"])
def test_the_reference_column_is_found_by_its_usual_names(header):
    mapping = importer.map_columns(["Project", "Month", "Amount", header], "tblActuals")
    assert mapping[importer.REFERENCE] == header


@pytest.mark.parametrize(("text", "sep"), [
    ("a,b,c\r\n1,2,3\r\n", ","), ("a;b;c\r\n1;2,5;3\r\n", ";"), ("a\tb\tc\r\n1\t2\t3\r\n", "\t"),
    ("Title\r\nCompany;1000\r\n\r\na;b;c\r\n1;2,50;3\r\n4;5,5;6\r\n", ";"),
])
def test_the_separator_is_the_one_giving_rows_of_one_width(text, sep):
    rows = importer.csv_rows(text)
    assert ["a", "b", "c"] in rows
    assert all(len(r) in (0, 1, 2, 3) for r in rows)
    assert rows[-1] == text.strip().splitlines()[-1].split(sep)
