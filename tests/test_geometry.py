"""Boundary files for maps: GeoJSON and GeoPackage, in WGS84 or another CRS (reprojected with pyproj)."""

from __future__ import annotations

import json
import math
import sqlite3
import struct

import numpy as np
import pytest
from pyproj import Transformer

from wijkmonitor.errors import ConfigError
from wijkmonitor.geometry import load_boundaries

WIJKEN = "utrecht/geometry/utrecht_wijken_2023.geojson"
BUURTEN = "utrecht/geometry/utrecht_buurten_2024.geojson"
# The RD New origin (Amersfoort) and its WGS84 position as published for RDNAPTRANS2018.
RD_ORIGIN = (155000.0, 463000.0)
ORIGIN_LAT, ORIGIN_LON = 52.15517440, 5.38720621
# Without the RDNAPTRANS grid file PROJ falls back to a Helmert transformation (about 0.3 m off here).
HELMERT_TOLERANCE = 3e-6
RD_TRIANGLE = [[155000.0, 463000.0], [155500.0, 463000.0], [155000.0, 463500.0], [155000.0, 463000.0]]


def refused(path, start, **options):
    """Assert that load_boundaries refuses `path` with a message starting `<path>: <start>`."""
    with pytest.raises(ConfigError) as caught:
        load_boundaries(path, **options)
    assert str(caught.value).startswith(f"{path}: {start}"), str(caught.value)
    return str(caught.value)


def feature_collection(features, crs=None):
    """A GeoJSON FeatureCollection of (code, rings) Polygons, with a legacy `crs` member when named."""
    data = {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code": code},
                          "geometry": {"type": "Polygon", "coordinates": rings}} for code, rings in features]}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data)


# ------------------------------------------------------------------------------ GeoPackage writer


def wkb_polygon(rings, *, big_endian=False, z=False):
    """A WKB Polygon (ISO type 3, or 1003 with a constant Z of 7.0) of (n, 2) rings."""
    order = ">" if big_endian else "<"
    body = [struct.pack(order + "BII", 0 if big_endian else 1, 1003 if z else 3, len(rings))]
    for ring in rings:
        ring = np.asarray(ring, dtype=float)
        if z:
            ring = np.column_stack([ring, np.full(len(ring), 7.0)])
        body.append(struct.pack(order + "I", len(ring)) + ring.astype(order + "f8").tobytes())
    return b"".join(body)


def wkb_multipolygon(polygons, *, big_endian=False):
    """A WKB MultiPolygon (type 6) of polygons, each a list of rings."""
    order = ">" if big_endian else "<"
    head = struct.pack(order + "BII", 0 if big_endian else 1, 6, len(polygons))
    return head + b"".join(wkb_polygon(rings, big_endian=big_endian) for rings in polygons)


def gpkg_blob(wkb, *, srs_id=28992, envelope=(), big_endian=False, empty=False):
    """GeoPackageBinary: 'GP', version 0, flags (byte order, envelope indicator 0/1/2/4 for 0/4/6/8
    values, empty), srs_id, envelope doubles, then the WKB."""
    order = ">" if big_endian else "<"
    indicator = {0: 0, 4: 1, 6: 2, 8: 4}[len(envelope)]
    flags = (0 if big_endian else 1) | indicator << 1 | (0b100000 if empty else 0)
    return b"GP" + bytes([0, flags]) + struct.pack(order + "i", srs_id) + \
        struct.pack(order + f"{len(envelope)}d", *envelope) + wkb


