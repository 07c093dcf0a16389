"""Pipeline benchmark: what a change touching every cluster costs in GitLab CI.

    ./fleet bench --pipeline                    # 1, 200 and 1,000 affected clusters
    ./fleet bench --pipeline --before REV       # also the pipeline fleetform REV generated
    ./fleet bench --pipeline --sizes 1 200      # other fleet sizes

For each size, a fleet is generated (one management cluster, the rest workers,
as ``bench.py`` does), every cluster is affected (a library change), and the
child pipeline of the default branch (with apply jobs) is generated. Counted in
the YAML: jobs, cache restores, provider downloads (with a warm provider cache
and with a cold one; each stack's providers read from the synthesized stacks),
manual actions. Job time is modelled, with the assumptions printed: a fixed
start per job (image, clone, caches), the synth time measured here for the
fleet (one process) or per stack (a job per cluster), and a plan and an apply
time per stack; a job of a batch runs its stacks ``--parallel`` at a time. The
longest path is the job time of the chain from the first job to the last apply,
with as many runners as there are jobs; the total is what the runners spend.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "constructs"))

import yaml  # noqa: E402

from bench import generate_fleet, synth_argv  # noqa: E402
from fleetform.commands import pipeline as current  # noqa: E402
from fleetform.commands.changes.results import AffectedCluster, Changes  # noqa: E402
from fleetform.fleet.config import load_fleet  # noqa: E402

#: GitLab.com's limits that a child pipeline must stay within (README: "At fleet scale").
ACTIVE_JOBS_FREE = 500
JOBS_PER_PIPELINE = 2000
NEEDS_PER_JOB = 50


def affected(project: Path) -> Changes:
    """Every cluster of the fleet affected, as a change under constructs/ makes them."""
    fleet = load_fleet(project / "clusters")
    clusters = tuple(AffectedCluster(c.name, c.role, ("a library change",),
                                     ("constructs/fleetform/stacks.py",), cloud=c.cloud.name)
                     for c in fleet.select([]))
    return Changes(base="HEAD~1", base_commit="0" * 40, merge_base="0" * 40, head="1" * 40,
                   paths=("constructs/fleetform/stacks.py",), affected=clusters, removed=())


def load_before(revision: str):
    """The pipeline module as it was at ``revision`` (imported beside the current one)."""
    source = subprocess.run(["git", "show", f"{revision}:constructs/fleetform/commands/pipeline.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    path = Path(tempfile.mkdtemp(prefix="fleetform-bench.")) / "pipeline_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("fleetform.commands._pipeline_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stack_providers(project: Path) -> dict[str, int]:
    """Providers each synthesized stack requires."""
    out = {}
    for stack in (project / "cdktf.out" / "stacks").iterdir():
        document = json.loads((stack / "cdk.tf.json").read_text())
        out[stack.name] = len(document["terraform"]["required_providers"])
    return out


def _stacks_of(job: dict) -> list[str]:
    """The clusters a job runs Terraform for, read from its script."""
    names: list[str] = []
    for line in job.get("script", []):
        if "fleetform.commands.cli batch " in line:
            names += [w for w in line.split()[6:] if not w.startswith("-") and not w.isdigit()]
        elif line.startswith("cd cdktf.out/stacks/"):
            names.append(line.rsplit("/", 1)[1])
    return names


def analyse(pipeline: dict, providers: dict[str, int], *, synth_fleet: float,
            synth_one: float, start: float, plan: float, apply: float) -> dict:
    jobs = {k: v for k, v in pipeline.items() if isinstance(v, dict) and "stage" in v}
    figures = {"jobs": len(jobs),
               "cache restores": sum(len(j.get("cache", [])) for j in jobs.values()),
               "manual actions": sum(1 for n, j in jobs.items()
                                     if j.get("when") == "manual" and not n.startswith("retire:")),
               "max needs": max((len(j.get("needs", [])) for j in jobs.values()), default=0)}
    warm = cold = 0
    times: dict[str, float] = {}
    for name, job in jobs.items():
        stacks = _stacks_of(job)
        cached = any(".terraform-providers/" in c.get("paths", []) for c in job.get("cache", []))
        per_stack = [providers.get(s, 0) for s in stacks]
        if stacks:
            # without a provider cache, every init downloads its stack's providers
            cold += max(per_stack) if cached else sum(per_stack)
            warm += 0 if cached else sum(per_stack)
        parallel = 1
        for line in job.get("script", []):
            if "--jobs " in line:
                parallel = int(line.split("--jobs ")[1].split()[0])
        if job["stage"] == "synth":
            work = synth_fleet if name == "synth" else synth_one
        elif job["stage"] in ("plan", "apply"):
            work = math.ceil(len(stacks) / parallel) * (plan if job["stage"] == "plan" else apply)
        else:
            work = 0.0
        times[name] = start + work
    figures["provider downloads (warm cache)"] = warm
    figures["provider downloads (cold cache)"] = cold
    longest: dict[str, float] = {}

    def path(name: str) -> float:
        if name not in longest:
            before = [path(n["job"]) for n in jobs[name].get("needs", []) if n["job"] in jobs]
            longest[name] = times[name] + max(before, default=0.0)
        return longest[name]

    figures["longest path (min)"] = round(max((path(n) for n in jobs), default=0.0) / 60, 1)
    figures["job time, total (min)"] = round(sum(times.values()) / 60, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 200, 1000])
    parser.add_argument("--before", metavar="REV",
                        help="also count the pipeline that fleetform's REV generates")
    parser.add_argument("--job-start", type=float, default=30.0, metavar="S",
                        help="seconds a job takes to start: image, clone, caches (default 30)")
    parser.add_argument("--plan", type=float, default=40.0, metavar="S",
                        help="seconds of init and plan per stack (default 40)")
    parser.add_argument("--apply", type=float, default=60.0, metavar="S",
                        help="seconds of init and apply per stack (default 60)")
    args = parser.parse_args(argv)
    before = load_before(args.before) if args.before else None
    print(f"assumed: {args.job_start:.0f} s to start a job, {args.plan:.0f} s to plan and "
          f"{args.apply:.0f} s to apply a stack; synth measured; unlimited runners")
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"fleetform-pipeline-{size}.") as work:
            project = Path(work)
            generate_fleet(project, size)
            started = time.monotonic()
            subprocess.run(synth_argv(project), cwd=project, check=True, capture_output=True)
            synth_fleet = time.monotonic() - started
            providers = stack_providers(project)
            started = time.monotonic()
            subprocess.run(synth_argv(project, "do-management"), cwd=project, check=True,
                           capture_output=True)
            synth_one = time.monotonic() - started
            changes = affected(project)
        common = dict(synth_fleet=synth_fleet, synth_one=synth_one, start=args.job_start,
                      plan=args.plan, apply=args.apply)
        if before is not None:
            rows.append((size, f"before ({args.before})",
                         analyse(before.generate(changes, apply=True), providers, **common)))
        rows.append((size, "now", analyse(current.generate(changes, apply=True), providers,
                                          **common)))
        print(f"{size} cluster(s): synth of the fleet {synth_fleet:.1f} s, of one stack "
              f"{synth_one:.1f} s", flush=True)
    keys = list(rows[0][2])
    print()
    print(f"{'clusters':>8}  {'pipeline':<22} " + "  ".join(f"{k:>{len(k)}}" for k in keys))
    for size, label, figures in rows:
        print(f"{size:>8}  {label:<22} " + "  ".join(f"{figures[k]:>{len(k)}}" for k in keys))
    print(f"\nGitLab.com: {ACTIVE_JOBS_FREE} jobs in active pipelines on Free, "
          f"{JOBS_PER_PIPELINE} jobs per pipeline, {NEEDS_PER_JOB} needs per job.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
