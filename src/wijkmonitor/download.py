"""Download CBS open-data tables through the CBS OData v3 API, cut to one municipality.

    wijkmonitor download 85984NED 50090NED --municipality GM0344 [--out data/raw/download]

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
    check_municipality(municipality)
    for table_id in table_ids:
        check_table_id(table_id)
    done: list[Download] = []
    for number, table_id in enumerate(table_ids):
        try:
            done.append(download_table(table_id, municipality, out_dir, base_url=base_url, timeout=timeout,
                                       dataset=dataset))
        except DownloadError as exc:
            rest = table_ids[number:]
            if len(rest) == 1:
                raise
            message = exc.message + (f" Downloaded before it: {', '.join(d.table_id for d in done)}." if done else "")
            raise DownloadError(message, hint=manual_hint(rest, municipality, out_dir, base_url,
                                                          dataset=dataset)) from None
    return done
