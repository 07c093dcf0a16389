"""Install fleetform into a fresh venv and measure the time and the venv's size.

    .venv/bin/python bench/install.py                   # the core install of this checkout
    .venv/bin/python bench/install.py --extras tools    # with the CLI tooling
    .venv/bin/python bench/install.py --source DIR      # another checkout (e.g. an older one)
    .venv/bin/python bench/install.py --examples        # then synthesize examples/ with it

The venv is created with the Python running this script and ``pip install``
runs with ``--no-cache-dir``, so every package is downloaded as a new user's
first install would. Time covers ``pip install`` only (not creating the venv);
size is the whole venv directory, pip included. This is a measurement, not a
test: the figures depend on the network and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def directory_size(path: Path) -> int:
    """Bytes of the files under ``path`` (symbolic links not followed)."""
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            file = Path(directory, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def top_packages(site: Path, count: int = 8) -> list[tuple[str, int]]:
    """The largest entries of site-packages."""
    sizes = [(p.name, directory_size(p) if p.is_dir() else p.stat().st_size)
             for p in site.iterdir()]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the checkout to install (default: this one)")
    parser.add_argument("--extras", default="", help="extras to install, e.g. tools")
    parser.add_argument("--examples", action="store_true",
                        help="synthesize every examples/*/main.py with the installed package")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="fleetform-install-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / "bin" / "python"
        base = directory_size(venv)
        target = str(args.source.resolve()) + (f"[{args.extras}]" if args.extras else "")
        start = time.perf_counter()
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-cache-dir",
                        "--disable-pip-version-check", target], check=True)
        seconds = time.perf_counter() - start
        size = directory_size(venv)
        site = next((venv / "lib").glob("python*/site-packages"))
        print(f"install of {target}: {seconds:.0f} s "
              f"({int(seconds) // 60} min {int(seconds) % 60:02d} s), "
              f"venv {size / 1e6:.0f} MB ({(size - base) / 1e6:.0f} MB over an empty venv)")
        for name, bytes_ in top_packages(site):
            print(f"  {bytes_ / 1e6:8.1f} MB  {name}")
        if args.examples:
            env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": ""}
            env.pop("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION")
            for app in sorted((args.source / "examples").glob("*/main.py")):
                with tempfile.TemporaryDirectory() as out:
                    run = subprocess.run([str(python), str(app), "--out", out], env=env,
                                         capture_output=True, text=True)
                    stacks = sorted(p.parent.name for p in Path(out).glob("stacks/*/cdk.tf.json"))
                    banner = "end-of-life" in run.stderr.lower() or "eol" in run.stderr.lower()
                    print(f"  example {app.parent.name}: exit {run.returncode}, "
                          f"stacks {stacks}, Node banner {'shown' if banner else 'silent'}")
                    if run.returncode:
                        print(run.stderr, file=sys.stderr)
                        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
