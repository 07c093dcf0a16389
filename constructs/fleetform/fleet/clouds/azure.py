"""Azure Kubernetes Service: ``cloud: azure``, with the keys only AKS has under ``azure:``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ...constructs import formats
from ..cluster_yaml import ClusterBase, NodePool, Section
from .base import CiAccess, Cloud

if TYPE_CHECKING:
    from ...cdk import TerraformStack

    from ...constructs.aks_cluster import AksCluster, AksClusterProps


class AksNodePool(NodePool):
    """An AKS node pool: ``name`` 1 to 12 lowercase letters and digits, ``size`` a VM size."""

    name: Annotated[str, StringConstraints(pattern=formats.AKS_POOL_NAME)]
    size: Annotated[str, StringConstraints(pattern=formats.AZURE_VM_SIZE)]


class AzureSettings(Section):
    """``azure:``, what only an AKS cluster has.

    ``subscription_id`` (default: ``ARM_SUBSCRIPTION_ID`` where Terraform runs) is the
    subscription the cluster is in; ``resource_group`` an existing resource group
    (default: a new one, ``<cluster>-aks``); ``sku_tier`` the control plane's tier
    (``Free``, ``Standard`` for the uptime SLA, ``Premium``).
    """

    subscription_id: Annotated[str, StringConstraints(pattern=formats.UUID)] | None = None
    resource_group: Annotated[str, StringConstraints(
        pattern=formats.AZURE_RESOURCE_GROUP)] | None = None
    sku_tier: Literal["Free", "Standard", "Premium"] = "Free"


class AzureCluster(ClusterBase):
    """An AKS cluster: ``region`` is an Azure location, ``kubernetes_version`` an AKS
    version prefix or exact version, ``size`` a VM size; ``tags`` become Azure tags with
    empty values."""

    cloud: Literal["azure"]
    region: Annotated[str, StringConstraints(pattern=formats.AZURE_LOCATION)]
    kubernetes_version: Annotated[str, StringConstraints(pattern=formats.AKS_VERSION)]
    node_pools: list[AksNodePool] = Field(min_length=1)
    azure: AzureSettings = Field(default_factory=AzureSettings)

    @field_validator("azure", mode="before")
    @classmethod
    def _empty_section(cls, v: object) -> object:
        return {} if v is None else v

    @model_validator(mode="after")
    def _default_pool_untainted(self) -> "AzureCluster":
        if self.node_pools[0].taints:
            raise ValueError("node_pools[0].taints: the first pool is AKS's default pool, "
                             "which runs the system pods and takes no taints: taint a "
                             "further pool")
        return self


def aks_props(cluster: Any) -> "AksClusterProps":
    """AksCluster props from a validated ``cluster.yaml``."""
    from ...constructs.aks_cluster import AksClusterProps
    spec = cluster.spec
    assert isinstance(spec, AzureCluster)
    return AksClusterProps(
        name=cluster.name, location=spec.region, kubernetes_version=spec.kubernetes_version,
        node_pools=tuple(pool.to_props() for pool in spec.node_pools),
        resource_group=spec.azure.resource_group, tags={tag: "" for tag in spec.tags},
        sku_tier=spec.azure.sku_tier, prevent_destroy=cluster.protected)


def build(stack: "TerraformStack", cluster: Any) -> "AksCluster":
    """The azurerm provider, the AKS cluster and its outputs."""
    from ...cdk import TerraformOutput

    from ...constructs.aks_cluster import AksCluster
    from ...providers.azurerm import AzurermProvider
    # Credentials come from the environment (an OIDC token in CI): none in the JSON.
    AzurermProvider(stack, "azurerm", subscription_id=cluster.spec.azure.subscription_id)
    aks = AksCluster(stack, "aks", props=aks_props(cluster))
    TerraformOutput(stack, "endpoint", value=aks.endpoint,
                    description="Kubernetes API server URL")
    TerraformOutput(stack, "kubeconfig", value=aks.kubeconfig, sensitive=True,
                    description="The cluster user's kubeconfig (the local admin's client "
                                "certificate, without Entra ID)")
    return aks


CI = CiAccess(
    id_token="FLEETFORM_AZURE_ID_TOKEN",
    audience="api://AzureADTokenExchange",
    variables={"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": "$FLEETFORM_AZURE_CLIENT_ID",
               "ARM_TENANT_ID": "$FLEETFORM_AZURE_TENANT_ID"},
    required=(("FLEETFORM_AZURE_CLIENT_ID", "the client ID of the Microsoft Entra "
               "application or managed identity whose federated credential trusts this "
               "project"),
              ("FLEETFORM_AZURE_TENANT_ID", "its Microsoft Entra tenant ID")),
    setup=('export ARM_OIDC_TOKEN="$FLEETFORM_AZURE_ID_TOKEN"',),
)

#: The worker ``cluster.yaml`` that ``fleetform new cluster`` starts from.
WORKER_EXAMPLE = '''\
# A worker cluster in Azure (AKS): Argo CD deploys to it every application of its labels.
cloud: azure
role: worker
region: westeurope                # an Azure location
kubernetes_version: "1.33"        # a prefix (the newest 1.33.x offered there) or exact
node_pools:
  - name: system                  # AKS's default pool: 1-12 lowercase letters and digits
    size: Standard_D4s_v5
    autoscale: {min_nodes: 2, max_nodes: 5}
labels: [global]
azure:
  subscription_id: 00000000-0000-0000-0000-000000000000   # yours, or ARM_SUBSCRIPTION_ID
'''


CLOUD = Cloud(
    worker_example=WORKER_EXAMPLE,
    name="azure",
    title="Azure",
    model=AzureCluster,
    credentials=("ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PASSWORD", "ARM_OIDC_TOKEN",
                 "ARM_ACCESS_KEY"),
    build=build,
    kubeconfig_command="az aks get-credentials --admin --name {name} --resource-group "
                       "{name}-aks (or its azure.resource_group)",
    destroy_credentials="Azure credentials with Contributor on the cluster's resource group "
                        "(az login, or ARM_CLIENT_ID, ARM_TENANT_ID and a secret) and "
                        "ARM_SUBSCRIPTION_ID unless azure.subscription_id is set",
    destroy_notes=(
        "AKS deletes its node resource group (MC_...) with the cluster; the resource",
        "group fleetform created goes too, one given in azure.resource_group stays.",
    ),
    ci=CI,
)
