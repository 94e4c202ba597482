"""Entry points of the Snakemake rules: each takes plain paths and values, calls the package, writes outputs.

The scripts in scripts/ are thin: they unpack the `snakemake` object and call one function here
through `run_rule`, which turns a user error into one clear message and a non-zero exit.
"""

from __future__ import annotations

import atexit
import errno
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .areas import AreaMatcher, load_register
from .catalogue import Catalogue
from .errors import ConfigError, WijkmonitorError
from .i18n import Language

log = logging.getLogger("wijkmonitor")


# Temporary files live here, one folder per process, outside every output folder: a run killed with
# SIGKILL (which skips `finally`) leaves no partial file among the outputs, and the next run removes
# the folders of processes that no longer run.
SCRATCH = ".wijkmonitor-scratch"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def scratch_dir() -> Path:
    """This process's scratch folder, `.wijkmonitor-scratch/<pid>` in the working directory (the
    Snakemake workdir, so on the outputs' file system); folders of ended processes are removed."""
    root = Path(SCRATCH).resolve()
    root.mkdir(exist_ok=True)
    for folder in root.iterdir():
        if folder.name.isdigit() and int(folder.name) != os.getpid() and not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(os.getpid())
    if not mine.exists():
        mine.mkdir()
        atexit.register(_remove_if_empty, mine)
    return mine


def _remove_if_empty(folder: Path) -> None:
    """At a normal exit: this process's scratch folder and the scratch root, when nothing is left."""
    for path in (folder, folder.parent):
        try:
            path.rmdir()
        except OSError:
            return


def _move_into_place(tmp: Path, path: Path) -> None:
    """Rename `tmp` to `path` (atomic); across file systems, copy next to `path` under a fixed name
    (`.<name>.partial`, which the next write of `path` replaces) and rename that."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        partial = path.with_name(f".{path.name}.partial")
        shutil.copyfile(tmp, partial)
        os.replace(partial, path)


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path in the scratch folder; move it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=scratch_dir())
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give the output the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        _move_into_place(Path(tmp), path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(data: object, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def step_errors(logs_dir: str | Path, since: float) -> list[str]:
    """The wijkmonitor errors the rules of a run logged (`ERROR ...` lines of rule logs written at or
    after `since`, a time.time()), each once, with the log it is in: repeated after a failed run so
    that its last lines say what went wrong, not Snakemake's summary."""
    found: dict[str, str] = {}
    for log_file in sorted(Path(logs_dir).rglob("*.log")):
        if log_file.stat().st_mtime < since:
            continue
        for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("ERROR "):
                found.setdefault(line.removeprefix("ERROR ").strip(), str(log_file))
    return [f"{message} (log: {where})" for message, where in found.items()]


def run_rule(log_path: str | None, step: Callable[[], None]) -> None:
    """Run one rule's step: log to the rule's log file; a user error ends in one message, exit 1."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    # Warnings and errors of every library, but information from wijkmonitor only: great-expectations
    # logs some 200 INFO lines of its own set-up per validation.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", handlers=handlers, force=True)
    log.setLevel(logging.INFO)
    try:
        step()
    except WijkmonitorError as exc:
        log.error("%s", exc.render())
        sys.exit(1)


# ---------------------------------------------------------------------------- ingest

def ingest(raw: dict, catalogue_dir: str, register_path: str, settings: dict,
           out_parquet: str, out_log: str) -> None:
    """`settings` is the config's `ingest:` section (aggregate_names, unknown_areas)."""
    from .ingest import ingest_file

    result = ingest_file(
        raw["path"], fmt=raw["format"], source_id=raw["source_id"],
        catalogue=Catalogue.load(catalogue_dir), matcher=AreaMatcher(load_register(register_path)),
        vintage=raw.get("vintage"), aggregate_names=tuple(settings["aggregate_names"]),
        unknown_areas=settings["unknown_areas"], **raw.get("options", {}),
    )
    info = result.log
    log.info("%s: %s (%s), %d of %d rows kept, %d observations", raw["path"], info["reader"],
             info["encoding"] or "xlsx", info["rows_kept"], info["rows_read"], info["observations_kept"])
    for reason, count in info["rows_dropped"].items():
        log.info("%s: %d rows dropped: %s", raw["path"], count, reason)
    for reason, count in info["rows_skipped"].items():
        log.info("%s: %d rows skipped: %s", raw["path"], count, reason)
    if len(result.quarantine):
        names = ", ".join(repr(n) for n in result.quarantine["area_name"].drop_duplicates().head(5))
        log.warning("%s: %d row(s) with areas not in the register quarantined: %s", raw["path"],
                    result.quarantine["source_row"].nunique(), names)
    if info["uncatalogued"]:
        names = ", ".join(repr(u["source_indicator"]) for u in info["uncatalogued"][:5])
        more = f" and {len(info['uncatalogued']) - 5} more" if len(info["uncatalogued"]) > 5 else ""
        log.warning("%s: %d column(s) not in the indicator catalogue, kept as uncatalogued: %s%s",
                    raw["path"], len(info["uncatalogued"]), names, more)
    write_parquet(result.observations, out_parquet)
    write_json(info, out_log)