def write_gpkg(path, layers, *, srs_id=28992, organization="EPSG", coordsys_id=28992, code_column="StatCode"):
    """A GeoPackage with the three required metadata tables and one feature table per layer
    ({table: [(code, blob), ...]}), all in srs_id."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        db.execute("PRAGMA user_version = 10300")
        db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
                   "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, "
                   "definition TEXT NOT NULL, description TEXT)")
        db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
            ("WGS 84 geodetic", 4326, "EPSG", 4326, 'GEOGCS["WGS 84"]', None),
        ])
        if srs_id not in (-1, 0, 4326):
            db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, 'undefined', NULL)",
                       (f"{organization}:{coordsys_id}", srs_id, organization, coordsys_id))
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
                   "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, "
                   "min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)")
        db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
                   "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, "
                   "m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name))")
        for table, rows in layers.items():
            db.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, '
                       f'"{code_column}" TEXT)')
            db.executemany(f'INSERT INTO "{table}" (geom, "{code_column}") VALUES (?, ?)',
                           [(blob, code) for code, blob in rows])
            db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                       "VALUES (?, 'features', ?, ?)", (table, table, srs_id))
            db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 2, 0)",
                       (table, srs_id))
    return path


# ------------------------------------------------------------------------------ real files


def test_boundaries_of_utrecht_wijken(shared_data):
    shapes = load_boundaries(shared_data / WIJKEN)
    assert sorted(shapes) == [f"WK0344{i:02d}" for i in range(1, 11)]
    assert all(len(rings) == 1 for rings in shapes.values())
    # x = lon * cos(mean latitude of all 95 vertices, 52.0911684...), y = lat.
    scale = math.cos(math.radians(52.09116842105263))
    binnenstad = shapes["WK034406"][0]
    assert binnenstad.shape == (6, 2)
    np.testing.assert_allclose(binnenstad[:2], [[5.126 * scale, 52.095], [5.115 * scale, 52.097]], rtol=0,
                               atol=1e-12)
    x, y = binnenstad.mean(axis=0)
    assert 5.12 * 0.60 < x < 5.12 * 0.63 and 52.08 < y < 52.10


def test_boundaries_of_utrecht_buurten(shared_data):
    shapes = load_boundaries(shared_data / BUURTEN)
    features = json.loads((shared_data / BUURTEN).read_text(encoding="utf-8"))["features"]
    assert len(features) == 111
    assert len(shapes) == 111 and all(code.startswith("BU0344") for code in shapes)
    assert {"BU03440111", "BU03440112", "BU03441041"} <= set(shapes)
    assert list(shapes)[:2] == ["BU03440111", "BU03440112"]  # file order kept


# ------------------------------------------------------------------------------ reprojection


def origin_of(shapes, code="RD1"):
    """(lon, lat) of the first vertex of an area's first ring, undoing the x = lon * cos(mean lat) scaling."""
    mean_lat = np.concatenate([ring for rings in shapes.values() for ring in rings])[:, 1].mean()
    x, y = shapes[code][0][0]
    return x / math.cos(math.radians(mean_lat)), y


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:EPSG::28992", "EPSG:28992"])
def test_rd_geojson_is_reprojected(tmp_path, crs):
    path = tmp_path / "rd.geojson"
    path.write_text(feature_collection([("RD1", [RD_TRIANGLE])], crs=crs), encoding="utf-8")
    shapes = load_boundaries(path)
    assert list(shapes) == ["RD1"] and shapes["RD1"][0].shape == (4, 2)
    lon, lat = origin_of(shapes)
    assert lon == pytest.approx(ORIGIN_LON, abs=HELMERT_TOLERANCE)
    assert lat == pytest.approx(ORIGIN_LAT, abs=HELMERT_TOLERANCE)
    assert shapes["RD1"][0][2, 1] - lat == pytest.approx(500 / 111_250, rel=0.01)  # 500 m north


def test_rd_geopackage_is_reprojected(tmp_path):
    path = write_gpkg(tmp_path / "rd.gpkg", {"wijken": [("RD1", gpkg_blob(wkb_polygon([RD_TRIANGLE])))]})
    shapes = load_boundaries(path)
    assert list(shapes) == ["RD1"] and shapes["RD1"][0].shape == (4, 2)
    lon, lat = origin_of(shapes)
    assert lon == pytest.approx(ORIGIN_LON, abs=HELMERT_TOLERANCE)
    assert lat == pytest.approx(ORIGIN_LAT, abs=HELMERT_TOLERANCE)


