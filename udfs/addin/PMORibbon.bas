Attribute VB_Name = "PMORibbon"
' Ribbon callbacks of the xlpmo add-in (customUI.xml). Every button calls OnAction; its id is
' the xlpmo command id (refresh, validate, import_actuals, close_period, new_project, report).
' The work happens in Python, xlpmo_udfs.commands.run(id), started by RunPython of the
' installed xlwings add-in, so this add-in carries no copy of xlwings' VBA.
Option Explicit

Private Const XLWINGS_ADDIN As String = "xlwings.xlam"

Public Sub OnAction(control As IRibbonControl)
    RunCommand control.Id
End Sub

Public Sub RunCommand(commandId As String)
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the PMO workbook first.", vbInformation, "xlpmo"
        Exit Sub
    End If
    On Error GoTo Failed
    Application.Run "'" & XLWINGS_ADDIN & "'!RunPython", _
        "import xlpmo_udfs.commands as c; c.run('" & commandId & "')"
    Exit Sub
Failed:
    MsgBox "xlpmo could not run '" & commandId & "' through the xlwings add-in (" & _
        XLWINGS_ADDIN & "). Install it with 'xlwings addin install' and restart Excel." & _
        vbCrLf & vbCrLf & Err.Description, vbExclamation, "xlpmo"
End Sub
