"""The analyst workbook: xlwings' standalone quickstart workbook (its VBA kept intact) with our
README, Data, Scenarios, Functions and an active ``xlwings.conf`` sheet.

``metaltrade workbook new PATH.xlsm`` writes it; ``workbooks/metaltrade.xlsm`` is its output.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import sys
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from metaltrade_xl import DATA_VINTAGE, __version__
from metaltrade_xl._io import atomic_path
from metaltrade_xl.data import FIGURE_COLUMNS, load_figures
from metaltrade_xl.files import looks
from metaltrade_xl.files.sharing import store_values
from metaltrade_xl.files.vba import replace_module
from metaltrade_xl.files.writer import (
    fit_page,
    open_workbook,
    put,
    write_table,
)
from metaltrade_xl.report.content import scenarios_grid, unit_format
from metaltrade_xl.report.layout import PAGE_CHARS, ROW_PT, SHEETS, Table, text_lines
from metaltrade_xl.report.words import DEFAULT_LANGUAGE, LANGUAGE_LABEL, LANGUAGES, Words
from metaltrade_xl.scenarios import default_scenario_files, load_scenario

# Found without importing xlwings (this package never does): the file ships next to its __init__.
QUICKSTART = Path(importlib.util.find_spec("xlwings").origin).parent / "quickstart_standalone.xlsm"
#: Fixed document dates, so the same version writes the same workbook.
FIXED_DATE = datetime(2026, 1, 26)

#: The xlwings whose VBA the workbook carries: its VBA loads xlwings64-<version>.dll, which only
#: that xlwings installs, so pyproject.toml pins it (see docs/excel.md).
XLWINGS_VERSION = importlib.metadata.version("xlwings")
_TRUST = "Trust access to the VBA project object model"
_ES = (
    "1. Instale Python y ejecute: pip install metaltrade_xl  (o desde el repositorio: pip install .);",
    "   en las órdenes metaltrade de abajo, active antes ese entorno (venv\\Scripts\\activate).",
    "2. En Excel: Archivo > Opciones > Centro de confianza > Configuración del Centro de confianza > Configuración de macros:",
    f"   marque 'Confiar en el acceso al modelo de objetos de proyectos de VBA' ({_TRUST}).",
    '3. Las macros llaman al paquete instalado (RunPython "import metaltrade_xl.macros as m; m.main()"), no a un módulo',
    "   con el nombre del archivo: el libro puede renombrarse o copiarse ('metaltrade (1).xlsm') sin nada más a su lado.",
    "   (El botón Run main de la cinta del complemento xlwings sí importa el módulo con ese nombre: solo con metaltrade.xlsm.)",
    "4. Hoja Data: las cifras (fuente y si son cotas inferiores). Hoja Scenarios: un escenario por columna.",
    "5. Ejecute los escenarios: Alt+F8 > SampleCall > Ejecutar.",
    "   Se escriben Resumen (o Summary), una hoja por escenario con gráficos y una hoja oculta con los datos",
    "   de los gráficos, en el idioma de la celda A4 (es o en); las demás hojas no se tocan.",
    "6. Funciones =MT_...: Alt+F8 > ImportPythonUDFs > Ejecutar (con el complemento: pestaña xlwings > Import Functions);",
    "   la hoja xlwings.conf apunta a metaltrade_xl.udfs. Un error se ve en la celda como su mensaje de una línea.",
    "7. Para compartir sin Python: metaltrade share ESTE.xlsm COPIA.xlsx (valores congelados, hoja Provenance),",
    "   o en Excel: Alt+F8 > ShareCopy > Ejecutar (guarde antes): escribe '<libro> (shared).xlsx' a su lado.",
    f"8. Este libro lleva el VBA de xlwings {XLWINGS_VERSION}: con otra versión de xlwings, créelo de nuevo con metaltrade workbook new.",
)
_EN = (
    "1. Install Python and run: pip install metaltrade_xl  (or from the repository: pip install .);",
    "   activate that environment (venv\\Scripts\\activate) before the metaltrade commands below.",
    "2. In Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings:",
    f"   tick '{_TRUST}'.",
    '3. The macros call the installed package (RunPython "import metaltrade_xl.macros as m; m.main()"), not a module',
    "   named after the file: the workbook may be renamed or copied ('metaltrade (1).xlsm') with nothing beside it.",
    "   (The xlwings add-in's ribbon button Run main does import the module named after the file: metaltrade.xlsm only.)",
    "4. Data sheet: the figures (with source and lower-bound flag). Scenarios sheet: one scenario per column.",
    "5. Run the scenarios: Alt+F8 > SampleCall > Run.",
    "   This writes Summary (or Resumen), one sheet per scenario with charts and a hidden sheet of chart",
    "   data, in the language of cell A4 (en or es); no other sheet is touched.",
    "6. =MT_... functions: Alt+F8 > ImportPythonUDFs > Run (with the add-in: xlwings tab > Import Functions);",
    "   the xlwings.conf sheet points at metaltrade_xl.udfs. An error shows in the cell as its one-line message.",
    "7. To share with people without Python: metaltrade share THIS.xlsm COPY.xlsx (values frozen, Provenance sheet),",
    "   or in Excel: Alt+F8 > ShareCopy > Run (save first): writes '<workbook> (shared).xlsx' beside it.",
    f"8. This workbook carries the VBA of xlwings {XLWINGS_VERSION}: with another xlwings version, make it again with metaltrade workbook new.",
)
_TITLE = "metaltrade_xl: proyecciones del comercio metalmecánico del Perú / trade projections"
#: Row of README's language setting (label; the value is in the row below, named ``Language``).
LANGUAGE_ROW = 3
#: The README sheet, line by line: (text, is a heading); the language value is filled in.
README_LINES = (
    ((_TITLE, True), ("", False), (LANGUAGE_LABEL, True), (None, False), ("", False))
    + (("ESPAÑOL", True),)
    + tuple((line, False) for line in _ES)
    + (("", False), ("ENGLISH", True))
    + tuple((line, False) for line in _EN)
    + (("", False), (f"metaltrade_xl {__version__}; data: {DATA_VINTAGE}", False))
)

#: (description, formula, expected value worked by hand, how)
FUNCTION_EXAMPLES = (
    ("Deficit Jan-Nov 2025", "=MT_DEFICIT(727, 19548)", 18821, "19548 - 727"),
    ("Balance Jan-Nov 2025", "=MT_BALANCE(727, 19548)", -18821, "727 - 19548"),
    ("Coverage Jan-Nov 2025", "=MT_COVERAGE(727, 19548)", 727 / 19548, "727 / 19548"),
    ("China's share of imports", "=MT_SHARE(8325, 19548)", 8325 / 19548, "8325 / 19548 (42.6 %)"),
    ("2025 exports from 11 months", "=MT_ANNUALIZE(727, 11)", 727 * 12 / 11, "727 x 12 / 11"),
    (
        "World sector exports CAGR 2001-2024",
        "=MT_CAGR(2.5, 9, 23)",
        (9 / 2.5) ** (1 / 23) - 1,
        "(9 / 2.5)^(1/23) - 1",
    ),
    (
        "Growth to reach Chile by 2034, Chile flat",
        "=MT_GROWTH_TO_CLOSE(750, 4000, 10)",
        (4000 / 750) ** 0.1 - 1,
        "(4000 / 750)^(1/10) - 1",
    ),
    (
        "... Chile growing 3 %",
        "=MT_GROWTH_TO_CLOSE(750, 4000, 10, 0.03)",
        (4000 * 1.03**10 / 750) ** 0.1 - 1,
        "(4000 x 1.03^10 / 750)^(1/10) - 1",
    ),
    ("Peru's imports 2024", '=MT_DATA("imports", "Peru", 2024)', 18203, "the release"),
)


#: The spilled example: MT_PROJECT(start, growth, years, start year).
SPILL_EXAMPLE = (750, 0.057, 10, 2024)
SPILL_NOTE = (
    "Where the MT_ functions are missing (LibreOffice, Excel without metaltrade_xl), the "
    "formula shows the table as computed when this workbook was made. In your own sheets "
    "the call alone is enough: MT_PROJECT(750, 0.057, 10, 2024)."
)


def _constant(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return f"{value:.15g}"


def spill_formula() -> str:
    """The spilled example's array formula: ``MT_PROJECT``'s table, or, where the function is
    missing (``#NAME?``, error type 5), the table as an array constant.

    LibreOffice drops the stored results of every cell of an array formula when it loads a
    workbook and recalculates it (its OOXML import keeps stored results of plain formulas only),
    so without the fallback it shows ``#NAME?``; any other error (a bad argument) still shows.

    >>> spill_formula()[:60]
    '=IF(IFERROR(ERROR.TYPE(MT_PROJECT(750, 0.057, 10, 2024)), 0)'
    """
    start, growth, years, year = SPILL_EXAMPLE
    call = f"MT_PROJECT({start}, {growth}, {years}, {year})"
    rows = [["year", "value"]] + [[year + k, start * (1 + growth) ** k] for k in range(years + 1)]
    table = ";".join(",".join(_constant(v) for v in row) for row in rows)
    return f"=IF(IFERROR(ERROR.TYPE({call}), 0) = 5, {{{table}}}, {call})"


def _readme(ws, lang: str) -> None:
    for i, (text, bold) in enumerate(README_LINES, start=1):
        cell = put(ws, i, 1, lang if i == LANGUAGE_ROW + 1 else text)
        if bold:
            cell.font = Font(bold=True, size=13 if i == 1 else 11)
    ws.column_dimensions["A"].width = 110
    # the setting the scenario macro reads: a drop-down of the languages, and a name for VBA
    value = f"A{LANGUAGE_ROW + 1}"
    ws[value].font = Font(bold=True, color="1F4E79")
    ws[value].fill = PatternFill("solid", fgColor="FFF2CC")
    check = DataValidation(type="list", formula1=f'"{",".join(LANGUAGES)}"', allow_blank=True)
    check.add(value)
    ws.add_data_validation(check)
    ws.defined_names["Language"] = DefinedName(
        "Language", attr_text=f"README!$A${LANGUAGE_ROW + 1}"
    )


#: The Data sheet's long text columns and the width they wrap at: the table then prints two
#: pages across at ~80 % of full size (its 12 pt text at ~9.5 pt), not one page at 4 pt.
DATA_WRAP = {"source_title": 20, "quote": 20, "note": 20}


#: How a logical cell shows in any program: TRUE for true, FALSE for false.
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'


def _data(ws, figures) -> None:
    frame = figures[list(FIGURE_COLUMNS)]
    # each figure formatted by its unit: China's 0.426 of imports shows as 42.6%
    formats = {"value": tuple(unit_format(u) for u in frame["unit"]), "year": "0", "months": "0"}
    write_table(ws, Table("figures", frame, row=1, formats=formats, wrap=False), styled=False)
    widths = {}
    for j, name in enumerate(frame.columns, start=1):
        longest = max([len(str(name)), *(len(str(v)) for v in frame[name])])
        widths[j] = DATA_WRAP.get(name, min(45, longest + 2))
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = widths[j]
    wrapped = [j for j, name in enumerate(frame.columns, start=1) if name in DATA_WRAP]
    _wrap(ws, range(2, len(frame) + 2), wrapped, widths)
    # the floors read TRUE in LibreOffice too (it shows a logical cell in General as 1 or 0;
    # Excel shows TRUE or FALSE whatever the format), centred as Excel centres them
    flag = list(frame.columns).index("lower_bound") + 1
    for r in range(2, len(frame) + 2):
        cell = ws.cell(row=r, column=flag)
        cell.number_format = BOOLEAN_FORMAT
        cell.alignment = _aligned(cell, horizontal="center", indent=0)
    ref = f"A1:{ws.cell(row=len(frame) + 1, column=len(FIGURE_COLUMNS)).coordinate}"
    table = ExcelTable(displayName="Figures", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"


def _scenarios(ws, scenarios) -> None:
    grid = scenarios_grid(scenarios)
    # a form: a scenario's numbers at the left of its column, as its words are, so that a number
    # at a column's right edge does not run into the next scenario's word ("0.057to_close");
    # the words keep the default alignment (their wrapped format is the one a shared copy's
    # Provenance sheet borrows, see files.structure.wrap_style)
    left = Alignment(horizontal="left")
    for i, row in enumerate(grid, start=1):
        for j, value in enumerate(row, start=1):
            cell = put(ws, i, j, value)
            if i == 1 or j == 1:
                cell.font = Font(bold=True)
            elif looks.is_number(value):
                cell.alignment = left
    # the parameter names whole; a scenario's texts (descriptions, distributions) wrap in its
    # column instead of running across the next ones
    widths = {1: max(len(str(row[0])) for row in grid) + 2}
    widths.update({j: 24 for j in range(2, len(scenarios) + 2)})
    for j, width in widths.items():
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = width
    _wrap(ws, range(2, len(grid) + 1), list(range(2, len(scenarios) + 2)), widths)
    ws.freeze_panes = "B2"


def _wrap(ws, rows, cols, widths: Mapping[int, float]) -> None:
    """Wrap the text of ``cols`` in ``rows``, each row as tall as its longest text needs (the
    lines counted as the printed layouts count them; Excel does not grow a row for wrapped
    text written by a program)."""
    for r in rows:
        lines = 1
        for j in cols:
            cell = ws.cell(row=r, column=j)
            if isinstance(cell.value, str):
                cell.alignment = _aligned(cell, wrap_text=True)
                lines = max(lines, text_lines(cell.value, widths[j]))
        if lines > 1:
            ws.row_dimensions[r].height = lines * ROW_PT
            for cell in ws[r]:  # the row's other cells at the top too, level with its texts
                cell.alignment = _aligned(cell, vertical="top")


def _aligned(cell, **changes) -> Alignment:
    """The cell's alignment with ``changes``."""
    alignment = copy(cell.alignment)
    for name, value in changes.items():
        setattr(alignment, name, value)
    return alignment


#: The Functions sheet's column widths (what, formula, expected, how).
FUNCTION_WIDTHS = (42, 44, 20, 36)


def _functions(ws) -> None:
    header = ("What", "Live formula (needs metaltrade_xl)", "Expected (by hand)", "How")
    for j, h in enumerate(header, start=1):
        put(ws, 1, j, h).font = Font(bold=True)
    for i, (what, formula, expected, how) in enumerate(FUNCTION_EXAMPLES, start=2):
        put(ws, i, 1, what)
        number_format = "0.00000" if abs(expected) < 1 else "#,##0.00"
        ws.cell(row=i, column=2, value=formula).number_format = number_format  # a real formula
        put(ws, i, 3, expected, number_format)
        # a step away from the numbers (Excel indents only a cell aligned to a side)
        put(ws, i, 4, how).alignment = Alignment(horizontal="left", indent=1)
    row = len(FUNCTION_EXAMPLES) + 3
    put(
        ws, row, 1, "A spilled table: exports from 750 growing 5.7 % a year, 2024-2034"
    ).font = Font(bold=True)
    ref = f"B{row + 1}:C{row + 12}"
    ws[f"B{row + 1}"] = ArrayFormula(ref, spill_formula())
    note = put(ws, row + 13, 1, SPILL_NOTE)
    note.font = Font(italic=True)
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=row + 13, start_column=1, end_row=row + 13, end_column=4)
    ws.row_dimensions[row + 13].height = text_lines(SPILL_NOTE, sum(FUNCTION_WIDTHS)) * ROW_PT
    for r in range(row + 2, row + 13):  # the formats the spilled years and values show with
        ws[f"B{r}"].number_format, ws[f"C{r}"].number_format = "0", "#,##0.0"
    for j, width in zip("ABCD", FUNCTION_WIDTHS, strict=True):
        ws.column_dimensions[j].width = width


