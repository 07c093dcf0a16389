"""Synth, validate and preview benchmark: fleets of 1, 20 and 200 clusters, against targets.

    ./fleet bench              # the whole table (a few minutes)
    ./fleet bench --quick      # 1- and 20-cluster fleets only
    ./fleet bench --repeat 3   # every measurement 3 times, in rounds: medians
    ./fleet bench --json FILE  # also write the figures as JSON
    ./fleet bench --diff-only  # only `fleetform diff` of one values file in the 200-cluster fleet
    ./fleet bench --pipeline   # the CI cost of a change to 1, 200, 1,000 clusters (pipeline.py)

Each measurement runs the real command in a fresh process (as CI and a
developer do), samples the resident memory of the whole process tree, node
included, every 10 ms, and reads the CPU time of the tree when it ends. The
floor of the stack choice (Python, node, jsii) is measured in the same run:
``cdktf.App().synth()`` of an empty stack. Fleets are generated in a
temporary directory: one management cluster, the rest workers with a mix of
routing labels; synth runs with ``python -O`` as ``./fleet synth`` does (the
empty app too); the workers of the 200-cluster fleet share their values
files, as real fleets do. This is a benchmark, not a test: wall times vary
with the machine's load (printed), CPU times much less.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
#: The label repositories of the generated fleets: the test fleet's (global,
#: production, management), not the repository's own manifests/, which are user data.
MANIFESTS = ROOT / "tests" / "fixtures" / "fleet" / "manifests"
PYTHON = sys.executable
LABEL_MIX = (["global", "production"], ["global"], ["global", "production"])
REGIONS = ("fra1", "ams3", "nyc1", "sfo3", "sgp1", "lon1")


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    cpu: float = 0.0   # user + system time of the process tree
    low: float = 0.0   # fastest and slowest of repeated runs
    high: float = 0.0


def measure(name: str, argv: list[str], cwd: Path, env: dict | None = None) -> Run:
    """Run ``argv`` and return its wall time and peak RSS of the process tree."""
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **(env or {})}
    # Output goes to files: a full pipe would block the command being measured.
    out_file = tempfile.TemporaryFile(mode="w+")
    err_file = tempfile.TemporaryFile(mode="w+")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out_file, stderr=err_file, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    while True:
        # wait4 rather than poll: its resource usage includes the children
        # (node) the command waited for.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.01)
    seconds = time.perf_counter() - start
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    if proc.returncode != 0:
        sys.exit(f"bench: {name} failed (exit {proc.returncode}):\n{err or out}")
    return Run(name, seconds, peak / 2**20, usage.ru_utime + usage.ru_stime, seconds, seconds)


def generate_fleet(project: Path, size: int) -> None:
    """Write ``project/clusters`` (1 management, size-1 workers) and copy :data:`MANIFESTS`."""
    clusters = project / "clusters"
    shutil.rmtree(clusters, ignore_errors=True)
    clusters.mkdir(parents=True)
    labels_used: set[str] = {"global", "management"}
    workers = []
    for i in range(1, size):
        labels = LABEL_MIX[i % len(LABEL_MIX)]
        labels_used.update(labels)
        workers.append((f"worker-{i:03d}", labels))
    repos = {label: {"url": "https://gitlab.com/example/fleetform.git", "revision": "main",
                     "path": f"manifests/{label}"} for label in sorted(labels_used)}
    management = {
        "role": "management", "region": "fra1", "kubernetes_version": "1.33", "ha": True,
        "node_pools": [{"name": "default", "size": "s-4vcpu-8gb",
                        "autoscale": {"min_nodes": 3, "max_nodes": 4}}],
        "labels": ["global", "management"],
        "argocd": {"hostname": "argocd.example.com", "repositories": repos},
    }
    _write(clusters / "do-management", management)
    for i, (name, labels) in enumerate(workers):
        _write(clusters / name, {
            "role": "worker", "region": REGIONS[i % len(REGIONS)], "kubernetes_version": "1.33",
            "node_pools": [{"name": "default", "size": "s-2vcpu-4gb",
                            "autoscale": {"min_nodes": 2, "max_nodes": 5}}],
            "labels": labels, "tags": ["fleetform"],
        })
    manifests = project / "manifests"
    shutil.rmtree(manifests, ignore_errors=True)
    shutil.copytree(MANIFESTS, manifests)
    # Production workers share one values file's content, as real fleets mostly do.
    shared = MANIFESTS / "production/values/do-production/microservice-01/values.yaml"
    shutil.rmtree(manifests / "production" / "values" / "do-production")
    for name, labels in workers:
        if "production" in labels:
            target = manifests / "production" / "values" / name / "microservice-01"
            target.mkdir(parents=True)
            shutil.copy(shared, target / "values.yaml")


def _write(directory: Path, spec: dict) -> None:
    directory.mkdir()
    (directory / "cluster.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))


def synth_argv(project: Path, *clusters: str) -> list[str]:
    """``fleetform synth`` as ``./fleet synth`` runs it: with -O (see ``fleet``)."""
    return [PYTHON, "-O", "-m", "fleetform.commands.cli", "synth",
            "--clusters-dir", str(project / "clusters"),
            "--out", str(project / "cdktf.out"),
            "--lock-file", str(ROOT / ".terraform.lock.hcl"), *clusters]


def prepare_diff(project: Path) -> list[str]:
    """Commit the fleet, then change one worker's values file; returns the diff's argv.

    The diff should render that (cluster, app) pair only, on each side: its
    ``--json`` report (``diff.json``) says how many pairs it affected and rendered.
    """
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
           "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=project, check=True)
    subprocess.run([*git, "add", "clusters", "manifests"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fleet"], cwd=project, check=True)
    values = sorted((project / "manifests/production/values").glob("*/microservice-01/values.yaml"))
    data = yaml.safe_load(values[0].read_text()) or {}
    data["replicaCount"] = int(data.get("replicaCount", 1)) + 1
    values[0].write_text(yaml.safe_dump(data))
    subprocess.run([*git, "commit", "-q", "-am", "one values file"], cwd=project, check=True)
    return [PYTHON, "-m", "fleetform.commands.cli", "diff", "--base", "HEAD~1", "-C", str(project),
            "--format", "json", "--json", str(project / "diff.json")]


def diff_summary(project: Path) -> str:
    summary = json.loads((project / "diff.json").read_text())["summary"]
    return (f"fleetform diff rendered {summary['renders']} time(s): {summary['affected_pairs']} "
            f"of {summary['pairs']} (cluster, app) pairs affected, "
            f"{summary['differing_pairs']} differ")


EMPTY_APP = (
    "import sys, cdktf\n"
    "app = cdktf.App(outdir=sys.argv[1], stack_traces=False)\n"
    "cdktf.TerraformStack(app, 'empty')\n"
    "app.synth()\n"
)


def json_floor(project: Path, size: int) -> Run:
    """Write the synthesized JSON again with plain json.dump: the floor of any synth."""
    code = (
        "import json,pathlib,sys\n"
        "out=pathlib.Path(sys.argv[1])\n"
        "docs={p:json.loads(p.read_text()) for p in out.glob('stacks/*/cdk.tf.json')}\n"
        "for p,d in docs.items():\n"
        "    with open(str(p)+'.floor','w') as f: json.dump(d,f,indent=2)\n"
    )
    return measure(f"json.dump floor ({size})", [PYTHON, "-c", code, str(project / "cdktf.out")],
                   project)


def _median_run(runs: list[Run]) -> Run:
    """The median wall and CPU time of repeated runs, with the highest peak memory seen."""
    return Run(runs[0].name, statistics.median(r.seconds for r in runs),
               max(r.peak_mb for r in runs), statistics.median(r.cpu for r in runs),
               min(r.seconds for r in runs), max(r.seconds for r in runs))


@dataclass
class Target:
    name: str
    value: float
    limit: float
    unit: str
    cpu: float | None = None  # the same figure from CPU times: steadier on a busy machine

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def targets(runs: dict[str, Run], n: int) -> tuple[list[Target], list[Target]]:
    """The targets, and the earlier ratios still printed for comparison."""
    one, full = runs["synth-1"], runs[f"synth-{n}"]

    def ratio(name: str, a: Run, b: Run, limit: float) -> Target:
        return Target(name, a.seconds / b.seconds, limit, "x", a.cpu / b.cpu if b.cpu else None)

    goals = [
        Target("per extra cluster in a full synth", (full.seconds - one.seconds) / (n - 1) * 1000,
               12, "ms", (full.cpu - one.cpu) / (n - 1) * 1000),
        ratio("full synth of 1 / empty cdktf app", one, runs["empty"], 1.5),
        ratio(f"1 selected in {n} / full synth of 1", runs["select"], one, 1.15),
        Target(f"peak memory of {n}-cluster synth", full.peak_mb, 300, "MB"),
        ratio(f"validate {n} / validate example", runs["validate"], runs["validate-example"], 3.0),
        ratio(f"preview {n} / preview example", runs["preview"], runs["preview-example"], 3.0),
    ]
    earlier = [
        ratio(f"full synth of {n} / full synth of 1", full, one, 2.0),
        ratio(f"full synth of {n} / json.dump floor", full, runs["floor"], float("inf")),
    ]
    return goals, earlier


def _print_targets(title: str, rows: list[Target], *, verdict: bool) -> None:
    print(f"\n{title:<46} {'wall':>9} {'target':>10}" + ("  met" if verdict else "     ")
          + f"  {'by CPU time':>11}")
    for t in rows:
        limit = "" if t.limit == float("inf") else f"<= {t.limit:g} {t.unit}"
        digits = {"x": 2, "ms": 1}.get(t.unit, 0)
        value = f"{t.value:.{digits}f} {t.unit}"
        cpu = "" if t.cpu is None else f"{t.cpu:.{digits}f} {t.unit}"
        print(f"{t.name:<46} {value:>9} {limit:>10}"
              + (f"  {'yes' if t.met else 'NO ':<3}" if verdict else "     ") + f"  {cpu:>11}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--pipeline" in args:  # the pipeline benchmark (bench/pipeline.py)
        import pipeline
        return pipeline.main(args)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1- and 20-cluster fleets")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run every measurement N times, in rounds, and report medians "
                             "(default: 1; use 3 or more on a busy machine)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--diff-only", action="store_true",
                        help="only fleetform diff of one values file, 200 clusters")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.diff_only:
        with tempfile.TemporaryDirectory(prefix="fleetform-bench-") as tmp:
            project = Path(tmp) / "fleet-200"
            generate_fleet(project, 200)
            argv = prepare_diff(project)
            runs = [measure("diff of 1 values file, 200 clusters", argv, project)
                    for _ in range(args.repeat)]
            run = _median_run(runs)
            print(f"{run.name}: {run.seconds:.2f} s (min {run.low:.2f}, max {run.high:.2f}), "
                  f"peak {run.peak_mb:.0f} MB\n{diff_summary(project)}")
        return 0

    sizes = (1, 20) if args.quick else (1, 20, 200)
    n = sizes[-1]
    samples: dict[str, list[Run]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="fleetform-bench-") as tmp:
        for size in sizes:
            generate_fleet(Path(tmp) / f"fleet-{size}", size)
        big = Path(tmp) / f"fleet-{n}"
        # The test fleet (the example's twin), outside any checkout: not the user's fleet.
        example = Path(tmp) / "example"
        shutil.copytree(MANIFESTS.parent, example)
        fleetform = [PYTHON, "-m", "fleetform.commands.cli"]
        measurements = [
            ("empty", "cdktf.App().synth() of an empty stack",
             [PYTHON, "-O", "-c", EMPTY_APP, str(Path(tmp) / "empty.out")], Path(tmp)),
            *((f"synth-{size}", f"full synth, {size} cluster(s)",
               synth_argv(Path(tmp) / f"fleet-{size}"), Path(tmp) / f"fleet-{size}")
              for size in sizes),
            ("select", f"synth of 1 selected cluster in {n}", synth_argv(big, "worker-001"), big),
            ("validate-example", "fleetform validate, example fleet",
             [*fleetform, "validate"], example),
            ("validate", f"fleetform validate, {n} clusters",
             [*fleetform, "validate", "--clusters-dir", str(big / "clusters")], big),
            ("preview-example", "fleetform preview, example fleet",
             [*fleetform, "preview", "--format", "json"], example),
            ("preview", f"fleetform preview, {n} clusters",
             [*fleetform, "preview", "--clusters-dir", str(big / "clusters"),
              "--format", "json"], big),
            ("diff", f"diff of 1 values file, {n} clusters", prepare_diff(big), big),
        ]
        # Rounds rather than N runs in a row: a slow spell of a shared machine
        # then spreads over every measurement instead of skewing one.
        for round_ in range(1, args.repeat + 1):
            for key, name, command, cwd in measurements:
                run = measure(name, command, cwd)
                samples.setdefault(key, []).append(run)
                print(f"  [{round_}/{args.repeat}] {name}: {run.seconds:.2f} s", file=sys.stderr)
                if key == f"synth-{n}":  # its output, before the selected synth replaces it
                    samples.setdefault("floor", []).append(json_floor(big, n))
        diff_line = diff_summary(big)
    runs = {key: _median_run(values) for key, values in samples.items()}
    load_after = os.getloadavg()[0]

    spread = args.repeat > 1
    print(f"\nload average (1 min) {load_before:.1f} before, {load_after:.1f} after; "
          f"{os.cpu_count()} CPUs")
    print(f"{'measurement':<42} {'wall s':>8} {'cpu s':>7} {'peak MB':>8}"
          + (f" {'min-max wall s':>15}" if spread else ""))
    for run in runs.values():
        print(f"{run.name:<42} {run.seconds:>8.2f} {run.cpu:>7.2f} {run.peak_mb:>8.0f}"
              + (f" {run.low:>7.2f}-{run.high:<7.2f}" if spread else ""))
    goals, earlier = targets(runs, n)
    _print_targets("target", goals, verdict=True)
    _print_targets("for comparison (earlier ratios; not targets)", earlier, verdict=False)
    failed = sum(not t.met for t in goals)
    print(f"\n{diff_line}")
    if args.json:
        args.json.write_text(json.dumps({
            "repeat": args.repeat, "load_average": [load_before, load_after],
            "runs": {k: vars(v) for k, v in runs.items()},
            "targets": {t.name: {"value": t.value, "target": t.limit, "unit": t.unit,
                                 "met": t.met, "cpu": t.cpu} for t in goals},
            "earlier": {t.name: {"value": t.value, "unit": t.unit, "cpu": t.cpu}
                        for t in earlier}},
            indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
