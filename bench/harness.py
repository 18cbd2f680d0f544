"""What every benchmark script of bench/ does before it measures: set up bench/.venv,
build the release binaries it runs, and start itself again inside the venv with the
binaries' paths in the environment (a path already set there is kept)."""
from __future__ import annotations

import os
import platform
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_PY = HERE / ".venv" / "bin" / "python"
INNER = "--inner"


def relaunch(script: str, argv: list[str], build: list[str] | None,
             binaries: dict[str, str], drop_env: tuple[str, ...] = ()) -> None:
    """Runs `script` again as `venv-python script --inner ARGV` and exits with its
    code. `build` is the cargo command (None: use the binaries as they are);
    `binaries` maps an environment variable to a path under target/release."""
    name = pathlib.Path(script).stem
    if subprocess.run(["bash", str(HERE / "setup_venv.sh")]).returncode != 0:
        sys.exit(f"{name}: bench/setup_venv.sh failed")
    if build is not None and subprocess.run(build, cwd=ROOT).returncode != 0:
        sys.exit(f"{name}: cargo build failed")
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    target = target if target.is_absolute() else ROOT / target
    env = {k: v for k, v in os.environ.items() if k not in drop_env}
    for var, rel in binaries.items():
        env.setdefault(var, str(target / "release" / rel))
    sys.exit(subprocess.run([str(VENV_PY), script, INNER, *argv], env=env).returncode)


def main(script: str, inner, outer) -> None:
    """The entry point: `inner(argv)` inside the venv, else `outer(argv)`."""
    if len(sys.argv) > 1 and sys.argv[1] == INNER:
        inner(sys.argv[2:])
    else:
        outer(sys.argv[1:])


def cpu_model() -> str:
    """The CPU's model name, for the machine line of a benchmark's output."""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
