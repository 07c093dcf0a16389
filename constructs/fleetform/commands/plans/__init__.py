"""``fleetform plans``: every cluster's plan in one report, and the plan gates.

What the child pipeline's ``plans`` job runs once every plan job is done, on the
stacks those jobs planned (``fleetform batch plan`` leaves ``result.json`` and
``plan-summary.json`` in each; see :mod:`fleetform.integrations.terraform_plan`). The
report has, at the top, one line per cluster with changes (resources to add,
change, replace, destroy), the clusters without changes on one line, and each
failed plan with its first error line; then, per cluster, the resources and the
attributes that change (secrets shown as ``(sensitive)``), collapsed in Markdown.
With ``--note`` it becomes the plans part of the merge request's note
(:mod:`fleetform.integrations.merge_request_note`).

Plan gates (``--gate``), each a name the override lists
(:mod:`fleetform.commands.override`: the merge request description, or a changed
``.fleetform-allow``):

``plan-destroys-cluster``
    a plan destroys or replaces a Kubernetes cluster (any cloud's);
``plan-destroys-node-pool``
    it destroys or replaces a node pool (a DOKS pool, an EKS node group, an AKS
    or GKE node pool);
``plan-destroys-argocd``
    it destroys or replaces the management cluster's Argo CD release;
``plan-destroys-registration``
    it destroys or replaces a worker's registration in Argo CD.

A failed plan fails the job too: what it would have done is unknown.

Only the standard library is used: the job runs with the job image's Python.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ...integrations import merge_request_note
from ...integrations.terraform_plan import SUMMARY_FILE
from ..override import Override, Violation, read_override

STACKS_DIR = "cdktf.out/stacks"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def is_cluster_name(name: str) -> bool:
    """Whether ``name`` can be a cluster's (and its stack's) name."""
    return bool(_NAME.match(name))
#: Set by the child pipeline when the change adds or edits ``.fleetform-allow``.
OVERRIDE_FILE_ENV = "FLEETFORM_OVERRIDE_FILE_CHANGED"
#: The resource types each plan gate protects.
CLUSTER_TYPES = frozenset({"digitalocean_kubernetes_cluster", "aws_eks_cluster",
                           "azurerm_kubernetes_cluster", "google_container_cluster"})
NODE_POOL_TYPES = frozenset({"digitalocean_kubernetes_node_pool", "aws_eks_node_group",
                             "azurerm_kubernetes_cluster_node_pool",
                             "google_container_node_pool"})
REGISTRATION_TYPES = frozenset({"argocd_cluster"})
ARGOCD_CHART = "argo-cd"
#: Markdown: clusters with their own section at most, and characters in all.
MD_CLUSTERS = 60
MD_MAX_CHARS = 300_000
SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "forget": "."}


@dataclass
class ClusterPlan:
    """One cluster's plan, as its plan job left it."""

    cluster: str
    #: ``changes``, ``no-changes``, ``failed`` or ``not-planned``
    status: str
    counts: dict[str, int] = field(default_factory=dict)
    resources: list[dict[str, Any]] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    def headline(self) -> str:
        if self.status == "failed":
            return f"plan FAILED: {self.error}"
        if self.status == "not-planned":
            return f"not planned ({self.error})" if self.error else "not planned"
        if self.status == "no-changes":
            return "no changes"
        words = [f"{self.counts.get(k, 0)} to {k}" for k in ("add", "change", "replace",
                                                              "destroy")]
        if self.counts.get("forget"):
            words.append(f"{self.counts['forget']} to forget")
        if not self.resources:
            return "changes to outputs only"
        return ", ".join(words)

    def to_dict(self) -> dict[str, Any]:
        return {"cluster": self.cluster, "status": self.status, "counts": self.counts,
                "resources": self.resources, "drift": self.drift, "outputs": self.outputs,
                **({"error": self.error} if self.error else {})}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def load(stacks_dir: Path, names: list[str] | None = None) -> list[ClusterPlan]:
    """The plan of each stack under ``stacks_dir`` (or of ``names``): a stack that was
    synthesized but has no plan result is ``not-planned``, never clean."""
    if names is None:
        names = sorted(p.name for p in stacks_dir.iterdir() if p.is_dir()
                       and any((p / f).is_file() for f in ("cdk.tf.json", "result.json"))) \
            if stacks_dir.is_dir() else []
    out = []
    for name in names:
        stack = stacks_dir / name
        result = _read_json(stack / "result.json")
        if not isinstance(result, dict) or result.get("command") != "plan":
            out.append(ClusterPlan(name, "not-planned", error="its plan job did not run"
                                   if not (stack / "result.json").exists()
                                   else "its result.json is not a plan's"))
            continue
        status = result.get("status")
        if status == "failed":
            out.append(ClusterPlan(name, "failed", error=f"at {result.get('failed_step')}: "
                                                         f"{result.get('error')}"))
            continue
        if status not in ("changes", "no-changes"):
            out.append(ClusterPlan(name, "not-planned", error="stopped before its plan"))
            continue
        summary = _read_json(stack / SUMMARY_FILE)
        if not isinstance(summary, dict) or not isinstance(summary.get("resources"), list):
            out.append(ClusterPlan(name, "failed",
                                   error=f"{SUMMARY_FILE} is missing or unreadable"))
            continue
        out.append(ClusterPlan(name, status, dict(summary.get("counts") or {}),
                               list(summary["resources"]), list(summary.get("drift") or []),
                               list(summary.get("outputs") or [])))
    return out


