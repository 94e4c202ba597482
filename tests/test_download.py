"""`wijkmonitor download`: CBS tables through the OData API, against a local fake of the API.

The fake (`FakeCbs`) runs on 127.0.0.1 and answers as the real CBS OData v3 API does:
`/ODataApi/odata/<table>/{TableInfos,DataProperties,TypedDataSet,UntypedDataSet}` with
`{"odata.metadata": ..., "value": [...]}` bodies. It applies the `$filter` it receives (only the
`startswith(<Key>,'<prefix>') or ...` form, anything else is a 400 like the real API's), pages the
rows (`$skip`, `odata.nextLink`) two at a time, and logs every request. Table 85984NED is served
with its real TableInfos and DataProperties (../shared/data); table 50090NED with DataProperties
built here in its shape (Leeftijd, Marges, WijkenEnBuurten, Perioden), and 85618NED (kwb 2023) with
metadata built here in kwb's shape. No test touches the internet.
"""

import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SHARED_DATA, cell
from wijkmonitor.cli import _parser, download_plan_from_args, main
from wijkmonitor.download import (
    CBS_ODATA,
    DATADERDEN,
    KWB_TABLES,
    DownloadError,
    PlannedTable,
    download_for_rule,
    download_plan,
    download_planned,
    download_table,
    download_tables,
    fetch_feed,
    kwb_table_id,
    plan_hint,
    region_filter,
    table_url,
)
from wijkmonitor.ingest import ingest_file
from wijkmonitor.readers import read_file
from wijkmonitor.readers.odata import read_cbs_odata

KWB_METADATA = SHARED_DATA / "national/cbs-85984NED-metadata"
PAGE = 2  # rows per answer (the real API: 10,000)

# ---------------------------------------------------------------------- the fake API's tables

KWB_HEADER = ["ID", "WijkenEnBuurten", "Gemeentenaam_1", "SoortRegio_2", "Codering_3",
              "IndelingswijzigingGemeenteWijkBuurt_4", "AantalInwoners_5", "Mannen_6", "Vrouwen_7",
              "GemiddeldeHuishoudensgrootte_33"]
# TypedDataSet of 85984NED as the API gives it: padded codes, numbers, null for no figure. Amsterdam
# (GM0363) is in between: the filter must leave it out.
KWB_ROWS = [dict(zip(KWB_HEADER, row, strict=True)) for row in [
    [0, "GM0344    ", "Utrecht   ", "Gemeente  ", "GM0344    ", "1         ", 374238, 182799, 191439, 1.9],
    [1, "GM0363    ", "Amsterdam ", "Gemeente  ", "GM0363    ", "1         ", 931298, 460870, 470428, 1.8],
    [2, "WK034403  ", "Utrecht   ", "Wijk      ", "WK034403  ", "1         ", 35105, 17310, 17795, 2.4],
    [3, "WK036300  ", "Amsterdam ", "Wijk      ", "WK036300  ", "1         ", 8790, 4370, 4420, 1.5],
    [4, "BU03440311", "Utrecht   ", "Buurt     ", "BU03440311", "1         ", 4315, 2120, 2195, None],
    [5, "BU03630000", "Amsterdam ", "Buurt     ", "BU03630000", "1         ", 1190, 590, 600, 1.4],
]]

HEALTH_HEADER = ["ID", "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden", "Gemeentenaam_1", "SoortRegio_2",
                 "Codering_3", "ErvarenGezondheidGoedZeerGoed_4", "Roker_11"]
# UntypedDataSet of a 50090NED-like table: every cell text (numbers padded); the estimates MW00000,
# then the lower (MOG0095) and upper (MBG0095) bounds of their 95% intervals.
HEALTH_FIGURES = [
    ("MW00000", "GM0344", "    80.8", "    17.9"),
    ("MW00000", "GM0363", "    79.0", "    20.1"),
    ("MW00000", "WK034403", "    69.9", "    27.5"),
    ("MOG0095", "GM0344", "    80.1", "    17.1"),
    ("MOG0095", "GM0363", "    78.5", "    19.6"),
    ("MOG0095", "WK034403", "    67.2", "    25.0"),
    ("MBG0095", "GM0344", "    81.5", "    18.7"),
    ("MBG0095", "GM0363", "    79.5", "    20.6"),
    ("MBG0095", "WK034403", "    72.5", "    30.0"),
]
HEALTH_ROWS = [dict(zip(HEALTH_HEADER, [number, "20300", margin, f"{region:10}", "2020JJ00", "Utrecht   ",
                                        "Gemeente  " if region.startswith("GM") else "Wijk      ", f"{region:20}",
                                        good, smoker], strict=True))
               for number, (margin, region, good, smoker) in enumerate(HEALTH_FIGURES)]


def _property(number, type_, key, title, **more):
    return {"odata.type": f"Cbs.OData.{type_}", "ID": number, "Position": number, "ParentID": None,
            "Type": type_, "Key": key, "Title": title, "Description": "", **more}


HEALTH_PROPERTIES = [
    _property(0, "Dimension", "Leeftijd", "Leeftijd"),
    _property(1, "Dimension", "Marges", "Marges"),
    _property(2, "GeoDimension", "WijkenEnBuurten", "Wijken en buurten", MapYear=2020),
    _property(3, "TimeDimension", "Perioden", "Perioden"),
    _property(4, "Topic", "Gemeentenaam_1", "Gemeentenaam", Datatype="String", Unit="naam"),
    _property(5, "Topic", "SoortRegio_2", "Soort regio", Datatype="String", Unit="omschrijving"),
    _property(6, "Topic", "Codering_3", "Codering", Datatype="String", Unit="code"),
    _property(7, "Topic", "ErvarenGezondheidGoedZeerGoed_4", "Ervaren gezondheid goed/zeer goed",
              Datatype="Double", Unit="%", Decimals=1),
    _property(8, "Topic", "Roker_11", "Roker", Datatype="Double", Unit="%", Decimals=1),
]
HEALTH_INFOS = [{"ID": 0, "Title": "Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)",
                 "Identifier": "50090NED", "Modified": "2022-03-31T02:00:00", "Period": "2012, 2016, 2020",
                 "Language": "nl", "Catalog": "CBS"}]

