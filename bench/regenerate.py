#!/usr/bin/env python3
"""Regenerates the figures of docs/benchmarks.md: runs every benchmark and writes its
output, with the command and the machine, between the page's markers

    <!-- bench:ID -->
    ...replaced...
    <!-- /bench:ID -->

The prose around the markers says what each benchmark measures; the figures are only
ever the last run's.

    python3 bench/regenerate.py             # every benchmark (about 40 minutes on 2 cores)
    python3 bench/regenerate.py --only fit,l1
    python3 bench/regenerate.py --list      # the ids and commands
    python3 bench/regenerate.py --check     # the page has exactly these markers (no run)

Run it on an otherwise idle machine: the benchmarks compare times.
"""
from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import re
import shlex
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "benchmarks.md"

#: id -> the command (run from the repository's root; its standard output is the figure).
BENCHES: dict[str, str] = {
    "fit": "python3 bench/fit_vs_sklearn.py --repeats 9",
    "l1": "python3 bench/l1_vs_liblinear.py --repeats 7",
    "score": "cargo bench -q -p leadscore --bench score -- --noplot",
    "mass": "python3 bench/mass_vs_sklearn.py --tenants 700",
    "parse": "python3 bench/parse_vs_pandas_polars.py --repeats 7",
    "parse-jsonl": "python3 bench/parse_vs_pandas_polars.py --jsonl --repeats 3",
    "parse-mixed": "python3 bench/parse_vs_pandas_polars.py --kind mixed --repeats 5",
    "memory": "python3 bench/memory_peaks.py",
    "mass-real": "python3 bench/mass_real_vs_sklearn.py --repeats 3",
    "text": "bash bench/text_vs_sklearn.sh --repeats 7",
    "insights": "python3 bench/insights_vs_pandas.py --repeats 5",
    "store": "cargo run -q --release --example store_bench -p leadscore",
    "php": "bash bench/php_score.sh",
    "python": "bash bench/python_vs_sklearn.sh --repeats 15",
    "node": "node bench/node_score.mjs",
}

#: Builds a benchmark needs that its command does not do itself (output to stderr).
SETUP: dict[str, str] = {
    "node": "cd bindings-node && npm ci --no-audit --no-fund && npx napi build --platform --release",
}

MARKER = re.compile(r"<!-- bench:([a-z0-9-]+) -->\n.*?<!-- /bench:\1 -->", re.S)


def sh(cmd: str) -> str:
    """A command's first output line, or `?` when it cannot run."""
    try:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def machine() -> str:
    """What the figures ran on."""
    cpu = "?"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", pathlib.Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join([
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem}; load average at the start {load}",
        f"- OS: {sh('. /etc/os-release && echo $PRETTY_NAME')}, Linux {platform.release()}",
        f"- {sh('rustc --version')}; Python {platform.python_version()}; Node {sh('node --version')}; "
        f"{sh('php --version')}",
        f"- Python packages of bench/.venv: {bench_packages()}",
    ])


def bench_packages() -> str:
    py = ROOT / "bench" / ".venv" / "bin" / "python"
    if not py.exists():
        return "(not set up yet)"
    code = ("import importlib.metadata as m\n"
            "for p in ['numpy','scipy','pandas','polars','scikit-learn','imbalanced-learn']:\n"
            "    try: print(p, m.version(p))\n"
            "    except m.PackageNotFoundError: pass\n")
    r = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
    return ", ".join(r.stdout.split("\n")[:-1]) or "?"


def block(bid: str, body: str) -> str:
    return f"<!-- bench:{bid} -->\n{body.rstrip()}\n<!-- /bench:{bid} -->"


def check(text: str) -> list[str]:
    """Problems with the page's markers: every benchmark once, nothing else."""
    found = MARKER.findall(text)
    want = ["machine", *BENCHES]
    problems = [f"no <!-- bench:{b} --> block" for b in want if b not in found]
    problems += [f"unknown block bench:{b}" for b in found if b not in want]
    problems += [f"block bench:{b} appears {found.count(b)} times" for b in set(found) if found.count(b) > 1]
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated ids (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    if a.list:
        for bid, cmd in BENCHES.items():
            print(f"{bid:<12} {cmd}")
        return
    text = PAGE.read_text(encoding="utf-8")
    problems = check(text)
    if problems:
        sys.exit("docs/benchmarks.md: " + "; ".join(problems))
    if a.check:
        print(f"docs/benchmarks.md: {len(BENCHES)} benchmark blocks and the machine block")
        return
    ids = list(BENCHES) if not a.only else a.only.split(",")
    unknown = [b for b in ids if b not in BENCHES]
    if unknown:
        sys.exit(f"unknown id(s) {', '.join(unknown)}; known: {', '.join(BENCHES)}")
    day = datetime.date.today().isoformat()
    for bid in ids:
        cmd = BENCHES[bid]
        print(f"== {bid}: {cmd}", file=sys.stderr, flush=True)
        if bid in SETUP and subprocess.run(["bash", "-c", SETUP[bid]], cwd=ROOT, stdout=sys.stderr).returncode != 0:
            sys.exit(f"{bid}: the set-up `{SETUP[bid]}` failed; the page is left as it was for it")
        r = subprocess.run(shlex.split(cmd), cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"{bid}: `{cmd}` exited {r.returncode}; the page is left as it was for it")
        out = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout).rstrip()
        body = f"`{cmd}` ({day}):\n\n```text\n{out}\n```"
        text = MARKER.sub(lambda m, b=bid, body=body: block(b, body) if m.group(1) == b else m.group(0), text)
        # Written after each benchmark: a later failure keeps the earlier figures.
        text = MARKER.sub(lambda m: block("machine", machine()) if m.group(1) == "machine" else m.group(0), text)
        tmp = PAGE.with_suffix(".md.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(PAGE)
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
