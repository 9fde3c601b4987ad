"""Entry point for the analyst workbook ``metaltrade.xlsm``.

xlwings' standalone workbook macro ``SampleCall`` and the xlwings ribbon's "Run main" both run
``import <workbook name>; <workbook name>.main()``: for ``metaltrade.xlsm`` that is this module.
"""

from metaltrade_xl.macros import main, run_scenarios_caller

__all__ = ["main", "run_scenarios_caller"]