# Kwb 2023 (85618NED) as the fake serves it: metadata built here in the shape of the real 85984NED's
# (WijkenEnBuurten a GeoDetail, typed topics), the rows of KWB_ROWS with other inhabitants.
KWB23_PROPERTIES = [
    _property(0, "GeoDetail", "WijkenEnBuurten", "Wijken en buurten", MapYear=2023),
    *[_property(n, "Topic", key, key.rsplit("_", 1)[0], Datatype="String", Unit="code") for n, key in
      enumerate(["Gemeentenaam_1", "SoortRegio_2", "Codering_3", "IndelingswijzigingGemeenteWijkBuurt_4"], 1)],
    *[_property(n, "Topic", key, key.rsplit("_", 1)[0], Datatype="Long", Unit="aantal") for n, key in
      enumerate(["AantalInwoners_5", "Mannen_6", "Vrouwen_7"], 5)],
    _property(8, "Topic", "GemiddeldeHuishoudensgrootte_33", "Gemiddelde huishoudensgrootte", Datatype="Double",
              Unit="aantal", Decimals=1),
]
KWB23_INFOS = [{"ID": 0, "Title": "Kerncijfers wijken en buurten 2023", "Identifier": "85618NED",
                "Modified": "2024-03-01T02:00:00", "Period": "2023", "Language": "nl", "Catalog": "CBS"}]
KWB23_ROWS = [{**row, "AantalInwoners_5": row["AantalInwoners_5"] - 5} for row in KWB_ROWS]


# ---------------------------------------------------------------------------- the fake API

CLAUSE = re.compile(r"startswith\((?P<key>\w+),'(?P<prefix>[^']*)'\)")


def parse_filter(text):
    """[(key, prefix)] of `startswith(K,'P') or ...`; None when the filter has another form."""
    clauses = text.split(" or ")
    found = [CLAUSE.fullmatch(clause) for clause in clauses]
    return None if not all(found) else [(m["key"], m["prefix"]) for m in found]


class FakeCbs(ThreadingHTTPServer):
    """The CBS OData v3 API for a few tables: {table: {entity: list of entries}}."""

    daemon_threads = True

    def __init__(self, tables):
        super().__init__(("127.0.0.1", 0), Handler)
        self.tables = tables
        self.requests = []  # the paths with queries, as received
        self.fail = {}  # (table, entity, skip) -> HTTP status to answer instead
        self.ignore_filter = False
        self.raw = {}  # path with query -> body to answer (200) instead
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}/ODataApi/odata"


