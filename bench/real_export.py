#!/usr/bin/env python3
"""Multi-tenant exports shaped like a user's data, for the parse and training benchmarks.

    python3 bench/real_export.py [--kind real|mixed] [--tenants 60] [--seed 25]
                                 [--rows-per-tenant-min 2000] [--rows-per-tenant-max 20000]
                                 [--jsonl]

Writes into bench/data/ (git-ignored), deterministically from --seed, and reuses a file
that is already there (the name carries every option that changes the data):

* `--kind real` (default): columns `tenant` (t001, t002, ...), f01..f30 and `y` (0/1).
  Each tenant has 2,000-20,000 rows (uniform); the features are N(0, 1) written with 4
  significant digits as Python's `format(x, '.4g')` writes them (`-0.7436`, `1.043e-05`);
  each tenant has its own logistic model (random coefficients, an intercept that gives a
  positive rate between 10 % and 30 %). With 60 tenants the default seed (25) draws
  586,582 rows, 130 MB.
* `--kind mixed`: a CRM export of the same row counts: tenant, amount (log-normal, 2
  decimals, 5 % missing), rate (4 significant digits, 5 % missing), duration_s (integer
  seconds, tens of thousands of distinct values), created (`2026-03-14`), channel (8
  levels, 5 % missing), city (300 levels, Zipf-like, 5 % missing), comment (3-15 words of
  a 2,000-word vocabulary; some hold a comma or a quoted word, so the CSV quotes them;
  10 % empty), counters calls / emails / meetings, and y from a logistic model of amount,
  rate, channel, the counters and some of the comment's words.
* `--jsonl`: also writes the same rows as JSON Lines (`.jsonl`: the same number tokens,
  strings escaped, an empty cell as null).

Prints each file's path, rows and size. Runs in bench/.venv (made by bench/setup_venv.sh
when this script is started with another Python); the benchmarks import `ensure()`.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
VENV_PY = HERE / ".venv" / "bin" / "python"

N_FEATURES = 30
CHANNELS = ["web", "email", "phone", "referral", "partner", "event", "social", "ads"]
CHANNEL_P = [0.30, 0.18, 0.14, 0.10, 0.09, 0.08, 0.07, 0.04]
CHANNEL_EFFECT = [0.0, -0.3, 0.4, 0.9, 0.6, 0.2, -0.5, -0.2]
N_CITIES = 300
N_WORDS = 2000


def add_args(ap: argparse.ArgumentParser) -> None:
    """The options that choose an export (shared with the benchmarks)."""
    ap.add_argument("--kind", choices=["real", "mixed"], default="real")
    ap.add_argument("--tenants", type=int, default=60)
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("--rows-per-tenant-min", type=int, default=2000)
    ap.add_argument("--rows-per-tenant-max", type=int, default=20000)


def export_path(kind: str, tenants: int, seed: int, rmin: int, rmax: int, ext: str) -> pathlib.Path:
    rows = "" if (rmin, rmax) == (2000, 20000) else f"_r{rmin}-{rmax}"
    return DATA / f"{kind}_export_{tenants}t_seed{seed}{rows}.{ext}"


def count_rows(path: pathlib.Path) -> int:
    """Data rows: lines less the CSV header (no field of these exports holds a newline)."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
    return n - (path.suffix == ".csv")


def ensure(kind: str = "real", tenants: int = 60, seed: int = 25, rows_per_tenant_min: int = 2000,
           rows_per_tenant_max: int = 20000, jsonl: bool = False, quiet: bool = False) -> dict:
    """The export's paths ({'csv': ..., 'jsonl': ...}), written first where missing."""
    if not 1 <= rows_per_tenant_min <= rows_per_tenant_max:
        raise ValueError("need 1 <= --rows-per-tenant-min <= --rows-per-tenant-max")
    if tenants < 1:
        raise ValueError("need --tenants >= 1")
    key = (kind, tenants, seed, rows_per_tenant_min, rows_per_tenant_max)
    paths = {"csv": export_path(*key, "csv")}
    if jsonl:
        paths["jsonl"] = export_path(*key, "jsonl")
    missing = [p for p in paths.values() if not p.exists()]
    if missing:
        DATA.mkdir(parents=True, exist_ok=True)
        write(*key, missing, quiet)
    if not quiet:
        for p in paths.values():
            print(f"{p}: {count_rows(p):,} rows, {p.stat().st_size / 1e6:.1f} MB"
                  f"{' (written)' if p in missing else ' (reused)'}")
    return paths


# --- generation ----------------------------------------------------------------------

def sigmoid(z):
    import numpy as np
    return 1.0 / (1.0 + np.exp(-z))