def wijken_in_rd(shared_data):
    """The real Utrecht wijken as (code, outer ring in EPSG:28992) pairs."""
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    features = json.loads((shared_data / WIJKEN).read_text(encoding="utf-8"))["features"]
    pairs = []
    for feature in features:
        lon, lat = np.array(feature["geometry"]["coordinates"][0], dtype=float).T
        pairs.append((feature["properties"]["code"], np.column_stack(to_rd.transform(lon, lat))))
    return pairs


def assert_same_rings(shapes, expected, atol):
    assert sorted(shapes) == sorted(expected)
    for code, rings in expected.items():
        assert len(shapes[code]) == len(rings), code
        for got, want in zip(shapes[code], rings, strict=True):
            np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=code)


def test_rd_geojson_round_trip_equals_wgs84(shared_data, tmp_path):
    path = tmp_path / "wijken_rd.geojson"
    features = [(code, [ring.tolist()]) for code, ring in wijken_in_rd(shared_data)]
    path.write_text(feature_collection(features, crs="urn:ogc:def:crs:EPSG::28992"), encoding="utf-8")
    assert_same_rings(load_boundaries(path), load_boundaries(shared_data / WIJKEN), atol=1e-7)


def test_rd_geopackage_round_trip_equals_wgs84(shared_data, tmp_path):
    rows = []
    for number, (code, ring) in enumerate(wijken_in_rd(shared_data)):
        (min_x, min_y), (max_x, max_y) = ring.min(axis=0), ring.max(axis=0)
        hole = ring.mean(axis=0) + [[0, 0], [50, 0], [0, 50], [0, 0]]
        rows.append((code, [
            gpkg_blob(wkb_polygon([ring])),  # little-endian, no envelope
            gpkg_blob(wkb_polygon([ring, hole]), envelope=(min_x, max_x, min_y, max_y)),  # 32-byte envelope
            gpkg_blob(wkb_multipolygon([[ring]], big_endian=True), big_endian=True),  # big-endian throughout
            gpkg_blob(wkb_polygon([ring], z=True), envelope=(min_x, max_x, min_y, max_y, 7, 7)),  # PolygonZ, 48
        ][number % 4]))
    point = struct.pack("<BIdd", 1, 1, *RD_ORIGIN)
    rows += [("WK034401", gpkg_blob(point)),  # not a polygon: skipped
             ("WK034402", gpkg_blob(wkb_polygon([]), empty=True))]  # empty geometry: skipped
    path = write_gpkg(tmp_path / "wijken_rd.gpkg", {"wijken": rows})
    shapes = load_boundaries(path)
    assert_same_rings(shapes, load_boundaries(shared_data / WIJKEN), atol=1e-7)
    assert list(shapes)[:3] == ["WK034401", "WK034402", "WK034403"]


def test_wgs84_geopackage_equals_the_geojson(shared_data, tmp_path):
    features = json.loads((shared_data / WIJKEN).read_text(encoding="utf-8"))["features"]
    rows = [(f["properties"]["code"], gpkg_blob(wkb_polygon(f["geometry"]["coordinates"]), srs_id=4326))
            for f in features]
    path = write_gpkg(tmp_path / "wijken.gpkg", {"wijken": rows}, srs_id=4326, code_column="code")
    assert_same_rings(load_boundaries(path), load_boundaries(shared_data / WIJKEN), atol=0)


def test_layer_chooses_among_several(shared_data, tmp_path):
    rd = {code: gpkg_blob(wkb_polygon([ring])) for code, ring in wijken_in_rd(shared_data)}
    layers = {"wijken": list(rd.items()), "binnenstad": [("WK034406", rd["WK034406"])]}
    path = write_gpkg(tmp_path / "two.gpkg", layers)
    assert sorted(load_boundaries(path, layer="wijken")) == [f"WK0344{i:02d}" for i in range(1, 11)]
    assert list(load_boundaries(path, layer="binnenstad")) == ["WK034406"]


# ------------------------------------------------------------------------------ refusals


def test_several_layers_without_a_choice_are_refused(tmp_path):
    blob = gpkg_blob(wkb_polygon([RD_TRIANGLE]))
    path = write_gpkg(tmp_path / "two.gpkg", {"wijken": [("WK1", blob)], "buurten": [("BU1", blob)]})
    message = refused(path, "has 2 feature layers: 'buurten', 'wijken'; say which one to draw.")
    assert message.endswith("Name one of them as the layer.")
    refused(path, "has no feature layer 'gemeenten'; its feature layers are: 'buurten', 'wijken'.",
            layer="gemeenten")


