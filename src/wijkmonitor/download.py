"""Download CBS open-data tables through the CBS OData v3 API, cut to one municipality.

    wijkmonitor download 85984NED 50090NED --municipality GM0344 [--out data/raw/download]
    wijkmonitor download --kwb-years 2023 2024 --health 50090NED --municipality GM0344
    wijkmonitor download --config config.yaml          (city.code and the `download:` section)
    snakemake --cores 1 download                        (rules/download.smk, the same plan)

`download_plan(config)` turns the config's `download:` section (kwb years, the health table) and
`city.code` into the tables to fetch: a kwb year becomes its table id through `KWB_TABLES`
(`kwb_table_id`), the health table (50090NED or a later edition) is fetched from CBS's portal for
third parties (`DATADERDEN`), where CBS publishes the RIVM tables, with its `Marges`.

For each table, `download_table` fetches

- `<base>/<table>/TableInfos` and `<base>/<table>/DataProperties` (the table's metadata), and
- the data set, `<base>/<table>/TypedDataSet` (or `UntypedDataSet`, see below), filtered on the
  table's region dimension (the DataProperties entry of Type GeoDimension or GeoDetail, e.g.
  `WijkenEnBuurten`) to the municipality, its wijken and its buurten:
  `startswith(WijkenEnBuurten,'GM0344') or startswith(WijkenEnBuurten,'WK0344') or
  startswith(WijkenEnBuurten,'BU0344')`. The API answers at most 10,000 rows at a time and
  points to the rest with `odata.nextLink`; every link is followed.

and writes `<out>/<table>/TableInfos.json`, `DataProperties.json` (the API's answers byte for
byte), `<DataSet>.json` (every page's rows as one OData feed `{"odata.metadata": ..., "value":
[...]}`, the shape `readers.odata.read_cbs_odata` reads) and `download.json` (provenance: the
URLs fetched, when, the row count and the SHA-256 of each file).

Tables whose DataProperties have a `Marges` dimension (RIVM/CBS survey tables such as 50090NED:
the estimate MW00000 with its 95% bounds MOG0095/MBG0095) are fetched as the `UntypedDataSet`,
which carries the margins (see docs/readers.md); other tables as the `TypedDataSet`.

Nothing is written until every answer of a table has arrived and checked out; each file is then
written atomically (`steps.atomic_path`), `download.json` last. A failed download (no internet,
refused connection, timeout, HTTP error, an answer that is not an OData feed) raises
`DownloadError`: one message naming the URL, with a hint saying which files to place by hand and
where.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .errors import WijkmonitorError

CBS_ODATA = "https://opendata.cbs.nl/ODataApi/odata"
# CBS's OData v3 root for tables of third parties (catalogue "RIVM" among others): RIVM/CBS
# "Gezondheid per wijk en buurt" 50090NED and its later edition 50120NED are served there.
DATADERDEN = "https://dataderden.cbs.nl/ODataApi/odata"
HEALTH_TABLE = "50090NED"
DEFAULT_OUT = "data/raw/download"
DEFAULT_TIMEOUT = 60.0
TYPED, UNTYPED = "TypedDataSet", "UntypedDataSet"
DATASETS = (TYPED, UNTYPED)
METADATA = ("TableInfos", "DataProperties")
PROVENANCE = "download.json"
GEO_TYPES = ("GeoDimension", "GeoDetail")
MARGIN_NAMES = ("Marges", "Margins")
NEXT_LINK = ("odata.nextLink", "@odata.nextLink")
MAX_PAGES = 1000  # 10 million rows at the API's 10,000 per answer: far beyond one municipality
MUNICIPALITY = re.compile(r"^GM(?P<number>\d{4})$")
TABLE_ID = re.compile(r"^[0-9A-Za-z]{5,16}$")
# Characters left as they are in a query: OData's own ($, ', parentheses, comma) stay readable.
QUERY_SAFE = "$'(),:/"


class DownloadError(WijkmonitorError):
    """A table cannot be downloaded (no connection, timeout, HTTP error, an unexpected answer)."""


# ------------------------------------------------------------------- kwb: one table per year

# CBS "Kerncijfers wijken en buurten <year>" (kwb): each year is a StatLine table of its own.
# - Confirmed by a file here: 85984NED = 2024 (../shared/data/national/cbs-85984NED-metadata/
#   TableInfos.json: Title "Kerncijfers wijken en buurten 2024", Period "2024").
# - The others as CBS's catalogue lists them (StatLine: "Kerncijfers wijken en buurten <year>"),
#   and as public code that fetches them by year uses them (2013-2025 in one list, 2013-2019 and
#   2020-2024 in others); not checked against a file of CBS here.
# A year that is missing, or an id CBS changes, is given in the config (`download.kwb_tables`) or
# as a TABLE_ID on the command line.
KWB_TABLES: dict[int, str] = {
    2013: "82339NED",
    2014: "82931NED",
    2015: "83220NED",
    2016: "83487NED",
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}


def kwb_table_id(year: int, tables: dict | None = None) -> str:
    """The CBS table id of Kerncijfers wijken en buurten `year`: from `tables` ({year: id}, the
    config's `download.kwb_tables`) when it has the year, else from `KWB_TABLES`."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise DownloadError(f"kwb year {year!r} is not a year.", hint="Give years as numbers, e.g. 2023 2024.")
    given = {_year(key): value for key, value in (tables or {}).items()}
    table_id = given.get(year) or KWB_TABLES.get(year)
    if table_id is None:
        known = f"{min(KWB_TABLES)}-{max(KWB_TABLES)}"
        raise DownloadError(
            f"no CBS table id is known for Kerncijfers wijken en buurten {year} (wijkmonitor knows the years "
            f"{known}).",
            hint=f"Give the table id yourself: in the config as `download: {{kwb_tables: {{{year}: <id>}}}}`, or "
                 f"on the command line as a TABLE_ID instead of --kwb-years {year}; StatLine shows the id of "
                 f"'Kerncijfers wijken en buurten {year}' (e.g. 85984NED for 2024).",
        )
    return check_table_id(table_id)


def _year(key: object) -> int:
    try:
        return int(str(key))
    except ValueError:
        raise DownloadError(f"download.kwb_tables: {key!r} is not a year.",
                            hint="Give the tables as year: id, e.g. {2025: 86165NED}.") from None


# ------------------------------------------------------------------------------ the URLs


def check_municipality(municipality: str) -> str:
    """The municipality's 4 digits (`GM0344` -> `0344`); anything else is refused."""
    found = MUNICIPALITY.match(str(municipality).strip())
    if not found:
        raise DownloadError(
            f"{municipality!r} is not a CBS municipality code.",
            hint="Give the code as CBS writes it: GM followed by four digits (Utrecht is GM0344).",
        )
    return found["number"]


def check_table_id(table_id: str) -> str:
    if not TABLE_ID.match(str(table_id)):
        raise DownloadError(
            f"{table_id!r} is not a CBS table id.",
            hint="Give the table's identifier as StatLine shows it, e.g. 85984NED (Kerncijfers wijken en "
                 "buurten 2024) or 50090NED (Gezondheid per wijk en buurt).",
        )
    return str(table_id)


def region_filter(geo_key: str, municipality: str) -> str:
    """The `$filter` for the municipality, its wijken and its buurten on the region dimension."""
    number = check_municipality(municipality)
    return " or ".join(f"startswith({geo_key},'{prefix}{number}')" for prefix in ("GM", "WK", "BU"))


def table_url(base_url: str, table_id: str, entity: str, filter_: str | None = None) -> str:
    """`<base>/<table>/<entity>?$format=json[&$filter=...]`, the query percent-encoded."""
    query = [("$format", "json")] + ([("$filter", filter_)] if filter_ else [])
    encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe=QUERY_SAFE)
    return f"{base_url.rstrip('/')}/{check_table_id(table_id)}/{entity}?{encoded}"


