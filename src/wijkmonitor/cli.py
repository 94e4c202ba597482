"""The `wijkmonitor` command for analysts: look at an export, convert it, build an area register.

    wijkmonitor inspect FILE [--format F] [--register areas.csv]
    wijkmonitor ingest FILE [--format F] [--register areas.csv] --out OUT.csv|OUT.parquet
    wijkmonitor register KWB.xlsx [--municipality GM0344] [--subwijken subwijken.csv] --out areas.csv
    wijkmonitor formats
    wijkmonitor download [TABLE_ID ...] [--kwb-years 2023 2024] [--health 50090NED] [--config config.yaml]
                         --municipality GM0344 [--out data/raw/download]

Anything it cannot read ends with one paragraph saying what and where, and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import pandas as pd

from .areas import AreaMatcher, build_register, load_register
from .canonical import OBSERVATION_COLUMNS, observation_frame
from .catalogue import Catalogue
from .errors import WijkmonitorError
from .ingest import IngestResult, ingest_file, with_lineage
from .readers import FORMATS, candidates, read_file
from .readers.common import CBS_CODE
from .readers.sample import take_sample

EXIT_ERROR = 1
WIDTH = 100
MAX_LISTED = 15  # indicators, notes and unknown areas listed by inspect


def _reader_options(args: argparse.Namespace) -> dict:
    return {"period": args.period, "sheet": args.sheet, "metadata": args.metadata,
            "columns": args.columns.split(";") if args.columns else None}


def _add_read_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the export to read")
    parser.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                        help="the reader (default: detected from the file)")
    parser.add_argument("--register", help="area register CSV to match areas against (e.g. catalogue/areas.csv)")
    parser.add_argument("--catalogue", help="indicator catalogue folder (e.g. catalogue) to name indicators")
    parser.add_argument("--period", type=int, help="year of the data when the file does not say")
    parser.add_argument("--sheet", help="sheet to read when a workbook has several")
    parser.add_argument("--metadata", help="CBS OData DataProperties.json (format cbs_odata)")
    parser.add_argument("--columns", help="';'-separated '<indicator>|[<category>|]<year>' per value column "
                        "(Swing exports whose headers lost a dimension)")
    parser.add_argument("--quarantine", action="store_true",
                        help="with --register: set rows of unknown areas aside instead of stopping "
                        "(inspect always lists them)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wijkmonitor", description="Read neighbourhood statistics exports into wijkmonitor's canonical table.",
        epilog="Formats: " + ", ".join(FORMATS) + ". See `wijkmonitor formats`.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    inspect = commands.add_parser("inspect", help="show how a file would be read")
    _add_read_arguments(inspect)
    inspect.add_argument("--rows", type=int, default=8, help="canonical rows to show (default 8)")
    ingest = commands.add_parser("ingest", help="write a file's canonical long table")
    _add_read_arguments(ingest)
    ingest.add_argument("--source-id", default="cli", help="source id recorded on each row (default: cli)")
    ingest.add_argument("--out", required=True, help="OUT.csv or OUT.parquet")
    register = commands.add_parser(
        "register", help="build an area register from CBS kwb files (one year, or several: validity and links)",
        description="Build the area register from a CBS kwb file; from kwb files of two or more years, with "
        "valid_from/valid_to per area and a link table of boundary changes (same, renamed, recoded, split, "
        "merged); see docs/boundaries.md.")
    register.add_argument("kwb", nargs="+", help="CBS Kerncijfers wijken en buurten xlsx (one municipality or all); "
                          "two or more of different years for validity periods and links")
    register.add_argument("--municipality", help="CBS code (GM....) when the file holds several municipalities")
    register.add_argument("--subwijken", help="table of subwijken (code, name, wijk_code, buurt_prefix, aliases)")
    register.add_argument("--out", required=True, help="the register CSV to write")
    register.add_argument("--links-out", help="with two or more kwb files: the link table to write "
                          "(default: area_links.csv beside --out)")
    register.add_argument("--links", help="with two or more kwb files: links stated by hand (CSV: old_code, new_code, "
                          "relation, from_year, to_year[, share, evidence]) for changes the files do not show")
    commands.add_parser("formats", help="list the formats and what each reads")
    _add_download_parser(commands)
    return parser


def _add_download_parser(commands) -> None:
    from .download import (
        CBS_ODATA,
        DATADERDEN,
        DATASETS,
        DEFAULT_OUT,
        DEFAULT_TIMEOUT,
        HEALTH_TABLE,
    )

    download = commands.add_parser(
        "download", help="download CBS open-data tables (OData API) cut to one municipality",
        description="Download CBS tables through the CBS OData API, filtered to a municipality, its wijken "
        "and buurten, with their metadata (TableInfos, DataProperties): tables by id, the Kerncijfers wijken "
        "en buurten of given years, the RIVM/CBS health table, or what a config's download: section names; "
        "see docs/download.md.")
    download.add_argument("table_ids", nargs="*", metavar="TABLE_ID",
                          help="CBS table ids, e.g. 85984NED (Kerncijfers wijken en buurten 2024)")
    download.add_argument("--kwb-years", nargs="+", type=int, metavar="YEAR",
                          help="Kerncijfers wijken en buurten of these years (their table ids are known; "
                          "give a TABLE_ID for a year that is not)")
    download.add_argument("--health", metavar="TABLE_ID",
                          help=f"the RIVM/CBS health table, fetched with its Marges from {DATADERDEN}: "
                          f"{HEALTH_TABLE} (Gezondheid per wijk en buurt 2012/2016/2020) or a later edition's id")
    download.add_argument("--config", metavar="FILE",
                          help="a wijkmonitor config: its city.code and download: section (the options "
                          "given here override it)")
    download.add_argument("--municipality", help="CBS municipality code, e.g. GM0344 (default with --config: "
                          "city.code)")
    download.add_argument("--out", help=f"folder for <TABLE_ID>/ (default: {DEFAULT_OUT})")
    download.add_argument("--base-url", help=f"OData API root (default: {CBS_ODATA}; given, it is also the "
                          "health table's unless --health-base-url is)")
    download.add_argument("--health-base-url", help=f"OData API root of the health table (default: {DATADERDEN})")
    download.add_argument("--timeout", type=float,
                          help=f"seconds to wait for each answer (default: {DEFAULT_TIMEOUT:g})")
    download.add_argument("--dataset", choices=DATASETS,
                          help="the data set of the TABLE_IDs (default: UntypedDataSet for tables with Marges, "
                          "else TypedDataSet); kwb tables are fetched typed, the health table untyped")


def download_plan_from_args(args: argparse.Namespace) -> list:
    """The tables `wijkmonitor download` fetches. --config gives city.code and the download: section;
    the options given override them. Tables named on the command line (TABLE_IDs, --kwb-years,
    --health) replace the config's kwb_years and health_table: the kwb tables first, then the
    health table, then the TABLE_IDs."""
    import yaml

    from .download import HEALTH_TABLE, PLAN_DEFAULTS, DownloadError, PlannedTable, download_plan

    names_tables = bool(args.table_ids or args.kwb_years or args.health)
    if not (names_tables or args.config):
        raise DownloadError("no table to download.",
                            hint="Name them: TABLE_IDs (e.g. 85984NED), --kwb-years 2023 2024, --health 50090NED, or "
                                 "--config config.yaml with a download: section.")
    config: dict = {}
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as handle:
                config = yaml.safe_load(handle) or {}
        except OSError as exc:
            raise DownloadError(f"cannot read the config: {exc.strerror or exc}.", file=args.config) from None
        except yaml.YAMLError as exc:
            raise DownloadError(f"the config is not YAML ({str(exc).splitlines()[0]}).", file=args.config) from None
        if not isinstance(config, dict):
            raise DownloadError("the config is not a mapping of settings.", file=args.config)
        if config.get("download") is None and not names_tables:
            raise DownloadError("the config has no download: section, so it names no table to download.",
                                file=args.config, hint="Add one (see docs/download.md), or name the tables "
                                "here: TABLE_IDs, --kwb-years, --health.")
    section = config.get("download")
    section = {} if section is None else section
    if isinstance(section, dict):
        section = dict(section)
        if names_tables:
            section.update(kwb_years=args.kwb_years or [], health_table=args.health)
        given = {"out": args.out, "base_url": args.base_url, "timeout": args.timeout,
                 "health_base_url": args.health_base_url or args.base_url}
        section.update({key: value for key, value in given.items() if value is not None})
    city = config.get("city") if isinstance(config.get("city"), dict) else {}
    municipality = args.municipality or city.get("code")
    if not municipality:
        raise DownloadError("no municipality to cut the tables to.",
                            hint="Give --municipality, e.g. --municipality GM0344"
                                 + (", or city.code in the config." if args.config else "."))
    plan = []
    if not isinstance(section, dict) or section.get("kwb_years") or \
            section.get("health_table", HEALTH_TABLE) is not None:
        plan = download_plan({"city": {"code": municipality}, "download": section})
    settings = {**PLAN_DEFAULTS, **{key: value for key, value in section.items() if value is not None}}
    plan += [PlannedTable(table_id, "table", municipality, settings["out"], settings["base_url"], args.dataset,
                          settings["timeout"]) for table_id in args.table_ids]
    return plan


def download_report(args: argparse.Namespace) -> str:
    """Download the tables; what `wijkmonitor download` prints."""
    from .download import PROVENANCE, download_planned

    plan = download_plan_from_args(args)
    done = download_planned(plan)
    out = []
    for d, item in zip(done, plan, strict=True):
        out.append(f"{d.table_id}{f' ({d.title})' if d.title else ''}: wrote {d.folder}/")
        out.append(f"  {d.data_file.name} ({d.rows} rows of {item.municipality}, its wijken and buurten), "
                   + ", ".join(name for name in d.files if name not in (d.data_file.name, PROVENANCE))
                   + f", {PROVENANCE} (provenance)")
        out.append(f"  read it with: wijkmonitor inspect {d.data_file} --metadata {d.folder}")
    return "\n".join(out)


def register_report(args: argparse.Namespace) -> str:
    """Build and write the area register (and, from several kwb years, the link table); what
    `wijkmonitor register` prints."""
    from .steps import atomic_path

    def write(frame: pd.DataFrame, path: str) -> None:
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False, lineterminator="\n")

    if len(args.kwb) == 1:
        if args.links or args.links_out:
            raise WijkmonitorError("--links and --links-out need kwb files of two or more years.", file=args.kwb[0],
                                   hint="Give the kwb files of each year to link, e.g. kwb-2023.xlsx kwb-2024.xlsx.")
        register = build_register(args.kwb[0], args.subwijken, args.municipality)
        write(register, args.out)
        counts = ", ".join(f"{n} {level}" for level, n in register["level"].value_counts().items())
        return f"wrote {args.out}: {len(register)} areas ({counts})"
    from .boundaries import RELATIONS, build_history_register

    links_out = args.links_out or str(Path(args.out).with_name("area_links.csv"))
    if Path(links_out).resolve() == Path(args.out).resolve():
        raise WijkmonitorError("--links-out is the register itself (--out).", file=links_out,
                               hint="Name another file for the link table, e.g. area_links.csv.")
    register, links = build_history_register(args.kwb, args.subwijken, args.municipality, args.links)
    write(register, args.out)
    write(links, links_out)
    counts = ", ".join(f"{n} {level}" for level, n in register["level"].value_counts().items())
    years = sorted(set(links["from_year"]) | set(links["to_year"]))
    retired = int(register["valid_to"].notna().sum())
    relations = links["relation"].value_counts()
    return (f"wrote {args.out}: {len(register)} areas ({counts}) of the kwb years {', '.join(map(str, years))}; "
            f"{retired} no longer in {years[-1]} (valid_to set)\n"
            f"wrote {links_out}: {len(links)} links ("
            + ", ".join(f"{relations[r]} {r}" for r in RELATIONS if r in relations) + ")")


def cbs_codes(codes: pd.Series) -> pd.Series:
    """The source's area codes, stripped, where they are CBS codes; else NA (without a register a
    code that is not CBS's cannot be checked, so it is not passed on)."""
    stripped = codes.astype("string").str.strip()
    return stripped.where(stripped.str.fullmatch(CBS_CODE).fillna(False), pd.NA)