def intercept_for(z, rate: float) -> float:
    """The intercept b with mean(sigmoid(z + b)) = rate (bisection)."""
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(z + mid).mean() < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def g4(values) -> list[str]:
    """Each float as format(x, '.4g') writes it."""
    return list(map("{:.4g}".format, values.tolist()))


def pseudo_words(rng, n: int, syllables: tuple[int, int]) -> list[str]:
    """n distinct lower-case pronounceable words."""
    cons, vows = list("bcdfghklmnprstvz"), ["a", "e", "i", "o", "u", "ai", "ou", "ea"]
    out, seen = [], set()
    while len(out) < n:
        k = int(rng.integers(syllables[0], syllables[1] + 1))
        w = "".join(cons[int(rng.integers(len(cons)))] + vows[int(rng.integers(len(vows)))]
                    for _ in range(k))
        if rng.random() < 0.4:
            w += cons[int(rng.integers(len(cons)))]
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def zipf_p(n: int, s: float = 1.05):
    import numpy as np
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


class Writer:
    """Writes one tenant's columns to the open CSV and/or JSON Lines files.

    Every column is a list of strings as they appear in the CSV (None for an empty cell);
    `quoted` names the columns that are JSON strings (the others are number tokens)."""

    def __init__(self, names: list[str], quoted: set[str], csv=None, jsonl=None):
        self.names, self.quoted, self.csv, self.jsonl = names, quoted, csv, jsonl
        if csv is not None:
            csv.write(",".join(names) + "\n")
        self.template = "{{" + ",".join(f'"{n}":{{}}' for n in names) + "}}\n"

    def write(self, cols: list[list]) -> None:
        if self.csv is not None:
            out = []
            for name, col in zip(self.names, cols):
                if name in self.quoted:
                    col = [csv_field(v) for v in col]
                elif any(v is None for v in col):
                    col = ["" if v is None else v for v in col]
                out.append(col)
            self.csv.write("\n".join(map(",".join, zip(*out))) + "\n")
        if self.jsonl is not None:
            out = []
            for name, col in zip(self.names, cols):
                if name in self.quoted:
                    col = ["null" if v is None else json.dumps(v) for v in col]
                elif any(v is None for v in col):
                    col = ["null" if v is None else v for v in col]
                out.append(col)
            self.jsonl.write("".join(map(self.template.format, *out)))


def csv_field(v: str | None) -> str:
    if v is None:
        return ""
    if "," in v or '"' in v:
        return '"' + v.replace('"', '""') + '"'
    return v


def write(kind, tenants, seed, rmin, rmax, paths: list[pathlib.Path], quiet: bool) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes = rng.integers(rmin, rmax + 1, size=tenants)
    width = max(3, len(str(tenants)))
    parts = {p.suffix: p.with_name(p.name + ".part") for p in paths}
    files = {ext: open(p, "w", encoding="utf-8", newline="") for ext, p in parts.items()}
    try:
        if kind == "real":
            names = ["tenant"] + [f"f{j:02d}" for j in range(1, N_FEATURES + 1)] + ["y"]
            w = Writer(names, {"tenant"}, files.get(".csv"), files.get(".jsonl"))
            for t, n in enumerate(sizes):
                w.write(real_tenant(rng, f"t{t + 1:0{width}d}", int(n)))
        else:
            vocab = pseudo_words(rng, N_WORDS, (1, 3))
            cities = [c.capitalize() for c in pseudo_words(rng, N_CITIES, (2, 4))]
            word_effect = np.zeros(N_WORDS)
            signal = rng.choice(np.arange(20, 600), size=40, replace=False)
            word_effect[signal] = rng.normal(0.0, 0.8, size=40)
            names = ["tenant", "amount", "rate", "duration_s", "created", "channel", "city",
                     "comment", "calls", "emails", "meetings", "y"]
            quoted = {"tenant", "created", "channel", "city", "comment"}
            w = Writer(names, quoted, files.get(".csv"), files.get(".jsonl"))
            for t, n in enumerate(sizes):
                w.write(mixed_tenant(rng, f"t{t + 1:0{width}d}", int(n), vocab, cities,
                                     word_effect))
            if not quiet:
                print(f"mixed: {len(vocab)} words, {len(cities)} cities, "
                      f"{len(signal)} words carry signal")
    except BaseException:
        for f in files.values():
            f.close()
        for p in parts.values():
            p.unlink(missing_ok=True)
        raise
    for f in files.values():
        f.close()
    for p in paths:
        parts[p.suffix].rename(p)


