"""The retirement of a removed cluster: the manual steps a ``retire:<name>`` job prints.

fleetform never destroys a cluster by itself. When a cluster's directory is gone
and its GitLab environment is still available, the child pipeline gets a manual
job that only prints these steps: deregister it from Argo CD (a worker), destroy
it from the last commit that still has it, delete its state, stop its environment.
"""

from __future__ import annotations

import shlex
from typing import Any

from ...constructs.applicationsets import ARGOCD_NAMESPACE
from ...fleet.clouds import CLOUDS
from ...integrations.gitlab import ENVIRONMENT_PREFIX
from ..batch import STACKS_DIR
from ..changes import CLUSTER_FILE, CLUSTERS_DIR, RemovedCluster


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
        f"     cd {STACKS_DIR}/{name} && terraform init && terraform destroy",
        *(f"   {line}" for line in cloud.destroy_notes),
        f"3. Delete its Terraform state '{name}' in GitLab (Operate > Terraform states).",
        f"4. Stop its environment {ENVIRONMENT_PREFIX}{name} (Operate > Environments): "
        "default-branch",
        "   pipelines list a cluster for retirement while its environment is available.",
    ]
    return lines



def retire_job(cluster: RemovedCluster) -> dict[str, Any]:
    return {
        "stage": "retire",
        "needs": [],
        "when": "manual",
        "interruptible": True,
        "script": ["printf '%s\\n' " + " ".join(shlex.quote(line)
                                               for line in retirement_steps(cluster))],
    }