def _gate_of(resource: dict[str, Any]) -> str | None:
    if resource.get("action") not in ("delete", "replace"):
        return None
    kind = resource.get("type")
    if kind in CLUSTER_TYPES:
        return "plan-destroys-cluster"
    if kind in NODE_POOL_TYPES:
        return "plan-destroys-node-pool"
    if kind in REGISTRATION_TYPES:
        return "plan-destroys-registration"
    if kind == "helm_release" and resource.get("chart") == ARGOCD_CHART:
        return "plan-destroys-argocd"
    return None


def check(plans: list[ClusterPlan], override: Override) -> list[Violation]:
    """Every plan gate the plans trip, each marked allowed when the override says so."""
    out = []
    for plan in plans:
        for resource in plan.resources:
            gate = _gate_of(resource)
            if gate is not None:
                verb = "replaces" if resource["action"] == "replace" else "destroys"
                out.append(Violation(gate, f"the plan of {plan.cluster} {verb} "
                                           f"{resource['address']}", override.allows(gate)))
    return out


@dataclass
class PlanReport:
    plans: list[ClusterPlan]
    violations: list[Violation]
    override: Override | None
    commit: str = ""
    gated: bool = False

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if not v.allowed]

    @property
    def failed(self) -> list[ClusterPlan]:
        return [p for p in self.plans if p.status in ("failed", "not-planned")]

    def summary(self) -> str:
        changed = sum(p.status == "changes" for p in self.plans)
        clean = sum(p.status == "no-changes" for p in self.plans)
        return (f"{len(self.plans)} cluster(s): {changed} with changes, {clean} without, "
                f"{len(self.failed)} failed or not planned")

    def lines(self) -> list[str]:
        """One line per cluster with changes or a failure; the clean ones on one."""
        out = [f"{p.cluster}: {p.headline()}" for p in self.plans if p.status != "no-changes"]
        clean = [p.cluster for p in self.plans if p.status == "no-changes"]
        if clean:
            out.append(f"no changes: {', '.join(clean)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "summary": self.summary(),
                "clusters": [p.to_dict() for p in self.plans],
                "gates": {"enforced": self.gated,
                          "violations": [v.to_dict() for v in self.violations],
                          "blocking": len(self.blocking) + (len(self.failed) if self.gated
                                                            else 0),
                          "override": list(self.override.sources) if self.override else []}}


def build(stacks_dir: Path, env: Mapping[str, str], *, project: Path, gated: bool,
          names: list[str] | None = None) -> PlanReport:
    plans = load(stacks_dir, names)
    changed = [".fleetform-allow"] if env.get(OVERRIDE_FILE_ENV) == "true" else []
    override = read_override(env, project, changed)
    return PlanReport(plans, check(plans, override), override,
                      env.get("CI_COMMIT_SHA", ""), gated)


