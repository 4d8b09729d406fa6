"""The package metadata in the current form: `project.license` as an SPDX expression (PEP 639), not the
table that setuptools reports as deprecated on every build."""

import tomllib

from tests.support.api import PROJECT


def test_the_license_is_an_spdx_expression():
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "EUPL-1.2"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))  # superseded by it
