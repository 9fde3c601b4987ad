"""Entry point for the analyst workbook ``metaltrade.xlsm``.

The xlwings add-in's ribbon button "Run main" runs ``import <workbook name>; <workbook name>.main()``:
for ``metaltrade.xlsm`` that is this module. The workbook's own macros (SampleCall, ShareCopy) call
``metaltrade_xl.macros`` directly and work under any file name.
"""

from metaltrade_xl.macros import main, run_scenarios_caller

__all__ = ["main", "run_scenarios_caller"]