def format_text(report: PlanReport) -> str:
    lines = [f"fleetform plans: {report.summary()}", *(f"  {x}" for x in report.lines())]
    lines += [f"  {v}" for v in report.violations]
    for plan in report.plans:
        if plan.resources or plan.drift:
            lines.append(f"{plan.cluster}:")
            lines += [f"  {x}" for x in resource_lines(plan.resources)]
            if plan.drift:
                lines.append("  changed outside Terraform since the last apply:")
                lines += [f"    {x}" for x in resource_lines(plan.drift)]
    return "\n".join(lines)


def resource_lines(resources: list[dict[str, Any]]) -> list[str]:
    """A resource a line (``~ address``), its changed attributes under it."""
    out = []
    for resource in resources:
        out.append(f"{SYMBOL.get(resource['action'], '?')} {resource['address']}"
                   + (f" ({resource['reason']})" if resource.get("reason") else ""))
        for attribute in resource.get("attributes") or []:
            forced = " (forces replacement)" if attribute.get("forces_replacement") else ""
            out.append(f"    {attribute['path']}: {json.dumps(attribute['before'])} -> "
                       f"{json.dumps(attribute['after'])}{forced}")
        if resource.get("more_attributes"):
            out.append(f"    ... {resource['more_attributes']} more attribute(s)")
    return out


def format_markdown(report: PlanReport) -> str:
    lines = [merge_request_note.plans_heading(report.commit), "### fleetform plans", ""]
    where = f" of `{report.commit[:12]}`" if report.commit else ""
    lines += [f"Plans{where} against the clusters' real state: {report.summary()}.", ""]
    for plan in report.plans:
        if plan.status != "no-changes":
            mark = "❌ " if plan.status in ("failed", "not-planned") else ""
            lines.append(f"- **{plan.cluster}**: {mark}{plan.headline()}")
    clean = [p.cluster for p in report.plans if p.status == "no-changes"]
    if clean:
        lines.append(f"- No changes: {', '.join(clean)}")
    lines.append("")
    if report.violations or report.gated:
        verdict = ("**failed**" if report.blocking or report.failed else "passed") \
            if report.gated else "not enforced"
        lines.append(f"**Plan gates {verdict}** ({len(report.blocking)} violation(s))")
        lines += [f"- {v}" for v in report.violations]
        lines.append("")
    size = sum(len(x) + 1 for x in lines)
    shown = [p for p in report.plans if p.resources or p.drift or p.outputs]
    for index, plan in enumerate(shown):
        body = resource_lines(plan.resources)
        body += [f"output {o['name']}: {o['action']}" + (" (sensitive)" if o.get("sensitive")
                                                        else "") for o in plan.outputs]
        if plan.drift:
            body += ["", "changed outside Terraform since the last apply:",
                     *resource_lines(plan.drift)]
        section = [f"<details><summary><b>{plan.cluster}</b>: {plan.headline()}</summary>",
                   "", "```", *(x.replace("```", "`\u200b``") for x in body), "```", "",
                   "</details>", ""]
        size += sum(len(x) + 1 for x in section)
        if index == MD_CLUSTERS or size > MD_MAX_CHARS:
            lines.append(f"*{len(shown) - index} more cluster(s) not shown: see the JSON "
                         "artifact.*")
            break
        lines += section
    return "\n".join(lines).rstrip() + "\n"


def ci_job(*, override_changed: bool, expire: str) -> dict[str, Any]:
    """The child pipeline's ``plans`` job (stage ``report``) of a merge request.

    It has no ``needs``: it gets the artifacts of every job of the stages before,
    however many (``needs`` stops at 50), and runs once they are done, also when a
    plan failed. It runs with the job image's Python and holds no deploy secret."""
    job: dict[str, Any] = {"stage": "report", "when": "always", "interruptible": True}
    if override_changed:
        job["variables"] = {OVERRIDE_FILE_ENV: "true"}
    job["script"] = ["python3 -m fleetform.commands.cli plans --gate --note "
                     "--markdown fleet-plans.md --json fleet-plans.json"]
    job["artifacts"] = {"when": "always", "expose_as": "fleet plans",
                        "paths": ["fleet-plans.md", "fleet-plans.json"], "expire_in": expire}
    return job


