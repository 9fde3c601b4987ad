"""The papers an output workbook can be set to print on (``metaltrade run --paper``).

Kept apart from :mod:`metaltrade_xl.report.layout` (which needs pandas) so that the command line
can offer the choice without importing pandas: ``metaltrade --help`` answers at once.
"""

from __future__ import annotations

#: The layouts of :mod:`metaltrade_xl.report.layout` fit both, so the choice only tells the
#: printer.
PAPERS = ("a4", "letter")
DEFAULT_PAPER = "a4"
