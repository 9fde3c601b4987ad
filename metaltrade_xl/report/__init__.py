"""What the sheets and the JSON say (:mod:`.content`) and what a sheet is (:mod:`.layout`).

Target-neutral: neither xlwings nor openpyxl is imported here; the writers in
:mod:`metaltrade_xl.files` and :mod:`metaltrade_xl.excel` render these layouts.
"""
