"""Identifiers in words, English and Spanish: table columns, model inputs, data indicators.

Looked up through :class:`metaltrade_xl.report.words.Words` (``column``, ``input``,
``indicator``); kept apart from the sentences of :mod:`.words` only to keep modules short.
"""

from __future__ import annotations

#: Column identifiers -> (English, Spanish); placeholders are filled from the table's context.
COLUMNS: dict[str, tuple[str, str]] = {
    "year": ("Year", "Año"),
    "kind": ("Values", "Valores"),
    "exports": ("Exports", "Exportaciones"),
    "imports_before_substitution": ("Imports before substitution", "Importaciones sin sustitución"),
    "substituted": ("Imports substituted", "Importaciones sustituidas"),
    "substitution_effect": ("Deficit cut by substitution", "Reducción del déficit por sustitución"),
    "imports": ("Imports", "Importaciones"),
    "balance": ("Balance (exports − imports)", "Saldo (exportaciones − importaciones)"),
    "deficit": ("Deficit (imports − exports)", "Déficit (importaciones − exportaciones)"),
    "coverage": ("Coverage (exports / imports)", "Cobertura (exportaciones / importaciones)"),
    "rival_exports": ("{rival} exports", "Exportaciones de {rival}"),
    "gap_to_rival": ("Gap to {rival}", "Brecha con {rival}"),
    "scenario": ("Scenario", "Escenario"),
    "horizon": ("Horizon", "Horizonte"),
    "exports_growth_avg": (
        "Export growth a year (average)",
        "Crecimiento anual de las exportaciones (promedio)",
    ),
    "imports_growth_avg": (
        "Import growth a year (average)",
        "Crecimiento anual de las importaciones (promedio)",
    ),
    "rival": ("Rival", "Rival"),
    "rival_growth_avg": (
        "Rival export growth a year (average)",
        "Crecimiento anual de las exportaciones del rival (promedio)",
    ),
    "rival_exports_any": ("Rival exports", "Exportaciones del rival"),
    "gap_to_rival_any": (
        "Gap to rival (rival − exports)",
        "Brecha con el rival (rival − exportaciones)",
    ),
    "first_year_reaching_rival": (
        "First year exports reach the rival",
        "Primer año en que se alcanza al rival",
    ),
    "p_ahead": (
        "Probability exports are ahead that year",
        "Probabilidad de estar por delante ese año",
    ),
    "se_ahead": ("Standard error (ahead)", "Error estándar (por delante)"),
    "p_reached_by": (
        "Probability reached by that year",
        "Probabilidad de haberlo alcanzado ese año",
    ),
    "se_reached_by": ("Standard error (reached)", "Error estándar (alcanzado)"),
    "first_year": ("First year", "Primer año"),
    "paths": ("Paths", "Trayectorias"),
    "probability": ("Probability", "Probabilidad"),
    "input": ("Input", "Variable"),
    "swing": ("Swing (P10–P90 width)", "Variación (ancho P10–P90)"),
    "outcome_low": ("Deficit at P10", "Déficit en P10"),
    "outcome_high": ("Deficit at P90", "Déficit en P90"),
    "low_value": ("Input at P10", "Variable en P10"),
    "high_value": ("Input at P90", "Variable en P90"),
    "base": ("Central deficit", "Déficit central"),
    "statistic": ("Statistic", "Estadístico"),
    "value": ("Value", "Valor"),
    "id": ("Figure id", "Id de la cifra"),
    "indicator": ("Indicator", "Indicador"),
    "reporter": ("Reporter", "Informante"),
    "partner": ("Partner", "Socio"),
    "months": ("Months", "Meses"),
    "unit": ("Unit", "Unidad"),
    "lower_bound": ("Lower bound", "Cota inferior"),
    "source_publisher": ("Publisher", "Editor"),
    "source_title": ("Title", "Título"),
    "source_date": ("Date", "Fecha"),
    "quote": ("Quote", "Cita"),
    "note": ("Note", "Nota"),
    "file": ("File", "Archivo"),
    "used_by": ("Used by", "Usada por"),
}

#: Model inputs (uncertainties and levers) -> words.
INPUTS: dict[str, tuple[str, str]] = {
    "exports.growth": ("Export growth", "Crecimiento de las exportaciones"),
    "imports.growth": ("Import growth", "Crecimiento de las importaciones"),
    "rival.growth": ("{rival} export growth", "Crecimiento de las exportaciones de {rival}"),
    "exports.start": ("Exports in the base year", "Exportaciones en el año base"),
    "imports.start": ("Imports in the base year", "Importaciones en el año base"),
    "rival.start": ("{rival} exports in the base year", "Exportaciones de {rival} en el año base"),
    "substitution.share": ("Share substituted", "Parte sustituida"),
    "substitution.import_content": (
        "Import content of substitutes",
        "Contenido importado de la sustitución",
    ),
    "substitution.origin_share": ("Origins' share of imports", "Participación de los orígenes"),
}

#: Indicators of the figures file -> words ("{reporter}" and "{partner}" filled in).
INDICATORS: dict[str, tuple[str, str]] = {
    "exports": ("exports", "exportaciones"),
    "imports": ("imports", "importaciones"),
    "deficit": ("deficit", "déficit"),
    "export_destination_rank": ("export destination rank", "puesto como destino de exportación"),
    "export_growth": ("export growth", "crecimiento de las exportaciones"),
    "import_share": ("import share", "participación en las importaciones"),
    "latin_american_destinations_in_top_10": (
        "Latin American destinations in the top 10",
        "destinos latinoamericanos entre los 10 primeros",
    ),
    "sector_share_of_manufactures_trade": (
        "sector share of manufactures trade",
        "participación del sector en el comercio de manufacturas",
    ),
    "sector_share_of_trade": ("sector share of trade", "participación del sector en el comercio"),
    "world_export_share": (
        "share of world exports",
        "participación en las exportaciones mundiales",
    ),
    "world_import_share": (
        "share of world imports",
        "participación en las importaciones mundiales",
    ),
}

#: Units of the figures file -> words.
UNITS: dict[str, tuple[str, str]] = {
    "USD million": ("USD million", "millones de USD"),
    "fraction": ("share", "proporción"),
    "rank": ("rank", "puesto"),
    "count": ("count", "número"),
}


#: Places in Spanish, as the data name them (figures.csv, UN Comtrade's names and their usual
#: English forms); a place not listed keeps its name. Only words are translated: data tables
#: (Sources, Data) show the names as the data give them, so they can be matched with the file.
PLACES_ES = {
    "World": "Mundo", "America": "América", "Asia": "Asia", "Europe": "Europa",
    "Peru": "Perú", "Mexico": "México", "Brazil": "Brasil", "United States": "Estados Unidos",
    "USA": "Estados Unidos", "United States of America": "Estados Unidos", "Canada": "Canadá",
    "Panama": "Panamá", "Germany": "Alemania", "Japan": "Japón", "Rep. of Korea": "Corea del Sur",
    "South Korea": "Corea del Sur", "Korea": "Corea del Sur", "Spain": "España",
    "France": "Francia", "Netherlands": "Países Bajos", "Belgium": "Bélgica",
    "Switzerland": "Suiza", "United Kingdom": "Reino Unido", "UK": "Reino Unido",
    "Türkiye": "Turquía", "Turkey": "Turquía", "South Africa": "Sudáfrica",
    "Singapore": "Singapur", "Viet Nam": "Vietnam", "China, Hong Kong SAR": "Hong Kong (China)",
    "Hong Kong": "Hong Kong (China)",
}  # fmt: skip
