"""The GitLab child pipeline of a change: ``fleetform pipeline --base REF | --ci``.

Its cost does not grow a job per cluster. For the clusters the change affects
(:mod:`fleetform.commands.changes`):

* ``synth``: one job synthesizes every affected stack in one process, with
  GitLab-managed state (``FLEETFORM_STATE=gitlab``) and each stack's provider lock.
* Batches (:func:`batches`): the management cluster alone, then each cloud's workers,
  ``--batch-size`` to a job (a cloud's credentials reach its own clusters' jobs only).
* ``plan:<batch>``: ``fleetform batch plan`` (:mod:`fleetform.commands.batch`) runs
  ``terraform init -lockfile=readonly``, ``plan -out=plan.cache`` and ``show`` in each
  stack, ``--parallel`` at a time, with one provider cache (``TF_PLUGIN_CACHE_DIR``, a
  GitLab cache keyed on the lock file); each cluster keeps its plan, log, state and
  lock. Merge requests' plans read the state without its lock (GitLab lets only
  Maintainers lock it), keep only the readable plans and are ``interruptible``. A plan
  that feeds an apply takes the lock and is never interrupted; its saved plans hold
  sensitive values in clear, so no one may download them (``access: none``), kept
  :data:`PLAN_EXPIRE`.
* ``plans`` (merge requests) or ``drift`` (schedules), stage ``report``: every plan in
  one report, with the plan gates and the merge request note
  (:mod:`fleetform.commands.plans`), or the drift of every cluster and its issue
  (:mod:`fleetform.commands.drift`).
* ``apply:<batch>`` (the default branch): the saved plans, exactly. The first apply
  job (the management cluster's when it is affected) is the one manual action; the
  workers' batches follow in doubling waves (:func:`waves`), so a failed apply stops
  the waves after it. Each cluster's deployment of ``fleet/<name>``, which the next
  default-branch pipeline compares with, is recorded by GitLab for a job of one
  cluster, by ``fleetform batch apply --record`` for a batch.

Secrets: the synth job runs the repository's code and unsets the deploy secrets first
(:data:`UNSET_SECRETS`). Plan and apply jobs name an environment under ``fleet/`` (their
cluster's, or :data:`BATCH_ENVIRONMENT`), so CI/CD variables scoped to ``fleet/*`` reach
them and no other job; the file holds no credential (the state backend reads
``TF_HTTP_PASSWORD=$CI_JOB_TOKEN``, expanded by GitLab). A removed cluster gets a
manual ``retire:<name>`` job that only prints its retirement steps
(:mod:`fleetform.commands.pipeline.retirement`); a change that affects nothing, a single
``no-changes`` job.
"""

from __future__ import annotations

from typing import Any

import yaml

from ...fleet.clouds import CLOUDS
from ...fleet.provider_lock import LOCK_FILE
from ...integrations.terraform_plan import SUMMARY_FILE
from ..batch import STACKS_DIR
from ..changes import Changes
from ..drift import ci_job as drift_job
from ..override import OVERRIDE_FILE
from ..plans import ci_job as plans_job
from .batches import (BATCH_ENVIRONMENT, DEFAULT_BATCH_SIZE, ENVIRONMENT, MAX_WAVE, Batch, batches,
                      waves)
from .retirement import deregister_command, retire_job, retirement_steps  # noqa: F401

STAGES = ["synth", "plan", "report", "apply", "retire"]
#: What the ``report`` stage makes of the plans: the merge request's plan report and
#: gates (:mod:`fleetform.commands.plans`), or a schedule's drift report
#: (:mod:`fleetform.commands.drift`); each is one job of that name.
REPORTS = ("plans", "drift")
#: The one job that synthesizes every affected stack.
SYNTH_JOB = "synth"
#: Stacks a job runs at a time (``fleetform batch --jobs``).
DEFAULT_PARALLEL = 4
#: Terraform's provider cache (``TF_PLUGIN_CACHE_DIR``), a GitLab cache keyed on the lock.
PLUGIN_CACHE = ".terraform-providers"
#: Variables of every job of the child pipeline (no secrets: those are CI/CD variables).
VARIABLES = {
    "FLEETFORM_STATE": "gitlab",
    "PIPENV_VENV_IN_PROJECT": "1",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    # The cached .venv installs fleetform from the directory it was built in:
    # import this checkout's code whatever that was.
    "PYTHONPATH": "$CI_PROJECT_DIR/constructs",
    "TF_IN_AUTOMATION": "true",
    "TF_INPUT": "false",
}
#: GitLab-managed Terraform state, authenticated as the job itself.
STATE_CREDENTIALS = {
    "TF_HTTP_USERNAME": "gitlab-ci-token",
    "TF_HTTP_PASSWORD": "$CI_JOB_TOKEN",
}
#: The pipenv environment, rebuilt by ``./fleet`` only when Pipfile.lock changes.
PIPENV_CACHE = {"key": {"files": ["Pipfile.lock"], "prefix": "pipenv"},
                "paths": [".venv/"], "policy": "pull"}
