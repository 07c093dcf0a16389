"""What fleetform knows of one cloud: :class:`Cloud`, an entry of the registry
(``fleet/clouds/__init__.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

from ..cluster_yaml import ClusterBase

if TYPE_CHECKING:  # the stacks' types: importing them loads cdktf
    from ...cdk import TerraformStack

    from ...constructs.cluster_access import ClusterAccess


@dataclass(frozen=True)
class CiAccess:
    """How a cloud's plan and apply jobs authenticate in GitLab CI: with a GitLab ID token
    that the cloud exchanges for short-lived credentials (no stored key).

    Attributes:
        id_token: the variable GitLab puts the ID token in (``id_tokens``).
        audience: the token's ``aud``, as the cloud's trust expects it.
        variables: job variables for the cloud's SDKs (CI/CD variables referred to as
            ``$NAME``).
        required: CI/CD variables the user sets (scoped to the cluster's environment),
            each with what it is; a job without one stops, naming it.
        setup: shell lines run before Terraform (writing the token where the SDKs read it).
        cleanup: shell lines run after the job, whatever happened (``after_script``).
        tools: commands the job image must have, each with why.
    """

    id_token: str
    audience: str
    variables: Mapping[str, str]
    required: Sequence[tuple[str, str]] = ()
    setup: Sequence[str] = ()
    cleanup: Sequence[str] = ()
    tools: Sequence[tuple[str, str]] = ()


class KubernetesCluster(Protocol):
    """What a cloud's cluster construct gives the rest of its stack."""

    #: Admin access for the providers of the role's constructs.
    access: "ClusterAccess"


@dataclass(frozen=True)
class Cloud:
    """One cloud a cluster can be in: ``cloud: <name>`` in its ``cluster.yaml``.

    Attributes:
        name: the value of ``cloud:``.
        title: the cloud's name for people (``AWS``).
        model: the cluster.yaml model of this cloud's clusters, whatever their role: it
            fixes ``cloud``, narrows ``region``, ``kubernetes_version`` and the pools'
            ``size`` to the cloud's formats, and adds the cloud's own keys.
        credentials: environment variables its provider and tools read credentials from;
            jobs that run repository code unset them.
        build: adds the cloud's provider, the cluster and its outputs to a cluster's
            stack, and returns the cluster's construct, whose ``access`` is its admin
            access (loads cdktf: called by ``ClusterStack`` only).
        kubeconfig_command: the shell command that makes a cluster kubectl's current
            context, ``{name}`` and ``{region}`` filled in.
        ci: how its clusters' plan and apply jobs authenticate in GitLab CI (None: with
            CI/CD variables scoped to ``fleet/*``).
        max_name_length: the longest cluster name the cloud takes (GKE: 40).
        destroy_credentials: what to set in a shell to destroy a cluster by hand.
        destroy_notes: what else the retirement steps say for this cloud (what
            outlives ``terraform destroy``), one line each.
        worker_example: the commented worker ``cluster.yaml`` new clusters start from.
    """

    name: str
    title: str
    model: type[ClusterBase]
    credentials: Sequence[str]
    build: Callable[["TerraformStack", Any], "KubernetesCluster"]
    kubeconfig_command: str
    destroy_credentials: str
    destroy_notes: Sequence[str] = ()
    ci: CiAccess | None = None
    max_name_length: int = 63
    #: A worker's ``cluster.yaml`` in this cloud, commented, that ``fleetform new cluster
    #: --cloud`` starts from (valid with a management ``argocd.hostname``).
    worker_example: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        """The top-level ``cluster.yaml`` keys only this cloud's clusters have."""
        return tuple(k for k in self.model.model_fields if k not in ClusterBase.model_fields)
