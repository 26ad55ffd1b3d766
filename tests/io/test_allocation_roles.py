"""tblAllocations' ResourceID or Role (workbook.md v2): reading the rows, and the Warnings
that tblCapacityPlan's groups depend on (validate._roles)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.reader_books import CONFIG, PLAN_LONG, PROJECTS

from xlpmo.contract import tables
from xlpmo.contract.settings import Settings
from xlpmo.errors import Finding
from xlpmo.io.coerce import coerce_inputs
from xlpmo.io.raw import RawTable
from xlpmo.io.validate import validate

BASE = {"tblConfig": CONFIG, "tblProjects": PROJECTS, "tblPlan": PLAN_LONG}
RESOURCES = [["ResourceID", "Role", "Team"], ["R1", "Developer", "Eng"], ["R2", None, "Eng"],
             ["R3", "Test Analyst", "QA"]]
HEAD = ["ResourceID", "Role", "ProjectID", "Period", "Hours", "Percent"]


def read(**tables_rows: list[list[Any]]) -> tuple[Any, list[Finding]]:
    found = {**BASE, **tables_rows}
    raw = {name: RawTable.from_values(rows, f"{tables.spec(name).sheet}!A1", name=name)
           for name, rows in found.items() if rows is not None}
    inputs, findings = coerce_inputs(raw)
    return inputs, [*findings, *validate(inputs, raw)]


def about(findings: list[Finding], severity: str) -> list[tuple[str, str]]:
    return [(f.cell, f.message) for f in findings
            if f.table == "tblAllocations" and f.severity == severity]


def test_a_row_needs_a_resource_or_a_role() -> None:
    inputs, findings = read(tblResources=RESOURCES, tblAllocations=[
        HEAD,
        ["R1", None, "P1", "2026-02", 10, None],  # named
        [None, "Developer", "P1", "2026-03", None, 0.5],  # unnamed demand
        [None, "  ", "P1", "2026-03", 5, None],  # neither: Error, row ignored
        ["#N/A", "Developer", "P1", "2026-03", 7, None],  # unreadable ID: never unnamed
    ])
    alloc = inputs.allocations
    assert list(alloc["ResourceID"]) == ["R1", None]
    assert list(alloc["Role"]) == [None, "Developer"]
    assert about(findings, "Error") == [
        ("Allocations!A5", "#N/A in an input cell; row ignored"),
        ("Allocations!A4", "blank ResourceID and Role; row ignored"),
    ]


def test_a_table_without_resource_or_role_column_is_not_read() -> None:
    inputs, findings = read(tblAllocations=[["ProjectID", "Period", "Hours"],
                                            ["P1", "2026-02", 10]])
    assert inputs.allocations.empty and inputs.has("tblAllocations")
    assert ("tblAllocations", "tblAllocations has no ResourceID or Role column; the table is "
            "not read") in [(f.cell, f.message) for f in findings if f.severity == "Error"]
    # a v1 table (ResourceID, no Role) still reads as before
    inputs, findings = read(tblResources=RESOURCES, tblAllocations=[
        ["ResourceID", "ProjectID", "Period", "Hours"], ["R1", "P1", "2026-02", 10]])
    assert list(inputs.allocations["ResourceID"]) == ["R1"]
    assert about(findings, "Error") == [] and about(findings, "Warning") == []


def test_a_role_other_than_the_resources_is_a_warning_naming_the_cell() -> None:
    _, findings = read(tblResources=RESOURCES, tblAllocations=[
        HEAD,
        ["R1", "developer ", "P1", "2026-02", 10, None],  # the same role, spelt otherwise
        ["R1", "Tester", "P1", "2026-02", 10, None],
        ["R2", "Developer", "P1", "2026-02", 10, None],  # R2 has no Role
        ["R9", "Developer", "P1", "2026-02", 10, None],  # unknown: its own Warning
    ])
    assert about(findings, "Warning") == [
        ("Allocations!A5", "ResourceID 'R9' is not in tblResources (1 row)"),
        ("Allocations!B3", "Role 'Tester' is not the Role of 'R1' in tblResources "
         "('Developer' there); tblCapacityPlan counts the hours in the group of 'R1'"),
        ("Allocations!B4", "Role 'Developer' is not the Role of 'R2' in tblResources "
         "(blank there); tblCapacityPlan counts the hours in the group of 'R2'"),
    ]


def test_unnamed_demand_for_a_role_nobody_has_is_one_warning_per_role() -> None:
    _, findings = read(tblResources=RESOURCES, tblAllocations=[
        HEAD,
        [None, "Data Scientist", "P1", "2026-02", 10, None],
        [None, "developer", "P1", "2026-02", None, 1],  # R1's role: fine
        [None, "data  scientist", "P2", "2026-03", 20, None],
        [None, "Architect", "P1", "2026-03", None, 0.5],
    ])
    assert about(findings, "Warning") == [
        ("Allocations!B2", "unnamed demand for Role 'Data Scientist' (2 rows), which no "
         "resource in tblResources has: tblCapacityPlan shows it as a group with no capacity"),
        ("Allocations!B5", "unnamed demand for Role 'Architect' (1 row), which no resource in "
         "tblResources has: tblCapacityPlan shows it as a group with no capacity"),
    ]


def test_no_role_warnings_without_tblresources() -> None:
    _, findings = read(tblAllocations=[HEAD, [None, "Data Scientist", "P1", "2026-02", 10,
                                              None]])
    assert about(findings, "Warning") == []


@pytest.mark.parametrize(("value", "read_as"), [
    ("Team", "Team"), (" role ", "Role"), ("TEAM", "Team"), ("Portfolio", None)])
def test_capacity_by_setting(value: str, read_as: str | None) -> None:
    settings, findings = Settings.from_pairs([("CapacityBy", value)], ["Config!B9"])
    assert settings.CapacityBy == (read_as or "Role")
    assert [(f.cell, f.message) for f in findings] == ([] if read_as else [
        ("Config!B9", "CapacityBy: 'Portfolio' is not Role or Team; using the default")])


@pytest.mark.parametrize(("value", "read_as"), [
    (18, 18), ("6", 6), (0, 0), (120, 120), (6.5, None), (-1, None), (121, None),
    ("inf", None), ("nan", None), (True, None), ("soon", None)])
def test_planning_horizon_setting(value: Any, read_as: int | None) -> None:
    settings, findings = Settings.from_pairs([("PlanningHorizon", value)], ["Config!B8"])
    assert settings.PlanningHorizon == (12 if read_as is None else read_as)
    assert isinstance(settings.PlanningHorizon, int)
    assert bool(findings) == (read_as is None)
    if findings:
        assert findings[0].cell == "Config!B8" and "PlanningHorizon" in findings[0].message