ARTIFACTS_EXPIRE = "1 week"
#: How long a saved plan (which holds secrets in clear) is kept: an apply uses it
#: within this time, or a new pipeline plans again.
PLAN_EXPIRE = "2 days"
#: The deploy secrets: every cloud's provider credentials, the state's password, and
#: every ``TF_VAR_*``.
SECRET_VARIABLES = (*dict.fromkeys(v for cloud in CLOUDS.values() for v in cloud.credentials),
                    "TF_HTTP_PASSWORD")
#: Unsets the deploy secrets before a job runs repository code (POSIX sh).
UNSET_SECRETS = (f"unset {' '.join(SECRET_VARIABLES)} "
                 "$(awk 'BEGIN { for (k in ENVIRON) if (k ~ /^TF_VAR_/) print k }')")


def stack_dir(name: str) -> str:
    return f"{STACKS_DIR}/{name}"


def batch_command(step: str, names: list[str], *, lock: bool = True, record: bool = False,
                  parallel: int = DEFAULT_PARALLEL) -> str:
    """The ``fleetform batch`` line a plan or apply job runs (the job image's Python;
    see :mod:`fleetform.commands.batch`)."""
    options = [f"--jobs {parallel}"]
    if step == "plan" and not lock:
        options.append("--no-lock")
    if record:
        options.append("--record")
    return f"python3 -m fleetform.commands.cli batch {step} {' '.join(options)} {' '.join(names)}"


def plan_commands(names: list[str], *, lock: bool = True,
                  parallel: int = DEFAULT_PARALLEL) -> list[str]:
    """What a plan job runs: for each stack ``terraform init -lockfile=readonly``,
    ``plan -out=plan.cache``, ``show -no-color plan.cache > plan.txt``.

    ``lock=False`` for a plan no job applies (merge requests): GitLab-managed
    state lets only Maintainers take its lock, so a Developer's merge request
    pipeline could not plan with it ("HTTP remote state endpoint invalid auth").
    """
    return [f"mkdir -p {PLUGIN_CACHE}",
            batch_command("plan", names, lock=lock, parallel=parallel)]


def apply_commands(names: list[str], *, record: bool = False,
                   parallel: int = DEFAULT_PARALLEL) -> list[str]:
    """What an apply job runs: exactly each stack's saved, reviewed plan."""
    return [f"mkdir -p {PLUGIN_CACHE}",
            batch_command("apply", names, record=record, parallel=parallel)]


def _synth_job(names: list[str]) -> dict[str, Any]:
    return {
        "stage": "synth",
        "needs": [],
        "interruptible": True,
        "cache": [dict(PIPENV_CACHE)],
        "script": [UNSET_SECRETS, f"./fleet synth {' '.join(names)}"],
        "artifacts": {"paths": [f"{STACKS_DIR}/"], "expire_in": ARTIFACTS_EXPIRE},
    }


def _provider_cache(batch: Batch, *, push: bool) -> dict[str, Any]:
    """The shared provider cache of a batch's jobs, keyed on the lock file; one per
    cloud (and one for the management cluster, whose stack has more providers)."""
    return {"key": {"files": [LOCK_FILE], "prefix": f"providers-{batch.cache_group}"},
            "paths": [f"{PLUGIN_CACHE}/"], "policy": "pull-push" if push else "pull"}