def _ingest(args: argparse.Namespace) -> tuple[str, IngestResult | None, pd.DataFrame, dict]:
    """(format, ingest result with a register or None, canonical rows, read facts)."""
    options = _reader_options(args)
    catalogue = Catalogue.load(args.catalogue) if args.catalogue else None
    if args.register:
        result = ingest_file(
            args.file, fmt=args.format, source_id=getattr(args, "source_id", "cli"),
            catalogue=catalogue or _empty_catalogue(), matcher=AreaMatcher(load_register(args.register)),
            unknown_areas="quarantine" if args.quarantine or args.command == "inspect" else "stop", **options,
        )
        return result.log["reader"], result, result.observations, result.log
    fmt, read = read_file(args.file, args.format, **options)
    rows, _, _ = with_lineage(read.table, str(args.file), getattr(args, "source_id", "cli"), catalogue, None)
    rows = rows.assign(area_code=cbs_codes(rows["area_code"]))
    facts = {"reader": fmt, "layout": read.layout, "encoding": read.encoding, "skipped": read.skipped,
             "notes": read.notes,
             "area_codes": sorted(read.table["area_code"].dropna().str.strip().unique())}
    return fmt, None, observation_frame(rows), facts


def _empty_catalogue() -> Catalogue:
    """A catalogue with no indicators: every column keeps an id derived from its header."""
    from .catalogue import INDICATOR_COLUMNS

    return Catalogue(indicators=pd.DataFrame(columns=INDICATOR_COLUMNS), units=pd.DataFrame(), theme_sets={})


