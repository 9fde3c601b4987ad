"""The projection workbook opens in a real spreadsheet program (LibreOffice) and shows our numbers."""

from tests.files.libreoffice import pdf_pages, pdf_text, to_pdf


def test_projection_workbook_renders_in_libreoffice(cli, tmp_path):
    code, _, err = cli("run", "--out", "proj.xlsx")
    assert code == 0, err
    pdf = to_pdf(tmp_path / "proj.xlsx", tmp_path)
    text = pdf_text(pdf)
    assert pdf_pages(pdf) >= 7  # Summary, five scenarios, Sources: one page wide each
    assert "Close the gap with Chile by 2034" in text
    assert "19,548" in text and "18,203" in text  # Sources
    assert "Exports vs Chile" in text  # a chart title, drawn by LibreOffice
    for bad in ("#NAME?", "#VALUE!", "Err:"):
        assert bad not in text