class Handler(BaseHTTPRequestHandler):
    server: FakeCbs

    def log_message(self, *args):  # quiet
        pass

    def answer(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, text):
        self.answer(status, {"odata.error": {"code": "", "message": {"lang": "en-US", "value": text}}})

    def do_GET(self):  # noqa: N802 - http.server's name
        server = self.server
        server.requests.append(self.path)
        if self.path in server.raw:
            data = server.raw[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        parts = url.path.split("/")
        if len(parts) != 5 or parts[1:3] != ["ODataApi", "odata"] or parts[3] not in server.tables:
            return self.error(404, f"Resource not found for the segment '{parts[3] if len(parts) > 3 else ''}'.")
        table, entity = parts[3], parts[4]
        entries = server.tables[table].get(entity)
        if entries is None:
            return self.error(404, f"Resource not found for the segment '{entity}'.")
        skip = int(query.get("$skip", ["0"])[0])
        if (table, entity, skip) in server.fail:
            return self.error(server.fail[table, entity, skip], "An error has occurred.")
        base = f"{server.base_url}/{table}"
        body = {"odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.{entity}"}
        if entity not in ("TypedDataSet", "UntypedDataSet"):
            return self.answer(200, {**body, "value": entries})
        if "$filter" in query and not server.ignore_filter:
            clauses = parse_filter(query["$filter"][0])
            if clauses is None:
                return self.error(400, "The query specified in the URI is not valid.")
            entries = [e for e in entries if any(str(e[key]).startswith(prefix) for key, prefix in clauses)]
        page = entries[skip:skip + PAGE]
        body["value"] = page
        if skip + PAGE < len(entries):
            keep = [(k, v[0]) for k, v in query.items() if k != "$skip"] + [("$skip", str(skip + PAGE))]
            body["odata.nextLink"] = f"{base}/{entity}?" + urllib.parse.urlencode(
                keep, quote_via=urllib.parse.quote, safe="$'(),")
        self.answer(200, body)


def _entries(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["value"] if isinstance(data, dict) else data


@pytest.fixture
def api():
    """The fake API serving 50090NED, and 85984NED with its real metadata when ../shared/data is there."""
    tables = {"50090NED": {"TableInfos": HEALTH_INFOS, "DataProperties": HEALTH_PROPERTIES,
                           "TypedDataSet": [r for r in HEALTH_ROWS if r["Marges"] == "MW00000"],
                           "UntypedDataSet": HEALTH_ROWS},
              "85618NED": {"TableInfos": KWB23_INFOS, "DataProperties": KWB23_PROPERTIES,
                           "TypedDataSet": KWB23_ROWS, "UntypedDataSet": KWB23_ROWS}}
    if KWB_METADATA.is_dir():
        tables["85984NED"] = {"TableInfos": _entries(KWB_METADATA / "TableInfos.json"),
                              "DataProperties": _entries(KWB_METADATA / "DataProperties.json"),
                              "TypedDataSet": KWB_ROWS, "UntypedDataSet": KWB_ROWS}
    server = FakeCbs(tables)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def kwb(api):
    """The fake API with 85984NED: its real TableInfos and DataProperties come from ../shared/data."""
    if "85984NED" not in api.tables:
        pytest.skip(f"third-party test data not found at {SHARED_DATA}: the fake API serves the real 85984NED "
                    f"metadata (TableInfos.json, DataProperties.json) from {KWB_METADATA}")
    return api


@pytest.fixture(autouse=True)
def local(monkeypatch, tmp_path):
    """No proxy for 127.0.0.1; the scratch folder of atomic writes in tmp_path, not the repository."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def closed_port():
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def flat(text):
    return " ".join(text.split())


# ------------------------------------------------------------------------------ the URLs


def test_url_and_filter():
    assert region_filter("WijkenEnBuurten", "GM0344") == (
        "startswith(WijkenEnBuurten,'GM0344') or startswith(WijkenEnBuurten,'WK0344') or "
        "startswith(WijkenEnBuurten,'BU0344')")
    assert table_url(CBS_ODATA, "85984NED", "TableInfos") == (
        "https://opendata.cbs.nl/ODataApi/odata/85984NED/TableInfos?$format=json")
    assert table_url(CBS_ODATA + "/", "85984NED", "TypedDataSet", region_filter("WijkenEnBuurten", "GM0344")) == (
        "https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet?$format=json&$filter="
        "startswith(WijkenEnBuurten,'GM0344')%20or%20startswith(WijkenEnBuurten,'WK0344')%20or%20"
        "startswith(WijkenEnBuurten,'BU0344')")


@pytest.mark.parametrize(("args", "message"), [
    (("85984NED", "0344"), "'0344' is not a CBS municipality code. Give the code as CBS writes it: GM followed "
                           "by four digits (Utrecht is GM0344)."),
    (("../etc", "GM0344"), "'../etc' is not a CBS table id. Give the table's identifier as StatLine shows it"),
    (("85984NED", "GM0344", 0), "the timeout must be a number of seconds above 0, not 0."),
])
def test_bad_arguments_are_refused_before_any_request(tmp_path, args, message):
    table_id, municipality, *timeout = args
    with pytest.raises(DownloadError) as error:
        download_table(table_id, municipality, tmp_path / "out", timeout=timeout[-1] if timeout else 10,
                       base_url=f"http://127.0.0.1:{closed_port()}/ODataApi/odata")
    assert str(error.value).startswith(message)
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------- downloading kwb


@pytest.mark.realdata  # the real 85984NED metadata
def test_kwb_download_filters_pages_and_reads(kwb, tmp_path):
    out = tmp_path / "download"
    done = download_table("85984NED", "GM0344", out, base_url=kwb.base_url, timeout=10)
    folder = out / "85984NED"
    assert files_under(out) == ["85984NED/DataProperties.json", "85984NED/TableInfos.json",
                                "85984NED/TypedDataSet.json", "85984NED/download.json"]
    assert (done.folder, done.dataset, done.rows, done.title) == (
        folder, "TypedDataSet", 3, "Kerncijfers wijken en buurten 2024")
    # The filter was sent and applied (Amsterdam left out); the 3 rows came in 2 pages.
    data = [r for r in kwb.requests if "/TypedDataSet?" in r]
    assert len(data) == 2 and "$skip=2" in data[1]
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(data[0]).query)["$filter"]
    assert sent == [region_filter("WijkenEnBuurten", "GM0344")]
    feed = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))
    assert set(feed) == {"odata.metadata", "value"}  # one feed, no nextLink
    assert [r["WijkenEnBuurten"].strip() for r in feed["value"]] == ["GM0344", "WK034403", "BU03440311"]
    assert feed["value"][0] == KWB_ROWS[0]  # cells as served: padded text, numbers, null
    # The metadata is kept byte for byte as the API answered.
    infos = json.loads((folder / "TableInfos.json").read_text(encoding="utf-8"))
    assert infos["value"] == _entries(KWB_METADATA / "TableInfos.json")

    result = read_cbs_odata(folder / "TypedDataSet.json", metadata=str(folder))
    frame = result.table
    assert cell(frame, area_code="GM0344", source_indicator="AantalInwoners")["value"] == 374238
    assert cell(frame, area_code="WK034403", source_indicator="GemiddeldeHuishoudensgrootte")["value"] == 2.4
    assert cell(frame, area_code="BU03440311", source_indicator="GemiddeldeHuishoudensgrootte")["status"] == "missing"
    assert set(frame["area_code"]) == {"GM0344", "WK034403", "BU03440311"}
    assert set(frame["period"]) == {2024}  # from the downloaded TableInfos.json
    assert f"metadata {folder / 'DataProperties.json'}: 85984NED Kerncijfers wijken en buurten 2024" in result.notes


@pytest.mark.realdata  # the real 85984NED metadata
def test_provenance_record(kwb, tmp_path):
    done = download_table("85984NED", "GM0344", tmp_path, base_url=kwb.base_url)
    record = json.loads((tmp_path / "85984NED/download.json").read_text(encoding="utf-8"))
    for name in ("TableInfos.json", "DataProperties.json", "TypedDataSet.json"):
        data = (tmp_path / "85984NED" / name).read_bytes()
        assert record["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        assert done.files[name] == record["files"][name]["sha256"]
    assert done.files["download.json"] == hashlib.sha256((tmp_path / "85984NED/download.json").read_bytes()).hexdigest()
    assert record["rows"] == 3 and record["dataset"] == "TypedDataSet" and record["municipality"] == "GM0344"
    assert record["region_dimension"] == "WijkenEnBuurten"
    assert record["filter"] == region_filter("WijkenEnBuurten", "GM0344")
    base = kwb.base_url + "/85984NED"
    filtered = table_url(kwb.base_url, "85984NED", "TypedDataSet", record["filter"])
    assert record["urls"][:3] == [f"{base}/TableInfos?$format=json", f"{base}/DataProperties?$format=json", filtered]
    assert len(record["urls"]) == 4 and record["urls"][3] == filtered + "&$skip=2"  # the nextLink as served
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["downloaded_at"])
    assert (record["title"], record["period"], record["table_modified"]) == (
        "Kerncijfers wijken en buurten 2024", "2024", "2025-03-27T02:00:00")


@pytest.mark.realdata  # the real 85984NED metadata
def test_downloaded_kwb_is_ingested_like_any_export(kwb, tmp_path, catalogue, matcher):
    done = download_table("85984NED", "GM0344", tmp_path, base_url=kwb.base_url)
    assert read_file(done.data_file, "auto", metadata=str(done.folder))[0] == "cbs_odata"
    result = ingest_file(done.data_file, fmt="auto", source_id="cbs_kwb_odata", catalogue=catalogue,
                         matcher=matcher, metadata=str(done.folder))
    rows = result.observations
    assert set(rows["area_code"]) == {"GM0344", "WK034403", "BU03440311"}
    inhabitants = rows[(rows["area_code"] == "GM0344") & (rows["source_column"] == "AantalInwoners_5")]
    assert inhabitants["value"].tolist() == [374238] and inhabitants["period"].tolist() == [2024]


# ------------------------------------------------------------------ a table with Marges


def test_table_with_marges_downloads_untyped_with_intervals(api, tmp_path):
    done = download_table("50090NED", "GM0344", tmp_path, base_url=api.base_url)
    assert done.dataset == "UntypedDataSet" and done.rows == 6  # GM0344 and WK034403, three margins each
    assert files_under(tmp_path) == ["50090NED/DataProperties.json", "50090NED/TableInfos.json",
                                     "50090NED/UntypedDataSet.json", "50090NED/download.json"]
    assert [r for r in api.requests if "DataSet?" in r][0].startswith("/ODataApi/odata/50090NED/UntypedDataSet?")
    frame = read_cbs_odata(done.data_file, metadata=str(done.folder)).table
    good = cell(frame, area_code="WK034403", source_indicator="ErvarenGezondheidGoedZeerGoed")
    assert (good["value"], good["ci_low"], good["ci_high"], good["period"], good["category"]) == (
        69.9, 67.2, 72.5, 2020, "20300")
    smokers = cell(frame, area_code="GM0344", source_indicator="Roker")
    assert (smokers["value"], smokers["ci_low"], smokers["ci_high"], smokers["source_unit"]) == (17.9, 17.1, 18.7, "%")
    assert len(frame) == 2 * 2 and "GM0363" not in set(frame["area_code"])


def test_dataset_can_be_chosen(api, tmp_path):
    done = download_table("50090NED", "GM0344", tmp_path, base_url=api.base_url, dataset="TypedDataSet")
    assert done.data_file.name == "TypedDataSet.json" and done.rows == 2


# ------------------------------------------------------------------------------- failures


def test_refused_connection_one_message_with_hint_and_no_files(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}/ODataApi/odata"
    out = tmp_path / "download"
    with pytest.raises(DownloadError) as error:
        download_table("85984NED", "GM0344", out, base_url=base, timeout=5)
    assert str(error.value) == (
        f"cannot download {base}/85984NED/TableInfos?$format=json: the connection was refused (no internet "
        f"connection, or nothing listens at that address?). The download is unavailable; place the files by hand "
        f"instead: on a machine with internet, open {base}/85984NED/TableInfos?$format=json, "
        f"{base}/85984NED/DataProperties?$format=json and {base}/85984NED/TypedDataSet?$format=json&$filter="
        f"startswith(WijkenEnBuurten,'GM0344') or startswith(WijkenEnBuurten,'WK0344') or "
        f"startswith(WijkenEnBuurten,'BU0344') and save the answers as TableInfos.json, DataProperties.json and "
        f"TypedDataSet.json in {out}/85984NED/ (UntypedDataSet instead of TypedDataSet for a table with Marges, "
        f"such as 50090NED); docs/download.md says how to ingest them.")
    assert not out.exists()
    assert files_under(tmp_path) == []  # nothing in the scratch folder either


def test_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        base = f"http://127.0.0.1:{silent.getsockname()[1]}/ODataApi/odata"
        with pytest.raises(DownloadError) as error:
            download_table("85984NED", "GM0344", tmp_path / "out", base_url=base, timeout=0.5)
    assert f"cannot download {base}/85984NED/TableInfos?$format=json: no answer within 0.5 seconds." in str(error.value)
    assert "place the files by hand" in str(error.value) and not (tmp_path / "out").exists()


@pytest.mark.realdata  # the real 85984NED metadata
def test_http_error_on_a_later_page_writes_nothing_and_keeps_an_earlier_download(kwb, tmp_path):
    download_table("85984NED", "GM0344", tmp_path, base_url=kwb.base_url)
    before = {name: (tmp_path / "85984NED" / name).read_bytes() for name in files_under(tmp_path / "85984NED")}
    kwb.fail["85984NED", "TypedDataSet", 2] = 500
    with pytest.raises(DownloadError) as error:
        download_table("85984NED", "GM0344", tmp_path, base_url=kwb.base_url)
    message = str(error.value)
    assert message.startswith(f"cannot download {kwb.base_url}/85984NED/TypedDataSet?")
    assert "$skip=2: the server answered HTTP 500 Internal Server Error (An error has occurred)." in message
    assert "save the answers as TableInfos.json, DataProperties.json and TypedDataSet.json" in message
    after = {name: (tmp_path / "85984NED" / name).read_bytes() for name in files_under(tmp_path / "85984NED")}
    assert after == before


def test_unknown_table_is_an_http_404(api, tmp_path):
    with pytest.raises(DownloadError) as error:
        download_table("99999NED", "GM0344", tmp_path, base_url=api.base_url)
    assert ("the server answered HTTP 404 Not Found (Resource not found for the segment '99999NED')."
            in str(error.value))
    assert files_under(tmp_path) == []


@pytest.mark.realdata  # the real 85984NED metadata
def test_no_rows_for_the_municipality(kwb, tmp_path):
    with pytest.raises(DownloadError) as error:
        download_table("85984NED", "GM9999", tmp_path, base_url=kwb.base_url)
    assert str(error.value).startswith("table 85984NED has no rows for GM9999 (")
    assert "Check the municipality code" in str(error.value)
    assert files_under(tmp_path) == []


@pytest.mark.realdata  # the real 85984NED metadata
def test_a_server_that_ignores_the_filter_is_caught(kwb, tmp_path):
    kwb.ignore_filter = True
    with pytest.raises(DownloadError) as error:
        download_table("85984NED", "GM0344", tmp_path, base_url=kwb.base_url)
    assert "row 2 of the answer is region 'GM0363', not GM0344 or one of its wijken or buurten" in str(error.value)
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(("body", "message"), [
    (b"<html><body>Onderhoud</body></html>", "is not JSON"),
    (b'{"odata.metadata": "x", "value": {"ID": 0}}', 'is not an OData feed: expected {"value": [records]}.'),
])
def test_an_answer_that_is_no_feed_is_refused(api, body, message):
    api.raw["/ODataApi/odata/85984NED/TableInfos?$format=json"] = body
    url = table_url(api.base_url, "85984NED", "TableInfos")
    with pytest.raises(DownloadError) as error:
        fetch_feed(url, timeout=10)
    assert str(error.value).startswith(f"the answer to {url} {message}")


def test_a_next_link_that_loops_is_refused(api):
    url = table_url(api.base_url, "85984NED", "TableInfos")
    api.raw["/ODataApi/odata/85984NED/TableInfos?$format=json"] = json.dumps(
        {"value": [], "odata.nextLink": url}).encode()
    with pytest.raises(DownloadError, match=r"the feed does not end: .* was linked to twice\."):
        fetch_feed(url, timeout=10)


def test_second_table_failing_keeps_the_first_and_names_the_rest(api, tmp_path):
    with pytest.raises(DownloadError) as error:
        download_tables(["50090NED", "99999NED", "85984NED"], "GM0344", tmp_path, base_url=api.base_url)
    message = str(error.value)
    assert "Downloaded before it: 50090NED." in message
    assert f"in {tmp_path}/<table>/ for each <table> of 99999NED, 85984NED" in message
    assert files_under(tmp_path)[0].startswith("50090NED/") and not (tmp_path / "85984NED").exists()


# ------------------------------------------------------------------------------- the command


@pytest.mark.realdata  # the real 85984NED metadata
def test_cli_download_two_tables(kwb, tmp_path, capsys):
    out = tmp_path / "raw"
    status = main(["download", "85984NED", "50090NED", "--municipality", "GM0344", "--out", str(out),
                   "--base-url", kwb.base_url, "--timeout", "10"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert printed.out.splitlines() == [
        f"85984NED (Kerncijfers wijken en buurten 2024): wrote {out / '85984NED'}/",
        "  TypedDataSet.json (3 rows of GM0344, its wijken and buurten), TableInfos.json, DataProperties.json, "
        "download.json (provenance)",
        f"  read it with: wijkmonitor inspect {out / '85984NED/TypedDataSet.json'} --metadata {out / '85984NED'}",
        f"50090NED (Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)): wrote {out / '50090NED'}/",
        "  UntypedDataSet.json (6 rows of GM0344, its wijken and buurten), TableInfos.json, DataProperties.json, "
        "download.json (provenance)",
        f"  read it with: wijkmonitor inspect {out / '50090NED/UntypedDataSet.json'} --metadata {out / '50090NED'}",
    ]
    assert len(files_under(out)) == 8


@pytest.mark.realdata  # the real 85984NED metadata
def test_cli_inspects_the_download(kwb, tmp_path, capsys):
    main(["download", "85984NED", "--municipality", "GM0344", "--out", str(tmp_path), "--base-url", kwb.base_url])
    capsys.readouterr()
    folder = tmp_path / "85984NED"
    assert main(["inspect", str(folder / "TypedDataSet.json"), "--metadata", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "format     cbs_odata (detected" in out and "periods    2024" in out


def test_cli_offline_exit_1_one_paragraph(tmp_path):
    tmp_path = tmp_path / "cli"
    tmp_path.mkdir()
    base = f"http://127.0.0.1:{closed_port()}/ODataApi/odata"
    done = subprocess.run([sys.executable, "-m", "wijkmonitor", "download", "85984NED", "50090NED",
                           "--municipality", "GM0344", "--out", "raw", "--base-url", base, "--timeout", "5"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    err = done.stderr
    assert "\n\n" not in err.strip() and "Traceback" not in err
    assert flat(err).startswith(f"wijkmonitor download: cannot download {base}/85984NED/TableInfos?$format=json: "
                                "the connection was refused")
    assert f"{base}/<table>/TypedDataSet?$format=json&$filter=startswith(WijkenEnBuurten,'GM0344')" in err
    assert "in raw/<table>/ for each <table> of 85984NED, 50090NED" in flat(err)
    # URLs are never broken across lines.
    assert all(len(line) <= 100 or line.startswith("http") for line in err.splitlines())
    assert not (tmp_path / "raw").exists()
    assert [p.name for p in tmp_path.iterdir()] == []



# ------------------------------------------------------------------ kwb years and the plan


def test_kwb_table_id_of_a_known_year():
    assert (kwb_table_id(2024), kwb_table_id(2023), kwb_table_id(2013)) == ("85984NED", "85618NED", "82339NED")
    assert list(KWB_TABLES) == list(range(2013, 2026)) and len(set(KWB_TABLES.values())) == len(KWB_TABLES)
    # The config's kwb_tables add a year or override one (YAML keys may come as text).
    assert kwb_table_id(2026, {"2026": "86999NED"}) == "86999NED"
    assert kwb_table_id(2024, {2024: "85985NED"}) == "85985NED"


@pytest.mark.realdata  # the real 85984NED metadata
def test_kwb_map_agrees_with_the_real_table_infos(shared_data):
    infos = _entries(KWB_METADATA / "TableInfos.json")[0]
    assert infos["Title"] == f"Kerncijfers wijken en buurten {infos['Period']}"
    assert KWB_TABLES[int(infos["Period"])] == infos["Identifier"] == "85984NED"


@pytest.mark.parametrize("year", [2012, 2031])
def test_kwb_table_id_of_an_unknown_year_says_to_give_the_id(year):
    with pytest.raises(DownloadError) as error:
        kwb_table_id(year)
    message = str(error.value)
    assert message.startswith(f"no CBS table id is known for Kerncijfers wijken en buurten {year} (wijkmonitor "
                              "knows the years 2013-2025). Give the table id yourself: in the config as "
                              f"`download: {{kwb_tables: {{{year}: <id>}}}}`, or on the command line as a "
                              f"TABLE_ID instead of --kwb-years {year}")


CONFIG = {"city": {"name": "Utrecht", "code": "GM0344"},
          "download": {"kwb_years": [2023, 2024], "health_table": "50090NED", "out": "raw/download"}}


def test_download_plan_from_a_config():
    plan = download_plan(CONFIG)
    assert [(p.table_id, p.what, p.dataset, p.base_url) for p in plan] == [
        ("85618NED", "Kerncijfers wijken en buurten 2023", "TypedDataSet", CBS_ODATA),
        ("85984NED", "Kerncijfers wijken en buurten 2024", "TypedDataSet", CBS_ODATA),
        ("50090NED", "health table", "UntypedDataSet", DATADERDEN),
    ]
    assert {(p.municipality, p.out_dir, p.timeout) for p in plan} == {("GM0344", "raw/download", 60.0)}
    assert plan[0].provenance == Path("raw/download/85618NED/download.json")
    assert PlannedTable(**plan[2].settings()) == plan[2]  # the rule's params and back


def test_download_plan_defaults_and_settings():
    city = {"code": "GM0344"}
    plan = download_plan({"city": city, "download": {}})  # only the health table, 50090NED
    assert [(p.table_id, p.base_url, p.out_dir) for p in plan] == [("50090NED", DATADERDEN, "data/raw/download")]
    plan = download_plan({"city": city, "download": {
        "kwb_years": [2030, 2025, 2030], "kwb_tables": {2030: "90001NED"}, "health_table": "50120NED",
        "base_url": "http://mirror/odata", "health_base_url": "http://mirror2/odata", "timeout": 5}})
    assert [(p.table_id, p.base_url, p.timeout) for p in plan] == [
        ("90001NED", "http://mirror/odata", 5.0), ("86165NED", "http://mirror/odata", 5.0),
        ("50120NED", "http://mirror2/odata", 5.0)]
    plan = download_plan({"city": city, "download": {"kwb_years": 2024, "health_table": None}})
    assert [p.table_id for p in plan] == ["85984NED"]


@pytest.mark.parametrize(("config", "message"), [
    ({"city": {"code": "GM0344"}}, "the config has no download: section, so it names no table to download."),
    ({"download": {"kwb_years": [2024]}}, "the config has no city.code, the municipality to cut the tables to."),
    ({"cities": "all", "download": {}}, "the config has no city.code, the municipality to cut the tables to. Add "
     "it, e.g. city: {name: Utrecht, code: GM0344}; a download is cut to one municipality, also when the config "
     "lists cities:"),
    ({"city": {"code": "0344"}, "download": {}}, "'0344' is not a CBS municipality code."),
    ({"city": {"code": "GM0344"}, "download": {"kwb_year": [2024]}},
     "the config's download: section: unknown setting(s) 'kwb_year'; the settings are kwb_years, kwb_tables, "
     "health_table, out, base_url, health_base_url, timeout. For example: download: {kwb_years: [2023, 2024], "
     "health_table: 50090NED}"),
    ({"city": {"code": "GM0344"}, "download": {"kwb_years": "2024"}},
     "the config's download: section: kwb_years must be a list of years, not '2024'."),
    ({"city": {"code": "GM0344"}, "download": {"kwb_years": [2012]}},
     "no CBS table id is known for Kerncijfers wijken en buurten 2012"),
    ({"city": {"code": "GM0344"}, "download": {"health_table": 50090}},
     "the config's download: section: health_table must be a table id such as 50090NED, or null, not 50090."),
    ({"city": {"code": "GM0344"}, "download": {"timeout": 0}},
     "the config's download: section: timeout must be a number of seconds above 0, not 0."),
    ({"city": {"code": "GM0344"}, "download": {"kwb_years": [], "health_table": None}},
     "the config's download: section: it names no table (no kwb_years, and health_table is null)."),
    ({"city": {"code": "GM0344"}, "download": {"kwb_years": [2023], "kwb_tables": {2023: "50090NED"}}},
     "table 50090NED is asked for twice, as Kerncijfers wijken en buurten 2023 and as health table."),
])
def test_download_plan_refuses_bad_settings(config, message):
    with pytest.raises(DownloadError) as error:
        download_plan(config)
    assert str(error.value).startswith(message)


def test_plan_hint_names_each_portal_and_data_set():
    hint = plan_hint(download_plan(CONFIG))
    assert hint == (
        "The download is unavailable; place the files by hand instead: on a machine with internet, open "
        "<base>/<table>/TableInfos?$format=json, <base>/<table>/DataProperties?$format=json and "
        "<base>/<table>/<DataSet>?$format=json&$filter=startswith(WijkenEnBuurten,'GM0344') or "
        "startswith(WijkenEnBuurten,'WK0344') or startswith(WijkenEnBuurten,'BU0344') and save the answers as "
        "TableInfos.json, DataProperties.json and <DataSet>.json in raw/download/<table>/, for 85618NED and "
        f"85984NED with <base> {CBS_ODATA} and <DataSet> TypedDataSet; for 50090NED with <base> {DATADERDEN} and "
        "<DataSet> UntypedDataSet; docs/download.md says how to ingest them.")
    # One table: every address written out, as download_table's own hint.
    assert plan_hint(download_plan(CONFIG)[2:]).startswith(
        f"The download is unavailable; place the files by hand instead: on a machine with internet, open "
        f"{DATADERDEN}/50090NED/TableInfos?$format=json, {DATADERDEN}/50090NED/DataProperties?$format=json and "
        f"{DATADERDEN}/50090NED/UntypedDataSet?$format=json&$filter=startswith(WijkenEnBuurten,'GM0344')")


# ------------------------------------------------------------------- the command's plan


def plan_of(*argv):
    return [(p.table_id, p.base_url, p.dataset) for p in download_plan_from_args(_parser().parse_args(
        ["download", *argv]))]


def test_cli_plan_kwb_years_health_and_table_ids():
    assert plan_of("--kwb-years", "2023", "2024", "--health", "50090NED", "--municipality", "GM0344") == [
        ("85618NED", CBS_ODATA, "TypedDataSet"), ("85984NED", CBS_ODATA, "TypedDataSet"),
        ("50090NED", DATADERDEN, "UntypedDataSet")]
    assert plan_of("70072NED", "--kwb-years", "2024", "--health", "50120NED", "--municipality", "GM0344") == [
        ("85984NED", CBS_ODATA, "TypedDataSet"), ("50120NED", DATADERDEN, "UntypedDataSet"),
        ("70072NED", CBS_ODATA, None)]
    # --base-url is every table's root unless the health table has its own.
    assert plan_of("--health", "50090NED", "--municipality", "GM0344", "--base-url", "http://a") == [
        ("50090NED", "http://a", "UntypedDataSet")]
    assert plan_of("--health", "50090NED", "--municipality", "GM0344", "--base-url", "http://a",
                   "--health-base-url", "http://b") == [("50090NED", "http://b", "UntypedDataSet")]
    assert plan_of("85984NED", "--municipality", "GM0344", "--dataset", "UntypedDataSet") == [
        ("85984NED", CBS_ODATA, "UntypedDataSet")]


def test_cli_plan_from_a_config_file(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    assert plan_of("--config", str(config)) == [
        ("85618NED", CBS_ODATA, "TypedDataSet"), ("85984NED", CBS_ODATA, "TypedDataSet"),
        ("50090NED", DATADERDEN, "UntypedDataSet")]
    # Tables named on the command line replace the config's; its municipality and folder stay.
    plan = download_plan_from_args(_parser().parse_args(["download", "--config", str(config), "--kwb-years", "2024"]))
    assert [(p.table_id, p.municipality, p.out_dir) for p in plan] == [("85984NED", "GM0344", "raw/download")]


@pytest.mark.parametrize(("argv", "message"), [
    (["--municipality", "GM0344"], "wijkmonitor download: no table to download. Name them: TABLE_IDs (e.g. "
                                   "85984NED), --kwb-years 2023 2024, --health 50090NED, or --config config.yaml"),
    (["--kwb-years", "2024"], "wijkmonitor download: no municipality to cut the tables to. Give --municipality"),
    (["--kwb-years", "2031", "--municipality", "GM0344"],
     "wijkmonitor download: no CBS table id is known for Kerncijfers wijken en buurten 2031 (wijkmonitor knows "
     "the years 2013-2025). Give the table id yourself"),
    (["--config", "missing.yaml"], "wijkmonitor download: missing.yaml: cannot read the config: No such file"),
])
def test_cli_refuses_before_any_request(argv, message, capsys):
    assert main(["download", *argv]) == 1
    assert flat(capsys.readouterr().err).startswith(message)


def test_cli_kwb_years_and_health(api, tmp_path, capsys):
    out = tmp_path / "raw"
    status = main(["download", "--kwb-years", "2023", "--health", "50090NED", "--municipality", "GM0344",
                   "--out", str(out), "--base-url", api.base_url, "--timeout", "10"])
    printed = capsys.readouterr()
    assert status == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0] == f"85618NED (Kerncijfers wijken en buurten 2023): wrote {out / '85618NED'}/"
    assert lines[1].startswith("  TypedDataSet.json (3 rows of GM0344, its wijken and buurten)")
    assert lines[3].startswith("50090NED (Gezondheid per wijk en buurt; 2012/2016/2020 (indeling 2020)): wrote")
    assert lines[4].startswith("  UntypedDataSet.json (6 rows of GM0344")
    assert files_under(out) == [f"{t}/{f}" for t, data in (("50090NED", "Untyped"), ("85618NED", "Typed"))
                                for f in ("DataProperties.json", "TableInfos.json", f"{data}DataSet.json",
                                          "download.json")]
    frame = read_cbs_odata(out / "85618NED/TypedDataSet.json", metadata=str(out / "85618NED")).table
    assert cell(frame, area_code="GM0344", source_indicator="AantalInwoners")["value"] == 374233
    assert set(frame["period"]) == {2023}


def test_cli_config_file_downloads_its_plan(api, tmp_path, capsys):
    out = tmp_path / "raw"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({**CONFIG, "download": {
        "kwb_years": [2023], "out": str(out), "base_url": api.base_url, "health_base_url": api.base_url,
        "timeout": 10}}), encoding="utf-8")
    assert main(["download", "--config", str(config)]) == 0, capsys.readouterr().err
    assert [p.name for p in sorted(out.iterdir())] == ["50090NED", "85618NED"]
    assert json.loads((out / "50090NED/download.json").read_text(encoding="utf-8"))["dataset"] == "UntypedDataSet"


def test_cli_offline_plan_one_message_naming_every_file(tmp_path, capsys):
    base = f"http://127.0.0.1:{closed_port()}/ODataApi/odata"
    status = main(["download", "--kwb-years", "2023", "2024", "--health", "50090NED", "--municipality", "GM0344",
                   "--out", "raw", "--base-url", base, "--timeout", "5"])
    err = capsys.readouterr().err
    assert status == 1 and "\n\n" not in err.strip() and "Traceback" not in err
    assert flat(err) == (
        f"wijkmonitor download: cannot download {base}/85618NED/TableInfos?$format=json: the connection was "
        "refused (no internet connection, or nothing listens at that address?). The download is unavailable; "
        "place the files by hand instead: on a machine with internet, open <base>/<table>/TableInfos?$format=json, "
        "<base>/<table>/DataProperties?$format=json and <base>/<table>/<DataSet>?$format=json&$filter="
        "startswith(WijkenEnBuurten,'GM0344') or startswith(WijkenEnBuurten,'WK0344') or "
        "startswith(WijkenEnBuurten,'BU0344') and save the answers as TableInfos.json, DataProperties.json and "
        f"<DataSet>.json in raw/<table>/, for 85618NED and 85984NED with <base> {base} and <DataSet> TypedDataSet; "
        f"for 50090NED with <base> {base} and <DataSet> UntypedDataSet; docs/download.md says how to ingest them.")
    assert all(len(line) <= 100 or "http" in line for line in err.splitlines())
    assert not Path("raw").exists()


def test_plan_stops_at_the_failing_table_and_keeps_the_ones_before(api, tmp_path):
    out = str(tmp_path / "out")
    plan = [PlannedTable("85618NED", "kwb 2023", "GM0344", out, api.base_url, "TypedDataSet", 10),
            PlannedTable("99999NED", "kwb 2099", "GM0344", out, api.base_url, "TypedDataSet", 10),
            PlannedTable("50090NED", "health table", "GM0344", out, api.base_url, "UntypedDataSet", 10)]
    with pytest.raises(DownloadError) as error:
        download_planned(plan)
    message = str(error.value)
    assert "HTTP 404 Not Found" in message and "Downloaded before it: 85618NED." in message
    assert "for 99999NED with <base>" in message and "for 50090NED with <base>" in message
    assert [p.name for p in Path(out).iterdir()] == ["85618NED"]


# ----------------------------------------------------------------------- the Snakemake rule


def test_rule_failure_names_the_other_tables_without_a_download(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}/ODataApi/odata"
    config = {**CONFIG, "download": {**CONFIG["download"], "out": str(tmp_path), "base_url": base,
                                     "health_base_url": base, "timeout": 5}}
    plan = download_plan(config)
    (tmp_path / "85984NED").mkdir()
    (tmp_path / "85984NED/download.json").write_text("{}", encoding="utf-8")  # downloaded before
    with pytest.raises(DownloadError) as error:
        download_for_rule(plan[0].settings(), config)
    message = str(error.value)
    assert message.startswith(f"cannot download {base}/85618NED/TableInfos?$format=json: the connection was "
                              "refused")
    assert message.endswith(f"in {tmp_path}/<table>/, for 85618NED with <base> {base} and <DataSet> TypedDataSet; "
                            f"for 50090NED with <base> {base} and <DataSet> UntypedDataSet; docs/download.md says "
                            "how to ingest them.")


SNAKEFILE = f"""configfile: "config.yaml"

if config.get("download"):

    include: "{ROOT / 'rules/download.smk'}"


rule all:
    default_target: True
    input:
        [],
"""


@pytest.mark.pipeline  # runs snakemake (about 15 s), in a scratch copy of a workflow
def test_snakemake_download_rule_in_a_copy(api, tmp_path):
    """`snakemake download` against the fake API in a scratch workflow that includes rules/download.smk:
    the tables are fetched; the default target leaves them alone; offline, a forced refresh fails
    with one message in the log and keeps the earlier download."""
    work = tmp_path / "workflow"
    work.mkdir()
    (work / "Snakefile").write_text(SNAKEFILE, encoding="utf-8")
    settings = {"kwb_years": [2023], "health_table": "50090NED", "base_url": api.base_url,
                "health_base_url": api.base_url, "timeout": 10}
    (work / "config.yaml").write_text(yaml.safe_dump({**CONFIG, "download": settings}), encoding="utf-8")
    snakemake = str(Path(sys.executable).with_name("snakemake"))

    def run(*argv):
        return subprocess.run([snakemake, "--cores", "2", "-d", str(work), "-s", str(work / "Snakefile"), *argv],
                              capture_output=True, text=True, timeout=300)

    done = run("download")
    assert done.returncode == 0, done.stderr
    raw = work / "data/raw/download"
    assert files_under(raw) == [f"{t}/{f}" for t, data in (("50090NED", "Untyped"), ("85618NED", "Typed"))
                                for f in ("DataProperties.json", "TableInfos.json", f"{data}DataSet.json",
                                          "download.json")]
    assert "85618NED (Kerncijfers wijken en buurten 2023): wrote" in (work / "logs/download/85618NED.log").read_text()
    before = {name: (raw / name).read_bytes() for name in files_under(raw)}
    asked = len(api.requests)

    assert run().returncode == 0 and len(api.requests) == asked  # the default target: no download
    done = run("download")
    assert done.returncode == 0 and "Nothing to be done" in done.stderr and len(api.requests) == asked

    settings["base_url"] = settings["health_base_url"] = f"http://127.0.0.1:{closed_port()}/ODataApi/odata"
    (work / "config.yaml").write_text(yaml.safe_dump({**CONFIG, "download": settings}), encoding="utf-8")
    done = run("download", "--forcerun", "download_table")
    assert done.returncode != 0
    errors = [line for log in (work / "logs/download").glob("*.log")
              for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("ERROR ")]
    assert len(errors) == 1 and "The download is unavailable; place the files by hand" in errors[0]
    assert {name: (raw / name).read_bytes() for name in files_under(raw)} == before


def test_a_table_cbs_does_not_know_points_to_the_third_party_portal(api, tmp_path, monkeypatch):
    import wijkmonitor.download as download

    monkeypatch.setattr(download, "CBS_ODATA", api.base_url)  # the fake stands in for opendata.cbs.nl
    with pytest.raises(DownloadError) as error:
        download_tables(["99999NED"], "GM0344", tmp_path / "out", base_url=api.base_url)
    assert ("(Resource not found for the segment '99999NED'). CBS serves the tables of third parties (RIVM's "
            f"50090NED among them) at {DATADERDEN}: give such a table as --health, or with --base-url "
            f"{DATADERDEN}.") in str(error.value)