#: The smallest share of full size a sheet prints at, so that its 12 pt text prints at 9 pt or
#: more: a wider sheet takes more pages across.
PRINT_SCALE = 0.75
#: A printable page in this workbook's column characters: its Normal font (the quickstart's)
#: is 12 pt, whose characters are wider than the 11 pt ones of :data:`PAGE_CHARS`.
TEMPLATE_PAGE_CHARS = PAGE_CHARS * 11 / 12


def print_pages(widths, first: float, page: float = TEMPLATE_PAGE_CHARS) -> int:
    """Pages across for columns ``widths`` (characters), the first of them (``first`` wide)
    repeated on every page: the fewest that keep the print at :data:`PRINT_SCALE` or more.

    Examples
    --------
    >>> print_pages([110], 110), print_pages([30] + [24] * 6, 30), print_pages([40] * 8, 40)
    (1, 2, 3)
    """
    total = sum(widths)
    pages = 1
    while pages * page / (total + (pages - 1) * first) < PRINT_SCALE:
        pages += 1
    return pages


def _print_setup(ws, paper: str | None) -> None:
    """Landscape on ``paper``, one page wide, with a footer (:func:`fit_page`), or, for a sheet
    too wide to print legibly on one, :func:`print_pages` pages across with its first column
    and first row on each."""
    fit_page(ws, paper)
    widths = []
    for j in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(j))  # .get: no empty <col> for others
        widths.append(dim.width if dim is not None and dim.customWidth else looks.DEFAULT_WIDTH)
    pages = print_pages(widths, widths[0])
    if pages > 1:
        ws.page_setup.fitToWidth = pages
        ws.print_title_cols = "A:A"
        ws.print_title_rows = "1:1"


