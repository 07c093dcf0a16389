"""``fleetform drift``: which clusters' real state differs from the default branch.

What the ``drift`` job of a scheduled pipeline runs after planning every cluster
(``fleetform batch plan --no-lock``): per cluster, the managed resources whose
plan is not a no-op (what Terraform would change to make the cluster what the
default branch describes) and what changed outside Terraform since the last
apply (the plan's ``resource_drift``), read from the redacted summaries
(:mod:`fleetform.integrations.terraform_plan`). Reads of data sources are never drift: a
new Kubernetes patch DigitalOcean offers, a size it withdraws, are data that
changed, not clusters. A cluster whose plan failed, or was not run, is listed
as such: it is not known to be clean.

Written as Markdown and JSON (``--markdown``, ``--json``); with ``--issue``, one
GitLab issue (label :data:`LABEL`) is kept up to date: opened when drift
appears, its description replaced on every run while it lasts, closed with a
last update when the fleet is clean again. It needs :data:`TOKEN_ENV` (or the
merge request note's token): a project access token, Reporter or above, scope
``api``.

Exit status: 0 when every cluster is clean, 2 when one drifted or could not be
checked (the job shows as passed with warnings, ``allow_failure: exit_codes``).

Only the standard library is used: the job runs with the job image's Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..integrations import merge_request_note
from ..integrations.gitlab import GitLabError, Project
from .plans import ClusterPlan, resource_lines

#: The label of the drift issue, by which it is found again.
LABEL = "fleetform-drift"
TOKEN_ENV = "FLEETFORM_DRIFT_ISSUE_TOKEN"
MARKER = "<!-- fleetform-drift -->"
#: Exit status when a cluster drifted or could not be checked.
DRIFTED = 2


@dataclass
class DriftReport:
    plans: list[ClusterPlan]
    commit: str = ""

    @property
    def drifted(self) -> list[ClusterPlan]:
        """Clusters whose plan changes a managed resource (what changed outside
        Terraform in attributes the default branch does not set is no drift)."""
        return [p for p in self.plans if p.status == "changes" and p.resources]

    @property
    def unknown(self) -> list[ClusterPlan]:
        return [p for p in self.plans if p.status in ("failed", "not-planned")]

    @property
    def clean(self) -> list[ClusterPlan]:
        return [p for p in self.plans if p.status in ("changes", "no-changes")
                and not (p.status == "changes" and p.resources)]

    @property
    def ok(self) -> bool:
        return not self.drifted and not self.unknown

    def summary(self) -> str:
        return (f"{len(self.plans)} cluster(s): {len(self.drifted)} drifted, "
                f"{len(self.unknown)} could not be checked, {len(self.clean)} clean")

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "summary": self.summary(),
                "drifted": [_entry(p) for p in self.drifted],
                "failed": [{"cluster": p.cluster, "status": p.status, "error": p.error}
                           for p in self.unknown],
                "clean": [p.cluster for p in self.clean]}


def _entry(plan: ClusterPlan) -> dict[str, Any]:
    return {"cluster": plan.cluster, "differs": plan.resources,
            "changed_outside_terraform": plan.drift}


def format_text(report: DriftReport) -> str:
    lines = [f"fleetform drift: {report.summary()}"]
    for plan in report.drifted:
        lines.append(f"  {plan.cluster}: {len(plan.resources)} resource(s) differ from the "
                     f"default branch, {len(plan.drift)} changed outside Terraform")
        lines += [f"    {x}" for x in resource_lines(plan.resources)]
        if plan.drift:
            lines.append("    changed outside Terraform since the last apply:")
            lines += [f"      {x}" for x in resource_lines(plan.drift)]
    lines += [f"  {p.cluster}: NOT CHECKED: {p.headline()}" for p in report.unknown]
    if report.clean:
        lines.append(f"  clean: {', '.join(p.cluster for p in report.clean)}")
    return "\n".join(lines)


def format_markdown(report: DriftReport) -> str:
    where = f" at `{report.commit[:12]}`" if report.commit else ""
    lines = [MARKER, "### fleetform drift", "",
             f"The clusters' real state compared with the default branch{where}: "
             f"{report.summary()}.", ""]
    for plan in report.drifted:
        lines += [f"<details><summary><b>{plan.cluster}</b>: {len(plan.resources)} "
                  f"resource(s) differ, {len(plan.drift)} changed outside Terraform"
                  "</summary>", "", "```"]
        lines += [x.replace("```", "`\u200b``") for x in resource_lines(plan.resources)]
        if plan.drift:
            lines += ["", "changed outside Terraform since the last apply:"]
            lines += [x.replace("```", "`\u200b``") for x in resource_lines(plan.drift)]
        lines += ["```", "", "</details>", ""]
    if report.unknown:
        lines += ["**Not checked** (their plan failed or did not run):", ""]
        lines += [f"- **{p.cluster}**: {p.headline()}" for p in report.unknown]
        lines.append("")
    if report.clean:
        lines += [f"Clean: {', '.join(p.cluster for p in report.clean)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _title(report: DriftReport) -> str:
    parts = []
    if report.drifted:
        parts.append(f"drift on {len(report.drifted)} cluster(s)")
    if report.unknown:
        parts.append(f"{len(report.unknown)} cluster(s) not checked")
    return "fleetform: " + (", ".join(parts) if parts else "the fleet is clean")


def keep_issue(report: DriftReport, markdown: str, env: Mapping[str, str]) -> str:
    """Open, update or close the drift issue; returns what was done. GitLabError when
    it cannot."""
    token = env.get(TOKEN_ENV) or env.get(merge_request_note.TOKEN_ENV)
    if not token:
        raise GitLabError(f"cannot keep the drift issue: {TOKEN_ENV} not set")
    gitlab = Project.from_env(env, token=token)
    found, _ = gitlab.get_list("/issues", {"labels": LABEL, "state": "opened", "per_page": 100,
                                           "order_by": "created_at", "sort": "asc"}, "issues")
    existing = next((i for i in found if isinstance(i, dict) and "iid" in i), None)
    if existing is None and report.ok:
        return "no drift issue to open or close"
    body = {"title": _title(report), "description": markdown}
    if existing is None:
        created, _ = gitlab.call("POST", "/issues", json_body={**body, "labels": LABEL})
        return f"opened issue #{created.get('iid') if isinstance(created, dict) else '?'}"
    issue = f"/issues/{existing['iid']}"
    if report.ok:
        gitlab.call("PUT", issue, json_body={**body, "state_event": "close"})
        return f"closed issue #{existing['iid']}"
    gitlab.call("PUT", issue, json_body=body)
    return f"updated issue #{existing['iid']}"


def ci_job(*, expire: str) -> dict[str, Any]:
    """The child pipeline's ``drift`` job (stage ``report``) of a schedule: after every
    plan job (no ``needs``, see :func:`fleetform.commands.plans.ci_job`), passed with
    warnings when a cluster drifted or could not be checked. Like an apply job, it
    receives the saved plans; it holds no deploy secret and reads only their summaries."""
    return {"stage": "report", "when": "always", "interruptible": False,
            "allow_failure": {"exit_codes": [DRIFTED]},
            "script": ["python3 -m fleetform.commands.cli drift --issue "
                       "--markdown fleet-drift.md --json fleet-drift.json"],
            "artifacts": {"when": "always", "expose_as": "fleet drift",
                          "paths": ["fleet-drift.md", "fleet-drift.json"],
                          "expire_in": expire}}