def _variables() -> dict[str, str]:
    return {**STATE_CREDENTIALS, "TF_PLUGIN_CACHE_DIR": f"$CI_PROJECT_DIR/{PLUGIN_CACHE}"}


def _plan_job(batch: Batch, management: Batch | None, *, apply: bool, push_cache: bool,
              parallel: int) -> dict[str, Any]:
    needs: list[Any] = [{"job": SYNTH_JOB, "artifacts": True}]
    if management is not None and not batch.management:
        needs.append({"job": management.plan_job, "artifacts": False})
    directories = [stack_dir(name) for name in batch.names]
    if apply:
        # The saved plans hold sensitive values in clear: no one downloads them from
        # GitLab (the pipeline's apply job still receives them through needs), and
        # they are kept only as long as an apply may use them. The readable plans
        # are in the job's log.
        artifacts = {"name": f"plan-{batch.name}", "paths": [f"{d}/" for d in directories],
                     "exclude": [f"{d}/.terraform/**/*" for d in directories],
                     "access": "none", "expire_in": PLAN_EXPIRE, "when": "always"}
    else:
        # Nothing applies a merge request's plans: keep only what people read.
        artifacts = {"name": f"plan-{batch.name}",
                     "paths": [f"{d}/{f}" for d in directories
                               for f in ("plan.txt", "plan.log", "result.json",
                                         SUMMARY_FILE)],
                     "access": "developer", "expire_in": ARTIFACTS_EXPIRE, "when": "always"}
    return {
        "stage": "plan",
        "needs": needs,
        # A plan holding the state lock must finish (or it leaves the lock behind).
        "interruptible": not apply,
        "environment": {"name": batch.environment, "action": "prepare"},
        "variables": _variables(),
        "cache": [_provider_cache(batch, push=push_cache)],
        # Only a plan that an apply job uses takes the state lock (see plan_commands).
        "script": plan_commands(batch.names, lock=apply, parallel=parallel),
        "artifacts": artifacts,
    }


def _cloud_credentials(job: dict[str, Any], batch: Batch) -> dict[str, Any]:
    """``job`` with what its clusters' cloud needs to authenticate.

    A cloud with an ID-token federation (:class:`~fleetform.fleet.clouds.base.CiAccess`:
    AWS, Azure, Google) gets its token in these jobs only (``id_tokens``): no stored
    key, credentials that last an hour. The job first checks the CI/CD variables and
    tools it needs, naming what is missing. Other clouds' jobs read their token from
    a CI/CD variable scoped to ``fleet/*``.
    """
    ci = CLOUDS[batch.cloud].ci
    if ci is None:
        return job
    checks = [f'test -n "${name}" || {{ echo "fleetform: set the CI/CD variable {name} '
              f'(environment {batch.environment}): {what}" >&2; exit 1; }}'
              for name, what in ci.required]
    checks += [f'command -v {tool} >/dev/null || {{ echo "fleetform: the job image needs '
               f'{what}" >&2; exit 1; }}' for tool, what in ci.tools]
    out = {**job,
           "id_tokens": {ci.id_token: {"aud": ci.audience}},
           "variables": {**job["variables"], **ci.variables},
           "script": [*checks, *ci.setup, *job["script"]]}
    if ci.cleanup:
        out["after_script"] = list(ci.cleanup)
    return out


def _apply_job(batch: Batch, previous: list[Batch], *, parallel: int) -> dict[str, Any]:
    needs: list[Any] = [{"job": batch.plan_job, "artifacts": True}]
    needs += [{"job": before.apply_job, "artifacts": False} for before in previous]
    job: dict[str, Any] = {
        "stage": "apply",
        "needs": needs,
    }
    if not previous:
        # The one action that applies the change: every later apply job waits for it
        # (a blocking manual job), and for the wave before its own.
        job.update({"when": "manual", "allow_failure": False})
    job["interruptible"] = False
    if batch.single:
        # GitLab records the deployment of fleet/<name> that the next default-branch
        # pipeline compares this cluster with (changes.since_applied); one apply of a
        # cluster at a time.
        job["resource_group"] = f"fleetform-{batch.name}"
        job["environment"] = {"name": batch.environment, "action": "start"}
    else:
        # One job, many clusters: fleetform batch records each applied cluster's
        # deployment of fleet/<name> itself (GitLab's API); each keeps its state lock.
        job["environment"] = {"name": batch.environment, "action": "prepare"}
    job.update({
        "variables": _variables(),
        "cache": [_provider_cache(batch, push=False)],
        "script": apply_commands(batch.names, record=not batch.single, parallel=parallel),
        "artifacts": {"name": f"apply-{batch.name}", "when": "always",
                      "paths": [f"{stack_dir(n)}/result.json" for n in batch.names],
                      "access": "developer", "expire_in": ARTIFACTS_EXPIRE},
    })
    return job


