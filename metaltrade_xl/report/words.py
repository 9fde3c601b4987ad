"""Every word a reader sees in an output, in English and Spanish.

A sheet, header, legend, chart title, note or CLI line is looked up here by key, never written
inline, so both languages are always complete (a test checks every key has both, with the same
``{placeholders}``). Identifiers (column names, input names) are translated through
:data:`COLUMNS` and :data:`INPUTS`; anything not listed is turned into words rather than shown raw.
"""

from __future__ import annotations

import re
import string

from metaltrade_xl.report.labels import COLUMNS, INDICATORS, INPUTS, PLACES_ES, UNITS
from metaltrade_xl.report.phrases import PHRASES

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

#: key -> (English, Spanish)
TEXT: dict[str, tuple[str, str]] = {
    # sheet names (output sheets; input sheets keep the names the macros read)
    "sheet.summary": ("Summary", "Resumen"),
    "sheet.sources": ("Sources", "Fuentes"),
    "sheet.provenance": ("Provenance", "Procedencia"),
    "sheet.chartdata": ("Chart data", "Datos de gráficos"),
    "sheet.scenario": ("S{n}", "E{n}"),
    # Summary
    "summary.title": ("Trade projections: scenario summary", "Proyecciones comerciales: resumen"),
    "summary.written": (
        "Written by metaltrade_xl {version}. Values in USD million unless a header says otherwise.",
        "Escrito por metaltrade_xl {version}. Valores en millones de USD salvo que el encabezado "
        "diga otra cosa.",
    ),
    "summary.sheets": ("Sheets in this workbook", "Hojas de este libro"),
    "summary.at_year": (
        "Scenarios compared in {year}, the last year they all reach",
        "Escenarios comparados en {year}, el último año que todos alcanzan",
    ),
    "summary.at_horizon": ("Scenarios at their horizon", "Escenarios en su horizonte"),
    "summary.paths": (
        "Deficit by scenario (USD million)",
        "Déficit por escenario (millones de USD)",
    ),
    "summary.bars": (
        "Deficit in {year}, all scenarios (USD million)",
        "Déficit en {year}, todos los escenarios (millones de USD)",
    ),
    "summary.lines": ("Deficit by scenario", "Déficit por escenario"),
    "summary.years_data": (
        "Recorded data: {years} (shaded rows, dashed lines); every later year is a projection.",
        "Datos registrados: {years} (filas sombreadas, líneas discontinuas); todos los años "
        "posteriores son proyecciones.",
    ),
    "summary.years_none": (
        "Every year shown is a projection from each scenario's base year; the data hold no "
        "earlier year for these series.",
        "Todos los años mostrados son proyecciones desde el año base de cada escenario; los "
        "datos no tienen años anteriores para estas series.",
    ),
    "summary.years_base": (
        "Base years (start values): {years}.",
        "Años base (valores de partida): {years}.",
    ),
    # sheet list columns
    "col.sheet": ("Sheet", "Hoja"),
    "col.contents": ("Contents", "Contenido"),
    "contents.sources": (
        "Every figure of the data and its source",
        "Cada cifra de los datos y su fuente",
    ),
    "contents.chartdata": (
        "Data behind the charts (hidden helper sheet)",
        "Datos de los gráficos (hoja auxiliar oculta)",
    ),
    "contents.provenance": ("Where the inputs came from", "De dónde vienen los datos"),
    # scenario sheet
    "scenario.units": (
        "USD million unless a header says otherwise; coverage = exports / imports.",
        "Millones de USD salvo que el encabezado diga otra cosa; cobertura = exportaciones / "
        "importaciones.",
    ),
    "scenario.years": ("Projection, {first}–{last}", "Proyección, {first}–{last}"),
    "scenario.years_history": (
        "Data {data} and projection {first}–{last}",
        "Datos {data} y proyección {first}–{last}",
    ),
    "scenario.warning": ("Warning: {text}", "Aviso: {text}"),
    "scenario.parameters": ("Parameters as used", "Parámetros utilizados"),
    "scenario.figures": ("Figures used", "Cifras utilizadas"),
    "chart.exports": ("Exports vs {rival}", "Exportaciones frente a {rival}"),
    "chart.imports": (
        "Imports, before and after substitution",
        "Importaciones, antes y después de la sustitución",
    ),
    "chart.deficit": (
        "Trade deficit (imports − exports)",
        "Déficit comercial (importaciones − exportaciones)",
    ),
    "chart.history_note": (
        "Dashed: data up to {year}; solid: projection.",
        "Discontinuo: datos hasta {year}; continuo: proyección.",
    ),
    "axis.usd": ("USD million", "Millones de USD"),
    "axis.year": ("Year", "Año"),
    "axis.change": ("Change in USD million", "Cambio en millones de USD"),
    "kind.data": ("Data", "Dato"),
    "kind.start": ("Start", "Inicio"),
    "kind.estimate": ("Estimate", "Estimación"),
    "kind.projection": ("Projection", "Proyección"),
    "series.data": ("{name} (data)", "{name} (datos)"),
    # lower bounds
    "floor.legend": (
        "≥ marks a value resting on a lower bound (the source says 'more than'): the true value "
        "is at least this; ≤ at most this; ≈ depends on lower bounds both ways.",
        "≥ marca un valor que descansa en una cota inferior (la fuente dice 'más de'): el valor "
        "real es al menos este; ≤ como mucho este; ≈ depende de cotas inferiores en ambos "
        "sentidos.",
    ),
    "floor.note": (
        "Rests on lower bounds: {figures}.",
        "Descansa en cotas inferiores: {figures}.",
    ),
    "floor.figure": ("{what} ≥ {value} ({quote})", "{what} ≥ {value} («{quote}»)"),
    "floor.cli": (
        "≥/≤/≈: rests on a lower bound ('more than') in the source: {figures}",
        "≥/≤/≈: descansa en una cota inferior ('más de') de la fuente: {figures}",
    ),
    "figure.what": (
        "{reporter} {indicator}{partner} {year}{months}",
        "{indicator} de {reporter}{partner} {year}{months}",
    ),
    "figure.partner": (" (to/from {partner})", " (con {partner})"),
    "figure.months": (", {months} months", ", {months} meses"),
    "floor.series": ("{name} (≥, lower bound)", "{name} (≥, cota inferior)"),
    "floor.flag": ("lower bound", "cota inferior"),
    # parameters
    "param.reporter": ("Reporter", "Informante"),
    "param.base_year": ("Base year", "Año base"),
    "param.horizon": ("Horizon", "Horizonte"),
    "param.exports.growth": ("Export growth a year", "Crecimiento anual de las exportaciones"),
    "param.exports.growth.year": (
        "Export growth in {year}",
        "Crecimiento de las exportaciones en {year}",
    ),
    "param.exports.solved": (
        "Export growth a year (solved: reaches {rival} in {horizon})",
        "Crecimiento anual de las exportaciones (resuelto: alcanza a {rival} en {horizon})",
    ),
    "param.exports.start": ("Exports in the base year", "Exportaciones en el año base"),
    "param.imports.growth": ("Import growth a year", "Crecimiento anual de las importaciones"),
    "param.imports.growth.year": (
        "Import growth in {year}",
        "Crecimiento de las importaciones en {year}",
    ),
    "param.imports.start": ("Imports in the base year", "Importaciones en el año base"),
    "param.rival.name": ("Rival", "Rival"),
    "param.rival.growth": (
        "{rival} export growth a year",
        "Crecimiento anual de las exportaciones de {rival}",
    ),
    "param.rival.growth.year": (
        "{rival} export growth in {year}",
        "Crecimiento de las exportaciones de {rival} en {year}",
    ),
    "param.rival.start": (
        "{rival} exports in the base year",
        "Exportaciones de {rival} en el año base",
    ),
    "param.substitution.share": (
        "Share of targeted imports substituted",
        "Parte de las importaciones objetivo sustituida",
    ),
    "param.substitution.origins": ("Origins targeted", "Orígenes objetivo"),
    "param.substitution.origin_share": (
        "Their share of imports",
        "Su participación en las importaciones",
    ),
    "param.substitution.import_content": (
        "Import content of the new output",
        "Contenido importado de la nueva producción",
    ),
    "param.substitution.start_year": ("Substitution starts in", "La sustitución empieza en"),
    "param.substitution.phase_in_years": ("Years to phase in", "Años de introducción gradual"),
    "param.all": ("all", "todos"),
    "col.parameter": ("Parameter", "Parámetro"),
    "col.value": ("Value", "Valor"),
    "col.figure": ("Figure", "Cifra"),
    "col.source": ("Source", "Fuente"),
    # Monte Carlo
    "mc.deficit": (
        "Monte Carlo: deficit percentiles ({paths} paths, {seed})",
        "Monte Carlo: percentiles del déficit ({paths} trayectorias, {seed})",
    ),
    "mc.seed": ("seed {seed}", "semilla {seed}"),
    "mc.noseed": ("fresh randomness, no seed", "aleatoriedad nueva, sin semilla"),
    "mc.exports": (
        "Monte Carlo: export percentiles",
        "Monte Carlo: percentiles de las exportaciones",
    ),
    "mc.reach": (
        "Probability that exports reach {rival}",
        "Probabilidad de que las exportaciones alcancen a {rival}",
    ),
    "mc.first": (
        "First year exports reach {rival}",
        "Primer año en que las exportaciones alcanzan a {rival}",
    ),
    "mc.horizon": ("Deficit in {year}: distribution", "Déficit en {year}: distribución"),
    "mc.not_by": ("not by {year}", "no antes de {year}"),
    "mc.fan_deficit": (
        "Deficit: {lo}–{hi} band and median (Monte Carlo)",
        "Déficit: banda {lo}–{hi} y mediana (Monte Carlo)",
    ),
    "mc.fan_exports": (
        "Exports ({lo}–{hi}, median) vs {rival}",
        "Exportaciones ({lo}–{hi}, mediana) frente a {rival}",
    ),
    "mc.band": ("{lo}–{hi} band", "banda {lo}–{hi}"),
    "mc.median": ("Median (P50)", "Mediana (P50)"),
    "mc.central": ("{rival} (central case)", "{rival} (caso central)"),
    "tornado.title": (
        "Tornado: what moves the {year} deficit",
        "Tornado: qué mueve el déficit de {year}",
    ),
    "tornado.table": (
        "Tornado: swing of the {year} deficit by input",
        "Tornado: variación del déficit de {year} por variable",
    ),
    "tornado.how": (
        "Each swing is the P10–P90 range of the {year} deficit when that input alone varies as the "
        "Monte Carlo draws it (every year, persistent or once), the others held at their central "
        "values, so it compares with the fan's P10–P90 width.",
        "Cada variación es el rango P10–P90 del déficit de {year} cuando solo esa variable varía "
        "como la sortea el Monte Carlo (cada año, persistente o una vez), con las demás en sus "
        "valores centrales; así se compara con el ancho P10–P90 del abanico.",
    ),
    "stat.mean": ("Mean", "Media"),
    "stat.se_mean": ("Standard error of the mean", "Error estándar de la media"),
    "stat.sd": ("Standard deviation", "Desviación estándar"),
    "stat.year": ("Year", "Año"),
    "col.statistic": ("Statistic", "Estadístico"),
    # Sources
    "sources.title": (
        "Data sources ({vintage} unless a row says otherwise)",
        "Fuentes de datos ({vintage} salvo que la fila diga otra cosa)",
    ),
    "sources.table": (
        "Figures (USD million unless the unit says otherwise; lower bound = the source says "
        "'more than')",
        "Cifras (millones de USD salvo que la unidad diga otra cosa; cota inferior = la fuente "
        "dice 'más de')",
    ),
    "sources.chart": (
        "Sector exports {year} (USD million)",
        "Exportaciones del sector {year} (millones de USD)",
    ),
    "sources.chart_floor": (
        "Sector exports {year} (USD million; ≥ = lower bound)",
        "Exportaciones del sector {year} (millones de USD; ≥ = cota inferior)",
    ),
    "sources.common": (
        "Source of every row that names none: {source}.",
        "Fuente de toda fila que no indica otra: {source}.",
    ),
    "yes": ("yes", "sí"),
    "no": ("no", "no"),
    # CLI summary
    "cli.scenarios": ("scenarios: {n} from {folder}", "escenarios: {n} de {folder}"),
    "cli.scenario": ("scenario", "escenario"),
    "cli.horizon": ("horizon", "horizonte"),
    "cli.growth": ("exp.growth", "crec.exp."),
    "cli.deficit": ("deficit", "déficit"),
    "cli.coverage": ("coverage", "cobertura"),
    "cli.gap": ("gap", "brecha"),
    "cli.note": (
        "(USD million at the horizon; exp.growth = average yearly export growth; gap = rival "
        "exports − exports)",
        "(millones de USD en el horizonte; crec.exp. = crecimiento anual medio de las "
        "exportaciones; brecha = exportaciones del rival − exportaciones)",
    ),
    "cli.data": ("data: {data}", "datos: {data}"),
    "cli.wrote": ("wrote {what}", "escrito: {what}"),
    "cli.and": (" and ", " y "),
    **PHRASES,  # notes, warnings, trends, Provenance (report/phrases.py)
}


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


