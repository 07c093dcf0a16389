"""The EKS types of fleetform's ``hashicorp/aws`` binding (see ``aws.py``)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from constructs import Construct

from .aws import AwsDataSource, AwsResource
from .binding import (BOOLEAN, NUMBER, STRING, STRING_LIST, STRING_MAP, as_block, block_fields,
                      blocks, checked, required)


# --------------------------------------------------------------------------


@dataclass(frozen=True)
class EksClusterVpcConfig:
    """``vpc_config``: the subnets of the control plane's network interfaces, and who
    reaches the API server (public endpoint, from ``public_access_cidrs``; private
    endpoint, from inside the VPC)."""

    subnet_ids: Sequence[str]
    endpoint_private_access: Optional[bool] = None
    endpoint_public_access: Optional[bool] = None
    public_access_cidrs: Optional[Sequence[str]] = None
    security_group_ids: Optional[Sequence[str]] = None

    def __post_init__(self) -> None:
        block_fields("EksClusterVpcConfig", self, {
            "subnet_ids": STRING_LIST, "endpoint_private_access": BOOLEAN,
            "endpoint_public_access": BOOLEAN, "public_access_cidrs": STRING_LIST,
            "security_group_ids": STRING_LIST})


@dataclass(frozen=True)
class EksClusterAccessConfig:
    """``access_config``: how IAM principals are mapped to Kubernetes (``API``: access
    entries only), and whether the creator is made an admin on its own."""

    authentication_mode: Optional[str] = None
    bootstrap_cluster_creator_admin_permissions: Optional[bool] = None

    def __post_init__(self) -> None:
        block_fields("EksClusterAccessConfig", self, {
            "authentication_mode": STRING,
            "bootstrap_cluster_creator_admin_permissions": BOOLEAN})


_EKS_CLUSTER = {"name": STRING, "role_arn": STRING, "version": STRING,
                "bootstrap_self_managed_addons": BOOLEAN,
                "enabled_cluster_log_types": STRING_LIST, "tags": STRING_MAP}


class EksCluster(AwsResource):
    """``aws_eks_cluster``: an EKS control plane.

    Read ``certificate_authority[0].data`` (base64 PEM) with
    ``get_string_attribute``.
    """

    _type = "aws_eks_cluster"

    def __init__(self, scope: Construct, id: str, *, name: str, role_arn: str,
                 vpc_config: Union[EksClusterVpcConfig, Mapping[str, Any]],
                 version: Optional[str] = None,
                 access_config: Optional[Union[EksClusterAccessConfig,
                                               Mapping[str, Any]]] = None,
                 bootstrap_self_managed_addons: Optional[bool] = None,
                 enabled_cluster_log_types: Optional[Sequence[str]] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("EksCluster", _EKS_CLUSTER, {
            "name": name, "role_arn": role_arn, "version": version,
            "bootstrap_self_managed_addons": bootstrap_self_managed_addons,
            "enabled_cluster_log_types": enabled_cluster_log_types, "tags": tags})
        required("EksCluster", attributes, "name", "role_arn")
        attributes["vpc_config"] = as_block("EksCluster: vpc_config", EksClusterVpcConfig,
                                            vpc_config)
        if access_config is not None:
            attributes["access_config"] = as_block("EksCluster: access_config",
                                                   EksClusterAccessConfig, access_config)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def name(self) -> str:
        """The cluster's name (a token)."""
        return self._reference("name")

    @builtins.property
    def endpoint(self) -> str:
        """The Kubernetes API server URL (a token)."""
        return self._reference("endpoint")

    @builtins.property
    def version(self) -> str:
        """The cluster's Kubernetes minor version (a token)."""
        return self._reference("version")


class EksAccessEntry(AwsResource):
    """``aws_eks_access_entry``: an IAM principal allowed into a cluster's API."""

    _type = "aws_eks_access_entry"

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, principal_arn: str,
                 type: Optional[str] = None, kubernetes_groups: Optional[Sequence[str]] = None,
                 user_name: Optional[str] = None, tags: Optional[Mapping[str, str]] = None,
                 **meta: Any) -> None:
        attributes = checked("EksAccessEntry", {
            "cluster_name": STRING, "principal_arn": STRING, "type": STRING,
            "kubernetes_groups": STRING_LIST, "user_name": STRING, "tags": STRING_MAP}, {
            "cluster_name": cluster_name, "principal_arn": principal_arn, "type": type,
            "kubernetes_groups": kubernetes_groups, "user_name": user_name, "tags": tags})
        required("EksAccessEntry", attributes, "cluster_name", "principal_arn")
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def cluster_name(self) -> str:
        """The cluster's name (a token, known once the entry exists)."""
        return self._reference("cluster_name")

    @builtins.property
    def principal_arn(self) -> str:
        """The principal's ARN (a token)."""
        return self._reference("principal_arn")


@dataclass(frozen=True)
class EksAccessPolicyAssociationAccessScope:
    """``access_scope``: ``cluster``, or ``namespace`` with ``namespaces``."""

    type: str
    namespaces: Optional[Sequence[str]] = None

    def __post_init__(self) -> None:
        block_fields("EksAccessPolicyAssociationAccessScope", self,
                     {"type": STRING, "namespaces": STRING_LIST})