def _config(ws, settings: dict) -> None:
    """Activate the quickstart's config sheet (the VBA reads a sheet named exactly xlwings.conf)
    and set ``UDF Modules`` and the given settings (e.g. ``Interpreter_Win``)."""
    ws.title = SHEETS["config"]
    wanted = {"UDF Modules": "metaltrade_xl.udfs", **settings}
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value in wanted:
            row[1].value = wanted.pop(row[0].value)
    if wanted:
        raise RuntimeError(f"xlwings' quickstart workbook has no {', '.join(wanted)} row")


#: The workbook's macros (module Module1 of xlwings' quickstart, SampleCall kept by name): they
#: call the installed package, so they work whatever the workbook file is called.
MACROS = """Attribute VB_Name = "Module1"
' Any file name works.
Sub SampleCall()
    RunPython "import metaltrade_xl.macros as m; m.main()"
End Sub
Sub ShareCopy()
    RunPython "import metaltrade_xl.macros as m; m.share_copy_caller()"
End Sub
"""
#: The module of the quickstart's VBA project that :data:`MACROS` replaces, and its part.
MACRO_MODULE = "Module1"
VBA_PART = "xl/vbaProject.bin"


@dataclass(frozen=True)
class NewWorkbook:
    """What ``metaltrade workbook new`` wrote: the workbook and a sentence on the interpreter set
    in xlwings.conf."""

    path: Path
    interpreter_note: str


