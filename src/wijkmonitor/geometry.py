"""Area boundaries for maps: polygons by area code, from a GeoJSON or GeoPackage file, projected for drawing.

Two file kinds, told apart by content (an SQLite header means GeoPackage):
- GeoJSON (RFC 7946) FeatureCollection. Coordinates are WGS84 longitude/latitude unless a legacy
  `crs` member names another system (e.g. `urn:ogc:def:crs:EPSG::28992`), which is reprojected.
- GeoPackage (OGC 12-128r18, an SQLite database, opened read-only): one feature table, listed in
  `gpkg_contents` (data_type 'features'; pass `layer` when there are several), its geometry column
  from `gpkg_geometry_columns` and its CRS from `gpkg_spatial_ref_sys` (organization and
  organization_coordsys_id, e.g. EPSG 28992; srs_id 0 and -1 are 'undefined' and read as
  longitude/latitude). Geometries are GeoPackageBinary blobs: "GP", version, flags (bit 0 byte
  order, bits 1-3 envelope size, bit 4 extended type, bit 5 empty), srs_id, envelope, then WKB.
The area code is the first of the properties/columns `code`, `statcode` (any case) that is filled.
Polygons and MultiPolygons give their outer rings (holes are not drawn at report scale; Z and M
ordinates are dropped); other geometry types are skipped. Coordinates in another CRS are
reprojected to WGS84 with pyproj, all points at once. Without a stated CRS, coordinates outside
longitude/latitude ranges are refused rather than drawn wrongly.

For drawing, longitudes are scaled by the cosine of the mean latitude (a local equirectangular
projection: at city scale, shapes and areas are true to well under 1%): x = lon * cos(mean lat),
y = lat.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from contextlib import closing
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from .errors import ConfigError

WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "CRS84")
CODE_PROPERTIES = ("code", "statcode", "CODE", "STATCODE")
SQLITE_HEADER = b"SQLite format 3\x00"
ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}  # GeoPackageBinary envelope indicator -> size
WKB_POLYGON, WKB_MULTIPOLYGON = 3, 6
CRS_HINT = "State its coordinate system (e.g. 'EPSG:28992') or convert it to WGS84 (EPSG:4326)."

Shapes = dict[str, list[np.ndarray]]  # area code -> rings, each an (n, 2) array of x, y


def load_boundaries(path: str | Path, *, layer: str | None = None) -> Shapes:
    """Rings (arrays of x, y in a local projection) per area code, from a GeoJSON FeatureCollection or
    a GeoPackage feature table (`layer`: which one, when the GeoPackage has several)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("boundary file not found.", file=str(path))
    with path.open("rb") as file:
        is_sqlite = file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    if is_sqlite:
        shapes, crs = _read_geopackage(path, layer)
    elif path.suffix.lower() == ".gpkg":
        raise ConfigError("is not a GeoPackage (not an SQLite database).", file=str(path))
    elif layer is not None:
        raise ConfigError(f"is a GeoJSON file, which has no layers; layer {layer!r} does not apply.",
                          file=str(path))
    else:
        shapes, crs = _read_geojson(path)
    return _project(_to_lonlat(shapes, crs, path))


# ------------------------------------------------------------------------------ GeoJSON


def _read_geojson(path: Path) -> tuple[Shapes, CRS | None]:
    """Outer rings in the file's coordinates per area code, and the file's CRS (None: WGS84 or unstated)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"is not a GeoJSON or GeoPackage file ({exc}).", file=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("is not a GeoJSON FeatureCollection (no JSON object).", file=str(path))
    crs = _geojson_crs(data.get("crs"), path)
    shapes: Shapes = {}
    for number, feature in enumerate(data.get("features") or [], start=1):
        properties = feature.get("properties") or {}
        code = _area_code(properties)
        if code is None:
            raise ConfigError(f"feature {number} has no area code (property {' or '.join(CODE_PROPERTIES[:2])}).",
                              file=str(path))
        try:
            rings = _geojson_rings(feature.get("geometry") or {})
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"feature {number} has an unreadable geometry ({exc!r}).", file=str(path)) from None
        shapes.setdefault(code, []).extend(rings)
    return shapes, crs


def _geojson_crs(member, path: Path) -> CRS | None:
    """The CRS a legacy `crs` member names ({"type": "name", "properties": {"name": ...}}); None for WGS84."""
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str):
        raise ConfigError(f"has a `crs` member without a name ({json.dumps(member)[:80]}).", file=str(path),
                          hint=CRS_HINT)
    return None if name in WGS84_NAMES else _crs(name, path)


def _geojson_rings(geometry: dict) -> list[np.ndarray]:
    """The outer rings of a Polygon or MultiPolygon as (n, 2) arrays (holes are not drawn at report scale)."""
    if geometry.get("type") == "Polygon":
        rings = [geometry["coordinates"][0]]
    elif geometry.get("type") == "MultiPolygon":
        rings = [polygon[0] for polygon in geometry["coordinates"]]
    else:
        return []
    return [np.array([xy[:2] for xy in ring], dtype=float).reshape(-1, 2) for ring in rings]


def _area_code(properties: dict) -> str | None:
    """The first filled code property (`code`, `statcode`, any case), stripped; None when there is none."""
    values = {str(key).lower(): value for key, value in properties.items() if value is not None}
    codes = (str(values.get(name, "")).strip() for name in CODE_PROPERTIES[:2])
    return next((code for code in codes if code), None)


# ------------------------------------------------------------------------------ GeoPackage


def _read_geopackage(path: Path, layer: str | None) -> tuple[Shapes, CRS | None]:
    """Outer rings in the layer's coordinates per area code, and the layer's CRS (None: WGS84 or undefined)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            table = _feature_table(db, layer, path)
            geometry_column, srs_id = _geometry_column(db, table, path)
            crs = _gpkg_crs(db, srs_id, path)
            shapes = _gpkg_rings(db, table, geometry_column, path)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"cannot be read as a GeoPackage ({exc}).", file=str(path)) from None
    return shapes, crs