# ------------------------------------------------------------------------- warehouse

def warehouse(staged: list[tuple[str, str]], catalogue_dir: str, register_path: str,
              priorities: dict[str, int], demo_manifest: str | None, analysis_dir: str, out_db: str) -> None:
    from .warehouse import build_warehouse

    summary = build_warehouse(
        out_db, staged, load_register(register_path), Catalogue.load(catalogue_dir), priorities,
        demo_manifest, analysis_dir,
    )
    log.info("warehouse %s: %s", out_db, summary)


# --------------------------------------------------------------------- whole country

def national_register(raws: list[dict], cities: str | list[str], out_csv: str) -> None:
    """Rule national_register: the area register of the selected municipalities from the CBS codes (and
    names, where given) in the national files `raws` (config.RawFile fields)."""
    from .cities import area_codes
    from .cities import national_register as build
    from .readers import read_file

    found = []
    for raw in raws:
        _, read = read_file(raw["path"], raw["format"], **raw["options"])
        found.append((raw["path"], area_codes(read.table, raw["path"])))
        log.info("%s: %d areas", raw["path"], len(found[-1][1]))
    register = build(found, cities)
    counts = register["level"].value_counts()
    log.info("register: %s", ", ".join(f"{counts.get(level, 0)} {level}" for level in ("gemeente", "wijk", "buurt")))
    unnamed = int((register["name"] == register["code"]).sum())
    if unnamed:
        log.warning("%d of %d areas have no name in the files and are named by their code", unnamed, len(register))
    with atomic_path(out_csv) as tmp:
        register.to_csv(tmp, index=False, lineterminator="\n")


def city_warehouse(national_db: str, city_code: str, analysis_dir: str, out_db: str) -> None:
    """Rule city_warehouse: one municipality's warehouse cut from the national one."""
    from .warehouse import build_city_warehouse

    summary = build_city_warehouse(national_db, city_code, out_db, analysis_dir)
    log.info("warehouse %s (%s): %s", out_db, city_code, summary)


def comparison(inequality: dict[str, str], register_path: str, out_csv: str) -> None:
    """Rule comparison: the national comparison table from every municipality's inequality table."""
    from .cities import comparison_table

    register = load_register(register_path)
    names = dict(zip(register["code"], register["name"], strict=True))
    table = comparison_table({code: pd.read_parquet(path) for code, path in inequality.items()}, names)
    log.info("comparison: %d rows for %d municipalities", len(table), table["gemeente_code"].nunique())
    with atomic_path(out_csv) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")


# -------------------------------------------------------------------------- validate

def validate(db_path: str, first_period: int, last_period: int, out_json: str) -> None:
    from .checks import raise_on_failure, validate_warehouse

    report = validate_warehouse(db_path, first_period, last_period)
    for r in report["results"]:
        if not r["success"]:
            level = logging.ERROR if r["severity"] == "critical" else logging.WARNING
            log.log(level, "%s: %s: %d row(s) fail; %s", r["severity"], r["description"],
                     r["unexpected_count"], "; ".join(r["examples"]))
    log.info("validation: %d of %d checks passed", report["passed"], report["checks"])
    raise_on_failure(report)
    write_json(report, out_json)


# --------------------------------------------------------------------------- analyse

