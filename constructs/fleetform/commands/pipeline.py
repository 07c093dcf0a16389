"""The GitLab child pipeline of a change: ``fleetform pipeline --base REF | --ci``.

For every cluster the change affects (see :mod:`fleetform.commands.gitdiff`):

* ``synth:<name>``: ``./fleet synth <name>`` with GitLab-managed state
  (``FLEETFORM_STATE=gitlab``); artifact ``cdktf.out/stacks/<name>/``.
* ``plan:<name>``: ``terraform init`` / ``plan -out=plan.cache`` / ``show -no-color
  plan.cache > plan.txt`` in that directory. Without apply jobs (merge requests)
  the plan reads the state without locking it (``-lock=false``): GitLab lets only
  Maintainers lock a managed state, and a plan that no job applies needs no
  lock; its artifact is ``plan.txt`` only (members with the Developer role), and
  the job is ``interruptible`` (a newer push cancels it). A plan that feeds an
  apply takes the lock, waiting up to :data:`LOCK_TIMEOUT` for an apply or
  another plan to finish, and is never interrupted (a killed plan would leave
  the lock behind); its saved plan holds sensitive values in clear (the Argo CD
  token), so no one may download its artifact (``access: none``: only the
  pipeline's apply job receives it) and it is kept :data:`PLAN_EXPIRE`; the
  readable plan is in the job's log.
* ``apply:<name>`` (only when applying: the default branch): a manual job that
  applies the saved plan, one at a time per cluster (``resource_group``), with
  the same lock timeout; it deploys to the environment ``fleet/<name>``, which
  records the applied commit (what the next default-branch pipeline compares
  with). Never interruptible.

Secrets: synth jobs run the repository's code and unset the deploy secrets
(``DIGITALOCEAN_TOKEN``, ``TF_HTTP_PASSWORD``, every ``TF_VAR_*``) before
anything runs. Plan and apply jobs run Terraform on the synthesized JSON; they
name the environment ``fleet/<name>`` (plans with ``action: prepare``), so
CI/CD variables scoped to ``fleet/*`` reach them and no other job.

Merge requests get plans only. When the management cluster is affected, each
worker's plan waits for the management plan and each worker's apply for the
management apply (``needs:``): Argo CD comes first. A removed cluster gets a
manual ``retire:<name>`` job that only prints the retirement steps: nothing
here destroys a cluster. A change that affects nothing gives a valid pipeline
with a single ``no-changes`` job.

Credentials never appear in the file: the state backend reads
``TF_HTTP_USERNAME=gitlab-ci-token`` and ``TF_HTTP_PASSWORD=$CI_JOB_TOKEN`` (GitLab
expands the job token at run time), and ``DIGITALOCEAN_TOKEN`` /
``TF_VAR_argocd_auth_token`` come from CI/CD variables. No job prints its
environment or traces its commands.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..fleet.clouds import CLOUDS
from ..fleet.files import write_atomically
from .gitdiff import add_base_arguments, changes_from_args, ci_applies, warn
from ..constructs.applicationsets import ARGOCD_NAMESPACE
from .gitdiff_results import CLUSTER_FILE, CLUSTERS_DIR, AffectedCluster, Changes, RemovedCluster
from .gitlab import ENVIRONMENT_PREFIX

STAGES = ["synth", "plan", "apply", "retire"]
STACKS_DIR = "cdktf.out/stacks"
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
#: How long a plan or an apply waits for the state lock (another apply, a plan).
LOCK_TIMEOUT = "20m"
#: The deploy secrets: every cloud's provider credentials, the state's password, and
#: every ``TF_VAR_*``.
SECRET_VARIABLES = (*dict.fromkeys(v for cloud in CLOUDS.values() for v in cloud.credentials),
                    "TF_HTTP_PASSWORD")
#: Unsets the deploy secrets before a job runs repository code (POSIX sh).
UNSET_SECRETS = (f"unset {' '.join(SECRET_VARIABLES)} "
                 "$(awk 'BEGIN { for (k in ENVIRON) if (k ~ /^TF_VAR_/) print k }')")
#: The GitLab environment of cluster ``<name>``: ``fleet/<name>``.
ENVIRONMENT = ENVIRONMENT_PREFIX + "{name}"


def job_names(name: str) -> dict[str, str]:
    """The jobs of cluster ``name``: synth, plan, apply."""
    return {step: f"{step}:{name}" for step in ("synth", "plan", "apply")}


def stack_dir(name: str) -> str:
    return f"{STACKS_DIR}/{name}"


def plan_commands(name: str, *, lock: bool = True) -> list[str]:
    """What a plan job runs (terraform reads TF_HTTP_* for the state backend).

    ``lock=False`` for a plan no job applies (merge requests): GitLab-managed
    state lets only Maintainers take its lock, so a Developer's merge request
    pipeline could not plan with it ("HTTP remote state endpoint invalid auth").
    """
    return [f"cd {stack_dir(name)}",
            "terraform init",
            f"terraform plan -lock-timeout={LOCK_TIMEOUT} -out=plan.cache" if lock
            else "terraform plan -lock=false -out=plan.cache",
            "terraform show -no-color plan.cache > plan.txt"]


def apply_commands(name: str) -> list[str]:
    """What an apply job runs: exactly the saved, reviewed plan."""
    return [f"cd {stack_dir(name)}",
            "terraform init",
            f"terraform apply -lock-timeout={LOCK_TIMEOUT} plan.cache"]


def deregister_command(cluster: RemovedCluster) -> str:
    """The ``argocd cluster rm`` that deregisters a removed worker, as printed.

    It reaches the management Argo CD as the worker's stack did (its
    ``argocd.server``, else the management ``argocd.hostname`` on port 443;
    gRPC-web and TLS checks as its ``argocd.grpc_web`` / ``argocd.insecure``).
    Without an address, Argo CD is reached through the management cluster's
    Kubernetes API (``--port-forward``), as the management stack does. The token
    stays in the environment, never in the command line.
    """
    command = ["ARGOCD_AUTH_TOKEN=\"$TF_VAR_argocd_auth_token\"", "argocd", "cluster", "rm",
               cluster.name]
    if cluster.argocd_server is None:
        command += ["--port-forward", "--port-forward-namespace", ARGOCD_NAMESPACE]
    else:
        command += ["--server", cluster.argocd_server]
        if cluster.argocd_grpc_web:
            command.append("--grpc-web")
    if cluster.argocd_insecure:
        command.append("--insecure")
    return " ".join(command)


def _deregister(cluster: RemovedCluster) -> list[str]:
    """Step 1's command, with where its Argo CD address comes from."""
    management = cluster.management or "the management cluster"
    file = (f"{CLUSTERS_DIR}/{cluster.management}/{CLUSTER_FILE}" if cluster.management
            else "the management cluster.yaml")
    if cluster.argocd_server is None:
        return [
            f"   No Argo CD address is configured (argocd.hostname in {file}, or the",
            "   worker's argocd.server), so the command reaches Argo CD through the",
            f"   Kubernetes API of {management}: make it kubectl's current context",
            f"   ({cluster.management_kubeconfig or 'kubectl config use-context <it>'}). "
            "Where Argo CD",
            "   has a public address, use --server <host>:443 --grpc-web instead of",
            "   the --port-forward options:",
            f"     {deregister_command(cluster)}",
        ]
    return [f"     {deregister_command(cluster)}"]