# ------------------------------------------------------------------------------ fetching


@dataclass
class Feed:
    """The records of an OData answer, every page followed."""

    records: list[dict]
    urls: list[str]
    metadata: str | None = None  # the first page's odata.metadata
    raw: bytes = b""  # the first page's body as received


def _reason(exc: BaseException, timeout: float) -> str:
    """Why a request failed, in words."""
    if isinstance(exc, urllib.error.HTTPError):
        detail = ""
        try:
            body = json.loads(exc.read().decode("utf-8", errors="replace"))
            detail = str(body["odata.error"]["message"]["value"]).strip().rstrip(".")
        except Exception:  # the server's explanation is optional
            pass
        return f"the server answered HTTP {exc.code} {exc.reason}" + (f" ({detail[:200]})" if detail else "")
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} seconds"
    if isinstance(reason, socket.gaierror):
        return "the host name cannot be resolved (no internet connection?)"
    if isinstance(reason, ConnectionRefusedError):
        return "the connection was refused (no internet connection, or nothing listens at that address?)"
    if isinstance(reason, ConnectionError | http.client.HTTPException):
        return f"the connection broke off ({type(reason).__name__}: {reason})"
    return str(reason) or type(reason).__name__


def fetch_json(url: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[object, bytes]:
    """GET `url`; (the parsed JSON, the body as received). Any failure is a DownloadError naming `url`."""
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": f"wijkmonitor/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise DownloadError(f"cannot download {url}: {_reason(exc, timeout)}.") from None
    try:
        return json.loads(body.decode("utf-8-sig")), body
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(f"the answer to {url} is not JSON ({exc}); it may be an error page.") from None


def fetch_feed(url: str, timeout: float = DEFAULT_TIMEOUT) -> Feed:
    """The records of the OData feed at `url` (`{"value": [...]}`), following `odata.nextLink`."""
    feed = Feed(records=[], urls=[])
    while url:
        if url in feed.urls or len(feed.urls) >= MAX_PAGES:
            raise DownloadError(f"the feed does not end: {url} " + (
                "was linked to twice." if url in feed.urls else f"is page {MAX_PAGES + 1}."))
        data, raw = fetch_json(url, timeout)
        records = data.get("value") if isinstance(data, dict) else None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise DownloadError(f"the answer to {url} is not an OData feed: expected {{\"value\": [records]}}.")
        if not feed.urls:
            feed.metadata, feed.raw = data.get("odata.metadata"), raw
        feed.urls.append(url)
        feed.records.extend(records)
        link = next((data[k] for k in NEXT_LINK if data.get(k)), None)
        if link is not None:
            link = urllib.parse.urljoin(url, str(link))
            if urllib.parse.urlsplit(link).scheme not in ("http", "https"):
                raise DownloadError(f"the answer to {url} links to {link!r}, which is no web address.")
        url = link
    return feed


# ------------------------------------------------------------------------------ one table


@dataclass
class Download:
    """What `download_table` wrote."""

    table_id: str
    folder: Path
    dataset: str
    rows: int
    files: dict[str, str] = field(default_factory=dict)  # name -> sha256
    title: str | None = None

    @property
    def data_file(self) -> Path:
        return self.folder / f"{self.dataset}.json"


def manual_hint(table_ids: list[str], municipality: str, out_dir: str | Path, base_url: str = CBS_ODATA,
                geo_key: str = "WijkenEnBuurten", dataset: str | None = None) -> str:
    """Which files to place by hand, and where, when the download is unavailable."""
    table = table_ids[0] if len(table_ids) == 1 else "<table>"
    root = f"{base_url.rstrip('/')}/{table}"
    where = Path(out_dir) / table
    data = dataset or TYPED
    try:
        filter_ = region_filter(geo_key, municipality)
    except DownloadError:
        filter_ = f"startswith({geo_key},'GM<nnnn>') or startswith({geo_key},'WK<nnnn>') or ..."
    return (f"The download is unavailable; place the files by hand instead: on a machine with internet, open "
            f"{root}/TableInfos?$format=json, {root}/DataProperties?$format=json and "
            f"{root}/{data}?$format=json&$filter={filter_} and save the answers as TableInfos.json, "
            f"DataProperties.json and {data}.json in {where}/"
            + (f" for each <table> of {', '.join(table_ids)}" if len(table_ids) > 1 else "")
            + (f" ({UNTYPED} instead of {TYPED} for a table with Marges, such as 50090NED)" if dataset is None else "")
            + "; docs/download.md says how to ingest them.")


def _with_hint(exc: DownloadError, hint: str) -> DownloadError:
    return DownloadError(exc.message, file=exc.file, row=exc.row, column=exc.column, hint=hint)


def _geo_key(properties: list, table_id: str, url: str) -> str:
    geo = [str(p["Key"]) for p in properties if isinstance(p, dict) and p.get("Type") in GEO_TYPES and p.get("Key")]
    if len(geo) != 1:
        raise DownloadError(
            f"table {table_id}: its DataProperties ({url}) name "
            + (f"several region dimensions ({', '.join(geo)})" if geo else "no region dimension (Type GeoDimension "
               "or GeoDetail)") + ", so it cannot be cut to one municipality.",
        )
    return geo[0]


def _has_margins(properties: list) -> bool:
    return any(isinstance(p, dict) and p.get("Key") in MARGIN_NAMES and p.get("Type") == "Dimension"
               for p in properties)


def _feed_text(metadata: str | None, records: list[dict]) -> str:
    """The rows as one OData feed, one record per line."""
    head = json.dumps({"odata.metadata": metadata}, ensure_ascii=False)[:-1] if metadata else "{"
    rows = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f"{head}{', ' if metadata else ''}\"value\": [\n{rows}\n]}}\n"


def _write(path: Path, data: bytes) -> str:
    from .steps import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def download_table(table_id: str, municipality: str, out_dir: str | Path = DEFAULT_OUT, *,
                   base_url: str = CBS_ODATA, timeout: float = DEFAULT_TIMEOUT,
                   dataset: str | None = None) -> Download:
    """Download one table cut to `municipality` (GM....) into `<out_dir>/<table_id>/`.

    `dataset`: TypedDataSet or UntypedDataSet; by default UntypedDataSet for a table with a
    `Marges` dimension, else TypedDataSet. Raises DownloadError; then nothing is written.
    """
    check_table_id(table_id)
    check_municipality(municipality)
    if not timeout > 0:
        raise DownloadError(f"the timeout must be a number of seconds above 0, not {timeout!r}.",
                            hint=f"Leave it out for the default ({DEFAULT_TIMEOUT:g} seconds).")
    if dataset is not None and dataset not in DATASETS:
        raise DownloadError(f"data set {dataset!r} is not one of {', '.join(DATASETS)}.",
                            hint="Leave the data set out to choose it from the table's metadata.")
    folder = Path(out_dir) / table_id
    hint = manual_hint([table_id], municipality, out_dir, base_url, dataset=dataset)
    try:
        answers = {}
        for entity in METADATA:
            answers[entity] = fetch_feed(table_url(base_url, table_id, entity), timeout)
        properties = answers["DataProperties"].records
        geo_key = _geo_key(properties, table_id, answers["DataProperties"].urls[0])
        dataset = dataset or (UNTYPED if _has_margins(properties) else TYPED)
        hint = manual_hint([table_id], municipality, out_dir, base_url, geo_key, dataset)
        filter_ = region_filter(geo_key, municipality)
        data = fetch_feed(table_url(base_url, table_id, dataset, filter_), timeout)
    except DownloadError as exc:
        raise _with_hint(exc, hint) from None
    _check_rows(data, geo_key, municipality, table_id, hint)

    for entity in METADATA:
        if len(answers[entity].urls) > 1:  # metadata never pages in practice; keep every entry
            answers[entity].raw = json.dumps({"value": answers[entity].records}, ensure_ascii=False).encode()
    files = {f"{entity}.json": answers[entity].raw for entity in METADATA}
    files[f"{dataset}.json"] = _feed_text(data.metadata, data.records).encode("utf-8")
    info = answers["TableInfos"].records[0] if answers["TableInfos"].records else {}
    written = {name: _write(folder / name, body) for name, body in files.items()}
    record = {
        "table_id": table_id,
        "title": info.get("Title"),
        "table_modified": info.get("Modified"),
        "period": info.get("Period"),
        "municipality": municipality,
        "region_dimension": geo_key,
        "filter": filter_,
        "dataset": dataset,
        "rows": len(data.records),
        "base_url": base_url,
        "urls": [url for entity in METADATA for url in answers[entity].urls] + data.urls,
        "downloaded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wijkmonitor_version": __version__,
        "files": {name: {"sha256": sha, "bytes": len(files[name])} for name, sha in written.items()},
    }
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    written[PROVENANCE] = _write(folder / PROVENANCE, text.encode("utf-8"))
    return Download(table_id=table_id, folder=folder, dataset=dataset, rows=len(data.records), files=written,
                    title=info.get("Title"))


def _check_rows(data: Feed, geo_key: str, municipality: str, table_id: str, hint: str) -> None:
    """Rows there, and all of the municipality (a server that ignored the filter is caught here)."""
    url = data.urls[0]
    if not data.records:
        raise DownloadError(
            f"table {table_id} has no rows for {municipality} ({url}).",
            hint="Check the municipality code (GM followed by four digits, as in the table's year) and the table id.",
        )
    prefixes = tuple(f"{p}{check_municipality(municipality)}" for p in ("GM", "WK", "BU"))
    for number, record in enumerate(data.records, start=1):
        code = str(record.get(geo_key) or "").strip()
        if not code.startswith(prefixes):
            raise DownloadError(
                f"table {table_id}: row {number} of the answer is region {code!r}, not {municipality} or one of "
                f"its wijken or buurten; the server did not apply the filter ({url}).", hint=hint,
            )
    keys = data.records[0].keys()
    for number, record in enumerate(data.records, start=1):
        if record.keys() != keys:
            raise DownloadError(f"table {table_id}: row {number} of the answer has other columns than row 1 ({url}).",
                                hint=hint)


def download_tables(table_ids: list[str], municipality: str, out_dir: str | Path = DEFAULT_OUT, *,
                    base_url: str = CBS_ODATA, timeout: float = DEFAULT_TIMEOUT,
                    dataset: str | None = None) -> list[Download]:
    """`download_table` for each table in turn. When one fails, the tables before it are kept and
    the error's hint names the files to place by hand for it and every table after it."""
    return download_planned([PlannedTable(table_id, "table", municipality, str(out_dir), base_url, dataset,
                                          timeout) for table_id in table_ids])


# ------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class PlannedTable:
    """One table to download, with everything `download_table` needs."""

    table_id: str
    what: str  # "Kerncijfers wijken en buurten 2024", "health table", "table"
    municipality: str
    out_dir: str = DEFAULT_OUT
    base_url: str = CBS_ODATA
    dataset: str | None = None  # None: chosen from the table's metadata (Marges -> UntypedDataSet)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def folder(self) -> Path:
        return Path(self.out_dir) / self.table_id

    @property
    def provenance(self) -> Path:
        return self.folder / PROVENANCE

    def settings(self) -> dict:
        """The fields as a dict (Snakemake params; `PlannedTable(**settings)` again)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def download(self) -> Download:
        return download_table(self.table_id, self.municipality, self.out_dir, base_url=self.base_url,
                              timeout=self.timeout, dataset=self.dataset)


# The settings of the config's `download:` section and their defaults (schemas/config.schema.yaml).
PLAN_DEFAULTS: dict[str, object] = {
    "kwb_years": [],
    "kwb_tables": {},
    "health_table": HEALTH_TABLE,
    "out": DEFAULT_OUT,
    "base_url": CBS_ODATA,
    "health_base_url": DATADERDEN,
    "timeout": DEFAULT_TIMEOUT,
}
EXAMPLE_SECTION = "download: {kwb_years: [2023, 2024], health_table: 50090NED}"


def _section_error(message: str) -> DownloadError:
    return DownloadError(f"the config's download: section: {message}",
                         hint=f"For example: {EXAMPLE_SECTION} (docs/download.md lists the settings).")


def download_plan(config: dict) -> list[PlannedTable]:
    """The tables the config asks for: from `city.code` and the `download:` section, e.g.

        city: {code: GM0344}
        download: {kwb_years: [2023, 2024], health_table: 50090NED, out: data/raw/download}

    -> the kwb table of each year (`kwb_table_id`; `kwb_tables: {year: id}` adds or overrides
    years), fetched as TypedDataSet from `base_url`, then the health table (default 50090NED;
    null: none) as UntypedDataSet, with its Marges, from `health_base_url` (CBS's portal for
    third parties). Settings left out take `PLAN_DEFAULTS`. A bad setting is a DownloadError."""
    if not isinstance(config, dict) or config.get("download") is None:
        raise DownloadError("the config has no download: section, so it names no table to download.",
                            hint=f"Add one, for example {EXAMPLE_SECTION}.")
    section = config["download"]
    if not isinstance(section, dict):
        raise _section_error(f"expected settings (key: value), not {section!r}.")
    unknown = sorted(set(section) - set(PLAN_DEFAULTS))
    if unknown:
        raise _section_error(f"unknown setting(s) {', '.join(map(repr, unknown))}; the settings are "
                             f"{', '.join(PLAN_DEFAULTS)}.")
    settings = {**PLAN_DEFAULTS, **{k: v for k, v in section.items() if v is not None or k == "health_table"}}
    city = config.get("city") if isinstance(config.get("city"), dict) else {}
    municipality = city.get("code")
    if not municipality:
        raise DownloadError(
            "the config has no city.code, the municipality to cut the tables to.",
            hint="Add it, e.g. city: {name: Utrecht, code: GM0344}" + (
                "; a download is cut to one municipality, also when the config lists cities: (or give "
                "`wijkmonitor download --config FILE --municipality GM....`)." if config.get("cities") else "."))
    check_municipality(municipality)

    years = settings["kwb_years"]
    if isinstance(years, int) and not isinstance(years, bool):
        years = [years]
    if not isinstance(years, list):
        raise _section_error(f"kwb_years must be a list of years, not {years!r}.")
    if not isinstance(settings["kwb_tables"], dict):
        raise _section_error(f"kwb_tables must map years to table ids, not {settings['kwb_tables']!r}.")
    for key in ("out", "base_url", "health_base_url"):
        if not isinstance(settings[key], str) or not settings[key].strip():
            raise _section_error(f"{key} must be a path or address, not {settings[key]!r}.")
    timeout = settings["timeout"]
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise _section_error(f"timeout must be a number of seconds above 0, not {timeout!r}.")
    common = {"municipality": municipality, "out_dir": settings["out"], "timeout": float(timeout)}

    plan: list[PlannedTable] = []
    for year in dict.fromkeys(years):  # a year given twice is fetched once
        plan.append(PlannedTable(kwb_table_id(year, settings["kwb_tables"]),
                                 f"Kerncijfers wijken en buurten {year}", base_url=settings["base_url"],
                                 dataset=TYPED, **common))
    health = settings["health_table"]
    if health is not None:
        if not isinstance(health, str):
            raise _section_error(f"health_table must be a table id such as {HEALTH_TABLE}, or null, "
                                 f"not {health!r}.")
        plan.append(PlannedTable(check_table_id(health), "health table", base_url=settings["health_base_url"],
                                 dataset=UNTYPED, **common))
    _check_unique(plan)
    if not plan:
        raise _section_error("it names no table (no kwb_years, and health_table is null).")
    return plan


def _check_unique(plan: list[PlannedTable]) -> None:
    seen: dict[str, PlannedTable] = {}
    for item in plan:
        if item.table_id in seen and seen[item.table_id] != item:
            raise DownloadError(f"table {item.table_id} is asked for twice, as {seen[item.table_id].what} and as "
                                f"{item.what}.", hint="Give each table once.")
        seen[item.table_id] = item


def plan_hint(items: list[PlannedTable]) -> str:
    """Which files to place by hand, and where, for these tables (one plan: the same municipality
    and folder). One table, or tables from the same address as the same data set: `manual_hint`;
    otherwise the files once with <base> and <DataSet> in them, then each table's."""
    first = items[0]
    groups: dict[tuple[str, str | None], list[str]] = {}
    for item in items:
        groups.setdefault((item.base_url.rstrip("/"), item.dataset), []).append(item.table_id)
    if len(groups) == 1:
        return manual_hint([i.table_id for i in items], first.municipality, first.out_dir, first.base_url,
                           dataset=first.dataset)
    try:
        filter_ = region_filter("WijkenEnBuurten", first.municipality)
    except DownloadError:
        filter_ = "startswith(WijkenEnBuurten,'GM<nnnn>') or ..."
    def names(ids: list[str]) -> str:
        return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"

    each = "; ".join(f"for {names(ids)} with <base> {base} and <DataSet> "
                     + (dataset or f"{TYPED} ({UNTYPED} for a table with Marges)")
                     for (base, dataset), ids in groups.items())
    where = Path(first.out_dir) / "<table>"
    return (f"The download is unavailable; place the files by hand instead: on a machine with internet, open "
            f"<base>/<table>/TableInfos?$format=json, <base>/<table>/DataProperties?$format=json and "
            f"<base>/<table>/<DataSet>?$format=json&$filter={filter_} and save the answers as TableInfos.json, "
            f"DataProperties.json and <DataSet>.json in {where}/, {each}; docs/download.md says how to ingest "
            f"them.")


def download_planned(plan: list[PlannedTable]) -> list[Download]:
    """Download the tables in turn. When one fails, the tables before it are kept, and the one
    DownloadError names the URL that failed and, as its hint, the files to place by hand for that
    table and every table after it."""
    for item in plan:
        check_municipality(item.municipality)
        check_table_id(item.table_id)
    _check_unique(plan)
    done: list[Download] = []
    for number, item in enumerate(plan):
        try:
            done.append(item.download())
        except DownloadError as exc:
            message = exc.message
            if "HTTP 404" in message and item.base_url.rstrip("/") == CBS_ODATA:
                message += (f" CBS serves the tables of third parties (RIVM's {HEALTH_TABLE} among them) at "
                            f"{DATADERDEN}: give such a table as --health, or with --base-url {DATADERDEN}.")
            if done:
                message += f" Downloaded before it: {', '.join(d.table_id for d in done)}."
            rest = plan[number:]
            hint = exc.hint if len(rest) == 1 else plan_hint(rest)
            raise DownloadError(message, file=exc.file, row=exc.row, column=exc.column, hint=hint) from None
    return done


def download_for_rule(settings: dict, config: dict | None = None) -> Download:
    """Rule download_table (rules/download.smk): download one planned table (`PlannedTable.settings()`).
    When it fails, the hint names its files and those of the config's other planned tables that
    have no download yet (no download.json), so one message says everything to place by hand."""
    item = PlannedTable(**settings)
    try:
        done = item.download()
    except DownloadError as exc:
        try:
            others = [p for p in download_plan(config) if p.table_id != item.table_id
                      and not p.provenance.is_file()] if config else []
        except DownloadError:
            others = []
        if not others:
            raise
        raise DownloadError(exc.message, hint=plan_hint([item, *others])) from None
    logging.getLogger("wijkmonitor").info(
        "%s (%s): wrote %s/: %s (%d rows of %s, its wijken and buurten), %s", done.table_id,
        done.title or item.what, done.folder, done.data_file.name, done.rows, item.municipality,
        ", ".join(name for name in done.files if name != done.data_file.name))
    return done
