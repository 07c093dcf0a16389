"""EksClusterProps is validated when built: errors name the prop, the value, what is allowed."""

from __future__ import annotations

import dataclasses

import pytest

from fleetform import ConfigError, EksClusterProps, NodePool, Taint

POOL = NodePool(name="default", size="m6i.large", count=2)
VALID = dict(name="eks-1", region="eu-west-1", kubernetes_version="1.33", node_pools=[POOL])
SUBNETS = ("subnet-0123456789abcdef0", "subnet-0123456789abcdef1")


def props(**overrides):
    return EksClusterProps(**{**VALID, **overrides})


def test_valid_props_build():
    built = props(subnet_ids=SUBNETS, tags={"team": "platform", "empty": ""},
                  public_access_cidrs=("203.0.113.0/24",), endpoint_private_access=True,
                  admin_principal_arns=("arn:aws:iam::111122223333:role/platform-admin",),
                  node_pools=[POOL, NodePool(name="gpu", size="g5.xlarge", count=1,
                                             taints=[Taint(key="gpu", effect="NoSchedule")])])
    assert built.subnet_ids == SUBNETS


@pytest.mark.parametrize("overrides, message", [
    ({"region": "fra1"}, "region: must be an AWS region such as eu-west-1 or us-east-1, "
                         "got 'fra1'"),
    ({"kubernetes_version": "1.33.1"}, "kubernetes_version: must be an EKS version: a minor "
                                       "version such as 1.33, got '1.33.1'"),
    ({"node_pools": [dataclasses.replace(POOL, size="s-2vcpu-4gb")]},
     "node_pools[0].size: must be an EC2 instance type such as m6i.large, got 's-2vcpu-4gb'"),
    ({"node_pools": []}, "node_pools: a cluster needs at least one node pool"),
    ({"node_pools": [POOL, POOL]}, "node_pools[1].name: duplicate node pool name 'default'"),
    ({"subnet_ids": ("subnet-0123456789abcdef0",)},
     "subnet_ids: EKS needs at least two subnets, in two availability zones"),
    ({"subnet_ids": ("subnet-1", "subnet-2")}, "subnet_ids[0]: must be a subnet ID"),
    ({"tags": ["fleet"]}, "tags: must be a mapping of tag keys to values, got list"),
    ({"tags": {"aws:owner": "x"}}, "tags: must be a tag key of 1 to 128 characters, not "
                                   "starting with 'aws:', got 'aws:owner'"),
    ({"endpoint_public_access": False},
     "endpoint_public_access: the API server needs an endpoint"),
    ({"public_access_cidrs": ("0.0.0.0",)}, "public_access_cidrs[0]: must be an IPv4 CIDR"),
    ({"admin_principal_arns": ("arn:aws:sts::111122223333:assumed-role/x/y",)},
     "admin_principal_arns[0]: must be an IAM role or user ARN"),
    ({"prevent_destroy": "yes"}, "prevent_destroy: must be True or False, got 'yes'"),
])
def test_bad_props_name_the_prop(overrides, message):
    with pytest.raises(ConfigError) as info:
        props(**overrides)
    assert str(info.value).startswith(message), str(info.value)