def generate(changes: Changes, *, apply: bool, batch_size: int = DEFAULT_BATCH_SIZE,
             parallel: int = DEFAULT_PARALLEL, report: str | None = None) -> dict[str, Any]:
    """The child pipeline (a dict ready for YAML) for ``changes``: one synth job, a plan
    job per batch, (``report``) a report of every plan, and (``apply``) an apply job per
    batch, chained, the first manual."""
    jobs: dict[str, Any] = {}
    planned = batches(changes, batch_size)
    if planned:
        jobs[SYNTH_JOB] = _synth_job(changes.names)
    management = next((b for b in planned if b.management), None)
    pushes: set[str] = set()
    for batch in planned:
        push, _ = batch.cache_group not in pushes, pushes.add(batch.cache_group)
        jobs[batch.plan_job] = _cloud_credentials(
            _plan_job(batch, management, apply=apply, push_cache=push, parallel=parallel),
            batch)
    if planned and report == "plans":
        jobs["plans"] = plans_job(override_changed=OVERRIDE_FILE in changes.paths,
                                  expire=ARTIFACTS_EXPIRE)
    elif planned and report == "drift":
        jobs["drift"] = drift_job(expire=ARTIFACTS_EXPIRE)
    if apply:
        previous: list[Batch] = []
        for wave in waves(planned):
            for batch in wave:
                jobs[batch.apply_job] = _cloud_credentials(
                    _apply_job(batch, previous, parallel=parallel), batch)
            previous = wave
    for cluster in changes.removed:
        jobs[f"retire:{cluster.name}"] = retire_job(cluster)
    if not jobs:
        jobs["no-changes"] = {
            "stage": "synth",
            "needs": [],
            "interruptible": True,
            "script": ["echo 'fleetform: this change affects no cluster: nothing to plan'"],
        }
    return {"stages": list(STAGES), "variables": dict(VARIABLES), **jobs}


class _Dumper(yaml.SafeDumper):
    """Plain YAML for people to read: no anchors and aliases for repeated blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(changes: Changes, *, apply: bool, batch_size: int = DEFAULT_BATCH_SIZE,
           parallel: int = DEFAULT_PARALLEL, report: str | None = None) -> str:
    """The child pipeline as YAML, with a header saying what it was generated from."""
    head = changes.head or "the working tree"
    if changes.per_cluster:
        origin = f"each cluster since its last successful apply, to {head}"
    elif changes.base is None:
        origin = "every cluster (no base commit to compare with)"
    else:
        origin = f"{changes.base} ({changes.merge_base}...{head})"
    header = ["# Generated by `fleetform pipeline`: do not edit."]
    if changes.warning:
        header.append(f"# WARNING: {changes.warning}: planning every cluster")
    header += [
        f"# Changes: {origin}",
        f"# Clusters: {', '.join(changes.names) or 'none'}"
        + (f"; removed: {', '.join(c.name for c in changes.removed)}" if changes.removed else ""),
        f"# Apply jobs: {'yes (one manual action starts them)' if apply else 'no (plans only)'}",
        f"# Report: {f'job {report}, after the plans' if report else 'none'}",
    ]
    for batch in batches(changes, batch_size):
        if not batch.single:
            header.append(f"# {batch.plan_job}: {', '.join(batch.names)}")
    body = yaml.dump(generate(changes, apply=apply, batch_size=batch_size, parallel=parallel,
                              report=report),
                     Dumper=_Dumper, sort_keys=False,
                     default_flow_style=False, width=1000)
    return "\n".join(header) + "\n" + body


