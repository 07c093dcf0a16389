"""Label → repository routing: one Argo CD ApplicationSet per routing label.

Each ApplicationSet is a matrix of
  * a ``clusters`` generator selecting every cluster that carries the label
    with a value other than ``false`` or ``""`` (see :data:`fleetform.constructs.labels.OFF_VALUES`), and
  * a ``git`` directories generator over ``<path>/apps/*/*`` of the label's
    repository,
so every chart ``apps/<namespace>/<app>/`` goes to every cluster with the label,
into ``<namespace>``, with the value files ``values.yaml`` (the chart's own)
then ``values/<cluster>/<app>/values.yaml`` (missing ones ignored).

The functions here are pure: the management stack puts their output into the
argocd-apps chart, and ``fleetform preview``/``validate`` use the same rules
(:func:`value_files`, :func:`application_name`) to show what Argo CD will do.
"""

from __future__ import annotations

import posixpath
from typing import Any, Mapping

from .labels import OFF_VALUES, label_name
from .props import RepositoryLocation
from .rollout import application_labels, strategy as rollout_strategy

ARGOCD_NAMESPACE = "argocd"
#: Labels put on every generated Application, for filtering in the Argo CD UI.
LABEL_KEY = "fleetform.io/label"
CLUSTER_KEY = "fleetform.io/cluster"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"


def applicationset_name(label: str) -> str:
    """A DNS-1123 name for the ApplicationSet of ``label`` (keys may hold '/', '.', '_')."""
    return label_name("label", label)


def apps_dir(repository: RepositoryLocation) -> str:
    """The repository path that holds ``<namespace>/<app>/`` chart directories."""
    return posixpath.join(repository.path, "apps") if repository.path else "apps"


def application_name(cluster: str, app: str) -> str:
    """The Application Argo CD creates for ``app`` on ``cluster``."""
    return f"{cluster}-{app}"


def value_files(repository: RepositoryLocation, namespace: str, cluster: str, app: str) -> list[str]:
    """The value files of ``app`` on ``cluster``, repository-relative, in Helm's order.

    The chart's own ``values.yaml`` first, then the cluster's; Argo CD ignores
    the second when it does not exist.
    """
    return [posixpath.join(apps_dir(repository), namespace, app, "values.yaml"),
            posixpath.join(repository.path, "values", cluster, app, "values.yaml")]


def applicationset(label: str, repository: RepositoryLocation, *,
                   namespace: str = ARGOCD_NAMESPACE, project: str = "default") -> dict[str, Any]:
    """The ApplicationSet resource that deploys ``repository`` to clusters labelled ``label``."""
    depth = len([p for p in repository.path.split("/") if p])
    # .path.segments of <path>/apps/<namespace>/<app> : the namespace is at depth + 1.
    namespace_expr = f"{{{{ index .path.segments {depth + 1} }}}}"
    # Helm value files are relative to the chart directory, which sits three
    # levels (apps/<namespace>/<app>) below the repository path.
    cluster_values = "../../../values/{{ .name }}/{{ .path.basename }}/values.yaml"
    rollout = getattr(repository, "rollout", None)
    appset = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": applicationset_name(label), "namespace": namespace},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{
                "matrix": {
                    "generators": [
                        {"clusters": {"selector": {"matchExpressions": [
                            {"key": label, "operator": "Exists"},
                            {"key": label, "operator": "NotIn", "values": list(OFF_VALUES)}]}}},
                        {"git": {
                            "repoURL": repository.url,
                            "revision": repository.revision,
                            "directories": [{"path": posixpath.join(apps_dir(repository),
                                                                    "*", "*")}],
                        }},
                    ],
                },
            }],
            "template": {
                "metadata": {
                    "name": application_name("{{ .name }}", "{{ .path.basename }}"),
                    "labels": {LABEL_KEY: applicationset_name(label)[len("label-"):],
                               CLUSTER_KEY: "{{ .name }}"},
                },
                "spec": {
                    "project": project,
                    "source": {
                        "repoURL": repository.url,
                        "targetRevision": repository.revision,
                        "path": "{{ .path.path }}",
                        "helm": {
                            "releaseName": "{{ .path.basename }}",
                            "valueFiles": ["values.yaml", cluster_values],
                            "ignoreMissingValueFiles": True,
                        },
                    },
                    "destination": {"server": "{{ .server }}", "namespace": namespace_expr},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
                    },
                },
            },
        },
    }
    if rollout is not None:
        spec = appset["spec"]
        spec["strategy"] = rollout_strategy(rollout)
        spec["template"]["metadata"]["labels"].update(application_labels(rollout))
        # RollingSync syncs the Applications itself and turns their automated sync off
        # (warning about each that asks for it): none is asked for.
        del spec["template"]["spec"]["syncPolicy"]["automated"]
    return appset


def applicationsets(repositories: Mapping[str, RepositoryLocation], **kwargs: Any) -> list[dict]:
    """One ApplicationSet per label, sorted by label."""
    return [applicationset(label, repositories[label], **kwargs) for label in sorted(repositories)]