class EksAccessPolicyAssociation(AwsResource):
    """``aws_eks_access_policy_association``: an EKS access policy granted to an access
    entry's principal."""

    _type = "aws_eks_access_policy_association"

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, principal_arn: str,
                 policy_arn: str,
                 access_scope: Union[EksAccessPolicyAssociationAccessScope, Mapping[str, Any]],
                 **meta: Any) -> None:
        attributes = checked("EksAccessPolicyAssociation", {
            "cluster_name": STRING, "principal_arn": STRING, "policy_arn": STRING}, {
            "cluster_name": cluster_name, "principal_arn": principal_arn,
            "policy_arn": policy_arn})
        required("EksAccessPolicyAssociation", attributes, "cluster_name", "principal_arn",
                 "policy_arn")
        attributes["access_scope"] = as_block("EksAccessPolicyAssociation: access_scope",
                                              EksAccessPolicyAssociationAccessScope,
                                              access_scope)
        super().__init__(scope, id, attributes, **meta)

    @builtins.property
    def cluster_name(self) -> str:
        """The cluster's name (a token, known once the association exists)."""
        return self._reference("cluster_name")


@dataclass(frozen=True)
class EksNodeGroupScalingConfig:
    """``scaling_config``: the group's size and bounds."""

    desired_size: float
    max_size: float
    min_size: float

    def __post_init__(self) -> None:
        block_fields("EksNodeGroupScalingConfig", self, {
            "desired_size": NUMBER, "max_size": NUMBER, "min_size": NUMBER})


@dataclass(frozen=True)
class EksNodeGroupTaint:
    """One ``taint``: ``effect`` is NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."""

    effect: str
    key: str
    value: Optional[str] = None

    def __post_init__(self) -> None:
        block_fields("EksNodeGroupTaint", self,
                     {"effect": STRING, "key": STRING, "value": STRING})


_NODE_GROUP = {"cluster_name": STRING, "node_group_name": STRING, "node_role_arn": STRING,
               "subnet_ids": STRING_LIST, "instance_types": STRING_LIST, "version": STRING,
               "ami_type": STRING, "capacity_type": STRING, "disk_size": NUMBER,
               "labels": STRING_MAP, "tags": STRING_MAP}


class EksNodeGroup(AwsResource):
    """``aws_eks_node_group``: a managed node group of an EKS cluster."""

    _type = "aws_eks_node_group"

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, node_role_arn: str,
                 subnet_ids: Sequence[str],
                 scaling_config: Union[EksNodeGroupScalingConfig, Mapping[str, Any]],
                 node_group_name: Optional[str] = None,
                 instance_types: Optional[Sequence[str]] = None,
                 version: Optional[str] = None, ami_type: Optional[str] = None,
                 capacity_type: Optional[str] = None, disk_size: Optional[float] = None,
                 labels: Optional[Mapping[str, str]] = None,
                 taint: Optional[Sequence[Union[EksNodeGroupTaint, Mapping[str, Any]]]] = None,
                 tags: Optional[Mapping[str, str]] = None, **meta: Any) -> None:
        attributes = checked("EksNodeGroup", _NODE_GROUP, {
            "cluster_name": cluster_name, "node_group_name": node_group_name,
            "node_role_arn": node_role_arn, "subnet_ids": subnet_ids,
            "instance_types": instance_types, "version": version, "ami_type": ami_type,
            "capacity_type": capacity_type, "disk_size": disk_size, "labels": labels,
            "tags": tags})
        required("EksNodeGroup", attributes, "cluster_name", "node_role_arn", "subnet_ids")
        attributes["scaling_config"] = as_block("EksNodeGroup: scaling_config",
                                                EksNodeGroupScalingConfig, scaling_config)
        if taint is not None:
            attributes["taint"] = blocks("EksNodeGroup: taint", EksNodeGroupTaint, taint)
        super().__init__(scope, id, attributes, **meta)


class DataAwsEksClusterVersions(AwsDataSource):
    """Data source ``aws_eks_cluster_versions``: the Kubernetes versions EKS offers."""

    _type = "aws_eks_cluster_versions"

    def __init__(self, scope: Construct, id: str, *, cluster_type: Optional[str] = None,
                 default_only: Optional[bool] = None,
                 cluster_versions_only: Optional[Sequence[str]] = None,
                 version_status: Optional[str] = None, **meta: Any) -> None:
        super().__init__(scope, id, checked("DataAwsEksClusterVersions", {
            "cluster_type": STRING, "default_only": BOOLEAN,
            "cluster_versions_only": STRING_LIST, "version_status": STRING}, {
            "cluster_type": cluster_type, "default_only": default_only,
            "cluster_versions_only": cluster_versions_only,
            "version_status": version_status}), **meta)

    @builtins.property
    def cluster_versions(self) -> Any:
        """The versions offered (a token for a list of objects)."""
        return self.interpolation_for_attribute("cluster_versions")
