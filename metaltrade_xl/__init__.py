"""metaltrade_xl: trade-balance projections for Peru's metal-mechanical industry.

A pure engine (:mod:`metaltrade_xl.engine`) with thin adapters around it: Excel functions, scenario
macros, workbook files and the ``metaltrade`` command line.
"""

__version__ = "0.1.0"

#: The release the bundled default figures come from (see ``metaltrade_xl/data/figures.csv``).
DATA_VINTAGE = "SNI-IEES press release, Lima, 2026-01-26"

__all__ = ["__version__", "DATA_VINTAGE"]