def interpreter_settings(platform: str | None = None, executable: str | None = None):
    """The xlwings.conf interpreter row for this Python, and a sentence saying what was set.

    Examples
    --------
    >>> interpreter_settings("win32", r"C:\\venv\\Scripts\\python.exe")[0]
    {'Interpreter_Win': 'C:\\\\venv\\\\Scripts\\\\python.exe'}
    >>> interpreter_settings("linux", "/usr/bin/python3")[0]
    {}
    """
    platform = sys.platform if platform is None else platform
    executable = sys.executable if executable is None else executable
    if platform.startswith("win"):
        key = "Interpreter_Win"
    elif platform == "darwin":
        key = "Interpreter_Mac"
    else:
        return {}, (
            "xlwings.conf: Interpreter_Win left as 'python' (made on a system without desktop "
            "Excel): on Windows set it to the python.exe that has metaltrade_xl, or run "
            "`metaltrade workbook new` there"
        )
    return {key: executable}, f"xlwings.conf: {key} = {executable} (the Python this ran with)"


def _with_macros(archive: ZipFile) -> ZipFile:
    """A copy of openpyxl's kept VBA parts with :data:`MACROS` as the macro module's source."""
    copy = ZipFile(io.BytesIO(), "a", ZIP_DEFLATED)
    for name in archive.namelist():
        data = archive.read(name)
        if name == VBA_PART:
            data = replace_module(data, MACRO_MODULE, MACROS)
        copy.writestr(name, data)
    return copy


