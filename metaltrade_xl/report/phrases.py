"""The sentences of notes and warnings, and the Provenance sheet's words, in English and Spanish.

Part of :data:`metaltrade_xl.report.words.TEXT` (kept apart only to keep modules short): the
nowcast's estimate notes, the warnings of a run, trend descriptions (rendered by
:mod:`metaltrade_xl.report.notes` from the structured values the data layer returns) and the
Provenance sheet. The English of a note or warning is the same sentence the data layer writes
into the JSON (a test checks they agree).
"""

from __future__ import annotations

#: key -> (English, Spanish)
PHRASES: dict[str, tuple[str, str]] = {
    # periods: "January–November 2025", "full year 2024"
    "period.when": (" {year}", " de {year}"),
    "period.full": ("full year{when}", "el año completo{when}"),
    "period.one": ("{month}{when}", "{month}{when}"),
    "period.span": ("{first}–{month}{when}", "{first}–{month}{when}"),
    "month.1": ("January", "enero"),
    "month.2": ("February", "febrero"),
    "month.3": ("March", "marzo"),
    "month.4": ("April", "abril"),
    "month.5": ("May", "mayo"),
    "month.6": ("June", "junio"),
    "month.7": ("July", "julio"),
    "month.8": ("August", "agosto"),
    "month.9": ("September", "septiembre"),
    "month.10": ("October", "octubre"),
    "month.11": ("November", "noviembre"),
    "month.12": ("December", "diciembre"),
    # how a start value was made (data/nowcast.py)
    "start.given": ("given in the scenario", "dado en el escenario"),
    "start.recorded": (
        "recorded: {value} for {year}{floor}",
        "registrado: {value} en {year}{floor}",
    ),
    "start.floor_recorded": (
        " (a lower bound: the source says 'more than')",
        " (una cota inferior: la fuente dice «más de»)",
    ),
    "start.floor_estimate": (
        " (a lower bound, so the estimate is one too)",
        " (una cota inferior, así que la estimación también lo es)",
    ),
    "start.estimate": (
        "estimate: {recorded} recorded for {period}{floor} {how} = {value}",
        "estimación: {recorded} registrados en {period}{floor} {how} = {value}",
    ),
    "start.how_annualised": ("× 12/{months}", "× 12/{months}"),
    "start.how_profile": (
        "÷ {share}, the share of the year in those months by the scenario's seasonal_profile",
        "÷ {share}, la parte del año que suman esos meses según el seasonal_profile del escenario",
    ),
    "start.how_data": (
        "÷ {share}, those months' average share of the full year in {span} (the data's own "
        "seasonal profile)",
        "÷ {share}, la parte media del año completo que suman esos meses en {span} (el perfil "
        "estacional de los propios datos)",
    ),
    "start.carried": (
        "estimate: {base} for {last}{floor}, carried to {year} by growing it {steps} at the "
        "rival's own rate {rate} = {value}",
        "estimación: {base} en {last}{floor}, llevada a {year} con {steps} de crecimiento a la "
        "tasa propia del rival, {rate} = {value}",
    ),
    "start.one_year": ("one year", "un año"),
    "start.n_years": ("{n} years", "{n} años"),
    # warnings (data/nowcast.record_warnings, scenarios/run.rebase_to_data, data/origin)
    "warn.below_record": (
        "{indicator} of {who} in {year}: projected {projected} for the full year, below the "
        "{recorded}{floor} already recorded for {period}",
        "{indicator} de {who} en {year}: proyección de {projected} para el año completo, por "
        "debajo de los {recorded}{floor} ya registrados en {period}",
    ),
    "warn.floor": (" (a lower bound)", " (una cota inferior)"),
    "warn.start_moved": (
        "the data for {reporter} end in {latest}, so the projection starts from "
        "{latest}, not base_year {base_year} (give data for {base_year}, or exports.start and "
        "imports.start, to start there)",
        "los datos de {reporter} terminan en {latest}, así que la proyección parte "
        "de {latest} y no del año base {base_year} (dé datos de {base_year}, o exports.start e "
        "imports.start, para partir de ahí)",
    ),
    "warn.rival_borrowed": (
        "data: {file} has no exports of {rival}; using the bundled figures for them",
        "datos: {file} no tiene exportaciones de {rival}; se usan las cifras incluidas en el "
        "programa",
    ),
    "warn.line": ("warning: {scenario}: {text}", "aviso: {scenario}: {text}"),
    # trends (data/trend.Trend.describe)
    "trend.describe": (
        "CAGR {first}-{last} ({span}): {a} -> {b}{floor}",
        "TCAC {first}-{last} ({span}): {a} -> {b}{floor}",
    ),
    "trend.one_year": ("1 year", "1 año"),
    "trend.floor": (" (a figure is a lower bound)", " (una cifra es una cota inferior)"),
    "trend.how": ("trend of the data: {trend}", "tendencia de los datos: {trend}"),
    # the bundled figures (metaltrade_xl.DATA_VINTAGE in English; a test checks they agree)
    "data.vintage": (
        "SNI-IEES press release, Lima, 2026-01-26",
        "nota de prensa del SNI-IEES, Lima, 2026-01-26",
    ),
    # the Provenance sheet
    "prov.title": ("metaltrade_xl: provenance", "metaltrade_xl: procedencia"),
    "prov.intro": (
        "Where every input of this workbook came from, and which program made it",
        "De dónde viene cada dato de este libro y qué programa lo hizo",
    ),
    "prov.made_by": ("Made by", "Hecho por"),
    "prov.item": ("Item", "Concepto"),
    "prov.program": ("program", "programa"),
    "prov.version": ("version", "versión"),
    "prov.date": ("date", "fecha"),
    "prov.data_read": (
        "Data read (SHA-256 of each file as read)",
        "Datos leídos (SHA-256 de cada archivo tal como se leyó)",
    ),
    "prov.data": ("data", "datos"),
    "prov.file": ("file", "archivo"),
    "prov.rows": ("rows", "filas"),
    "prov.source": ("source", "fuente"),
    "prov.no_file": ("(no file: a live workbook)", "(sin archivo: un libro abierto)"),
    "prov.bundled": ("bundled figures", "cifras incluidas en el programa"),
    "prov.data_file": ("data file", "archivo de datos"),
    "prov.data_sheet": ("{sheet} sheet of the workbook", "hoja {sheet} del libro"),
    "prov.lower_bounds": (
        "Figures used that the source gives as lower bounds ('more than'): values built on "
        "them are floors too",
        "Cifras usadas que la fuente da como cotas inferiores («más de»): los valores "
        "construidos con ellas también lo son",
    ),
    "prov.more_than": ("More than", "Más de"),
    "prov.floor_figure": (
        "{what} ({id}); used for {keys} in {who}; source: {source}",
        "{what} ({id}); usada para {keys} en {who}; fuente: {source}",
    ),
    "prov.all_scenarios": ("all {n} scenarios", "los {n} escenarios"),
    "prov.warnings": (
        "Warnings: projected values below a figure already recorded",
        "Avisos: valores proyectados por debajo de una cifra ya registrada",
    ),
    "prov.warnings_none": (
        "Warnings: projected values below a figure already recorded (none)",
        "Avisos: valores proyectados por debajo de una cifra ya registrada (ninguno)",
    ),
    "prov.warning": ("Warning", "Aviso"),
    "prov.parameters": ("Parameters as resolved: {name}", "Parámetros resueltos: {name}"),
    "prov.how": ("Where it comes from", "De dónde sale"),
    "prov.description": ("Description", "Descripción"),
    "prov.given": ("given in the scenario", "dado en el escenario"),
    "prov.solved": (
        "solved: the rate that reaches {rival} in {horizon}",
        "resuelto: la tasa que alcanza a {rival} en {horizon}",
    ),
    "prov.origin_share": ("from the data: {ids}", "de los datos: {ids}"),
    # the Sources title (report/provenance.sources_title)
    "sources.credit": ("Data sources: {text}", "Fuentes de datos: {text}"),
    "sources.no_publisher": (
        "{files} (the rows name no publisher)",
        "{files} (las filas no indican editor)",
    ),
    "sources.more": (
        "{text} and {n} more (each row names its own)",
        "{text} y {n} más (cada fila indica la suya)",
    ),
    "sources.unnamed": (
        "{text}; {n} row(s) naming no publisher, from {files}",
        "{text}; {n} fila(s) sin editor, de {files}",
    ),
    "sources.listed": (
        "The {n} figures the scenarios used, of {total} in {files}",
        "Las {n} cifras que usaron los escenarios, de {total} en {files}",
    ),
    "credit.unnamed": (
        "{text}; {n} row(s) name no publisher: {file}",
        "{text}; {n} fila(s) sin editor: {file}",
    ),
}
