"""One TerraformStack per cluster: the cluster in its cloud, plus its role's constructs."""

from __future__ import annotations

from typing import Mapping

from constructs import Construct

from .. import cdk
from ..cdk import TerraformStack
from .config import Cluster, Fleet
from .state import configure_backend


class ClusterStack(TerraformStack):
    """The stack of one cluster directory, named after it.

    The cluster's cloud (``cluster.cloud``, from the registry in ``fleet/clouds``)
    adds its provider, the cluster and its outputs; the role adds Argo CD or the
    registration in it, through the cluster's admin access.

    Attributes:
        cluster: the validated cluster configuration.
        kubernetes: the cluster's construct (a :class:`DoksCluster`, an
            :class:`EksCluster`).
    """

    def __init__(self, scope: Construct, fleet: Fleet, cluster: Cluster, *,
                 env: Mapping[str, str], local_state_path: str | None = None) -> None:
        super().__init__(scope, cluster.name)
        self.cluster = cluster
        configure_backend(self, cluster.name, env, local_path=local_state_path)
        self.kubernetes = cluster.cloud.build(self, cluster)
        if cluster.role == "management":
            from .management import build_management
            build_management(self, fleet, cluster, access=self.kubernetes.access, env=env)
        else:
            from .worker import build_worker
            build_worker(self, fleet, cluster, access=self.kubernetes.access, env=env)

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

        That is known of the CDK versions it was checked against
        (:data:`fleetform.cdk.VERIFIED`: CDKTF 0.21.0, CDK Terrain 0.24.0); on any
        other, the CDK's own pass runs.
        """
        if not cdk.verified():
            super().prepare_stack()
