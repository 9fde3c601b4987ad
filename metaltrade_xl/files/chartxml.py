"""The charts of a projection sheet as DrawingML text, the same XML openpyxl writes for the
charts :func:`metaltrade_xl.files.writer.add_chart` builds (a test compares the two), without
building openpyxl's chart objects (a fifth of the time of writing the bundled workbook)."""

from __future__ import annotations

from metaltrade_xl.data._cells import column_letter
from metaltrade_xl.files.looks import clean
from metaltrade_xl.files.xmlparts import cm_to_emu, coordinate_to_tuple, quote_sheetname
from metaltrade_xl.report.layout import Chart

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SD = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_AXES = '<axId val="10" /><axId val="100" />'
_SOLID = '<a:prstDash val="solid" />'
_MARKER = f'<marker><symbol val="none" /><spPr><a:ln>{_SOLID}</a:ln></spPr></marker>'


def escape(value: str) -> str:
    """``value``, already :func:`clean`, escaped as XML character data."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(value: str) -> str:
    """``value`` escaped as XML character data (what XML cannot hold left out: :func:`clean`)."""
    return escape(clean(value))


def attr(value: str) -> str:
    """``value`` escaped as an XML attribute value (in double quotes; cleaned as :func:`text`)."""
    return (
        text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#09;")
    )


def _title(words: str) -> str:
    paras = "".join(
        f"<a:p><a:pPr><a:defRPr /></a:pPr><a:r>{_run(line)}</a:r></a:p>"
        for line in words.split("\n")
    )
    return f"<title><tx><rich><a:bodyPr />{paras}</rich></tx></title>"


def _run(line: str) -> str:
    return f"<a:t>{text(line)}</a:t>" if line else "<a:t />"


def _ref(sheet: str, col: int, first: int, last: int) -> str:
    c = column_letter(col)
    if first == last:
        return f"{sheet}!${c}${first}"
    return f"{sheet}!${c}${first}:${c}${last}"


class _Series:
    """The series of one chart, numbered in the order they are added (as openpyxl does)."""

    def __init__(self, spec: Chart, sheet: str):
        data = spec.data
        self.data, self.sheet, self.n = data, quote_sheetname(sheet), 0
        self.cat = _ref(self.sheet, data.col, data.first_row, data.last_row)

    def one(self, k: int, sp: str, tail: str = "") -> str:
        """Series of data column ``k`` (1 = the first series), its header as its title."""
        d, i = self.data, self.n
        self.n += 1
        col = d.col + k
        label = f"{self.sheet}!{column_letter(col)}{d.header_row}"
        val = _ref(self.sheet, col, d.header_row + 1, d.last_row)
        return (
            f'<ser><idx val="{i}" /><order val="{i}" />'
            f"<tx><strRef><f>{text(label)}</f></strRef></tx><spPr>{sp}</spPr>{tail}"
            f"<cat><numRef><f>{text(self.cat)}</f></numRef></cat>"
            f"<val><numRef><f>{text(val)}</f></numRef></val></ser>"
        )


def _line_sp(dashed: bool) -> str:
    if dashed:
        return '<a:ln><a:solidFill><a:srgbClr val="7F7F7F" /></a:solidFill><a:prstDash val="dash" /></a:ln>'
    return f"<a:ln>{_SOLID}</a:ln>"


def _axes(spec: Chart, bar: bool) -> str:
    low = '<tickLblPos val="low" />' if bar else ""
    none = '<majorTickMark val="none" /><minorTickMark val="none" />'
    scaling = '<scaling><orientation val="minMax" /></scaling><delete val="0" /><axPos val="l" />'
    return (
        f'<catAx><axId val="10" />{scaling}{_title(spec.x_title)}{none}{low}'
        '<crossAx val="100" /><lblOffset val="100" /></catAx>'
        f'<valAx><axId val="100" />{scaling}<majorGridlines />{_title(spec.y_title)}'
        f'<numFmt formatCode="{attr(spec.y_format)}" sourceLinked="0" />{none}'
        '<crossAx val="10" /></valAx>'
    )


def chart_xml(spec: Chart, data_sheet: str) -> str:
    """The chart part of ``spec``, its data block on the sheet named ``data_sheet``."""
    series = _Series(spec, data_sheet)
    names = list(spec.data.frame.columns)[1:]  # spec.series, without a pandas Index slice
    n = len(names)
    legend = '<legend><legendPos val="b" /></legend>'
    if spec.kind == "fan":
        area = series.one(1, f"<a:noFill /><a:ln><a:noFill />{_SOLID}</a:ln>") + series.one(
            n,
            '<a:solidFill><a:srgbClr val="BDD7EE" /></a:solidFill>'
            f"<a:ln><a:noFill />{_SOLID}</a:ln>",
        )
        cols = [2] + (list(range(4, n)) if n > 4 else [])
        lines = "".join(series.one(k, _line_sp(False), _MARKER) for k in cols)
        plot = (
            f'<areaChart><grouping val="stacked" />{area}{_AXES}</areaChart>'
            f'<lineChart><grouping val="standard" />{lines}{_AXES}</lineChart>'
        )
        legend = (
            '<legend><legendPos val="b" /><legendEntry><idx val="0" /><delete val="1" />'
            "</legendEntry></legend>"
        )
    elif spec.kind == "line":
        dashed = set(spec.data_series)
        lines = "".join(
            series.one(k, _line_sp(name in dashed), _MARKER)[: -len("</ser>")]
            + '<smooth val="0" /></ser>'
            for k, name in enumerate(names, 1)
        )
        plot = f'<lineChart><grouping val="standard" />{lines}{_AXES}</lineChart>'
    else:
        bars = "".join(series.one(k, f"<a:ln>{_SOLID}</a:ln>") for k in range(1, n + 1))
        plot = (
            f'<barChart><barDir val="bar" /><grouping val="clustered" />{bars}'
            f'<gapWidth val="60" /><overlap val="100" />{_AXES}</barChart>'
        )
    if n == 1 and spec.kind != "fan":
        legend = ""
    return (
        f'<chartSpace xmlns:a="{_A}" xmlns="{_C}"><chart>{_title(spec.title)}'
        f"<plotArea>{plot}{_axes(spec, spec.kind == 'bar')}</plotArea>{legend}"
        '<plotVisOnly val="1" /><dispBlanksAs val="gap" /></chart></chartSpace>'
    )


def _marker(tag: str, coordinate: str) -> str:
    row, col = coordinate_to_tuple(coordinate.upper())
    return (
        f"<{tag}><col>{col - 1}</col><colOff>0</colOff><row>{row - 1}</row><rowOff>0</rowOff>"
        f"</{tag}>"
    )


def drawing_xml(specs) -> str:
    """The drawing part anchoring ``specs`` (chart ``i`` is relationship ``rId{i}``): cell to
    cell where a chart has ``to``, else at ``anchor`` with its size; two-cell anchors first."""
    two, one = [], []
    for i, spec in enumerate(specs, 1):
        frame = (
            f'<graphicFrame><nvGraphicFramePr><cNvPr id="{i}" name="Chart {i}" />'
            "<cNvGraphicFramePr /></nvGraphicFramePr><xfrm /><a:graphic>"
            f'<a:graphicData uri="{_C}"><c:chart r:id="rId{i}" /></a:graphicData></a:graphic>'
            "</graphicFrame><clientData />"
        )
        if spec.to:
            start, end = _marker("from", spec.anchor), _marker("to", spec.to)
            two.append(f"<twoCellAnchor>{start}{end}{frame}</twoCellAnchor>")
        else:
            ext = f'<ext cx="{cm_to_emu(spec.width_cm)}" cy="{cm_to_emu(spec.height_cm)}" />'
            one.append(f"<oneCellAnchor>{_marker('from', spec.anchor)}{ext}{frame}</oneCellAnchor>")
    return (
        f'<wsDr xmlns:a="{_A}" xmlns:c="{_C}" xmlns:r="{_R}" xmlns="{_SD}">'
        + "".join(two + one)
        + "</wsDr>"
    )
