"""The projection workbook prints: rendered by a real spreadsheet program (LibreOffice) to PDF,
in English and Spanish, it must be legible (text sizes measured from the PDF), keep chart data
off the pages, never cut a chart by a page break, and speak in words."""

import re
import subprocess
import zipfile

import numpy as np
import openpyxl
import pytest

from tests.files.libreoffice import pdf_page_sizes, pdf_pages, pdf_text, to_pdf

#: The print-size rule (points): median printed text and its 5th percentile.
MEDIAN_PT, P5_PT = 8.0, 6.0


def word_heights(pdf) -> np.ndarray:
    """Height of every word box LibreOffice printed (pdftotext -bbox): the text size in pt."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    boxes = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', out)
    return np.array([float(b) - float(a) for a, b in boxes])


#: Landscape page sizes in points (width, height), and Excel's paperSize code of each paper.
PAGE_PT = {"a4": (842.0, 595.0), "letter": (792.0, 612.0)}
PAPER_CODE = {"a4": 9, "letter": 1}


# Both languages and both papers in two runs: English on A4 (the defaults), Spanish on Letter
# (the narrower page, so the smaller print).
@pytest.fixture(scope="module", params=[("en", None), ("es", "letter")], ids=["en-a4", "es-letter"])
def printed(request, tmp_path_factory):
    from metaltrade_xl.cli import main

    lang, paper = request.param
    folder = tmp_path_factory.mktemp(f"print_{lang}")
    out = folder / "p.xlsx"
    args = ["run", "--lang", lang, "--out", str(out)] + (["--paper", paper] if paper else [])
    assert main(args) == 0
    return lang, out, to_pdf(out, folder), paper or "a4"


def test_prints_on_the_paper_asked(printed):
    lang, out, pdf, paper = printed
    sizes = pdf_page_sizes(pdf)
    assert len(sizes) == pdf_pages(pdf) > 0
    width, height = PAGE_PT[paper]
    for w, h in sizes:  # every page landscape on that paper (pdfinfo rounds to 0.01 pt)
        assert abs(w - width) < 1 and abs(h - height) < 1, (lang, paper, w, h)
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets[:-1]:  # the hidden chart data is never printed
        assert ws.page_setup.paperSize == PAPER_CODE[paper], ws.title


def test_prints_legibly(printed):
    lang, _, pdf, _ = printed
    h = word_heights(pdf)
    assert len(h) > 1000
    assert np.median(h) >= MEDIAN_PT, f"{lang}: median text {np.median(h):.1f} pt"
    assert np.percentile(h, 5) >= P5_PT, f"{lang}: 5th percentile {np.percentile(h, 5):.1f} pt"
    text = pdf_text(pdf)
    for bad in ("#NAME?", "#VALUE!", "Err:", "###"):
        assert bad not in text
    assert not re.search(r"\bnan\b", text)
    assert pdf_pages(pdf) <= 40
    if lang == "en":
        assert "Close the gap with Chile by 2034" in text
        assert "19,548" in text and "18,203" in text  # Sources
        assert "Exports vs Chile" in text  # a chart title, drawn by LibreOffice
        assert "≥ 4,000" in text  # a floor, marked where it is used
    else:
        assert "Exportaciones frente a Chile" in text and "Resumen" in text


def _breaks(ws):
    return [b.id for b in ws.row_breaks.brk]


def test_every_sheet_is_set_up_to_print(printed):
    lang, out, _, _ = printed
    wb = openpyxl.load_workbook(out)
    helper = "Chart data" if lang == "en" else "Datos de gráficos"
    assert wb.sheetnames[-1] == helper and wb[helper].sheet_state == "hidden"
    for ws in wb.worksheets[:-1]:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.freeze_panes and ws.print_title_rows and ws.print_area, ws.title
        last_row = int(re.findall(r"\d+", ws.print_area)[-1])
        for chart in ws._charts:
            top, bottom = chart.anchor._from.row + 1, chart.anchor.to.row  # 1-based rows
            assert bottom <= last_row + 1, ws.title
            # no page break inside a chart
            assert not [b for b in _breaks(ws) if top <= b < bottom], (ws.title, top, bottom)
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    # chart data lives on the hidden sheet, never on a printed one
    refs = {m for c in charts for m in re.findall(r"<(?:c:)?f>'?([^'!<]+)'?!", c)}
    assert refs == {helper}


def _table(ws, name):
    ref = ws.defined_names[name].attr_text.split("!")[1].replace("$", "")
    return [[c for c in r] for r in ws[ref]]


def test_headers_are_words_and_numbers_are_formatted(printed):
    lang, out, _, _ = printed
    wb = openpyxl.load_workbook(out)
    summary = wb.worksheets[0]
    assert summary.title == ("Summary" if lang == "en" else "Resumen")
    for ws in wb.worksheets[:-1]:
        for name in ws.defined_names:
            rows = _table(ws, name)
            headers = [c.value for c in rows[0] if c.value is not None]
            assert headers and all("_" not in str(h) for h in headers), (ws.title, headers)
    scenario = wb.worksheets[2]  # Close the gap with Chile by 2034
    rows = _table(scenario, "Projection")
    header = [c.value for c in rows[0]]
    year, coverage = (
        header.index("Año" if lang == "es" else "Year"),
        next(i for i, h in enumerate(header) if h and h.startswith(("Coverage", "Cobertura"))),
    )
    for r in rows[1:]:
        assert r[year].number_format == "0" and isinstance(r[year].value, int)
        assert r[coverage].number_format.endswith("0.0%")
    # header over its numbers: right-aligned like them
    assert rows[0][coverage].alignment.horizontal == "right"
    listed = {r[0]: r[1] for r in _table(summary, "Sheets")[1:] for r in [[c.value for c in r]]}
    scenario_sheets = [ws for ws in wb.worksheets if re.match(r"[SE]\d+ ", ws.title)]
    assert len(scenario_sheets) == 6
    for ws in scenario_sheets:
        assert listed[ws.title] == ws["A1"].value  # the full scenario name


def test_no_chart_draws_two_identical_lines(printed):
    _, out, _, _ = printed
    wb = openpyxl.load_workbook(out)
    data = wb.worksheets[-1]
    grid = [list(r) for r in data.iter_rows(values_only=True)]
    blocks, current = [], []
    for row in grid:
        if all(v is None for v in row):
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(row)
    for block in blocks:
        header, body = block[1], block[2:]
        cols = [[r[j] for r in body] for j in range(1, len([h for h in header if h]) + 1)]
        for i in range(len(cols)):
            for j in range(i + 1, len(cols)):
                assert cols[i] != cols[j], (block[0][0], header[i + 1], header[j + 1])
