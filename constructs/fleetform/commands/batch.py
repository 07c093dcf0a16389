"""``fleetform batch plan|apply CLUSTER...``: Terraform over many synthesized stacks at once.

What a GitLab job of the child pipeline runs for its batch of clusters (see
:mod:`fleetform.commands.pipeline`), and what anyone can run on synthesized stacks:

* ``plan``: in each stack's directory, ``terraform init -lockfile=readonly`` (the
  providers the stack's lock file names, checksums verified, the lock never
  changed), ``terraform plan -out=plan.cache`` (``-lock=false`` with ``--no-lock``:
  a plan nothing applies), ``terraform show -no-color plan.cache > plan.txt`` and
  ``plan-summary.json``, what the plan changes without its secrets
  (:mod:`fleetform.integrations.terraform_plan`, from ``terraform show -json``; read by
  ``fleetform plans`` and ``fleetform drift``).
* ``apply``: ``init`` again and ``terraform apply plan.cache``, exactly the saved plan;
  with ``--record``, each applied cluster's GitLab deployment (environment
  ``fleet/<name>``, the commit), which the next default-branch pipeline compares
  with (:func:`fleetform.integrations.gitlab.applied_commits`).

Up to ``--jobs`` stacks run at a time, each in its own processes. They share one
provider cache (``TF_PLUGIN_CACHE_DIR``): Terraform does not make concurrent
writes to it safe, so a stack whose providers are not all in the cache yet is
initialized alone, and the others, which only read it, in parallel. Each stack
keeps its own output (``plan.log`` or ``apply.log``, and ``result.json``), its
own state and state lock; one failed stack does not hide the others: every
stack's log is printed, then one line per stack. A failed apply stops the
applies not yet started (they are listed as such); the command exits non-zero
when any stack failed or was not applied.

Only the standard library is used: plan and apply jobs run it with the job
image's Python, without the project's environment.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping

from ..errors import ConfigError
from ..fleet.provider_lock import LOCK_FILE, read_lock
from ..integrations.terraform_plan import SUMMARY_FILE, summarize

#: Where synth writes the stacks (``cdktf.out/stacks/<name>/``).
STACKS_DIR = "cdktf.out/stacks"
#: How long a plan or an apply waits for the state lock (another apply, a plan).
LOCK_TIMEOUT = "20m"
#: Stacks run at a time unless ``--jobs`` says otherwise.
DEFAULT_JOBS = 4
#: A stack's step may not run longer than this (Terraform's own lock timeout is less).
STEP_TIMEOUT = 60 * 60

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_PLAN_SUMMARY = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")
_APPLY_SUMMARY = re.compile(r"Apply complete! Resources: (\d+) added, (\d+) changed, "
                            r"(\d+) destroyed")
_CACHED = re.compile(r"^- Using \S+ v\S+ from the shared cache directory$", re.M)
_INSTALLING = re.compile(r"^- Installing (\S+) v(\S+)\.\.\.$", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Result:
    """What happened to one stack (written to its ``result.json``)."""

    cluster: str
    command: str
    #: ``changes``, ``no-changes``, ``applied``, ``failed`` or ``not-started``
    status: str = "not-started"
    summary: str = ""
    #: the step that failed (init, plan, show, apply) and its first error line
    failed_step: str = ""
    error: str = ""
    providers_downloaded: int = 0
    providers_cached: int = 0
    seconds: float = 0.0
    recorded: bool = False
    #: a plan's resources to add, change, replace, destroy, forget (managed ones)
    counts: dict[str, int] = field(default_factory=dict)
    log: list[str] = field(default_factory=list, repr=False)

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.cluster}: FAILED at {self.failed_step}: {self.error}"
        if self.status == "not-started":
            return (f"{self.cluster}: not {'planned' if self.command == 'plan' else 'applied'}"
                    " (stopped: an apply failed, or the run was interrupted)")
        return f"{self.cluster}: {self.summary}"


def first_error(output: str) -> str:
    """The first line of Terraform's first error (``Error: ...``), else the last line."""
    lines = [_ANSI.sub("", line).strip(" │╷╵") .strip() for line in output.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith("Error:"):
            # with the first line of its detail, which says why
            detail = next((d for d in lines[index + 1:] if d), "")
            return f"{line}: {detail}" if detail and not detail.startswith(("on ", "Error:")) \
                else line
    tail = [line for line in lines if line]
    return tail[-1] if tail else "no output"


def locked_providers(stack: Path) -> frozenset[str]:
    """``address@version`` of each provider in the stack's lock file."""
    return frozenset(f"{e.address}@{e.version}" for e in read_lock(stack / LOCK_FILE).values())


class ProviderCache:
    """Which providers the shared cache holds, so that only inits that may write to
    it run alone (:class:`Batch`). Without a cache, nothing is shared."""

    def __init__(self, env: Mapping[str, str]) -> None:
        directory = env.get("TF_PLUGIN_CACHE_DIR")
        self.directory = Path(directory) if directory else None
        self.lock = threading.Lock()
        self.present: set[str] = set()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)

    def holds(self, providers: frozenset[str]) -> bool:
        if self.directory is None:
            return True
        missing = providers - self.present
        for entry in list(missing):
            address, version = entry.rsplit("@", 1)
            if any((self.directory / address / version).glob("*_*")):
                self.present.add(entry)
        return providers <= self.present


