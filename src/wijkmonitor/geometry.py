"""Area boundaries for maps: GeoJSON polygons by area code, projected for drawing.

GeoJSON (RFC 7946) is in WGS84 longitude/latitude; a legacy `crs` member naming another system
is refused rather than drawn wrongly. For drawing, longitudes are scaled by the cosine of the
mean latitude (a local equirectangular projection: at city scale, shapes and areas are true to
well under 1%).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .errors import ConfigError

WGS84_NAMES = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "CRS84")
CODE_PROPERTIES = ("code", "statcode", "CODE", "STATCODE")


def _rings(geometry: dict) -> list[list]:
    """The outer rings of a Polygon or MultiPolygon (holes are not drawn at report scale)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def load_boundaries(path: str | Path) -> dict[str, list[np.ndarray]]:
    """Rings (arrays of x, y in a local projection) per area code, from a GeoJSON FeatureCollection."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("boundary file not found.", file=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"is not a GeoJSON file ({exc}).", file=str(path)) from None
    crs = (data.get("crs") or {}).get("properties", {}).get("name")
    if crs and crs not in WGS84_NAMES:
        raise ConfigError(
            f"uses the coordinate system {crs!r}; wijkmonitor draws GeoJSON in WGS84 (RFC 7946).",
            file=str(path), hint="Convert it, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`.",
        )
    shapes: dict[str, list[list]] = {}
    for number, feature in enumerate(data.get("features", []), start=1):
        properties = feature.get("properties") or {}
        code = next((str(properties[p]).strip() for p in CODE_PROPERTIES if properties.get(p)), None)
        if code is None:
            raise ConfigError(f"feature {number} has no area code (property {' or '.join(CODE_PROPERTIES[:2])}).",
                              file=str(path))
        shapes.setdefault(code, []).extend(_rings(feature.get("geometry") or {"type": None}))
    points = np.array([xy[:2] for rings in shapes.values() for ring in rings for xy in ring], dtype=float)
    if not len(points):
        raise ConfigError("holds no polygons.", file=str(path))
    if np.abs(points[:, 0]).max() > 180 or np.abs(points[:, 1]).max() > 90:
        raise ConfigError("has coordinates outside longitude/latitude ranges; is it in WGS84?", file=str(path))
    scale = math.cos(math.radians(points[:, 1].mean()))
    return {code: [np.array(ring, dtype=float)[:, :2] * (scale, 1.0) for ring in rings]
            for code, rings in shapes.items()}
