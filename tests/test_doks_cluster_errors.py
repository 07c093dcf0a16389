"""DoksClusterProps is validated when built: errors name the prop, the value, what is allowed."""

from __future__ import annotations

import dataclasses

import pytest

from fleetform import Autoscale, ConfigError, DoksClusterProps, MaintenanceWindow, NodePool, Taint

POOL = NodePool(name="default", size="s-2vcpu-4gb", count=2)
VALID = dict(name="edge-1", region="ams3", kubernetes_version="1.33", node_pools=[POOL])


def props(**overrides):
    return DoksClusterProps(**{**VALID, **overrides})


def pool(**overrides):
    return dataclasses.replace(POOL, **overrides)


def test_valid_props_build():
    built = props(tags=["fleet", "team:payments"], ha=True, vpc_uuid=None,
                  maintenance_window=MaintenanceWindow(day="any", start_time="23:59"),
                  node_pools=[pool(), NodePool(name="batch", size="c-4",
                                               autoscale=Autoscale(min_nodes=1, max_nodes=1),
                                               labels={"workload": "batch"},
                                               taints=[Taint(key="workload", effect="NoExecute")])])
    assert built.node_pools[1].autoscale == Autoscale(min_nodes=1, max_nodes=1)


@pytest.mark.parametrize("overrides, message", [
    ({"name": "My_Cluster"},
     "name: must be a DNS-1123 label (lowercase letters, digits and '-', at most 63) such as "
     "my-cluster, got 'My_Cluster'"),
    ({"name": "a" * 64}, "name: must be at most 63 characters, got 64"),
    ({"name": ""}, "name: must be a DNS-1123 label"),
    ({"region": "Amsterdam"},
     "region: must be a DigitalOcean region slug such as fra1 or ams3, got 'Amsterdam'"),
    ({"kubernetes_version": "latest"},
     "kubernetes_version: must be a DOKS version: a prefix such as 1.33 (the newest 1.33.x) or "
     "an exact 1.33.1-do.0, got 'latest'"),
    ({"kubernetes_version": 1.33}, "kubernetes_version: must be a DOKS version"),
    ({"node_pools": []}, "node_pools: a cluster needs at least one node pool"),
    ({"node_pools": "default"}, "node_pools: must be a list of NodePool, got str 'default'"),
    ({"node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 2}]},
     "node_pools[0]: must be a NodePool, got dict {'name': 'default'"),
    ({"node_pools": [POOL, POOL]}, "node_pools[1].name: duplicate node pool name 'default'"),
    ({"tags": "fleet"}, "tags: must be a list of DigitalOcean tags, got str 'fleet'"),
    ({"tags": ["a b"]}, "tags[0]: must be a DigitalOcean tag (letters, digits, ':', '-', '_'), "
                        "got 'a b'"),
    ({"ha": "yes"}, "ha: must be True or False, got 'yes'"),
    ({"prevent_destroy": 1}, "prevent_destroy: must be True or False, got 1"),
    ({"maintenance_window": {"day": "sunday"}},
     "maintenance_window: must be a MaintenanceWindow, got dict"),
    ({"maintenance_window": MaintenanceWindow(day="Sunday", start_time="03:00")},
     "maintenance_window.day: must be one of any, monday, tuesday, wednesday, thursday, "
     "friday, saturday, sunday, got 'Sunday'"),
    ({"maintenance_window": MaintenanceWindow(day="sunday", start_time="3am")},
     "maintenance_window.start_time: must be a UTC time HH:MM such as 03:00, got '3am'"),
    ({"vpc_uuid": "default"}, "vpc_uuid: must be a VPC UUID"),
])
def test_invalid_cluster_prop(overrides, message):
    with pytest.raises(ConfigError) as info:
        props(**overrides)
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize("overrides, message", [
    ({"name": "Big_Pool"}, "node_pools[0].name: must be a DNS-1123 label"),
    ({"size": "Large"}, "node_pools[0].size: must be a droplet size slug such as s-2vcpu-4gb, "
                        "got 'Large'"),
    ({"count": None}, "node_pools[0]: set exactly one of count or autoscale (got count=None, "
                      "autoscale=None)"),
    ({"autoscale": Autoscale(min_nodes=1, max_nodes=2)},
     "node_pools[0]: set exactly one of count or autoscale"),
    ({"count": 0}, "node_pools[0].count: must be an integer from 1 to 1000, got 0"),
    ({"count": True}, "node_pools[0].count: must be an integer from 1 to 1000, got True"),
    ({"count": None, "autoscale": {"min_nodes": 1, "max_nodes": 2}},
     "node_pools[0].autoscale: must be an Autoscale, got dict"),
    ({"count": None, "autoscale": Autoscale(min_nodes=3, max_nodes=1)},
     "node_pools[0].autoscale.max_nodes: must be >= min_nodes (got 1 < 3)"),
    ({"count": None, "autoscale": Autoscale(min_nodes=0, max_nodes=1)},
     "node_pools[0].autoscale.min_nodes: must be an integer from 1 to 1000, got 0"),
    ({"labels": {"Bad Key": "x"}}, "node_pools[0].labels.Bad Key: invalid label key 'Bad Key'"),
    ({"labels": {"tier": "gold plated"}},
     "node_pools[0].labels.tier: invalid label value 'gold plated'"),
    ({"taints": [{"key": "a", "effect": "NoSchedule"}]},
     "node_pools[0].taints[0]: must be a Taint, got dict"),
    ({"taints": [Taint(key="dedicated", effect="NeverSchedule")]},
     "node_pools[0].taints[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute, "
     "got 'NeverSchedule'"),
    ({"tags": ["ok", ""]}, "node_pools[0].tags[1]: must be a DigitalOcean tag"),
])
def test_invalid_node_pool(overrides, message):
    with pytest.raises(ConfigError) as info:
        props(node_pools=[pool(**overrides)])
    assert str(info.value).startswith(message), str(info.value)


def test_error_names_the_field_for_callers():
    with pytest.raises(ConfigError) as info:
        props(node_pools=[POOL, pool(name="b", size="Huge")])
    assert info.value.field == "node_pools[1].size"
    assert info.value.file is None


def test_a_terraform_reference_passes_format_checks():
    from cdktf import TerraformStack, TerraformVariable, Testing
    stack = TerraformStack(Testing.app(), "t")
    region = TerraformVariable(stack, "region", type="string").string_value
    assert props(region=region).region == region


def test_doks_cluster_refuses_props_of_another_type():
    from cdktf import TerraformStack, Testing

    from fleetform import DoksCluster
    with pytest.raises(ConfigError, match=r"^props: must be a DoksClusterProps, got dict"):
        DoksCluster(TerraformStack(Testing.app(), "t"), "doks", props=dict(VALID))
