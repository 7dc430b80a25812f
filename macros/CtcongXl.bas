Attribute VB_Name = "CtcongXl"
' ctcong-xl: the macros behind the buttons of the control sheet.
'
' Each button runs one function of the Python module ctcong_xl.xl through xlwings'
' RunPython (the xlwings module and its Dictionary class are shipped in this workbook;
' the interpreter is set on the sheet "xlwings.conf"). Python does the work and shows its
' own messages; these macros only check that Python is installed and report failures.
'
' The VBA editor keeps this text in the ANSI code page, which cannot hold Vietnamese
' letters, and MsgBox would show them as "?". So this file is pure ASCII: Vietnamese text
' is written as Vi("...") with \uXXXX escapes and shown with the Unicode MessageBoxW.
' Make an escaped text with:
'   python -c "from ctcong_xl.io.vba import vba_escape; print(vba_escape('...'))"
'
' Source of truth: macros/CtcongXl.bas in the ctcong-xl repository. The master workbook
' is rebuilt from it; edits made in the VBA editor are lost on the next build.
Option Explicit

#If Mac Then
#ElseIf VBA7 Then
    Private Declare PtrSafe Function MessageBoxW Lib "user32" (ByVal hWnd As LongPtr, _
        ByVal lpText As LongPtr, ByVal lpCaption As LongPtr, ByVal uType As Long) As Long
#Else
    Private Declare Function MessageBoxW Lib "user32" (ByVal hWnd As Long, _
        ByVal lpText As Long, ByVal lpCaption As Long, ByVal uType As Long) As Long
#End If

Private Const ICON_ERROR As Long = &H10
Private Const ICON_WARNING As Long = &H30
Private Const YES_NO_QUESTION As Long = &H24 ' MB_YESNO + MB_ICONQUESTION
Private Const ANSWER_YES As Long = 6 ' IDYES

' ---------------------------------------------------------------------------------------
' Buttons
' ---------------------------------------------------------------------------------------

Public Sub CtcKiemTra()
    Dim feature As String
    feature = Vi("Ki\u1EC3m tra")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.kiem_tra()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcTongHop()
    Dim feature As String
    feature = Vi("T\u1ED5ng h\u1EE3p")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.tong_hop()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcCapNhatTongHop()
    Dim feature As String
    feature = Vi("C\u1EADp nh\u1EADt t\u1ED5ng h\u1EE3p")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.cap_nhat_tong_hop()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcTaoMau()
    Dim feature As String
    feature = Vi("T\u1EA1o m\u1EABu")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.tao_mau()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcDonDoc()
    Dim feature As String
    feature = Vi("\u0110\u00F4n \u0111\u1ED1c")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.don_doc()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcGuiDonDoc()
    Dim feature As String
    feature = Vi("G\u1EEDi \u0111\u00F4n \u0111\u1ED1c")
    On Error GoTo Failed
    If Not Confirmed(feature, _
        Vi("G\u1EEDi th\u01B0 \u0111\u00F4n \u0111\u1ED1c (k\u00E8m danh s\u00E1ch vi\u1EC7c qu\u00E1 h\u1EA1n v\u00E0 s\u1EAFp \u0111\u1EBFn h\u1EA1n) t\u1EDBi c\u00E1c \u0111\u01A1n v\u1ECB qua m\u00E1y ch\u1EE7 th\u01B0 ghi \u1EDF trang \u201CC\u1EA5u h\u00ECnh\u201D?") & vbCrLf & vbCrLf & _
        Vi("Th\u01B0 \u0111\u00E3 g\u1EEDi m\u00E0 danh s\u00E1ch kh\u00F4ng \u0111\u1ED5i th\u00EC kh\u00F4ng g\u1EEDi l\u1EA1i.")) Then Exit Sub
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.gui_don_doc()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcLapChuongTrinh()
    Dim feature As String
    feature = Vi("L\u1EADp ch\u01B0\u01A1ng tr\u00ECnh")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.lap_chuong_trinh()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

Public Sub CtcKiemTraMay()
    Dim feature As String
    feature = Vi("Ki\u1EC3m tra m\u00E1y")
    On Error GoTo Failed
    If Not PythonReady(feature) Then Exit Sub
    BeginWork feature
    RunPython "import ctcong_xl.xl as xl; xl.kiem_tra_may()"
    EndWork
    Exit Sub
