#!/usr/bin/env python3
"""Checks one binding's answers on the cross-language fixture sets.

Every binding's tests score and explain each set's records (tests/fixtures/fixtures.json)
through each of its paths, and write one JSON object a line:

    {"set": "demo_recipe_v2", "path": "batch", "probabilities": [0.12, ...]}
    {"set": "demo_recipe_v2", "path": "json", "explain_k3": [{"positive": [...], "negative": [...]}, ...]}

Lines of the set "bad_values" answer tests/fixtures/bad_values.json through one path:

    {"set": "bad_values", "path": "batch", "cases": [{"name": "infinity", "code": "INVALID_INPUT",
      "message": "...", "probability": null, "same_as_probability": null}, ...]}

Paths whose names start with "trained_" come from a model the binding trained itself
from the set's data and options. This script compares every line with the set's
expected values (probabilities and contributions to 1e-12, fields and labels
exactly) and checks that every set was answered, trained sets included, and that
each set and the bad values were answered through a store too (a path named
"store"), so a value means the same through a model and through a store.

Usage: check.py RESULTS.jsonl [--binding NAME]      (exit 0 when everything matches)
As a module: check_lines(lines) -> list of problems.
"""
import json
import math
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOL = 1e-12


def manifest():
    return json.loads((ROOT / "tests" / "fixtures" / "fixtures.json").read_text())["sets"]


def expected(set_):
    return json.loads((ROOT / set_["expected"]).read_text())["scores"]


def explanation(e):
    """An explanation as {positive, negative}, from any binding's spelling."""
    if isinstance(e, str):
        e = json.loads(e)
    if "explain_k3" in e:
        e = e["explain_k3"]
    return {side: e[side] for side in ("positive", "negative")}


# The core's stable error codes (leadscore::ErrorCode); bindings report the name or
# the number.
CODES = {1: "INVALID_INPUT", 2: "MODEL_FORMAT", 3: "INSUFFICIENT_DATA", 4: "IO",
         5: "UNKNOWN_COLUMN", 6: "TRAINING", 7: "NOT_FOUND", 99: "INTERNAL"}


def bad_values():
    """The bad and odd values every binding answers alike (fixtures.json's "bad_values")."""
    doc = json.loads((ROOT / "tests" / "fixtures" / "fixtures.json").read_text())
    rel = doc.get("bad_values")
    return json.loads((ROOT / rel).read_text())["cases"] if rel else []


def check_bad_values(path, answers, cases, binding):
    """One path's answers to the bad-values cases: [{name, code, message, probability,
    same_as_probability}], each case once (the C ABI cannot express structured ones)."""
    problems = []
    by_name = {a.get("name"): a for a in answers}
    for case in cases:
        name = case["name"]
        a = by_name.get(name)
        if a is None:
            if not (case.get("structured") and binding == "c"):
                problems.append(f"bad_values {path}: case {name} not answered")
            continue
        code = a.get("code")
        code = CODES.get(code, code) if isinstance(code, int) else code
        if "code" in case:
            if code != case["code"]:
                problems.append(f"bad_values {path} {name}: code {code!r}, expected {case['code']} ({a.get('message')!r})")
            elif case.get("field") and case["field"] not in str(a.get("message", "")):
                problems.append(f"bad_values {path} {name}: the message does not name {case['field']!r}: {a.get('message')!r}")
            continue
        p = a.get("probability")
        if code is not None or not (isinstance(p, (int, float)) and math.isfinite(p) and 0.0 <= p <= 1.0):
            problems.append(f"bad_values {path} {name}: expected an answer, got code {code!r} probability {p!r} ({a.get('message')!r})")
            continue
        if "same_as" in case:
            q = a.get("same_as_probability")
            if not (isinstance(q, (int, float)) and abs(p - q) <= TOL):
                problems.append(f"bad_values {path} {name}: {p!r}, but the same lead written plainly gives {q!r}")
    return problems


def check_lines(lines, binding="?"):
    problems = []
    sets = {s["name"]: s for s in manifest()}
    seen = {name: set() for name in sets}
    cases = bad_values()
    bad_paths = set()
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        line = json.loads(raw) if isinstance(raw, str) else raw
        name, path = line.get("set"), line.get("path", "?")
        if name == "bad_values":
            bad_paths.add(path)
            problems += check_bad_values(path, line.get("cases", []), cases, binding)
            continue
        if name not in sets:
            problems.append(f"line {n}: unknown set {name!r}")
            continue
        want = expected(sets[name])
        seen[name].add(path)
        if "probabilities" in line:
            got = line["probabilities"]
            if len(got) != len(want):
                problems.append(f"{name} {path}: {len(got)} probabilities for {len(want)} records")
            for i, (p, w) in enumerate(zip(got, want)):
                if not (isinstance(p, (int, float)) and math.isfinite(p) and abs(p - w["probability"]) <= TOL):
                    problems.append(f"{name} {path} record {i}: {p!r} vs {w['probability']!r}")
        if "explain_k3" in line:
            got = line["explain_k3"]
            if len(got) != len(want):
                problems.append(f"{name} {path}: {len(got)} explanations for {len(want)} records")
            for i, (e, w) in enumerate(zip(got, want)):
                e = explanation(e)
                for side in ("positive", "negative"):
                    gs, ws = e[side], w["explain_k3"][side]
                    if len(gs) != len(ws):
                        problems.append(f"{name} {path} record {i} {side}: {len(gs)} reasons, expected {len(ws)}")
                        continue
                    for j, (g, x) in enumerate(zip(gs, ws)):
                        if g["field"] != x["field"] or g["label"] != x["label"]:
                            problems.append(f"{name} {path} record {i} {side}[{j}]: {g['field']!r} {g['label']!r} vs {x['field']!r} {x['label']!r}")
                        elif abs(g["contribution"] - x["contribution"]) > TOL:
                            problems.append(f"{name} {path} record {i} {side}[{j}]: contribution {g['contribution']!r} vs {x['contribution']!r}")
    if cases and len(bad_paths) < 2:
        problems.append(f"bad values answered through {len(bad_paths)} path(s), expected the single-record and the batch path at least")
    # The same value gives the same answer through a model and through a store.
    if cases and "store" not in bad_paths:
        problems.append("bad values not answered through a store (path \"store\")")
    for name, paths in seen.items():
        if paths and "store" not in paths:
            problems.append(f"set {name} not answered through a store (path \"store\")")
    for name, paths in seen.items():
        if not paths:
            problems.append(f"set {name} was not answered")
        elif "train" in sets[name] and not any(p.startswith("trained_") for p in paths):
            problems.append(f"set {name} was not trained again")
    return problems


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    binding = argv[argv.index("--binding") + 1] if "--binding" in argv else argv[0]
    lines = pathlib.Path(argv[0]).read_text(encoding="utf-8").splitlines()
    problems = check_lines(lines, binding)
    for p in problems[:50]:
        print(f"conformance ({binding}): {p}", file=sys.stderr)
    if problems:
        print(f"conformance ({binding}): {len(problems)} problems", file=sys.stderr)
        return 1
    answered = sum(1 for l in lines if l.strip())
    print(f"conformance ({binding}): {answered} answers on {len(manifest())} fixture sets match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