def test_unknown_crs_is_refused(tmp_path):
    path = tmp_path / "odd.geojson"
    path.write_text(feature_collection([("RD1", [RD_TRIANGLE])], crs="EPSG:999999"), encoding="utf-8")
    message = refused(path, "uses an unknown coordinate system 'EPSG:999999'.")
    assert message.endswith("State its coordinate system (e.g. 'EPSG:28992') or convert it to WGS84 (EPSG:4326).")
    gpkg = write_gpkg(tmp_path / "odd.gpkg", {"wijken": [("RD1", gpkg_blob(wkb_polygon([RD_TRIANGLE]), srs_id=7))]},
                      srs_id=7, coordsys_id=999999)
    refused(gpkg, "uses an unknown coordinate system 'EPSG:999999'.")


def test_coordinates_without_a_crs_must_be_lon_lat(tmp_path):
    path = tmp_path / "rd.geojson"
    path.write_text(feature_collection([("WK1", [RD_TRIANGLE])]), encoding="utf-8")
    message = refused(path, "has coordinates outside longitude/latitude ranges; is it in WGS84?")
    assert "State its coordinate system (e.g. 'EPSG:28992')" in message
    gpkg = write_gpkg(tmp_path / "undefined.gpkg", {"wijken": [("WK1", gpkg_blob(wkb_polygon([RD_TRIANGLE]),
                                                                                 srs_id=-1))]}, srs_id=-1)
    refused(gpkg, "has coordinates outside longitude/latitude ranges; is it in WGS84?")


def test_files_that_are_not_boundaries_are_refused(tmp_path):
    refused(tmp_path / "missing.geojson", "boundary file not found.")
    text = tmp_path / "wijken.gpkg"
    text.write_text("code,name\nWK1,West\n", encoding="utf-8")
    refused(text, "is not a GeoPackage (not an SQLite database).")
    csv = tmp_path / "wijken.csv"
    csv.write_text("code,name\nWK1,West\n", encoding="utf-8")
    refused(csv, "is not a GeoJSON or GeoPackage file (Expecting value: line 1 column 1")
    with sqlite3.connect(tmp_path / "plain.sqlite") as db:
        db.execute("CREATE TABLE wijken (code TEXT)")
    refused(tmp_path / "plain.sqlite", "is an SQLite database but not a GeoPackage (no gpkg_contents table).")
    empty = tmp_path / "empty.geojson"
    empty.write_text(feature_collection([]), encoding="utf-8")
    refused(empty, "holds no polygons.")


def test_features_without_code_or_geometry_are_refused(tmp_path):
    path = tmp_path / "nocode.geojson"
    data = json.loads(feature_collection([("WK1", [RD_TRIANGLE]), ("WK2", [RD_TRIANGLE])], crs="EPSG:28992"))
    data["features"][1]["properties"] = {"name": "Oost"}
    path.write_text(json.dumps(data), encoding="utf-8")
    refused(path, "feature 2 has no area code (property code or statcode).")
    blob = gpkg_blob(wkb_polygon([RD_TRIANGLE]))
    gpkg = write_gpkg(tmp_path / "nocode.gpkg", {"wijken": [("WK1", blob), ("WK2", blob), ("  ", blob)]})
    refused(gpkg, "feature 3 of layer 'wijken' has no area code (column StatCode).")
    broken = write_gpkg(tmp_path / "broken.gpkg", {"wijken": [("WK1", blob), ("WK2", blob[:40])]})
    refused(broken, "feature 2 of layer 'wijken' has an unreadable geometry (")
    nocolumn = write_gpkg(tmp_path / "nocolumn.gpkg", {"wijken": [("WK1", blob)]}, code_column="naam")
    refused(nocolumn, "layer 'wijken' has no area code column (code or statcode); its columns are: fid, geom, naam.")