def retirement_steps(cluster: RemovedCluster) -> list[str]:
    """The manual steps that retire a removed cluster (printed, never run)."""
    name, commit = cluster.name, cluster.last_commit
    lines = [f"Cluster {name} ({cluster.role}) was removed from clusters/.",
             "fleetform never destroys a cluster by itself. To retire it:"]
    if cluster.role == "management":
        lines += [
            "0. It runs Argo CD for the whole fleet: retire or move every worker first.",
            "1. Its own Argo CD registration goes with Argo CD (the automation token may",
            "   not remove it; nothing else to deregister).",
        ]
    else:
        lines += [
            "1. Deregister it from Argo CD, so nothing deploys to it any more, with the",
            "   automation token (the management output automation_user_token, the",
            "   TF_VAR_argocd_auth_token of CI), which may remove worker registrations",
            "   (the argocd CLI reads it from ARGOCD_AUTH_TOKEN; it asks to confirm):",
            *_deregister(cluster),
        ]
    cloud = CLOUDS[cluster.cloud]
    lines += [
        f"2. Destroy it from the last commit that still has it ({commit[:12]}), with its",
        "   GitLab-managed state: set FLEETFORM_GITLAB_API_URL, FLEETFORM_GITLAB_PROJECT_ID,",
        "   TF_HTTP_USERNAME and TF_HTTP_PASSWORD (an access token),",
        f"   TF_VAR_argocd_auth_token and {cloud.title}'s: {cloud.destroy_credentials}",
        "   in your shell, then:",
        f"     git worktree add ../retire-{name} {commit} && cd ../retire-{name}",
    ]
    if cluster.protected:
        lines.append(f"     # prevent_destroy is on: set 'prevent_destroy: false' in "
                     f"clusters/{name}/cluster.yaml here first")
    lines += [
        f"     FLEETFORM_STATE=gitlab ./fleet synth {name}",
        f"     cd {stack_dir(name)} && terraform init && terraform destroy",
        *(f"   {line}" for line in cloud.destroy_notes),
        f"3. Delete its Terraform state '{name}' in GitLab (Operate > Terraform states).",
        f"4. Stop its environment {ENVIRONMENT.format(name=name)} (Operate > Environments): "
        "default-branch",
        "   pipelines list a cluster for retirement while its environment is available.",
    ]
    return lines