def new_workbook(
    path: str | Path,
    *,
    force: bool = False,
    functions: Mapping | None = None,
    lang: str = DEFAULT_LANGUAGE,
    paper: str | None = None,
) -> NewWorkbook:
    """``metaltrade workbook new``: the workbook, with the interpreter this command runs with in
    xlwings.conf (on Windows and macOS); with ``functions`` the MT_ cells carry their computed
    values (see :func:`build`). Its macros name the package, not the file: any file name works."""
    settings, note = interpreter_settings()
    built = build(path, force=force, settings=settings, functions=functions, lang=lang, paper=paper)
    return NewWorkbook(built, note)


def build(
    path: str | Path,
    *,
    force: bool = False,
    settings: dict | None = None,
    functions: Mapping | None = None,
    lang: str = DEFAULT_LANGUAGE,
    paper: str | None = None,
) -> Path:
    """Write the analyst workbook to ``path`` (.xlsm); ``settings`` are xlwings.conf rows; the
    projections it writes are in ``lang`` (README's Language setting, which the user may change).

    With ``functions`` (the MT_ functions by name, from ``metaltrade_xl.udfs``) each MT_ formula
    also carries its computed value, so that a program that does not run Python (LibreOffice,
    Excel before it recalculates, a preview) shows numbers, and ``metaltrade share`` finds stored
    values to compare with. ``metaltrade workbook new`` passes them. Its sheets print on
    ``paper`` (``a4``, the default, or ``letter``).
    """
    lang = Words(lang).lang
    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise ValueError(
            f"expected a .xlsm file name (the workbook carries VBA), got '{path.name}'"
        )
    wb = open_workbook(QUICKSTART, keep_vba=True)
    # The quickstart's Normal style lacks Excel's builtinId="0": LibreOffice then shows cells
    # without a format of their own in its default font (10 pt), not in Normal's 12 pt.
    wb._named_styles["Normal"].builtinId = 0
    wb.vba_archive = _with_macros(wb.vba_archive)
    first, conf = wb.worksheets[0], wb["_xlwings.conf"]
    first.title = SHEETS["readme"]
    _readme(first, lang)
    _data(wb.create_sheet(SHEETS["data"], 1), load_figures())
    _scenarios(
        wb.create_sheet(SHEETS["scenarios"], 2),
        [load_scenario(f) for f in default_scenario_files()],
    )
    _functions(wb.create_sheet(SHEETS["functions"], 3))
    _config(conf, settings or {})
    for ws in wb.worksheets:
        _print_setup(ws, paper)
    wb.active = 0
    wb.properties.created = wb.properties.modified = FIXED_DATE
    wb.properties.creator = wb.properties.lastModifiedBy = f"metaltrade_xl {__version__}"
    with atomic_path(path, force=force) as tmp:
        wb.save(tmp)
        if functions is not None:
            store_values(tmp, functions)
    return path