def analyse(db_path: str, catalogue_dir: str, city_code: str, settings: dict, last_period: int,
            outputs: dict[str, str], links_path: str | None = None, municipality: str | None = None,
            catalogue: Catalogue | None = None) -> None:
    """`outputs` maps each analysis table (canonical.ANALYSIS_COLUMNS) to its parquet path, and
    `observations` to the published observations. `links_path`: the config's `area_links` (a link
    table of boundaries.py), over which the current observations are joined before the analysis
    (series_links; the breaks are the table series_breaks); None: no links. `municipality`: read only
    that municipality's areas and figures from a warehouse of several (a `cities:` run's national one).
    `catalogue`: the catalogue of `catalogue_dir`, when the caller has loaded it already."""
    from .analysis import run_analysis
    from .series_links import carried_summary, join_links, read_area_links
    from .warehouse import connect_read_only, current_query, history_query

    con = connect_read_only(db_path)
    try:
        vintage = settings.get("vintage", "newest")
        if vintage != "newest":
            known = {v for (v,) in con.execute("SELECT DISTINCT vintage FROM observation").fetchall()}
            if vintage not in known:
                raise ConfigError(f"analysis.vintage {vintage!r} is not the vintage of any figure in the warehouse.",
                                  hint=f"Use newest or one of: {', '.join(sorted(str(v) for v in known if v))}.")
        observations = con.execute(*current_query(vintage, municipality)).df()
        # Every edition of every figure, for the table of revised figures: when there is one per
        # figure (no revisions), that is the current figures themselves, which need not be read twice.
        history_sql, history_params = history_query(municipality)
        (editions,) = con.execute(f"SELECT count(*) FROM ({history_sql})", history_params).fetchone()
        history = observations if editions == len(observations) else con.execute(history_sql, history_params).df()
        areas = (con.execute("SELECT * FROM area").df() if municipality is None else
                 con.execute("SELECT * FROM area WHERE gemeente_code = ? ORDER BY code", [municipality]).df())
        indicators = con.execute("SELECT * FROM indicator").df()
        units = dict(con.execute("SELECT id, unit FROM indicator").fetchall())
        bounds = {i: (low, high) for i, low, high in con.execute(
            "SELECT i.id, u.min, u.max FROM indicator i JOIN unit u ON u.id = i.unit").fetchall()}
    finally:
        con.close()
    links = read_area_links(links_path, areas["code"]) if links_path else None
    joined = join_links(observations, links, units)
    if links_path:
        log.info("analysis: %s (%s)", carried_summary(joined), links_path)
    catalogue = catalogue or Catalogue.load(catalogue_dir)
    tables, summary = run_analysis(joined.observations, areas, indicators, units, catalogue.derived, city_code,
                                   settings, last_period, bounds, catalogue.breakdowns, history, joined.breaks)
    log.info("analysis: %s", ", ".join(f"{name} {n}" for name, n in summary.items()))
    if summary["withheld_small_numbers"]:
        log.info("analysis: %d figure(s) withheld (disclosure control: fewer than %d cases, and the figures "
                 "they could be recomputed from)", summary["withheld_small_numbers"], settings["min_cases"])
    for name, path in outputs.items():
        write_parquet(tables[name], path)


def analyse_batch(db_path: str, catalogue_dir: str, municipalities: dict[str, str], settings: dict,
                  last_period: int, out_dir: str, file_names: dict[str, str], links_path: str | None = None) -> None:
    """`analyse` for each municipality of a batch (`municipalities`: slug -> GM code) of a `cities:` run,
    in one process: the tables of municipality `slug` go to `out_dir/slug/`, named by `file_names`
    (table -> file name). A municipality whose analysis fails stops the batch, naming it."""
    catalogue = Catalogue.load(catalogue_dir)
    for number, (slug, code) in enumerate(municipalities.items(), start=1):
        log.info("analysis of %s (%s), %d of %d", code, slug, number, len(municipalities))
        outputs = {table: str(Path(out_dir) / slug / name) for table, name in file_names.items()}
        try:
            analyse(db_path, catalogue_dir, code, settings, last_period, outputs, links_path, municipality=code,
                    catalogue=catalogue)
        except WijkmonitorError as exc:
            exc.message = f"analysis of municipality {code} ({slug}): {exc.message}"
            raise


# ---------------------------------------------------------------------------- report

