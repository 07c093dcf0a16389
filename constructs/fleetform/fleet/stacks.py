"""One TerraformStack per cluster: the DOKS cluster plus its role's constructs."""

from __future__ import annotations

from typing import Mapping

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from ..constructs.doks_cluster import DoksCluster, DoksClusterProps
from ..providers.digitalocean import DigitaloceanProvider
from .config import Cluster, Fleet
from .state import configure_backend


def doks_props(cluster: Cluster) -> DoksClusterProps:
    """DoksCluster props from a validated ``cluster.yaml``."""
    spec = cluster.spec
    return DoksClusterProps(
        name=cluster.name,
        region=spec.region,
        kubernetes_version=spec.kubernetes_version,
        node_pools=tuple(pool.to_props() for pool in spec.node_pools),
        tags=tuple(spec.tags),
        ha=spec.ha,
        auto_upgrade=spec.auto_upgrade,
        surge_upgrade=spec.surge_upgrade,
        maintenance_window=spec.maintenance_window.to_props()
        if spec.maintenance_window else None,
        vpc_uuid=spec.vpc_uuid,
        prevent_destroy=cluster.protected,
    )


class ClusterStack(TerraformStack):
    """The stack of one cluster directory, named after it.

    Attributes:
        cluster: the validated cluster configuration.
        doks: the cluster's :class:`DoksCluster`.
    """

    def __init__(self, scope: Construct, fleet: Fleet, cluster: Cluster, *,
                 env: Mapping[str, str], local_state_path: str | None = None) -> None:
        super().__init__(scope, cluster.name)
        self.cluster = cluster
        configure_backend(self, cluster.name, env, local_path=local_state_path)
        # The provider reads DIGITALOCEAN_TOKEN itself: no token in the JSON.
        DigitaloceanProvider(self, "digitalocean")
        self.doks = DoksCluster(self, "doks", props=doks_props(cluster))
        TerraformOutput(self, "endpoint", value=self.doks.endpoint,
                        description="Kubernetes API server URL")
        TerraformOutput(self, "kubeconfig", value=self.doks.kubeconfig, sensitive=True,
                        description="Admin kubeconfig (its token expires after 7 days)")
        if cluster.role == "management":
            from .management import build_management
            build_management(self, fleet, cluster, access=self.doks.access, env=env)
        else:
            from .worker import build_worker
            build_worker(self, fleet, cluster, access=self.doks.access, env=env)

    def prepare_stack(self) -> None:
        """Nothing to prepare: the stack has its backend and no cross-stack references.

        cdktf's ``prepareStack`` adds a local backend when a stack has none,
        then resolves every element once more only to find references to
        other stacks (to add outputs and remote-state data sources for them).
        A cluster stack always configures its backend and never refers to
        another stack, so that pass would change nothing; skipping it saves,
        per stack, the node work of a second resolve and one Python callback
        per hand-written element and aliased-provider reference (about 15).
        ``tests/test_stacks_prepare.py`` checks the output is unchanged.
        """