class _Defaults(dict):
    """Placeholders not given stay visible as words (never as a KeyError)."""

    def __missing__(self, key):
        return {"rival": "rival"}.get(key, key)


_NO_FIELDS = _Defaults()

#: Fields that name a place (a country or a region) in the texts' placeholders.
PLACE_FIELDS = ("rival", "reporter", "partner")


class Words:
    """The words of one language: ``w("key", name=...)``, ``w.column(name)``, ``w.input(name)``.

    Examples
    --------
    >>> Words("es")("sheet.summary"), Words("en").column("gap_to_rival", rival="Chile")
    ('Resumen', 'Gap to Chile')
    >>> Words("en").input("substitution.phase_in_years")
    'Substitution phase in years'
    >>> Words("en").number(4000.4), Words("es").number(4000.4), Words("es").percent(0.426)
    ('4,000', '4 000', '42,6 %')
    """

    def __init__(self, lang: str | None = None):
        lang = DEFAULT_LANGUAGE if lang is None else str(lang).strip().lower()
        if lang not in LANGUAGES:
            raise ValueError(f"language: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
        self.lang = lang
        self._i = LANGUAGES.index(lang)

    def __call__(self, key: str, **fields) -> str:
        return TEXT[key][self._i].format_map(self._fields(fields))

    def _fields(self, fields) -> _Defaults:
        if not fields:
            return _NO_FIELDS  # format_map only reads it
        return _Defaults({k: self.place(v) if k in PLACE_FIELDS else v for k, v in fields.items()})

    def place(self, name) -> str:
        """A country or region in this language (``Peru`` is ``Perú`` in Spanish); a name this
        does not know stays as it is.

        Examples
        --------
        >>> Words("es").place("Peru"), Words("en").place("Peru"), Words("es").place("Narnia")
        ('Perú', 'Peru', 'Narnia')
        """
        if self.lang == "es" and isinstance(name, str):
            return PLACES_ES.get(name.strip(), name)
        return name

    def column(self, name: str, **fields) -> str:
        """Header text of a table column (an unknown identifier is turned into words)."""
        if name in COLUMNS:
            return COLUMNS[name][self._i].format_map(self._fields(fields))
        return humanise(name)

    def input(self, name: str, **fields) -> str:
        """A model input in words (``exports.growth`` -> "Export growth")."""
        if name in INPUTS:
            return INPUTS[name][self._i].format_map(self._fields(fields))
        return humanise(name)

    def title(self, scenario) -> str:
        """A scenario's name in this language (``name_es`` on Spanish sheets), else its name."""
        return scenario.title(self.lang)

    def about(self, scenario) -> str:
        """A scenario's description in this language, else its description."""
        return scenario.about(self.lang)

    def indicator(self, name: str) -> str:
        return INDICATORS[name][self._i] if name in INDICATORS else humanise(name).lower()

    def unit(self, name: str) -> str:
        return UNITS[name][self._i] if name in UNITS else str(name)

    def number(self, value: float, decimals: int = 0) -> str:
        """A number as text in this language (thousands with "," in English, a space in Spanish)."""
        if round(value, decimals) == 0:
            value = 0.0  # no "-0" from rounding noise
        text = f"{value:,.{decimals}f}"
        if self.lang == "es":
            text = text.replace(",", " ").replace(".", ",")
        return text

    def percent(self, value: float, decimals: int = 1) -> str:
        text = f"{100 * value:.{decimals}f}"
        return f"{text}%" if self.lang == "en" else f"{text.replace('.', ',')} %"

    def join(self, items) -> str:
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        last = " and " if self.lang == "en" else " y "
        return ", ".join(items[:-1]) + last + items[-1]


def humanise(identifier: str) -> str:
    """An identifier in words, for names this module does not list.

    Examples
    --------
    >>> humanise("exports.growth_avg")
    'Exports growth avg'
    """
    text = re.sub(r"[._]+", " ", str(identifier)).strip()
    return text[:1].upper() + text[1:] if text else text


def check_complete() -> list[str]:
    """Keys whose languages disagree on placeholders or are empty (a test wants none)."""
    bad = []
    for table in (TEXT, COLUMNS, INPUTS, INDICATORS, UNITS):
        for key, texts in table.items():
            if len(texts) != len(LANGUAGES) or not all(t.strip() for t in texts):
                bad.append(key)
            elif len({frozenset(_fields(t)) for t in texts}) != 1:
                bad.append(key)
    return bad


#: The analyst workbook's language setting: a label cell in README's column A, the value
#: ("en" or "es") in the cell below it (also the defined name ``Language``).
LANGUAGE_LABEL = "Language of the projections / Idioma de las proyecciones (en, es):"


def language_from_grid(grid) -> str:
    """The language a workbook's README sets (the default when it sets none).

    Examples
    --------
    >>> language_from_grid([["title"], [LANGUAGE_LABEL], ["ES "]])
    'es'
    >>> language_from_grid([["title"]])
    'en'
    """
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in grid or []]
    for i, row in enumerate(rows[:-1]):
        if row and row[0] == LANGUAGE_LABEL:
            value = rows[i + 1][0] if rows[i + 1] else None
            if value is None or str(value).strip() == "":
                return DEFAULT_LANGUAGE
            lang = str(value).strip().lower()
            if lang not in LANGUAGES:
                raise ValueError(
                    f"README!A{i + 2}: language: expected one of {', '.join(LANGUAGES)}, "
                    f"got {value!r}"
                )
            return lang
    return DEFAULT_LANGUAGE