class Batch:
    """Runs one command over several stacks (see the module's docstring)."""

    def __init__(self, command: str, names: list[str], *, stacks_dir: Path, jobs: int,
                 lock: bool, record: bool, env: Mapping[str, str], out=sys.stdout) -> None:
        self.command, self.names, self.stacks_dir = command, names, stacks_dir
        self.jobs, self.lock, self.record, self.env, self.out = jobs, lock, record, env, out
        self.cache = ProviderCache(env)
        self.stop = threading.Event()
        self.processes: set[subprocess.Popen] = set()
        self.processes_lock = threading.Lock()

    # ------------------------------------------------------------------ steps

    def _run(self, result: Result, step: str, args: list[str], stack: Path,
             stdout_file: Path | None = None, *, log_stdout: bool = True
             ) -> subprocess.CompletedProcess | None:
        """Run one Terraform step; None (and ``result`` failed) when it fails.
        ``log_stdout=False``: its output holds secrets, and stays out of the log."""
        result.log.append(f"$ {' '.join(args)}")
        env = {**self.env, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}
        with subprocess.Popen(args, cwd=stack, env=env, text=True, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            with self.processes_lock:
                self.processes.add(proc)
            try:
                stdout, stderr = proc.communicate(timeout=STEP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
                stderr += f"\nError: {step} took longer than {STEP_TIMEOUT // 60} minutes"
            finally:
                with self.processes_lock:
                    self.processes.discard(proc)
        if stdout_file is not None:
            stdout_file.write_text(stdout, encoding="utf-8")
        elif log_stdout:
            result.log.append(stdout.rstrip("\n"))
        if stderr.strip():
            result.log.append(stderr.rstrip("\n"))
        finished = subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)
        if step == "plan" and proc.returncode == 2:
            return finished  # -detailed-exitcode: changes present
        if proc.returncode != 0:
            result.status, result.failed_step = "failed", step
            result.error = first_error(stderr if stderr.strip() else stdout)
            return None
        return finished

    def _init(self, result: Result, stack: Path) -> bool:
        if not (stack / LOCK_FILE).is_file():
            result.status, result.failed_step = "failed", "init"
            result.error = (f"{stack / LOCK_FILE} is missing: synthesize the stack with "
                            "the fleet's provider lock (./fleet synth)")
            return False
        try:
            providers = locked_providers(stack)
        except ConfigError as exc:  # this stack fails; the others go on
            result.status, result.failed_step, result.error = "failed", "init", str(exc)
            return False
        args = ["terraform", "init", "-input=false", "-no-color", "-lockfile=readonly"]
        with self.cache.lock:
            alone = not self.cache.holds(providers)
            if alone:
                # May write to the shared cache: no other init runs meanwhile.
                done = self._run(result, "init", args, stack)
                self.cache.present |= providers if done else set()
        if not alone:
            done = self._run(result, "init", args, stack)
        if done is not None:
            result.providers_cached += len(_CACHED.findall(done.stdout))
            result.providers_downloaded += len(_INSTALLING.findall(done.stdout))
        return done is not None

    def plan(self, name: str) -> Result:
        result, stack = Result(name, "plan"), self.stacks_dir / name
        (stack / SUMMARY_FILE).unlink(missing_ok=True)  # a failed plan leaves none
        if not self._init(result, stack):
            return result
        lock = [f"-lock-timeout={LOCK_TIMEOUT}"] if self.lock else ["-lock=false"]
        planned = self._run(result, "plan", ["terraform", "plan", "-input=false", "-no-color",
                                             "-detailed-exitcode", *lock, "-out=plan.cache"],
                            stack)
        if planned is None:
            return result
        if self._run(result, "show", ["terraform", "show", "-no-color", "plan.cache"], stack,
                     stdout_file=stack / "plan.txt") is None:
            return result
        # The plan's JSON holds sensitive values in clear: only its summary is kept.
        shown = self._run(result, "show", ["terraform", "show", "-json", "plan.cache"], stack,
                          log_stdout=False)
        if shown is None:
            return result
        try:
            summary = summarize(json.loads(shown.stdout), name)
        except (ValueError, AttributeError, TypeError) as exc:
            result.status, result.failed_step = "failed", "show"
            result.error = f"terraform show -json gave no plan: {type(exc).__name__}"
            return result
        (stack / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n",
                                          encoding="utf-8")
        result.counts = summary["counts"]
        if planned.returncode == 0:
            result.status, result.summary = "no-changes", "no changes"
        else:
            found = _PLAN_SUMMARY.search(planned.stdout)
            result.status = "changes"
            result.summary = (f"{found.group(1)} to add, {found.group(2)} to change, "
                              f"{found.group(3)} to destroy" if found
                              else "changes to outputs only")
        return result

    def apply(self, name: str) -> Result:
        result, stack = Result(name, "apply"), self.stacks_dir / name
        if not (stack / "plan.cache").is_file():
            result.status, result.failed_step = "failed", "apply"
            result.error = f"{stack / 'plan.cache'} is missing: plan the stack first"
            return result
        if not self._init(result, stack):
            return result
        applied = self._run(result, "apply", ["terraform", "apply", "-input=false", "-no-color",
                                              f"-lock-timeout={LOCK_TIMEOUT}", "plan.cache"],
                            stack)
        if applied is None:
            return result
        found = _APPLY_SUMMARY.search(applied.stdout)
        result.status = "applied"
        result.summary = (f"applied: {found.group(1)} added, {found.group(2)} changed, "
                          f"{found.group(3)} destroyed" if found else "applied")
        if self.record:
            self._record(result)
        return result

    def _record(self, result: Result) -> None:
        """The cluster's GitLab deployment; a failure to record is a warning: the
        apply happened, and the next pipeline only plans the cluster again."""
        from ..integrations.gitlab import GitLabError, record_deployment

        try:
            record_deployment(self.env, result.cluster)
            result.recorded = True
        except GitLabError as exc:
            result.log.append(f"WARNING: the deployment of {result.cluster} is not recorded "
                              f"({exc}): the next default-branch pipeline plans it again")

    # ------------------------------------------------------------------ running

    def _one(self, name: str) -> Result:
        if self.stop.is_set():
            result = Result(name, self.command)  # not started: recorded as such below
        else:
            started = time.monotonic()
            result = getattr(self, self.command)(name)
            result.seconds = round(time.monotonic() - started, 1)
        if result.status == "failed" and self.command == "apply":
            self.stop.set()
        stack = self.stacks_dir / name
        if stack.is_dir():
            (stack / f"{self.command}.log").write_text("\n".join(result.log) + "\n",
                                                        encoding="utf-8")
            data = {k: v for k, v in asdict(result).items() if k != "log"}
            (stack / "result.json").write_text(json.dumps(data, indent=2) + "\n",
                                               encoding="utf-8")
        return result

    def run(self) -> list[Result]:
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = [pool.submit(self._one, name) for name in self.names]
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            # Nothing new starts; Terraform, signalled, stops gracefully and releases
            # its lock (a CI runner signals the whole process group anyway).
            self.stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            with self.processes_lock:
                for proc in self.processes:
                    proc.terminate()
            raise
        finally:
            pool.shutdown(wait=True)

    def report(self, results: list[Result]) -> None:
        section = self.env.get("GITLAB_CI") == "true"
        for result in results:
            title = f"{self.command} {result.cluster}: {result.line().split(': ', 1)[1]}"
            if section:
                key = re.sub(r"[^a-z0-9_]", "_", f"{self.command}_{result.cluster}")
                collapsed = "true" if result.status != "failed" else "false"
                print(f"\x1b[0Ksection_start:{int(time.time())}:{key}[collapsed={collapsed}]"
                      f"\r\x1b[0K{title}", file=self.out)
            else:
                print(f"--- {title}", file=self.out)
            print("\n".join(result.log), file=self.out)
            if section:
                print(f"\x1b[0Ksection_end:{int(time.time())}:{key}\r\x1b[0K", file=self.out)
        downloaded = sum(r.providers_downloaded for r in results)
        cached = sum(r.providers_cached for r in results)
        print(f"\nfleetform batch {self.command}: {len(results)} stack(s); providers "
              f"{cached} from the cache, {downloaded} downloaded", file=self.out)
        for result in results:
            print(f"  {result.line()}", file=self.out)
        self.out.flush()


def check_request(stacks_dir: Path, names: list[str], jobs: int) -> list[str]:
    """``names`` without repeats, once each is a synthesized stack and ``jobs`` is 1 to 64."""
    if not 1 <= jobs <= 64:
        raise ConfigError(f"must be 1 to 64, got {jobs}", field="--jobs")
    for name in names:
        if not _NAME.match(name):
            raise ConfigError(f"is not a cluster name: {name!r}", field="CLUSTER")
        if not (stacks_dir / name / "cdk.tf.json").is_file():
            raise ConfigError(f"has no synthesized stack {name} (run ./fleet synth {name})",
                              file=stacks_dir)
    return list(dict.fromkeys(names))

