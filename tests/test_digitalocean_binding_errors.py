"""Mistyped arguments of the digitalocean binding fail on creation, naming the argument."""

import pytest
from cdktf import TerraformStack, TerraformVariable, Testing

from fleetform.providers.digitalocean import (DataDigitaloceanKubernetesCluster,
                                            DigitaloceanProvider, KubernetesCluster,
                                            KubernetesClusterMaintenancePolicy,
                                            KubernetesClusterNodePool, KubernetesNodePool)


@pytest.fixture
def stack():
    return TerraformStack(Testing.app(), "errors")


POOL = KubernetesClusterNodePool(name="default", size="s-2vcpu-4gb", node_count=1)


def test_wrong_scalar_type_names_class_argument_and_value(stack):
    with pytest.raises(TypeError, match=r"KubernetesCluster: ha must be a boolean or a "
                                        r"Terraform token, got str 'yes'"):
        KubernetesCluster(stack, "c", name="c", region="fra1", version="1.33.1-do.0",
                          node_pool=POOL, ha="yes")


def test_a_number_is_not_a_boolean_and_a_boolean_not_a_number():
    with pytest.raises(TypeError, match="auto_scale must be a boolean"):
        KubernetesClusterNodePool(name="p", size="s", auto_scale=1)
    with pytest.raises(TypeError, match="node_count must be a number"):
        KubernetesClusterNodePool(name="p", size="s", node_count=True)


def test_labels_must_map_strings_to_strings():
    with pytest.raises(TypeError, match=r"KubernetesClusterNodePool: labels must be a map of "
                                        r"strings .* got dict \{'replicas': 3\}"):
        KubernetesClusterNodePool(name="p", size="s", node_count=1, labels={"replicas": 3})


def test_unknown_block_key_is_named(stack):
    with pytest.raises(TypeError, match="KubernetesCluster: node_pool: .*'nodes'"):
        KubernetesCluster(stack, "c", name="c", region="fra1", version="1.33.1-do.0",
                          node_pool={"name": "p", "size": "s", "nodes": 3})
    with pytest.raises(TypeError, match=r"KubernetesNodePool: taint\[0\]: .*'effects'"):
        KubernetesNodePool(stack, "p", cluster_id="id", name="p", size="s", node_count=1,
                           taint=[{"key": "k", "value": "v", "effects": "NoSchedule"}])


def test_block_of_the_wrong_type(stack):
    with pytest.raises(TypeError, match="maintenance_policy must be a "
                                        "KubernetesClusterMaintenancePolicy or a mapping"):
        KubernetesCluster(stack, "c", name="c", region="fra1", version="1.33.1-do.0",
                          node_pool=POOL, maintenance_policy="saturday")
    with pytest.raises(TypeError, match="KubernetesClusterMaintenancePolicy: day must be a string"):
        KubernetesClusterMaintenancePolicy(day=6)


def test_required_arguments(stack):
    with pytest.raises(TypeError, match="KubernetesCluster: version is required"):
        KubernetesCluster(stack, "c", name="c", region="fra1", version=None, node_pool=POOL)
    with pytest.raises(TypeError, match="DataDigitaloceanKubernetesCluster: name is required"):
        DataDigitaloceanKubernetesCluster(stack, "d", name=None)


def test_tokens_are_accepted_where_their_type_fits(stack):
    variable = TerraformVariable(stack, "token", type="string", sensitive=True)
    DigitaloceanProvider(stack, "do", token=variable.string_value,
                         requests_per_second=variable.number_value)
    with pytest.raises(TypeError, match="DigitaloceanProvider: token must be a string"):
        DigitaloceanProvider(stack, "do2", token=variable.number_value)


def test_list_data_source_filters_are_checked(stack):
    from fleetform.providers.digitalocean import DataDigitaloceanSizes

    with pytest.raises(TypeError, match=r"filter: values must be a list of strings .* "
                                        r"got str 's-2vcpu-4gb'"):
        DataDigitaloceanSizes(stack, "one", filter=[{"key": "slug", "values": "s-2vcpu-4gb"}])
    with pytest.raises(TypeError, match=r"DataDigitaloceanSizes: filter must be a list, got dict"):
        DataDigitaloceanSizes(stack, "two", filter={"key": "slug", "values": ["c-4"]})
    with pytest.raises(TypeError, match=r"DataDigitaloceanSizes: filter\[0\]: .*'match'"):
        DataDigitaloceanSizes(stack, "three", filter=[{"key": "slug", "values": [], "match": "re"}])