def _synth_job(cluster: AffectedCluster) -> dict[str, Any]:
    return {
        "stage": "synth",
        "needs": [],
        "interruptible": True,
        "cache": [dict(PIPENV_CACHE)],
        "script": [UNSET_SECRETS, f"./fleet synth {cluster.name}"],
        "artifacts": {"paths": [f"{stack_dir(cluster.name)}/"],
                      "expire_in": ARTIFACTS_EXPIRE},
    }


def _plan_job(cluster: AffectedCluster, management: str | None, *,
              apply: bool) -> dict[str, Any]:
    needs: list[Any] = [{"job": job_names(cluster.name)["synth"], "artifacts": True}]
    if management and cluster.name != management:
        needs.append({"job": job_names(management)["plan"], "artifacts": False})
    directory = stack_dir(cluster.name)
    if apply:
        # The saved plan holds sensitive values in clear: no one downloads it from
        # GitLab (the pipeline's apply job still receives it through needs), and
        # it is kept only as long as an apply may use it. The readable plan is
        # in the job's log.
        artifacts = {"name": f"plan-{cluster.name}", "paths": [f"{directory}/"],
                     "exclude": [f"{directory}/.terraform/**/*"],
                     "access": "none", "expire_in": PLAN_EXPIRE}
    else:
        # Nothing applies a merge request's plan: keep only the readable plan.
        artifacts = {"name": f"plan-{cluster.name}", "paths": [f"{directory}/plan.txt"],
                     "access": "developer", "expire_in": ARTIFACTS_EXPIRE}
    return {
        "stage": "plan",
        "needs": needs,
        # A plan holding the state lock must finish (or it leaves the lock behind).
        "interruptible": not apply,
        "environment": {"name": ENVIRONMENT.format(name=cluster.name), "action": "prepare"},
        "variables": dict(STATE_CREDENTIALS),
        # Only a plan that an apply job uses takes the state lock (see plan_commands).
        "script": plan_commands(cluster.name, lock=apply),
        "artifacts": artifacts,
    }