Failed:
    ReportFailure feature, Err.Number, Err.Description
End Sub

' ---------------------------------------------------------------------------------------
' Helpers
' ---------------------------------------------------------------------------------------

Private Function PythonReady(ByVal feature As String) As Boolean
    ' True when the interpreter named on the sheet "xlwings.conf" exists (or none is named).
    #If Mac Then
        PythonReady = True
    #Else
        Dim interpreter As String
        interpreter = CStr(GetConfig("INTERPRETER_WIN", ""))
        If interpreter = "" Or interpreter = "python" Or interpreter = "pythonw" Then
            PythonReady = True
        ElseIf CreateObject("Scripting.FileSystemObject").FileExists(interpreter) Then
            PythonReady = True
        Else
            ShowMessage feature, _
                Vi("Kh\u00F4ng t\u00ECm th\u1EA5y Python c\u1EE7a ctcong-xl t\u1EA1i:") & vbCrLf & _
                interpreter & vbCrLf & vbCrLf & _
                Vi("H\u00E3y c\u00E0i \u0111\u1EB7t ctcong-xl tr\u00EAn m\u00E1y n\u00E0y theo h\u01B0\u1EDBng d\u1EABn trong README, ho\u1EB7c s\u1EEDa d\u00F2ng Interpreter_Win tr\u00EAn trang t\u00EDnh \u201Cxlwings.conf\u201D."), _
                ICON_WARNING
            PythonReady = False
        End If
    #End If
End Function

Private Sub BeginWork(ByVal feature As String)
    Application.Cursor = xlWait
    Application.StatusBar = Vi("ctcong-xl: \u0111ang ch\u1EA1y \u201C") & feature & Vi("\u201D\u2026")
End Sub

Private Sub EndWork()
    Application.Cursor = xlDefault
    Application.StatusBar = False
End Sub

Private Sub ReportFailure(ByVal feature As String, ByVal errNumber As Long, ByVal errDescription As String)
    EndWork
    ShowMessage feature, _
        Vi("Kh\u00F4ng ch\u1EA1y \u0111\u01B0\u1EE3c ch\u1EE9c n\u0103ng \u201C") & feature & Vi("\u201D.") & vbCrLf & vbCrLf & _
        Vi("L\u1ED7i ") & errNumber & ": " & errDescription & vbCrLf & vbCrLf & _
        Vi("H\u00E3y ch\u1EE5p l\u1EA1i th\u00F4ng b\u00E1o n\u00E0y v\u00E0 g\u1EEDi cho c\u00E1n b\u1ED9 ph\u1EE5 tr\u00E1ch c\u00F4ng ngh\u1EC7 th\u00F4ng tin."), _
        ICON_ERROR
End Sub

Private Function Confirmed(ByVal feature As String, ByVal question As String) As Boolean
    ' True when the clerk answers Yes (a button that sends e-mail asks first).
    Dim title As String
    title = Vi("ctcong-xl \u2013 ") & feature
    #If Mac Then
        Confirmed = (MsgBox(question, vbYesNo + vbQuestion, title) = vbYes)
    #Else
        Confirmed = (MessageBoxW(Application.hWnd, StrPtr(question), StrPtr(title), YES_NO_QUESTION) = ANSWER_YES)
    #End If
End Function

Private Sub ShowMessage(ByVal feature As String, ByVal message As String, ByVal icon As Long)
    Dim title As String
    title = Vi("ctcong-xl \u2013 ") & feature
    #If Mac Then
        MsgBox message, icon, title
    #Else
        MessageBoxW Application.hWnd, StrPtr(message), StrPtr(title), icon
    #End If
End Sub

Private Function Vi(ByVal escaped As String) As String
    ' Decodes each \uXXXX escape (four hex digits, one UTF-16 unit) into its character.
    Dim position As Long
    position = InStr(1, escaped, "\u", vbBinaryCompare)
    Do While position > 0
        escaped = Left$(escaped, position - 1) & ChrW$(CLng("&H" & Mid$(escaped, position + 2, 4))) & _
            Mid$(escaped, position + 6)
        position = InStr(position + 1, escaped, "\u", vbBinaryCompare)
    Loop
    Vi = escaped
End Function
