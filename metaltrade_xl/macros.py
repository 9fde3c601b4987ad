"""The module the analyst workbook's buttons name (VBA ``RunPython "import metaltrade_xl.macros
as m; m.run_scenarios_caller()"``, xlwings Lite/Server scripts).

It only re-exports; the macros live in :mod:`metaltrade_xl.excel.macros`.
"""

from metaltrade_xl.excel.macros import (
    cell,
    main,
    read_inputs,
    report_error,
    run_scenarios,
    run_scenarios_caller,
    run_scenarios_script,
    share_copy,
    share_copy_caller,
    share_message,
    sheet_grid,
    write_layouts,
)

__all__ = [
    "cell",
    "main",
    "read_inputs",
    "report_error",
    "run_scenarios",
    "run_scenarios_caller",
    "run_scenarios_script",
    "share_copy",
    "share_copy_caller",
    "share_message",
    "sheet_grid",
    "write_layouts",
]
