"""Every cross-language fixture set (tests/fixtures/fixtures.json) through every path
of the Python package -- one record, explain, predict_proba on records, a DataFrame and
a dict of columns, a Store -- and trained again with ``leadscore.train`` from the set's
data and options (the recipe included); answers checked by tests/conformance/check.py."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pandas as pd

import leadscore

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("conformance_check", ROOT / "tests" / "conformance" / "check.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def _records(set_):
    text = (ROOT / set_["records"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _answers(name, prefix, model, records, tmp_path):
    out = [
        {"set": name, "path": prefix + "score", "probabilities": [model.score(r)["probability"] for r in records]},
        {"set": name, "path": prefix + "explain", "explain_k3": [model.explain(r, 3) for r in records]},
        {"set": name, "path": prefix + "records", "probabilities": list(model.predict_proba(records))},
        {"set": name, "path": prefix + "dataframe", "probabilities": list(model.predict_proba(pd.DataFrame.from_records(records)))},
    ]
    names = sorted({k for r in records for k in r})
    columns = {n: [r.get(n) for r in records] for n in names}
    out.append({"set": name, "path": prefix + "dict", "probabilities": list(model.predict_proba(columns))})
    # The same model through a store (a tenant's own model).
    store_root = tmp_path / f"store-{name}-{prefix}"
    with leadscore.Store(str(store_root)) as store:
        store.save("acme", model)
        out.append({"set": name, "path": prefix + "store",
                    "probabilities": [store.score("acme", r)["probability"] for r in records]})
    shutil.rmtree(store_root)
    return out


def _native(v):
    """A bad-values fixture value as Python's own: {"$number": "inf"} is float("inf")."""
    if isinstance(v, dict) and set(v) == {"$number"}:
        return float(v["$number"])
    return v


def _bad_value_answers(tmp_path):
    """tests/fixtures/bad_values.json through one record, predict_proba on records and
    on a DataFrame, and a Store: the error code and message, or the probability beside
    that of the same lead written plainly."""
    doc = json.loads((ROOT / "tests" / "fixtures" / "fixtures.json").read_text())
    spec = json.loads((ROOT / doc["bad_values"]).read_text())
    model = leadscore.Model.load(str(ROOT / spec["model"]))
    store_root = tmp_path / "store-bad-values"
    store = leadscore.Store(str(store_root), drift_flush_interval=None)
    store.save("acme", model)
    paths = {
        "score": lambda r: model.score(r)["probability"],
        "records": lambda r: float(model.predict_proba([r])[0]),
        "dataframe": lambda r: float(model.predict_proba(pd.DataFrame([r], index=[0]))[0]),
        "store": lambda r: store.score("acme", r)["probability"],
    }
    lines = []
    for path, f in paths.items():
        cases = []
        for case in spec["cases"]:
            record = {k: _native(v) for k, v in case["record"].items()}
            a = {"name": case["name"], "code": None, "message": None, "probability": None,
                 "same_as_probability": None}
            try:
                a["probability"] = f(record)
            except leadscore.LeadScoreError as e:
                a["code"], a["message"] = e.code_name, str(e)
            if "same_as" in case:
                a["same_as_probability"] = f(dict(case["same_as"]))
            cases.append(a)
        lines.append({"set": "bad_values", "path": path, "cases": cases})
    del store
    shutil.rmtree(store_root)
    return lines


def test_every_fixture_set_on_every_path(tmp_path):
    lines = _bad_value_answers(tmp_path)
    for s in check.manifest():
        records = _records(s)
        model = leadscore.Model.load(str(ROOT / s["model"]))
        lines += _answers(s["name"], "", model, records, tmp_path)
        if "train" in s:
            opts = check_train_options(s)
            target = opts.pop("target")
            trained = leadscore.train(str(ROOT / s["train"]["data"]), target=target, **opts)
            lines += _answers(s["name"], "trained_", trained, records, tmp_path)
            # The same data as a DataFrame trains the same model.
            df = pd.read_csv(ROOT / s["train"]["data"])
            from_df = leadscore.train(df, target=target, **opts)
            lines += _answers(s["name"], "trained_df_", from_df, records, tmp_path)
    problems = check.check_lines([json.dumps(line, default=float) for line in lines], "python")
    assert not problems, "\n".join(problems[:20])


def check_train_options(set_):
    _prep = importlib.util.spec_from_file_location("conformance_prepare", ROOT / "tests" / "conformance" / "prepare.py")
    prep = importlib.util.module_from_spec(_prep)
    _prep.loader.exec_module(prep)
    return prep.train_options(set_)


def test_every_fixture_report_is_the_committed_page():
    # The report is built by the core: the same bytes from every binding.
    for s in check.manifest():
        model = leadscore.Model.load(str(ROOT / s["model"]))
        want = (ROOT / s["report"]).read_bytes()
        assert model.report_html().encode("utf-8") == want, s["name"]
