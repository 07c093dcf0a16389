"""DigitalOcean Kubernetes (DOKS): ``cloud: digitalocean``, the default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ...constructs import formats
from ..cluster_yaml import ClusterBase, MaintenanceWindow, NodePool
from .base import Cloud

if TYPE_CHECKING:
    from ...cdk import TerraformStack

    from ...constructs.doks_cluster import DoksCluster, DoksClusterProps


class DoksNodePool(NodePool):
    """A DOKS node pool: ``size`` is a droplet size slug."""

    size: Annotated[str, StringConstraints(pattern=formats.DROPLET_SIZE, max_length=64)]


class DigitalOceanCluster(ClusterBase):
    """A DOKS cluster. Its own keys (``ha``, ``auto_upgrade``, ``surge_upgrade``,
    ``maintenance_window``, ``vpc_uuid``) sit at the top level of ``cluster.yaml``,
    where they were before clusters had a cloud."""

    cloud: Literal["digitalocean"] = "digitalocean"
    region: Annotated[str, StringConstraints(pattern=formats.REGION)]
    kubernetes_version: Annotated[str, StringConstraints(pattern=formats.DOKS_VERSION)]
    node_pools: list[DoksNodePool] = Field(min_length=1)
    ha: bool = False
    auto_upgrade: bool = True
    surge_upgrade: bool = True
    maintenance_window: MaintenanceWindow | None = None
    vpc_uuid: Annotated[str, StringConstraints(pattern=formats.UUID)] | None = None


def doks_props(cluster: Any) -> "DoksClusterProps":
    """DoksCluster props from a validated ``cluster.yaml``."""
    from ...constructs.doks_cluster import DoksClusterProps
    spec = cluster.spec
    assert isinstance(spec, DigitalOceanCluster)
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


def build(stack: "TerraformStack", cluster: Any) -> "DoksCluster":
    """The digitalocean provider, the DOKS cluster and its outputs."""
    from ...cdk import TerraformOutput

    from ...constructs.doks_cluster import DoksCluster
    from ...providers.digitalocean import DigitaloceanProvider
    # The provider reads DIGITALOCEAN_TOKEN itself: no token in the JSON.
    DigitaloceanProvider(stack, "digitalocean")
    doks = DoksCluster(stack, "doks", props=doks_props(cluster))
    TerraformOutput(stack, "endpoint", value=doks.endpoint,
                    description="Kubernetes API server URL")
    TerraformOutput(stack, "kubeconfig", value=doks.kubeconfig, sensitive=True,
                    description="Admin kubeconfig (its token expires after 7 days)")
    return doks


#: The worker ``cluster.yaml`` that ``fleetform new cluster`` starts from.
WORKER_EXAMPLE = '''\
# A worker cluster: Argo CD deploys to it every application of every label it carries.
role: worker
region: ams3                      # a DigitalOcean region slug
kubernetes_version: "1.33"        # a prefix: the newest 1.33.x DOKS offers
node_pools:
  - name: default
    size: s-2vcpu-4gb             # a droplet size slug
    autoscale: {min_nodes: 2, max_nodes: 5}
labels: [global]
'''


CLOUD = Cloud(
    worker_example=WORKER_EXAMPLE,
    name="digitalocean",
    title="DigitalOcean",
    model=DigitalOceanCluster,
    credentials=("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"),
    build=build,
    kubeconfig_command="doctl kubernetes cluster kubeconfig save {name}",
    destroy_credentials="DIGITALOCEAN_TOKEN",
)