def _lines(title: str, items: list[str]) -> str:
    body = "\n".join(f"  {item}" for item in items) if items else "  (none)"
    return f"{title}\n{body}"


def inspect_report(args: argparse.Namespace) -> str:
    """What `wijkmonitor inspect` prints."""
    path = Path(args.file)
    sample = take_sample(path)
    detected = candidates(sample)
    fmt, result, rows, facts = _ingest(args)
    out = [f"file       {path} ({path.stat().st_size:,} bytes)"]
    how = "given" if args.format != "auto" else "detected"
    out.append(f"format     {fmt} ({how}; detectors that recognise the file: {', '.join(detected) or 'none'})")
    if facts.get("layout"):
        out.append(f"layout     {facts['layout']}")
    out.append(f"encoding   {facts.get('encoding') or 'n/a (workbook)'}")
    if result is None:
        skipped = {reason: len(r) for reason, r in facts["skipped"].items()}
        notes = facts["notes"]
        out.append(f"rows       {rows['source_row'].nunique()} with observations; skipped: "
                   + (", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items())) or "none"))
        names = rows.drop_duplicates("area_name")["area_name"].tolist()
        codes = sorted(set(rows["source_indicator"].dropna()))
        area_lines = textwrap.wrap(
            f"{len(names)} area names (not matched: no --register): "
            + "; ".join(map(str, names[:15])) + (" ..." if len(names) > 15 else ""), WIDTH - 2)
        raw_codes = facts["area_codes"]
        if raw_codes:
            area_lines += textwrap.wrap(f"{len(raw_codes)} area codes in the file: " + ", ".join(raw_codes[:15])
                                        + (" ..." if len(raw_codes) > 15 else ""), WIDTH - 2)
    else:
        log = facts
        notes = log["notes"]
        out.append(f"rows       {log['rows_read']} with observations, {log['rows_kept']} kept; skipped: "
                   + (", ".join(f"{n} {r}" for r, n in log["rows_skipped"].items()) or "none"))
        register = load_register(args.register).set_index("code")
        matched = rows.drop_duplicates(["area_code", "area_name"])
        levels = register.loc[matched["area_code"].drop_duplicates(), "level"].value_counts()
        area_lines = [f"{matched['area_code'].nunique()} register areas matched ("
                      + ", ".join(f"{n} {level}" for level, n in levels.items()) + ")"]
        area_lines += [f"{r.area_name!r} -> {r.area_code} ({register.loc[r.area_code, 'name']})"
                       for r in matched.head(6).itertuples()] + (["..."] if len(matched) > 6 else [])
        area_lines += [f"{n} rows dropped: {reason}" for reason, n in log["rows_dropped"].items()]
        for q in log["quarantined"][:MAX_LISTED]:
            what = q["area_code"] or q["area_name"]
            area_lines.append(f"NOT in the register: row {q['source_row']} {what!r}"
                              + (f" (closest: {q['closest']})" if q["closest"] else ""))
        codes = sorted(set(rows["source_indicator"].dropna()))
    out.append(_lines("areas", area_lines))
    cells = rows.groupby("source_indicator").size()
    units = rows.dropna(subset=["source_unit"]).groupby("source_indicator")["source_unit"].first()
    shown_names = [f"{name}" + (f" [{units[name]}]" if name in units else "") + f" ({cells.get(name, 0)} cells)"
                   for name in codes[:MAX_LISTED]]
    out.append(_lines(f"indicators ({len(codes)})", shown_names
                      + ([f"... and {len(codes) - MAX_LISTED} more"] if len(codes) > MAX_LISTED else [])))
    periods = sorted({int(p) for p in rows["period"].dropna()})
    labels = sorted(set(rows["period_label"].dropna()))
    out.append(f"periods    {', '.join(map(str, periods))} (as written: {', '.join(labels[:6])}"
               f"{' ...' if len(labels) > 6 else ''})")
    counts = rows["status"].value_counts().sort_index()
    out.append("statuses   " + ", ".join(f"{status} {n}" for status, n in counts.items()))
    out.append(f"provisional {int(rows['provisional'].sum())} cells flagged provisional")
    out.append(_lines("notes in the file", [textwrap.shorten(n, WIDTH - 2) for n in notes[:MAX_LISTED]]))
    shown = rows.head(args.rows)[["indicator_id", "area_code", "area_name", "category", "period", "value",
                                  "status", "source_row", "source_column"]]
    with pd.option_context("display.width", WIDTH + 40, "display.max_columns", 20, "display.max_colwidth", 28):
        out.append(f"first {len(shown)} canonical rows\n{shown.to_string(index=False)}")
    return "\n".join(out)


def write_table(frame: pd.DataFrame, out: str) -> None:
    """Write CSV (UTF-8, `,`) or parquet by suffix, atomically: no half-written file on failure."""
    from .steps import atomic_path

    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise WijkmonitorError(f"--out must end in .csv or .parquet, not {suffix or 'nothing'!r}.", file=out)
    with atomic_path(out) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, lineterminator="\n")
        else:
            frame.to_parquet(tmp, index=False)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "formats":
            for f in FORMATS.values():
                print(f"{f.name:26} {f.description}")
        elif args.command == "inspect":
            print(inspect_report(args))
        elif args.command == "ingest":
            fmt, _, rows, _ = _ingest(args)
            write_table(rows[list(OBSERVATION_COLUMNS)], args.out)
            print(f"{args.file}: read as {fmt}; wrote {len(rows)} observations to {args.out}")
        elif args.command == "register":
            print(register_report(args))
        elif args.command == "download":
            from .download import DownloadError

            try:
                print(download_report(args))
            except DownloadError as exc:  # URLs in the message: wrapped at spaces only, never inside a URL
                print(textwrap.fill(f"wijkmonitor download: {exc.render()}", WIDTH, break_long_words=False,
                                    break_on_hyphens=False), file=sys.stderr)
                return EXIT_ERROR
    except WijkmonitorError as exc:
        print(textwrap.fill(f"wijkmonitor {args.command}: {exc.render()}", WIDTH), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head`: not an error of the data
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
