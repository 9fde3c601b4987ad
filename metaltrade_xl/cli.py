"""The ``metaltrade`` command line: parse -> load -> engine -> write. The only module that prints."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from metaltrade_xl import __version__
from metaltrade_xl._io import (
    Progress,
    bounded,
    check_outputs,
    frozen_at_exit,
    import_uncollected,
    read_ahead,
    saved_together,
)
from metaltrade_xl.report.notes import notice_text
from metaltrade_xl.report.words import DEFAULT_LANGUAGE, LANGUAGES, Words

EXIT_USAGE = 2
EXIT_INTERNAL = 1


class CliError(Exception):
    """A problem to report in one line (exit code 2)."""


def _run(args: argparse.Namespace) -> int:
    from metaltrade_xl.data import load_figures
    from metaltrade_xl.data.origin import bundled_origin, file_origin
    from metaltrade_xl.files import output as workbook
    from metaltrade_xl.report import content as report
    from metaltrade_xl.scenarios import check_finite, default_scenario_dir, load_scenario, run_full

    if args.workbook:
        return _run_workbook(args)
    out = Path(args.out or "projections.xlsx")
    json_out = Path(args.json) if args.json else None
    check_outputs(args.force, ("--out", out), ("--json", json_out))  # exists, folder, writable
    if out.suffix.lower() == ".xlsm":
        raise CliError(
            f"--out: expected a .xlsx file name, got '{out.name}' (a projection workbook has no "
            "macros; for one with the xlwings VBA use --workbook IN.xlsm --out OUT.xlsm)"
        )
    if out.suffix.lower() != ".xlsx":
        raise CliError(f"--out: expected a .xlsx file name, got '{out.name}'")

    figures = load_figures(args.data)
    if args.scenarios:
        files = [Path(p) for p in args.scenarios]
    else:
        folder = default_scenario_dir()
        files = sorted(folder.glob("*.toml"))
        print(Words(args.lang)("cli.scenarios", n=len(files), folder=folder))
    scenarios = [load_scenario(f) for f in files]
    if args.data:
        from metaltrade_xl.data.origin import borrow_rival_exports

        rivals = [s.rival.name for s in scenarios if s.rival.start is None]
        figures, notes = borrow_rival_exports(figures, rivals, Path(args.data).name)
        for note in notes:
            print(notice_text(note, Words(args.lang)))
    progress = Progress(len(scenarios))
    results = []
    for scenario in scenarios:
        progress.step(scenario.name)
        results.append(run_full(scenario, figures))
    progress.done()
    check_finite(results)

    lang = args.lang or DEFAULT_LANGUAGE
    origin = file_origin(args.data, figures) if args.data else bundled_origin(figures)
    sheets = report.build_report(results, figures, lang=lang, provenance=[origin])
    with saved_together():  # never a new workbook beside an old JSON
        book = workbook.new_workbook(sheets, paper=args.paper)
        workbook.save_atomic(book, out, force=args.force)
        if json_out:
            text = json.dumps(report.results_json(results), indent=2, allow_nan=False)
            workbook.write_text_atomic(text + "\n", json_out, force=args.force)

    w = Words(lang)
    _print_summary(results, figures, lang)
    _print_notes(results, lang)
    print(w("cli.data", data=args.data or w("data.vintage")))
    print(w("cli.wrote", what=w.join([str(out)] + ([str(json_out)] if json_out else []))))
    return 0


def _run_workbook(args: argparse.Namespace) -> int:
    from metaltrade_xl.files import output as workbook
    from metaltrade_xl.files.runbook import run_workbook_report
    from metaltrade_xl.report import content as report
    from metaltrade_xl.scenarios.preflight import check_finite

    if args.scenarios or args.data:
        raise CliError(
            "--workbook reads its own Data and Scenarios sheets: give no SCENARIO or --data"
        )
    if not args.out:
        raise CliError("--workbook needs --out (the input workbook is never changed)")
    check_outputs(args.force, ("--out", args.out), ("--json", args.json))
    with saved_together():  # never a new workbook beside an old JSON
        results, figures, lang = run_workbook_report(
            args.workbook, args.out, force=args.force, lang=args.lang, paper=args.paper
        )
        check_finite(results)
        if args.json:
            text = json.dumps(report.results_json(results), indent=2, allow_nan=False)
            workbook.write_text_atomic(text + "\n", args.json, force=args.force)
    w = Words(lang)
    _print_summary(results, figures, lang)
    _print_notes(results, lang)
    print(w("cli.wrote", what=w.join([str(args.out)] + ([str(args.json)] if args.json else []))))
    return 0


def mt_functions() -> dict:
    """The MT_ functions by name, as plain Python callables (what the Excel cells run)."""
    import metaltrade_xl.udfs as udfs

    return {name: getattr(udfs, name) for name in udfs.__all__}


def _share(args: argparse.Namespace) -> int:
    from metaltrade_xl.files.sharing import share

    done = share(
        args.src, args.out, force=args.force, functions=mt_functions(), use_stored=args.use_stored
    )
    for line in done.summary_lines():
        print(line)
    print(f"wrote {done.out} (with a Provenance sheet)")
    return 0


def _workbook_new(args: argparse.Namespace) -> int:
    from metaltrade_xl.files.template import new_workbook

    made = new_workbook(
        args.path,
        force=args.force,
        functions=mt_functions(),
        lang=args.lang or DEFAULT_LANGUAGE,
        paper=args.paper,
    )
    print(f"wrote {made.path}: README, Data, Scenarios, Functions, xlwings.conf")
    print(
        "its macros (Alt+F8: SampleCall runs the scenarios, ShareCopy writes a shareable copy) "
        "call metaltrade_xl.macros: the file may be renamed or copied"
    )
    print(made.interpreter_note)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from metaltrade_xl.excel.server import check_installed, check_licence, serve

    check_licence()
    check_installed()
    print(
        f"metaltrade: xlwings Server on http://{args.host}:{args.port} with {args.workers} "
        "worker(s); Ctrl+C stops it",
        flush=True,
    )
    serve(
        args.host,
        args.port,
        args.workers,
        ssl_keyfile=args.ssl_keyfile,
        ssl_certfile=args.ssl_certfile,
    )
    return 0


def _data_import(args: argparse.Namespace) -> int:
    from metaltrade_xl.data.trade import import_trade, write_tidy

    out = Path(args.out)
    check_outputs(args.force, ("--out", out))  # exists (without --force), folder, writable
    result = import_trade(args.files, fmt=args.format, sector=args.sector, reporter=args.reporter)
    for line in result.summary_lines():
        print(line)
    written = write_tidy(result, out, force=args.force)
    print("wrote " + " and ".join(str(p) for p in written))
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from metaltrade_xl.data.fetch import fetch_comtrade, write_fetched

    out = Path(args.out)
    if out.exists() and not args.force:
        raise CliError(f"{out} exists; use --force to replace it or choose another path")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise CliError(f"--out: expected a .csv or .xlsx file name, got '{out.name}'")
    rivals = _split(args.rivals) if args.rivals is not None else _reference_rivals()
    result = fetch_comtrade(
        args.reporter,
        args.years,
        partners=_split(args.partners),
        rivals=[r for r in rivals if r.lower() != "none"],
        monthly=args.monthly,
        key=args.key,
        api_url=args.api_url,
        sector=args.sector,
        cache_dir=args.cache_dir,
        refresh=args.refresh,
        max_records=args.max_records,
    )
    for line in result.lines:
        print(line)
    write_fetched(result, out, force=args.force)
    print(f"wrote {out}")
    return 0


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _reference_rivals() -> list[str]:
    """The rivals the reference scenarios compare with (their exports are fetched too)."""
    from metaltrade_xl.scenarios import default_scenario_files, load_scenario

    names = []
    try:
        for f in default_scenario_files():
            names.append(load_scenario(f).rival.name)
    except ValueError:  # no scenarios found, or one broken: fetch no rival rather than fail
        return []
    return list(dict.fromkeys(names))


def _print_summary(results, figures, lang: str) -> None:
    from metaltrade_xl.report.summary import summary_lines

    print("\n".join(summary_lines(results, figures, lang)))


def _lang_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, help=f"language of {what}: en (default), es")


def _print_notes(results, lang: str = DEFAULT_LANGUAGE) -> None:
    """The lower bounds the results rest on (stdout) and their warnings (stderr, one line each,
    in ``lang``; the JSON's ``warnings`` keep the English sentences, for scripts).

    In Spanish the summary's own line lists the lower bounds (these lines are English)."""
    from metaltrade_xl.report.provenance import lower_bound_lines, warning_lines

    for line in lower_bound_lines(results) if lang == "en" else ():
        print(line)
    for line in warning_lines(results, Words(lang)):
        print(f"metaltrade: {line}", file=sys.stderr)


def _paper_option(parser: argparse.ArgumentParser) -> None:
    from metaltrade_xl.report.papers import DEFAULT_PAPER, PAPERS

    what = "paper the sheets print on (landscape, one page wide): a4 (default) or letter"
    parser.add_argument("--paper", choices=PAPERS, default=DEFAULT_PAPER, help=what)


def _output_options(parser: argparse.ArgumentParser, replaces: str) -> None:
    """--force and --debug, as every subcommand that writes files takes them."""
    parser.add_argument("--force", action="store_true", help=f"replace {replaces}")
    # SUPPRESS: `metaltrade --debug run` keeps the top-level flag instead of resetting it
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metaltrade",
        description="Trade-balance projections for Peru's metal-mechanical industry.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "run",
        help="project scenarios and write a projection workbook",
        description="Project every scenario and write a workbook (one sheet per scenario, "
        "Summary, Sources) and optionally JSON. Without SCENARIO files, every file of the "
        "scenarios/ folder (or the copies shipped in the package) is run on the bundled data.",
    )
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO.toml")
    p.add_argument("--data", metavar="FILE", help="figures in the tidy layout (.csv or .xlsx)")
    p.add_argument("--out", metavar="PATH.xlsx", help="default: projections.xlsx")
    p.add_argument(
        "--workbook",
        metavar="IN.xlsm",
        help="read Data and Scenarios from this workbook and write a copy of it with "
        "the projection sheets to --out, as the scenario macro does in Excel",
    )
    p.add_argument("--json", metavar="PATH.json", help="also write the results as JSON")
    _lang_option(
        p,
        "the sheets and the printed summary (with --workbook: the workbook's Language setting unless given)",
    )
    _paper_option(p)
    _output_options(p, "existing output files")
    p.set_defaults(func=_run)

    p = sub.add_parser(
        "share",
        help="write a copy for people without Python",
        description="Copy a workbook with every MT_ formula replaced by its value, VBA and "
        "xlwings.conf dropped, and a Provenance sheet. By default the MT_ formulas are computed "
        "here, on any OS, by the same functions Excel runs (other formulas stay live), and "
        "values Excel stored are compared with them; --use-stored keeps Excel's values instead. "
        "Everything else in the file is copied unchanged. The input is never modified.",
    )
    p.add_argument("src", metavar="IN.xlsx|xlsm")
    p.add_argument("out", metavar="OUT.xlsx")
    p.add_argument(
        "--use-stored",
        action="store_true",
        help="freeze the values Excel last stored instead of computing them (default: compute, "
        "and report cells whose stored value differs)",
    )
    _output_options(p, "OUT if it exists")
    p.set_defaults(func=_share)

    p = sub.add_parser("data", help="trade data: import UN Comtrade, CEPII BACI or tidy files")
    dsub = p.add_subparsers(dest="data_command", required=True)
    d = dsub.add_parser(
        "import",
        help="aggregate product-level trade data to the sector, in the tidy layout",
        description="Read UN Comtrade, CEPII BACI or tidy files, keep the sector's HS codes, "
        "aggregate by flow, reporter, partner and year, and write the tidy layout that "
        "`metaltrade run --data` reads. Prints (and keeps in the output) what was read, kept "
        "and rejected, with reasons.",
    )
    d.add_argument("files", nargs="+", metavar="FILE")
    d.add_argument(
        "--format", choices=("comtrade", "baci", "tidy"), help="default: detected from the columns"
    )
    d.add_argument(
        "--sector", metavar="SECTOR.toml", help="default: the bundled metal-mechanical sector"
    )
    d.add_argument("--reporter", metavar="PER", help="keep one reporter (name, ISO3 or BACI code)")
    d.add_argument("--out", required=True, metavar="DATA.xlsx|csv")
    _output_options(d, "--out if it exists")
    d.set_defaults(func=_data_import)

    d = dsub.add_parser(
        "fetch",
        help="download the sector's trade from the UN Comtrade API, in the tidy layout",
        description="Ask the UN Comtrade API (data/v1/get) for the sector's HS codes: exports "
        "and imports of the reporter to the world and by partner, and the rivals' exports; "
        "write the tidy layout that `metaltrade run --data` reads (USD millions; each row names "
        "the query and the date fetched). Answers are cached; 429 and server errors are tried "
        "again. The subscription key comes from COMTRADE_API_KEY or --key.",
    )
    d.add_argument("--reporter", required=True, metavar="PER", help="name, ISO3 or area code")
    d.add_argument("--years", required=True, metavar="2015-2025", help="a year or FIRST-LAST")
    d.add_argument("--partners", metavar="A,B", help="partners to keep (default all)")
    d.add_argument(
        "--rivals",
        metavar="A,B",
        help="countries whose exports are fetched too (default: the rivals of the reference "
        "scenarios; 'none' for none)",
    )
    d.add_argument(
        "--monthly", action="store_true", help="monthly data, as January-to-month totals"
    )
    d.add_argument("--key", metavar="KEY", help="subscription key (default: $COMTRADE_API_KEY)")
    d.add_argument(
        "--api-url",
        default="https://comtradeapi.un.org",
        metavar="URL",
        help="the API (default https://comtradeapi.un.org; a stand-in for tests)",
    )
    d.add_argument("--refresh", action="store_true", help="ask the API again, not the cache")
    d.add_argument("--cache-dir", metavar="DIR", help="default: ~/.cache/metaltrade/comtrade")
    d.add_argument(
        "--max-records",
        type=int,
        default=100_000,
        metavar="N",
        help="records per request your subscription allows (default 100000)",
    )
    d.add_argument(
        "--sector", metavar="SECTOR.toml", help="default: the bundled metal-mechanical sector"
    )
    d.add_argument("--out", required=True, metavar="DATA.csv|xlsx")
    _output_options(d, "--out if it exists")
    d.set_defaults(func=_data_fetch)

    p = sub.add_parser("workbook", help="the analyst workbook")
    wsub = p.add_subparsers(dest="workbook_command", required=True)
    w = wsub.add_parser("new", help="write the analyst workbook (xlwings VBA, Data, Scenarios, …)")
    w.add_argument("path", metavar="PATH.xlsm")
    _lang_option(w, "the projections the workbook's macro writes (its Language setting)")
    _paper_option(w)
    _output_options(w, "PATH if it exists")
    w.set_defaults(func=_workbook_new)

    p = sub.add_parser(
        "serve",
        help="serve the MT_ functions to Excel on the web and Mac (xlwings Server)",
        description="Start xlwings Server with every MT_ function and the scenario button, for "
        'a whole team (needs pip install "metaltrade_xl[server]" and a licence key in '
        "XLWINGS_LICENSE_KEY; see docs/excel.md). Other settings: XLWINGS_* variables.",
    )
    p.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (this machine only)")
    p.add_argument("--port", type=int, default=8000, help="default: 8000")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--ssl-keyfile", metavar="KEY.pem", help="serve HTTPS (Excel add-ins need it)")
    p.add_argument("--ssl-certfile", metavar="CERT.pem", help="the certificate for --ssl-keyfile")
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors"
    )
    p.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None, *, _process: bool = False) -> int:
    _read_ahead(sys.argv[1:] if argv is None else argv)  # before numpy and pandas are imported
    parser = build_parser()  # imports neither: --help, --version and usage errors answer at once
    args = parser.parse_args(argv)
    if _process:
        import_uncollected()
    try:
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow: reported as one line
        return args.func(args)
    except (CliError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"metaltrade: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("metaltrade: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        print(
            f"metaltrade: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> int:
    """``metaltrade`` as a process (the console script, ``python -m metaltrade_xl.cli``):
    :func:`main`, with the garbage collector set for a command that ends when its work does
    (:func:`._io.import_uncollected`). Called in-process, :func:`main` leaves the collector alone.
    """
    try:
        return main(_process=True)
    finally:
        frozen_at_exit()


def _read_ahead(argv: list[str]) -> None:
    """Start reading a ``--data`` workbook now, on another thread (:func:`._io.read_ahead`), so
    that its parse overlaps the imports; the real reading (and every message about the file)
    stays with the command. Only the plain spellings ``--data X`` and ``--data=X`` are looked
    for: anything else just reads the file later."""
    for i, arg in enumerate(argv):
        if arg == "--data" and i + 1 < len(argv):
            read_ahead(argv[i + 1])
        elif arg.startswith("--data="):
            read_ahead(arg[len("--data=") :])


def _one_line(exc: BaseException) -> str:
    return bounded(" ".join((str(exc) or type(exc).__name__).split()))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(entry())
