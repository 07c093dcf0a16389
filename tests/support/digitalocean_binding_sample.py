"""Synthesize the same DigitalOcean resources with the prebuilt binding or fleetform's.

    python digitalocean_binding_sample.py prebuilt|fleetform   # prints the stack JSON

Covers every argument and block the hand-written binding has, and each
attribute reference fleetform reads.
"""
import sys

from cdktf import TerraformOutput, TerraformResourceLifecycle, TerraformStack, TerraformVariable, Testing

if sys.argv[1] == "prebuilt":
    from cdktf_cdktf_provider_digitalocean.data_digitalocean_kubernetes_cluster import \
        DataDigitaloceanKubernetesCluster
    from cdktf_cdktf_provider_digitalocean.data_digitalocean_kubernetes_versions import \
        DataDigitaloceanKubernetesVersions
    from cdktf_cdktf_provider_digitalocean.data_digitalocean_regions import (
        DataDigitaloceanRegions, DataDigitaloceanRegionsFilter)
    from cdktf_cdktf_provider_digitalocean.data_digitalocean_sizes import (
        DataDigitaloceanSizes, DataDigitaloceanSizesFilter)
    from cdktf_cdktf_provider_digitalocean.kubernetes_cluster import (
        KubernetesCluster, KubernetesClusterMaintenancePolicy, KubernetesClusterNodePool,
        KubernetesClusterNodePoolTaint)
    from cdktf_cdktf_provider_digitalocean.kubernetes_node_pool import (KubernetesNodePool,
                                                                         KubernetesNodePoolTaint)
    from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
else:
    from fleetform.providers.digitalocean import (  # noqa: F401
        DataDigitaloceanKubernetesCluster, DataDigitaloceanKubernetesVersions,
        DataDigitaloceanRegions, DataDigitaloceanRegionsFilter, DataDigitaloceanSizes,
        DataDigitaloceanSizesFilter, DigitaloceanProvider,
        KubernetesCluster, KubernetesClusterMaintenancePolicy, KubernetesClusterNodePool,
        KubernetesClusterNodePoolTaint, KubernetesNodePool, KubernetesNodePoolTaint)

stack = TerraformStack(Testing.app(), "sample")
token = TerraformVariable(stack, "do_token", type="string", sensitive=True)
DigitaloceanProvider(stack, "digitalocean")
other = DigitaloceanProvider(
    stack, "other", alias="other", token=token.string_value, api_endpoint="https://api.example.com",
    http_retry_max=5, http_retry_wait_max=30, http_retry_wait_min=1, requests_per_second=10.5,
    spaces_access_id="id", spaces_endpoint="https://spaces.example.com",
    spaces_secret_key=token.string_value)
versions = DataDigitaloceanKubernetesVersions(stack, "versions", version_prefix="1.33.")
cluster = KubernetesCluster(
    stack, "cluster", name="c1", region="fra1", version=versions.latest_version,
    node_pool=KubernetesClusterNodePool(
        name="default", size="s-2vcpu-4gb", auto_scale=True, min_nodes=2, max_nodes=5,
        labels={"role": "general", "empty": ""}, tags=["pool"],
        taint=[KubernetesClusterNodePoolTaint(key="k", value="v", effect="NoSchedule"),
               {"key": "k2", "value": "v2", "effect": "NoExecute"}]),
    tags=["fleetform", "production"], ha=True, auto_upgrade=False, surge_upgrade=True,
    maintenance_policy=KubernetesClusterMaintenancePolicy(day="saturday", start_time="02:00"),
    vpc_uuid="3f1e4a1c-0000-4000-8000-000000000000", cluster_subnet="10.244.0.0/16",
    service_subnet="10.245.0.0/16", registry_integration=False,
    destroy_all_associated_resources=False, kubeconfig_expire_seconds=3600,
    lifecycle=TerraformResourceLifecycle(prevent_destroy=True))
small = KubernetesCluster(
    stack, "small", name="c2", region="ams3", version="1.33.1-do.0",
    node_pool={"name": "default", "size": "s-1vcpu-2gb", "node_count": 1, "labels": {}, "tags": []},
    provider=other, depends_on=[cluster])
KubernetesNodePool(stack, "pool", cluster_id=cluster.id, name="batch", size="c-4",
                   node_count=3, labels={"workload": "batch"}, tags=["batch"],
                   taint=[KubernetesNodePoolTaint(key="batch", value="true", effect="NoSchedule")])
KubernetesNodePool(stack, "auto", cluster_id=small.id, name="auto", size="c-2", auto_scale=True,
                   min_nodes=1, max_nodes=3, taint=[{"key": "a", "value": "b", "effect": "PreferNoSchedule"}])
live = DataDigitaloceanKubernetesCluster(stack, "live", name=cluster.name)
DataDigitaloceanKubernetesCluster(stack, "live2", name="c2", tags=["x"], kubeconfig_expire_seconds=60,
                                  provider=other)
regions = DataDigitaloceanRegions(stack, "regions")
DataDigitaloceanRegions(stack, "open", provider=other, filter=[
    DataDigitaloceanRegionsFilter(key="available", values=["true"])])
sizes = DataDigitaloceanSizes(stack, "sizes", depends_on=[regions], filter=[
    DataDigitaloceanSizesFilter(key="slug", values=["s-2vcpu-4gb", "c-4"], match_by="exact"),
    {"key": "regions", "values": ["fra1", "ams3"], "all": True}])
TerraformOutput(stack, "regions_out", value=regions.regions)
TerraformOutput(stack, "sizes_out", value=sizes.sizes)
TerraformOutput(stack, "endpoint", value=cluster.endpoint)
TerraformOutput(stack, "urn", value=cluster.urn)
TerraformOutput(stack, "live_endpoint", value=live.endpoint)
TerraformOutput(stack, "raw", value=cluster.get_string_attribute("kube_config[0].raw_config"), sensitive=True)
TerraformOutput(stack, "token", value=live.get_string_attribute("kube_config[0].token"), sensitive=True)
print(Testing.synth(stack))
