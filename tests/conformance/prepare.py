#!/usr/bin/env python3
"""Writes what a binding without a JSON parser needs to run the fixture sets (the C
conformance program): a spec file naming each set's model, records and training
data, each record also as typed fields, and each set's training options as JSON; and
the bad values (tests/fixtures/bad_values.json) it can express, as typed records.

Usage: prepare.py OUT_DIR   (writes OUT_DIR/spec.txt and the files it names)
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def typed(record):
    out = []
    for k, v in record.items():
        if v is None:
            out.append(f"M\t{escape(k)}")
        elif isinstance(v, bool):
            out.append(f"B\t{escape(k)}\t{int(v)}")
        elif isinstance(v, (int, float)):
            out.append(f"N\t{escape(k)}\t{float(v)!r}")
        else:
            out.append(f"S\t{escape(k)}\t{escape(str(v))}")
    return "\n".join(out + [""]) + "\n"


def native(v):
    """A bad-values fixture value as Python's: {"$number": "inf"} is float("inf")."""
    if isinstance(v, dict) and set(v) == {"$number"}:
        return float(v["$number"])
    return v


def train_options(set_):
    """The set's training options as the bindings pass them (the recipe file read in)."""
    t = set_["train"]
    opts = dict(t["options"])
    if "recipe_file" in t:
        opts["recipe"] = (ROOT / t["recipe_file"]).read_text(encoding="utf-8")
    opts["target"] = t["target"]
    return opts


def main(argv):
    out = pathlib.Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    spec = []
    for s in json.loads((ROOT / "tests" / "fixtures" / "fixtures.json").read_text())["sets"]:
        name = s["name"]
        records = [json.loads(l) for l in (ROOT / s["records"]).read_text(encoding="utf-8").splitlines() if l.strip()]
        (out / f"{name}.typed").write_text("".join(typed(r) for r in records), encoding="utf-8")
        spec += [f"set {name}", f"model {ROOT / s['model']}", f"records {ROOT / s['records']}",
                 f"typed {out / (name + '.typed')}"]
        if "train" in s:
            (out / f"{name}.options.json").write_text(json.dumps(train_options(s)), encoding="utf-8")
            spec.append(f"train {ROOT / s['train']['data']} {out / (name + '.options.json')}")
        spec.append("end")
    # The bad values the C ABI can express (no arrays or objects), as pairs of typed
    # records: the case's, then its plain twin (empty without one).
    doc = json.loads((ROOT / "tests" / "fixtures" / "fixtures.json").read_text())
    if doc.get("bad_values"):
        bad = json.loads((ROOT / doc["bad_values"]).read_text())
        cases = [c for c in bad["cases"] if not c.get("structured")]
        pairs = "".join(typed({k: native(v) for k, v in c["record"].items()}) + typed(c.get("same_as", {}))
                        for c in cases)
        (out / "bad.typed").write_text(pairs, encoding="utf-8")
        (out / "bad.names").write_text("".join(c["name"] + "\n" for c in cases), encoding="utf-8")
        spec.append(f"bad {ROOT / bad['model']} {out / 'bad.typed'} {out / 'bad.names'}")
    (out / "spec.txt").write_text("\n".join(spec) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