def _cloud_credentials(job: dict[str, Any], cluster: AffectedCluster) -> dict[str, Any]:
    """``job`` with what its cluster's cloud needs to authenticate.

    A cloud with an ID-token federation (:class:`~fleetform.fleet.clouds.base.CiAccess`:
    AWS, Azure, Google) gets its token in these jobs only (``id_tokens``): no stored
    key, credentials that last an hour. The job first checks the CI/CD variables and
    tools it needs, naming what is missing. Other clouds' jobs read their token from
    a CI/CD variable scoped to ``fleet/*``.
    """
    ci = CLOUDS[cluster.cloud].ci
    if ci is None:
        return job
    environment = ENVIRONMENT.format(name=cluster.name)
    checks = [f'test -n "${name}" || {{ echo "fleetform: set the CI/CD variable {name} '
              f'(environment {environment}): {what}" >&2; exit 1; }}'
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


def _apply_job(cluster: AffectedCluster, management: str | None) -> dict[str, Any]:
    needs: list[Any] = [{"job": job_names(cluster.name)["plan"], "artifacts": True}]
    if management and cluster.name != management:
        needs.append({"job": job_names(management)["apply"], "artifacts": False})
    return {
        "stage": "apply",
        "needs": needs,
        "when": "manual",
        "interruptible": False,
        "resource_group": f"fleetform-{cluster.name}",
        # The deployment GitLab records here is what the next default-branch
        # pipeline compares this cluster with (gitdiff.since_applied).
        "environment": {"name": ENVIRONMENT.format(name=cluster.name), "action": "start"},
        "variables": dict(STATE_CREDENTIALS),
        "script": apply_commands(cluster.name),
    }


def _retire_job(cluster: RemovedCluster) -> dict[str, Any]:
    return {
        "stage": "retire",
        "needs": [],
        "when": "manual",
        "interruptible": True,
        "script": ["printf '%s\\n' " + " ".join(shlex.quote(line)
                                               for line in retirement_steps(cluster))],
    }


def generate(changes: Changes, *, apply: bool) -> dict[str, Any]:
    """The child pipeline (a dict ready for YAML) for ``changes``."""
    jobs: dict[str, Any] = {}
    management = next((c.name for c in changes.affected if c.role == "management"), None)
    for cluster in changes.affected:
        names = job_names(cluster.name)
        jobs[names["synth"]] = _synth_job(cluster)
        jobs[names["plan"]] = _cloud_credentials(_plan_job(cluster, management, apply=apply),
                                                 cluster)
        if apply:
            jobs[names["apply"]] = _cloud_credentials(_apply_job(cluster, management), cluster)
    for cluster in changes.removed:
        jobs[f"retire:{cluster.name}"] = _retire_job(cluster)
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


def render(changes: Changes, *, apply: bool) -> str:
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
        f"# Apply jobs: {'yes (manual)' if apply else 'no (plans only)'}",
    ]
    body = yaml.dump(generate(changes, apply=apply), Dumper=_Dumper, sort_keys=False,
                     default_flow_style=False, width=1000)
    return "\n".join(header) + "\n" + body


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Generate the GitLab child pipeline of a change: synth and plan "
                          "for each affected cluster, manual apply on the default branch, "
                          "retirement steps for removed clusters.")
    add_base_arguments(parser)
    parser.add_argument("--apply", action=argparse.BooleanOptionalAction, default=None,
                        help="add manual apply jobs (default: with --ci, on the default "
                             "branch outside merge requests; otherwise no)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="write the pipeline to FILE (default: standard output)")
    parser.add_argument("--warning-exit-code", type=int, default=0, metavar="N",
                        help="exit with N (after writing the pipeline) when every cluster is "
                             "planned because a base could not be used; GitLab CI shows "
                             "the job as passed with warnings with allow_failure:exit_codes "
                             "(default: 0)")


def run(args: argparse.Namespace) -> int:
    changes = changes_from_args(args)
    warn(changes)
    apply = args.apply if args.apply is not None else (args.ci and ci_applies(os.environ))
    text = render(changes, apply=apply)
    if args.output is None:
        sys.stdout.write(text)
        print(changes.summary(), file=sys.stderr)
    else:
        write_atomically(args.output, text, field="--output")
        print(changes.summary())
        print(f"wrote {args.output} ({len(changes.affected)} cluster(s), "
              f"{'with' if apply else 'without'} apply jobs)")
    if changes.warning and not 0 <= args.warning_exit_code <= 255:
        raise ConfigError(f"must be 0 to 255, got {args.warning_exit_code}",
                          field="--warning-exit-code")
    return args.warning_exit_code if changes.warning else 0
