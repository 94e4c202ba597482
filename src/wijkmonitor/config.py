"""Loading and checking a run's configuration, and resolving its raw files."""

from __future__ import annotations

import copy
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"


def key_path(parts) -> str:
    """A location in the config as written in it: `analysis.trend.window`, `sources[2].format`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_problem(config: dict, schema: str | Path = SCHEMA) -> str | None:
    """The most relevant schema violation, with the full key path where it lies, or None.

    An unknown key names its whole path (`analysis.trends.windw`), not only the key."""
    import jsonschema

    with open(schema, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    validator = jsonschema.validators.validator_for(document)(document)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return None
    where = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed
                         and not any(re.search(p, k) for p in error.schema.get("patternProperties", {})))
        known = ", ".join(sorted(allowed))
        return "; ".join(f"unknown key {key_path([*where, key])!r}" for key in unknown) + (
            f" (keys allowed {'in ' + repr(key_path(where)) if where else 'at the top level'}: {known})")
    return f"{key_path(where) or 'the top level'}: {error.message}"


def validate_config(config: dict, schema: str | Path = SCHEMA) -> dict:
    """Validate against the JSON schema and fill in defaults (the same call the Snakefile makes)."""
    from snakemake.utils import validate

    problem = schema_problem(config, schema)
    if problem is not None:
        raise ConfigError(f"invalid configuration: {problem}")
    validate(config, str(schema), set_default=True)
    if config["periods"]["first"] > config["periods"]["last"]:
        raise ConfigError("invalid configuration: periods.first is after periods.last.")
    ids = [s["id"] for s in config["sources"]]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"invalid configuration: source ids must be unique ({', '.join(ids)}).")
    unknown = [i for i in config.get("register_sources") or [] if i not in ids]
    if unknown:
        raise ConfigError(f"invalid configuration: register_sources: {', '.join(unknown)} is not the id of a source "
                          f"(sources: {', '.join(ids)}).")
    return config


def load_config(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle) or {}
    except FileNotFoundError:
        raise ConfigError("config file not found.", file=str(path)) from None
    return validate_config(config)


# Per-source settings passed on to the reader (see schemas/config.schema.yaml).
READER_OPTIONS = ("period", "sheet", "metadata", "columns")


@dataclass(frozen=True)
class RawFile:
    """One raw export of the run and where its staging output goes."""

    path: str
    source_id: str
    format: str
    vintage: str | None
    priority: int
    options: dict = field(default_factory=dict)  # reader options: period, sheet, metadata, columns

    @property
    def staging_name(self) -> str:
        return re.sub(r"[^A-Za-z0-9._+-]", "_", Path(self.path).name)

    @property
    def key(self) -> str:
        return f"{self.source_id}/{self.staging_name}"


def raw_files(config: dict) -> dict[str, RawFile]:
    """All raw files of the run by staging key; a pattern that matches nothing is an error."""
    found: dict[str, RawFile] = {}
    for priority, source in enumerate(config["sources"]):
        for pattern in source["files"]:
            matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
            matches = [m for m in matches if Path(m).is_file()]
            if not matches:
                raise ConfigError(
                    f"source {source['id']!r}: no file matches {pattern!r} "
                    f"(working directory {Path.cwd()}).",
                    hint="Check the path in the config's `sources:` list.",
                )
            for path in matches:
                raw = RawFile(
                    path=path, source_id=source["id"], format=source.get("format", "auto"),
                    vintage=source.get("vintage"), priority=priority,
                    options={k: source[k] for k in READER_OPTIONS if source.get(k) is not None},
                )
                if raw.key in found and found[raw.key].path != path:
                    raise ConfigError(
                        f"source {source['id']!r}: two files share the name {raw.staging_name!r} "
                        f"({found[raw.key].path} and {path}); give them different names or sources."
                    )
                found[raw.key] = raw
    return found


def analysis_settings(config: dict) -> dict:
    """The config's `analysis:` section with the defaults that depend on the report filled in: the
    composite index uses the report's key indicators and its reference period unless told otherwise."""
    settings = copy.deepcopy(config["analysis"])
    composite = settings["composite"]
    composite["indicators"] = composite["indicators"] or list(config["report"]["key_indicators"])
    composite["base_period"] = composite["base_period"] or config["report"]["reference_period"]
    projection = settings["projection"]
    projection["indicators"] = projection["indicators"] or list(config["report"]["key_indicators"])
    return settings


def area_links_file(config: dict) -> list[str]:
    """The config's `area_links` as a list of none or one path (the analysis step's input). A file that
    does not exist stops the run here, before any step."""
    path = config.get("area_links")
    if not path:
        return []
    if not Path(path).is_file():
        raise ConfigError("area_links: file not found.", file=path,
                          hint="Write it with wijkmonitor register KWB1 KWB2 ... --links-out FILE, or remove area_links.")
    return [path]


def boundary_files(config: dict) -> list[tuple[str, str | None]]:
    """`report.boundaries` as (path, layer) pairs: a path, or a list of paths or {path, layer}.
    A file that does not exist stops the run here, before any step."""
    setting = config["report"].get("boundaries")
    items = [] if not setting else setting if isinstance(setting, list) else [setting]
    files = [(i, None) if isinstance(i, str) else (i["path"], i.get("layer")) for i in items]
    for path, _ in files:
        if not Path(path).is_file():
            raise ConfigError("boundary file not found (report.boundaries).", file=path)
    return files