def real_tenant(rng, tenant: str, n: int) -> list[list]:
    import numpy as np

    x = rng.standard_normal((n, N_FEATURES))
    beta = rng.normal(0.0, 0.35, size=N_FEATURES)
    z = x @ beta
    b = intercept_for(z, float(rng.uniform(0.10, 0.30)))
    y = (rng.random(n) < sigmoid(z + b)).astype(np.int8)
    cols = [[tenant] * n]
    cols += [g4(x[:, j]) for j in range(N_FEATURES)]
    cols.append(list(map(str, y.tolist())))
    return cols


def with_missing(rng, col: list[str], share: float) -> list:
    import numpy as np
    for i in np.flatnonzero(rng.random(len(col)) < share).tolist():
        col[i] = None
    return col


def mixed_tenant(rng, tenant: str, n: int, vocab, cities, word_effect) -> list[list]:
    import numpy as np

    amount = np.round(rng.lognormal(np.log(rng.uniform(300, 3000)), 1.0, size=n), 2)
    rate = rng.beta(2.0, 12.0, size=n)
    duration = np.round(rng.lognormal(np.log(240), 1.2, size=n)).astype(np.int64)
    day0 = np.datetime64("2025-01-01")
    created = day0 + rng.integers(0, 540, size=n).astype("timedelta64[D]")
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_P)
    city = rng.choice(N_CITIES, size=n, p=zipf_p(N_CITIES, 0.9))
    engaged = rng.gamma(2.0, 0.5, size=n)
    calls = rng.poisson(1.5 * engaged)
    emails = rng.poisson(3.0 * engaged)
    meetings = rng.poisson(0.4 * engaged)

    # comment: 3-15 words (Zipf over the vocabulary), 10 % empty
    k = rng.integers(3, 16, size=n)
    k[rng.random(n) < 0.10] = 0
    ends = np.cumsum(k)
    starts = ends - k
    word_ids = rng.choice(N_WORDS, size=int(ends[-1]), p=zipf_p(N_WORDS))
    row_of = np.repeat(np.arange(n), k)
    text_score = np.bincount(row_of, weights=word_effect[word_ids], minlength=n)
    tokens = [vocab[i] for i in word_ids.tolist()]
    has = k > 0
    for i in np.flatnonzero(has & (rng.random(n) < 0.25)).tolist():  # a comma inside
        j = starts[i] + int(rng.integers(0, k[i] - 1))
        tokens[j] += ","
    for i in np.flatnonzero(has & (rng.random(n) < 0.02)).tolist():  # a quoted word
        j = starts[i] + int(rng.integers(0, k[i]))
        tokens[j] = f'"{tokens[j]}"'
    comment = [" ".join(tokens[s:e]) if s < e else None
               for s, e in zip(starts.tolist(), ends.tolist())]

    z = (0.6 * (np.log(amount) - np.log(amount).mean())
         - 6.0 * (rate - rate.mean())
         + np.array(CHANNEL_EFFECT)[channel]
         + 0.25 * calls + 0.6 * meetings + 0.05 * emails
         + 0.5 * np.log1p(duration / 600)
         + text_score)
    b = intercept_for(z, float(rng.uniform(0.10, 0.30)))
    y = (rng.random(n) < sigmoid(z + b)).astype(np.int8)

    return [
        [tenant] * n,
        with_missing(rng, [f"{a:.2f}" for a in amount.tolist()], 0.05),
        with_missing(rng, g4(rate), 0.05),
        list(map(str, duration.tolist())),
        np.datetime_as_string(created, unit="D").tolist(),
        with_missing(rng, [CHANNELS[c] for c in channel.tolist()], 0.05),
        with_missing(rng, [cities[c] for c in city.tolist()], 0.05),
        comment,
        list(map(str, calls.tolist())),
        list(map(str, emails.tolist())),
        list(map(str, meetings.tolist())),
        list(map(str, y.tolist())),
    ]


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_args(ap)
    ap.add_argument("--jsonl", action="store_true", help="also write the JSON Lines file")
    a = ap.parse_args(argv)
    ensure(a.kind, a.tenants, a.seed, a.rows_per_tenant_min, a.rows_per_tenant_max, a.jsonl)


if __name__ == "__main__":
    try:
        import numpy  # noqa: F401
    except ImportError:
        if pathlib.Path(sys.executable) == VENV_PY:
            raise
        if subprocess.run(["bash", str(HERE / "setup_venv.sh")]).returncode != 0:
            sys.exit("real_export: bench/setup_venv.sh failed")
        os.execv(str(VENV_PY), [str(VENV_PY), __file__, *sys.argv[1:]])
    main(sys.argv[1:])
