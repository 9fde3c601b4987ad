"""The module analyst workbooks name: ``UDF Modules | metaltrade_xl.udfs`` (desktop xlwings.conf),
``from metaltrade_xl.udfs import *`` (xlwings Lite's ``main.py``, xlwings Server's
``custom_functions``).

It only re-exports the ``MT_`` functions, which live in :mod:`metaltrade_xl.excel.functions`
(balances, catch-up, projections, scenarios, data) and :mod:`metaltrade_xl.excel.analysis`
(Monte Carlo, sensitivity, trade indicators). xlwings registers every decorated function it finds
among this module's members.
"""

from metaltrade_xl.excel.analysis import *  # noqa: F403
from metaltrade_xl.excel.analysis import __all__ as _analysis
from metaltrade_xl.excel.functions import *  # noqa: F403
from metaltrade_xl.excel.functions import __all__ as _functions

__all__ = [*_functions, *_analysis]
