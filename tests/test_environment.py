"""pyproject.toml is the source of truth for pins; environment.yml must repeat them exactly."""

import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import ROOT


def _pins(requirements):
    pins = {}
    for text in requirements:
        req = Requirement(text)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{text!r} is not an exact pin"
        pins[req.name.lower()] = specs[0].version
    return pins


def test_environment_yml_pins_equal_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == declared
    assert "python=3.11" in env["dependencies"]
    assert "conda-forge" in env["channels"]
