"""One version everywhere: the workspace, pyproject.toml and the built module."""

from __future__ import annotations

import re

from conftest import ROOT

import leadscore


def _version(path, section):
    text = path.read_text(encoding="utf-8")
    block = text.split(f"[{section}]", 1)[1]
    return re.search(r'^version\s*=\s*"([^"]+)"', block, re.M).group(1)


def test_versions_agree():
    workspace = _version(ROOT / "Cargo.toml", "workspace.package")
    pyproject = _version(ROOT / "bindings-python" / "pyproject.toml", "project")
    assert workspace == pyproject == leadscore.__version__
    assert 'version.workspace = true' in (ROOT / "bindings-python" / "Cargo.toml").read_text()
    assert leadscore.Model.load(ROOT / "tests/fixtures/models/wa_churn_v1.lsm").info()["format_version"] >= 1


def test_typing_files_ship():
    import pathlib

    pkg = pathlib.Path(leadscore.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "_native.pyi").exists()
