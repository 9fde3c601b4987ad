"""Desktop Excel: the VBA that xlwings generates for the MT_ functions, and the workbook's VBA.

``Import Functions`` writes one VBA module, ``xlwings_udfs``, with a wrapper per function
(``xlwings.udfs.generate_vba_wrapper``). If one wrapper does not compile, Excel loses every
``MT_`` function at once, so no parameter may be a word VBA reserves. The generator runs here with
pywin32 (Windows-only) stubbed: it only writes text.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import io
import re
import sys
import types
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from metaltrade_xl.files.template import QUICKSTART
from metaltrade_xl.files.vba import Project
from tests.excel.conftest import load_udfs_with

ROOT = Path(__file__).resolve().parents[2]

#: Reserved identifiers of VBA (MS-VBAL 3.3.5.2: statement keywords, marker keywords, operator
#: identifiers, reserved names, special forms, reserved type identifiers, literal identifiers,
#: Rem, identifiers reserved for the implementation and for future use).
VBA_RESERVED = frozenset(
    w.lower()
    for w in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
    DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For
    Friend Function Get Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open
    Option Print Private Public Put RaiseEvent ReDim Resume Return RSet Seek Select Set Static
    Stop Sub Type Unlock Wend While With Write Rem
    Any As ByRef ByVal Each In New Shared Until WithEvents Optional ParamArray Preserve Spc Tab
    Then To
    AddressOf And Eqv Imp Is Like Mod Not Or TypeOf Xor
    Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date
    Debug DoEvents Fix Int Len LenB Me PSet Scale Sgn String
    Array Circle InputB LBound UBound
    Boolean Byte Currency Double Integer Long LongLong LongPtr Object Single Variant
    True False Nothing Empty Null
    Attribute LineInput VB_Base VB_Control VB_Creatable VB_Customizable VB_Description
    VB_Exposed VB_Ext_KEY VB_GlobalNameSpace VB_HelpID VB_Invoke_Func VB_Invoke_Property
    VB_Invoke_PropertyPut VB_Invoke_PropertyPutRef VB_MemberFlags VB_Name VB_PredeclaredId
    VB_ProcData VB_TemplateDerived VB_UserMemId VB_VarDescription VB_VarHelpID
    VB_VarMemberFlags VB_VarProcData VB_VarUserMemId
    CDecl Decimal DefDec
    """.split()
)
#: Names the wrapper's body uses: a parameter of the same name would shadow them.
WRAPPER_NAMES = frozenset(
    {"xlpy", "application", "thisworkbook", "activeworkbook", "range", "err", "failed"}
)
SIGNATURE = re.compile(r"^Function (\w+)\(([^)]*)\)$", re.MULTILINE)


@pytest.fixture(scope="module")
def vba_wrapper():
    """The text of the generated ``xlwings_udfs`` module for metaltrade_xl.udfs."""
    stubs = {name: types.ModuleType(name) for name in ("pythoncom", "pywintypes", "win32com")}
    stubs["win32com.client"] = types.ModuleType("win32com.client")
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = type("com_error", (Exception,), {})
    stubs["win32com.client"].Dispatch = lambda *args, **kwargs: None
    stubs["win32com"].client = stubs["win32com.client"]
    saved = {name: sys.modules.get(name) for name in [*stubs, "xlwings.udfs"]}
    try:
        sys.modules.update(stubs)
        sys.modules.pop("xlwings.udfs", None)
        classic = importlib.import_module("xlwings.udfs")
        module = load_udfs_with(classic.xlfunc, classic.xlarg, classic.xlret, "_udfs_classic_vba")
        out = io.StringIO()
        book = types.SimpleNamespace(Name="metaltrade.xlsm")
        classic.generate_vba_wrapper("metaltrade_xl.udfs", module, out, book)
    finally:
        for name, original in saved.items():
            if original is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = original
        import xlwings

        if saved["xlwings.udfs"] is None and hasattr(xlwings, "udfs"):
            del xlwings.udfs  # the stubbed import must not linger as an attribute
    return out.getvalue()


def signatures(text: str) -> dict[str, list[str]]:
    out = {}
    for name, params in SIGNATURE.findall(text):
        out[name] = [p.split()[-1] for p in params.split(",") if p.strip()]
    return out


def test_the_wrapper_declares_every_function(vba_wrapper):
    import metaltrade_xl.udfs

    found = signatures(vba_wrapper)
    assert set(found) == set(metaltrade_xl.udfs.__all__)
    assert found["MT_HHI"] == ["values", "multiplier", "total"]
    assert "Function MT_HHI(values, Optional multiplier, Optional total)" in vba_wrapper


def test_no_parameter_is_a_vba_reserved_word(vba_wrapper):
    clashes = [
        f"{function}({param})"
        for function, params in signatures(vba_wrapper).items()
        for param in params
        if param.lower() in VBA_RESERVED | WRAPPER_NAMES or param.lower() == function.lower()
    ]
    assert clashes == []


def test_parameters_are_vba_identifiers(vba_wrapper):
    for function, params in signatures(vba_wrapper).items():
        lowered = [p.lower() for p in params]
        assert len(set(lowered)) == len(lowered), function  # VBA ignores case
        for p in params:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", p), (function, p)


def test_the_reserved_list_catches_the_old_name():
    assert "scale" in VBA_RESERVED and "values" not in VBA_RESERVED


def vba_of(path: Path) -> bytes:
    return zipfile.ZipFile(path).read("xl/vbaProject.bin")


def test_the_committed_workbook_carries_the_vba_of_the_xlwings_the_package_installs():
    """Its VBA loads xlwings64-<version>.dll, which only that xlwings version installs."""
    import xlwings

    pins = [
        Requirement(r)
        for r in importlib.metadata.requires("metaltrade_xl")
        if Requirement(r).name == "xlwings"
    ]
    desktop = [r for r in pins if r.marker is None or r.marker.evaluate({"sys_platform": "win32"})]
    assert [str(r.specifier) for r in desktop] == [f"=={xlwings.__version__}"]
    committed = Project.read(vba_of(ROOT / "workbooks" / "metaltrade.xlsm"))
    # its xlwings module is the installed quickstart's, which loads that version's DLL
    assert committed.source("xlwings") == Project.read(vba_of(QUICKSTART)).source("xlwings")
    assert f'"xlwings64-{xlwings.__version__}.dll"' in committed.source("xlwings")
    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
    assert f"xlwings64-{xlwings.__version__}.dll" in bas