def _feature_table(db: sqlite3.Connection, layer: str | None, path: Path) -> str:
    """The feature table to draw: `layer`, or the only one in gpkg_contents."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'").fetchone() is None:
        raise ConfigError("is an SQLite database but not a GeoPackage (no gpkg_contents table).", file=str(path))
    tables = [name for (name,) in db.execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")]
    listed = ", ".join(repr(t) for t in tables)
    if layer is not None and layer not in tables:
        raise ConfigError(f"has no feature layer {layer!r}; its feature layers are: {listed or 'none'}.",
                          file=str(path), hint="Name one of them as the layer.")
    if layer is not None:
        return layer
    if not tables:
        raise ConfigError("holds no feature layers (gpkg_contents lists no data_type 'features').", file=str(path))
    if len(tables) > 1:
        raise ConfigError(f"has {len(tables)} feature layers: {listed}; say which one to draw.", file=str(path),
                          hint="Name one of them as the layer.")
    return tables[0]


def _geometry_column(db: sqlite3.Connection, table: str, path: Path) -> tuple[str, int]:
    """The geometry column of `table` and its srs_id, from gpkg_geometry_columns."""
    row = db.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                     (table,)).fetchone()
    if row is None:
        raise ConfigError(f"layer {table!r} has no entry in gpkg_geometry_columns.", file=str(path))
    return row[0], int(row[1])


def _gpkg_crs(db: sqlite3.Connection, srs_id: int, path: Path) -> CRS | None:
    """The CRS of an srs_id from gpkg_spatial_ref_sys: its authority code (e.g. EPSG:28992), else its WKT
    definition; None for WGS84 and for the 'undefined' systems (organization NONE, srs_id 0 and -1)."""
    row = db.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                     "WHERE srs_id = ?", (srs_id,)).fetchone()
    if row is None:
        raise ConfigError(f"uses srs_id {srs_id}, which gpkg_spatial_ref_sys does not define.", file=str(path),
                          hint=CRS_HINT)
    organization, number, definition = (str(row[0] or "NONE").upper(), row[1], row[2])
    if organization == "NONE" or (organization, number) == ("EPSG", 4326):
        return None
    name = f"{organization}:{number}"
    try:
        return CRS.from_user_input(name)
    except CRSError:
        if definition and definition != "undefined":
            return _crs(definition, path, label=name)
        return _crs(name, path)


def _gpkg_rings(db: sqlite3.Connection, table: str, geometry_column: str, path: Path) -> Shapes:
    """Outer rings per area code from the rows of a feature table."""
    columns = [(info[1], info[5]) for info in db.execute(f"PRAGMA table_info({_quoted(table)})")]
    names = [name for name, _ in columns]
    code_column = next((name for wanted in CODE_PROPERTIES[:2] for name in names if name.lower() == wanted), None)
    if code_column is None:
        raise ConfigError(f"layer {table!r} has no area code column ({' or '.join(CODE_PROPERTIES[:2])}); "
                          f"its columns are: {', '.join(names)}.", file=str(path))
    row_id = next((name for name, pk in columns if pk == 1), "rowid")
    shapes: Shapes = {}
    query = (f"SELECT {_quoted(row_id)}, {_quoted(code_column)}, {_quoted(geometry_column)} "
             f"FROM {_quoted(table)} ORDER BY {_quoted(row_id)}")
    for fid, code, blob in db.execute(query):
        code = None if code is None else str(code).strip()
        if not code:
            raise ConfigError(f"feature {fid} of layer {table!r} has no area code (column {code_column}).",
                              file=str(path))
        try:
            rings = _gpkg_geometry_rings(blob)
        except (ValueError, struct.error) as exc:
            raise ConfigError(f"feature {fid} of layer {table!r} has an unreadable geometry ({exc}).",
                              file=str(path)) from None
        shapes.setdefault(code, []).extend(rings)
    return shapes


def _quoted(identifier: str) -> str:
    """An SQL identifier in double quotes."""
    return '"' + identifier.replace('"', '""') + '"'


def _gpkg_geometry_rings(blob: bytes | None) -> list[np.ndarray]:
    """Outer rings of a GeoPackageBinary geometry (header, then WKB); [] for empty, NULL or other types."""
    if blob is None:
        return []
    blob = bytes(blob)
    if blob[:2] != b"GP" or len(blob) < 8:
        raise ValueError("no GeoPackageBinary header 'GP'")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    if envelope not in ENVELOPE_BYTES:
        raise ValueError(f"envelope indicator {envelope} is not 0-4")
    if flags & 0b100000 or flags & 0b10000:  # empty geometry; extended (non-standard) geometry type
        return []
    return _wkb_rings(blob, 8 + ENVELOPE_BYTES[envelope])


def _wkb_rings(wkb: bytes, offset: int) -> list[np.ndarray]:
    """Outer rings of the WKB Polygon or MultiPolygon at `offset` (ISO or extended Z/M codes, either byte
    order); [] for other geometry types."""
    order, kind, dims = _wkb_header(wkb, offset)
    if kind == WKB_POLYGON:
        return [_wkb_polygon(wkb, offset + 5, order, dims)[0]]
    if kind != WKB_MULTIPOLYGON:
        return []
    (count,) = struct.unpack_from(order + "I", wkb, offset + 5)
    rings, offset = [], offset + 9
    for _ in range(count):
        order, kind, dims = _wkb_header(wkb, offset)
        if kind != WKB_POLYGON:
            raise ValueError(f"a MultiPolygon holds WKB type {kind}")
        ring, offset = _wkb_polygon(wkb, offset + 5, order, dims)
        rings.append(ring)
    return rings


def _wkb_header(wkb: bytes, offset: int) -> tuple[str, int, int]:
    """Byte order ('<' or '>'), base geometry type (3 Polygon, 6 MultiPolygon...) and ordinates per point."""
    if wkb[offset] not in (0, 1):
        raise ValueError(f"WKB byte order {wkb[offset]} is not 0 or 1")
    order = "<" if wkb[offset] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", wkb, offset + 1)
    iso = code & 0x0FFFFFFF
    has_z = bool(code & 0x80000000) or iso // 1000 in (1, 3)
    has_m = bool(code & 0x40000000) or iso // 1000 in (2, 3)
    return order, iso % 1000, 2 + has_z + has_m


def _wkb_polygon(wkb: bytes, offset: int, order: str, dims: int) -> tuple[np.ndarray, int]:
    """The outer ring (n, 2) of the WKB polygon body at `offset`, and the offset just past the polygon."""
    (ring_count,) = struct.unpack_from(order + "I", wkb, offset)
    offset += 4
    outer = np.empty((0, 2))
    for number in range(ring_count):
        (points,) = struct.unpack_from(order + "I", wkb, offset)
        ring = np.frombuffer(wkb, dtype=order + "f8", count=points * dims, offset=offset + 4)
        if number == 0:
            outer = ring.reshape(points, dims)[:, :2].astype(float)
        offset += 4 + 8 * points * dims
    return outer, offset


# ------------------------------------------------------------------------------ coordinates


def _crs(name: str, path: Path, label: str | None = None) -> CRS:
    """The pyproj CRS a file names (authority code, URN or WKT); refused when pyproj does not know it."""
    try:
        return CRS.from_user_input(name)
    except CRSError:
        raise ConfigError(f"uses an unknown coordinate system {label or name!r}.", file=str(path),
                          hint=CRS_HINT) from None


def _to_lonlat(shapes: Shapes, crs: CRS | None, path: Path) -> Shapes:
    """Rings reprojected from `crs` to WGS84 longitude/latitude (all points in one call); unchanged when
    `crs` is None. Refused when any point lands outside longitude/latitude ranges."""
    rings = [ring for area in shapes.values() for ring in area]
    if not sum(len(ring) for ring in rings):
        raise ConfigError("holds no polygons.", file=str(path))
    points = np.concatenate(rings)
    if crs is not None:
        transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        points = np.column_stack(transformer.transform(points[:, 0], points[:, 1]))
    if not (np.isfinite(points).all() and np.abs(points[:, 0]).max() <= 180 and np.abs(points[:, 1]).max() <= 90):
        if crs is None:
            raise ConfigError("has coordinates outside longitude/latitude ranges; is it in WGS84?", file=str(path),
                              hint=CRS_HINT)
        raise ConfigError(f"has coordinates outside longitude/latitude ranges after reprojection from "
                          f"{crs.to_string()!r}; is that its coordinate system?", file=str(path), hint=CRS_HINT)
    return _split_like(points, shapes)


def _split_like(points: np.ndarray, shapes: Shapes) -> Shapes:
    """`points` (all rings concatenated in order) cut back into the rings of `shapes`."""
    ends = np.cumsum([len(ring) for area in shapes.values() for ring in area])
    pieces = iter(np.split(points, ends[:-1]))
    return {code: [next(pieces) for _ in rings] for code, rings in shapes.items()}


def _project(shapes: Shapes) -> Shapes:
    """Longitude/latitude rings drawn with x = lon * cos(mean latitude of all points), y = lat."""
    points = np.concatenate([ring for rings in shapes.values() for ring in rings])
    scale = math.cos(math.radians(points[:, 1].mean()))
    return {code: [ring * (scale, 1.0) for ring in rings] for code, rings in shapes.items()}
