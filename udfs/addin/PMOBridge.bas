Attribute VB_Name = "PMOBridge"
' The worksheet functions in PMOFunctions are xlwings' own wrappers: they call XLPy.CallUDF.
' XLPy (xlwings' Python COM server) lives in the installed xlwings add-in; this asks it for it.
Option Explicit

Private Const XLWINGS_ADDIN As String = "xlwings.xlam"

Public Function XLPy() As Object
    Set XLPy = Application.Run("'" & XLWINGS_ADDIN & "'!XLPy")
End Function