def draw_figures(db_path: str, analysis: dict[str, str], validation: str, config: dict,
                 out_dir: str, out_manifest: str) -> None:
    """`analysis` maps each analysis table to its parquet path."""
    from .report import build_figures, load_run

    run = load_run(db_path, analysis, validation, config["report"]["language"])
    manifest = build_figures(run, config, out_dir)
    log.info("figures: %d drawn in %s", len(manifest), out_dir)
    write_figure_captions(manifest, Path(out_dir) / "captions", run.lang)
    write_json(manifest, out_manifest)


RST_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def rst_text(text: str) -> str:
    """`text` as one line of reStructuredText that reads literally (every ASCII punctuation mark escaped,
    so no `*`, `_`, `|` or leading `-` from an area or indicator name turns into markup)."""
    return RST_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def write_figure_captions(manifest: list[dict], out_dir: Path, tr: Language) -> None:
    """Per figure `<out_dir>/<file stem>.rst`: its title in bold, its caption and its text alternative
    (the PDF's alt text, which Snakemake's HTML report cannot attach to the image itself), which
    reports/captions/figures.rst includes in `snakemake --report`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in manifest:
        text = (f"**{rst_text(entry['title'])}**\n\n{rst_text(entry['caption'])}\n\n"
                f"*{rst_text(tr('html.description'))}* {rst_text(entry['alt'])}\n")
        with atomic_path(out_dir / f"{Path(entry['file']).stem}.rst") as tmp:
            tmp.write_text(text, encoding="utf-8")


def write_edition(db_path: str, published: str, config: dict, edition: str, out_manifest: str,
                  out_observations: str) -> None:
    """The record of this edition: reports/editions/<edition>/manifest.json and observations.parquet."""
    from . import __version__, code_digest
    from .editions import headline_numbers, manifest
    from .warehouse import connect_read_only

    con = connect_read_only(db_path)
    try:
        source_files = con.execute("SELECT path, sha256, source_id, vintage FROM source_file").df()
    finally:
        con.close()
    observations = pd.read_parquet(published)
    headline = headline_numbers(observations, list(config["report"]["key_indicators"]), config["city"]["code"])
    write_parquet(observations, out_observations)
    write_json(manifest(edition, source_files, code_digest(), __version__, headline), out_manifest)
    log.info("edition %s: %d input file(s), %d headline number(s)", edition, len(source_files), len(headline))


def edition_changes(edition_manifest: str, previous: list[str]) -> dict | None:
    """What changed since the previous edition (`previous`: its manifest.json and observations.parquet,
    or nothing), from this edition's record next to `edition_manifest`."""
    from .editions import OBSERVATIONS, changes

    if not previous:
        return None
    old_manifest = next(p for p in previous if p.endswith(".json"))
    old_observations = next(p for p in previous if p.endswith(".parquet"))
    current = Path(edition_manifest)
    return changes(pd.read_parquet(old_observations), pd.read_parquet(current.parent / OBSERVATIONS),
                   json.loads(Path(old_manifest).read_text(encoding="utf-8")),
                   json.loads(current.read_text(encoding="utf-8")))


def write_report(db_path: str, analysis: dict[str, str], validation: str, manifest_path: str,
                 figures_dir: str, config: dict, template: str, code_root: str,
                 out_pdf: str, out_context: str, edition_manifest: str | None = None,
                 previous: list[str] | None = None) -> None:
    from .report import build_context, load_run, render_pdf

    run = load_run(db_path, analysis, validation, config["report"]["language"])
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    changes = edition_changes(edition_manifest, list(previous or [])) if edition_manifest else None
    context = build_context(run, config, manifest, code_root, changes)
    write_json(context, out_context)
    render_pdf(context, template, figures_dir, out_pdf)
    log.info("report: %s (%d bytes)", out_pdf, Path(out_pdf).stat().st_size)


# ---------------------------------------------------------------------- data bundle

def data_bundle(tables: dict[str, str], dictionary_path: str, outputs: dict[str, str]) -> None:
    """The published observations and the analysis tables (`tables`: name -> parquet path) as CSV for
    spreadsheets, with their data dictionary."""
    from .bundle import load_dictionary, write_bundle

    frames = {name: pd.read_parquet(path) for name, path in tables.items()}
    counts = write_bundle(frames, load_dictionary(dictionary_path), outputs)
    log.info("data bundle: %s", ", ".join(f"{name} {n} rows" for name, n in counts.items()))
