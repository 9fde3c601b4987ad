"""Excel adapters: the ``MT_`` functions, their argument conversion and the scenario macros.

Analyst workbooks name the thin modules :mod:`metaltrade_xl.udfs` and :mod:`metaltrade_xl.macros`,
which re-export from here.
"""
