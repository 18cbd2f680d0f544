"""The stubs describe the compiled module, and the docstring examples that can run do."""

from __future__ import annotations

import ast
import doctest
import inspect
from pathlib import Path

import leadscore
import leadscore.errors
from leadscore import _native


def _stub_classes() -> dict:
    tree = ast.parse((Path(leadscore.__file__).parent / "_native.pyi").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign)) and hasattr(n, "name")}
        elif isinstance(node, ast.FunctionDef):
            out.setdefault("<module>", set()).add(node.name)
    return out


def test_stubs_match_the_compiled_module():
    stubs = _stub_classes()
    public = {n for n in dir(_native.Model) if not n.startswith("__")}
    assert stubs["Model"] - {"__reduce__"} == public
    store_public = {n for n in dir(_native.Store) if not n.startswith("__")}
    assert stubs["Store"] - {"__init__", "__enter__", "__exit__"} == store_public
    assert {"__enter__", "__exit__"} <= set(dir(_native.Store))
    funcs = {n for n, v in vars(_native).items() if callable(v) and not isinstance(v, type)}
    assert stubs["<module>"] == funcs


def test_everything_public_has_a_docstring():
    for name in leadscore.__all__:
        obj = getattr(leadscore, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
    for cls in (leadscore.Model, leadscore.Store):
        for name in dir(cls):
            if not name.startswith("_"):
                assert getattr(cls, name).__doc__, (cls.__name__, name)


def test_docstring_examples():
    for mod in (leadscore, leadscore.errors):
        failed, attempted = doctest.testmod(mod, verbose=False)
        assert failed == 0, mod.__name__
    assert doctest.testmod(leadscore.errors).attempted >= 2


def test_the_namespace_shows_the_api_only():
    """dir(leadscore) lists __all__ (every name of which exists), not helper imports."""
    import leadscore

    assert dir(leadscore) == sorted(leadscore.__all__)
    for name in leadscore.__all__:
        assert hasattr(leadscore, name), name
    for helper in ("json", "Any", "annotations"):
        assert helper not in dir(leadscore)
