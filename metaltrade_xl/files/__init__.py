"""Workbook files through openpyxl: the projection writer, the analyst-workbook template and sharing.

Never imports xlwings.
"""
