"""EksCluster: an Amazon EKS cluster with its managed node groups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from re import Pattern
from typing import Mapping, Sequence

from constructs import Construct

from ..cdk import Fn, Precondition, TerraformResourceLifecycle
from ..errors import ConfigError
from ..providers import aws, aws_eks
from .cluster_access import ClusterAccess, ExecCredential
from .formats import (AWS_REGION, DNS1123_LABEL, EC2_INSTANCE_TYPE, EKS_VERSION,
                      IAM_PRINCIPAL_ARN, IPV4_CIDR, SUBNET_ID, check_bool, check_instance,
                      check_str)
from .props import NodePool, check_node_pool, check_sequence

#: EKS's names of the Kubernetes taint effects.
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE",
                 "PreferNoSchedule": "PREFER_NO_SCHEDULE"}
#: The managed policies a cluster's role and its nodes' role need (AWS's documented minimum).
CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                 "AmazonEC2ContainerRegistryReadOnly")
#: Availability zones where EKS puts no control plane (its user guide, "Amazon EKS
#: cluster subnet requirements"): a default subnet there would fail CreateCluster.
EKS_UNSUPPORTED_ZONE_IDS = ("use1-az3", "usw1-az2", "cac1-az3")
#: The EKS access policy of the identity Terraform runs as, and of ``admin_principal_arns``.
ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
#: Longest part of a cluster's name in its IAM roles' name prefixes: with "-cluster-",
#: 38 characters, the most IAM allows.
_ROLE_PREFIX_NAME = 29


@dataclass(frozen=True)
class EksClusterProps:
    """Props of :class:`EksCluster`, validated when built (a ConfigError names the prop).

    Attributes:
        name: the cluster's name in EKS (a DNS-1123 label).
        region: the AWS region, e.g. ``eu-west-1``; the provider refuses one that does
            not exist.
        kubernetes_version: an EKS minor version such as ``1.33``; one EKS does not
            offer fails the plan, naming those it does.
        node_pools: at least one :class:`~fleetform.NodePool`, with distinct names, each a
            managed node group; ``size`` is an EC2 instance type (``m6i.large``).
            ``autoscale`` sets the group's bounds (it starts at ``min_nodes``; an
            autoscaler running in the cluster moves it, and Terraform leaves that be).
        subnet_ids: the subnets of the control plane and the nodes (at least two, in
            two availability zones). Default: the region's default VPC's default subnets,
            but those in zones where EKS places no control plane (us-east-1e).
        tags: AWS tags of every resource. Default: none.
        endpoint_public_access: the API server has a public endpoint. Default: True.
        endpoint_private_access: and a private one inside the VPC. Default: False.
        public_access_cidrs: who reaches the public endpoint. Default: anyone (EKS's
            ``0.0.0.0/0``).
        admin_principal_arns: IAM roles or users given cluster admin besides the
            identity Terraform runs as (which always is). Default: none.
        prevent_destroy: make Terraform refuse to destroy the cluster. Default: False.
    """

    name: str
    region: str
    kubernetes_version: str
    node_pools: Sequence[NodePool]
    subnet_ids: Sequence[str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    endpoint_public_access: bool = True
    endpoint_private_access: bool = False
    public_access_cidrs: Sequence[str] | None = None
    admin_principal_arns: Sequence[str] = ()
    prevent_destroy: bool = False

    def __post_init__(self) -> None:
        check_str(self.name, "name", "a DNS-1123 label (lowercase letters, digits and '-', "
                  "at most 63) such as my-cluster", DNS1123_LABEL)
        if len(self.name) > 63:
            raise ConfigError(f"must be at most 63 characters, got {len(self.name)}", field="name")
        check_str(self.region, "region", "an AWS region such as eu-west-1 or us-east-1",
                  AWS_REGION)
        check_str(self.kubernetes_version, "kubernetes_version",
                  "an EKS version: a minor version such as 1.33", EKS_VERSION)
        check_sequence(self.node_pools, "node_pools", "NodePool")
        if not self.node_pools:
            raise ConfigError("a cluster needs at least one node pool", field="node_pools")
        names: list[str] = []
        for i, pool in enumerate(self.node_pools):
            check_node_pool(pool, f"node_pools[{i}]", size=EC2_INSTANCE_TYPE,
                            size_hint="an EC2 instance type such as m6i.large")
            if pool.name in names:
                raise ConfigError(f"duplicate node pool name {pool.name!r}",
                                  field=f"node_pools[{i}].name")
            names.append(pool.name)
        if self.subnet_ids is not None:
            _check_list(self.subnet_ids, "subnet_ids", "a subnet ID such as subnet-0abc1234",
                        SUBNET_ID)
            if len(set(self.subnet_ids)) < 2:
                raise ConfigError("EKS needs at least two subnets, in two availability zones",
                                  field="subnet_ids")
        if not isinstance(self.tags, Mapping):
            raise ConfigError(f"must be a mapping of tag keys to values, got "
                              f"{type(self.tags).__name__}", field="tags")
        for key, value in self.tags.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 128 or \
                    key.lower().startswith("aws:"):
                raise ConfigError(f"must be a tag key of 1 to 128 characters, not starting "
                                  f"with 'aws:', got {key!r}", field="tags")
            if not isinstance(value, str) or len(value) > 256:
                raise ConfigError("must be a string of at most 256 characters",
                                  field=f"tags.{key}")
        for attr in ("endpoint_public_access", "endpoint_private_access", "prevent_destroy"):
            check_bool(getattr(self, attr), attr)
        if not (self.endpoint_public_access or self.endpoint_private_access):
            raise ConfigError("the API server needs an endpoint: set endpoint_public_access "
                              "or endpoint_private_access", field="endpoint_public_access")
        if self.public_access_cidrs is not None:
            _check_list(self.public_access_cidrs, "public_access_cidrs",
                        "an IPv4 CIDR block such as 203.0.113.0/24", IPV4_CIDR)
        _check_list(self.admin_principal_arns, "admin_principal_arns",
                    "an IAM role or user ARN such as arn:aws:iam::111122223333:role/admin",
                    IAM_PRINCIPAL_ARN)


def _check_list(values: Sequence[str], field: str, allowed: str, pattern: Pattern[str]) -> None:
    check_sequence(values, field, "string")
    for i, value in enumerate(values):
        check_str(value, f"{field}[{i}]", allowed, pattern)


def _trust_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service},
        "Action": ["sts:AssumeRole", "sts:TagSession"]
        if service == "eks.amazonaws.com" else "sts:AssumeRole"}]}, sort_keys=True)


class EksCluster(Construct):
    """An Amazon EKS cluster, its managed node groups, and the IAM roles they run as.

    The stack must configure the ``aws`` provider for ``props.region`` (credentials
    from the environment, never from synthesized JSON).

    The cluster uses EKS access entries only (``authentication_mode = "API"``): the
    identity Terraform first runs as (read at plan time through ``aws_caller_identity``
    and ``aws_iam_session_context``, so an assumed role is named by its role ARN)
    gets ``AmazonEKSClusterAdminPolicy``, and keeps it when another identity plans
    later (Terraform ignores a change of that entry's principal), as does each of
    ``admin_principal_arns``: list there every other identity that plans or applies
    the stack (an operator's role besides the pipeline's).

    The plan fails before anything is created, naming the cluster and the versions
    EKS offers, when ``kubernetes_version`` is not one of them (the
    ``aws_eks_cluster_versions`` data source).

    Attributes:
        cluster: the ``aws_eks_cluster`` resource.
        node_groups: one ``aws_eks_node_group`` per pool, in order.
        endpoint: the Kubernetes API server URL.
        ca_certificate: the API server's CA certificate (PEM).
        access: admin access for providers, through ``aws eks get-token`` (an exec
            plugin: a fresh 15-minute token whenever a provider needs one).
        kubeconfig: a kubeconfig using the same plugin (no secret in it).
    """

    def __init__(self, scope: Construct, id: str, *, props: EksClusterProps) -> None:
        check_instance(props, "props", EksClusterProps, "EksClusterProps(name=..., ...)")
        super().__init__(scope, id)
        self.props = props
        partition = aws.DataAwsPartition(self, "partition").partition
        self._partition = partition
        subnet_ids = list(props.subnet_ids) if props.subnet_ids is not None \
            else self._default_subnets()
        tags = dict(props.tags) or None

        cluster_role, cluster_policies = self._role(
            "cluster", "eks.amazonaws.com", CLUSTER_POLICIES, tags)
        node_role, node_policies = self._role("node", "ec2.amazonaws.com", NODE_POLICIES, tags)

        self.cluster = aws_eks.EksCluster(
            self, "cluster",
            name=props.name,
            role_arn=cluster_role.arn,
            version=props.kubernetes_version,
            vpc_config=aws_eks.EksClusterVpcConfig(
                subnet_ids=subnet_ids,
                endpoint_public_access=props.endpoint_public_access,
                endpoint_private_access=props.endpoint_private_access,
                public_access_cidrs=list(props.public_access_cidrs)
                if props.public_access_cidrs is not None else None),
            access_config=aws_eks.EksClusterAccessConfig(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False),
            tags=tags,
            depends_on=cluster_policies,
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=True if props.prevent_destroy else None,
                precondition=[self._version_check()]),
        )
        admin = self._admins()
        self.node_groups = [self._node_group(pool, node_role, subnet_ids, tags, node_policies)
                            for pool in props.node_pools]

        self.endpoint: str = self.cluster.endpoint
        self.ca_certificate: str = Fn.base64decode(
            self.cluster.get_string_attribute("certificate_authority[0].data"))
        # The token comes from `aws eks get-token` each time a provider builds a client,
        # not from a data source: `aws_eks_cluster_auth` referring to the cluster is read
        # only during apply whenever the cluster has a change pending, and its token
        # lives 15 minutes, which a long apply outlasts. The cluster's name is read from
        # the admin policy association, so that Terraform configures the providers (and
        # creates whatever they manage) only once the admin access exists: before, the
        # API would refuse the token.
        self.exec_credential = ExecCredential(
            command="aws",
            args=("eks", "get-token", "--cluster-name", admin.cluster_name,
                  "--region", props.region, "--output", "json"))
        self.access = ClusterAccess(name=props.name, endpoint=self.endpoint,
                                    cluster_ca_certificate=self.ca_certificate,
                                    exec=self.exec_credential)
        self.kubeconfig: str = self._kubeconfig()

    @property
    def cluster_name(self) -> str:
        """The cluster's name in EKS (a token)."""
        return self.cluster.name

    def _arn(self, service: str, path: str) -> str:
        return f"arn:{self._partition}:{service}::aws:{path}"

    def _default_subnets(self) -> list[str]:
        """The default subnets (one per availability zone) of the region's default VPC, in
        the zones where EKS can place a control plane."""
        vpc = aws.DataAwsVpc(self, "default-vpc", default=True)
        zones = aws.DataAwsAvailabilityZones(self, "zones", state="available",
                                             exclude_zone_ids=list(EKS_UNSUPPORTED_ZONE_IDS))
        subnets = aws.DataAwsSubnets(self, "default-subnets", filter=[
            aws.DataAwsSubnetsFilter(name="vpc-id", values=[vpc.id]),
            aws.DataAwsSubnetsFilter(name="default-for-az", values=["true"]),
            aws.DataAwsSubnetsFilter(name="availability-zone", values=zones.names)])
        return subnets.ids  # type: ignore[return-value]

    def _role(self, kind: str, service: str, policies: Sequence[str],
              tags: Mapping[str, str] | None) -> tuple[aws.IamRole, list]:
        """An IAM role ``service`` assumes, with the managed ``policies`` attached."""
        role = aws.IamRole(
            self, f"{kind}-role",
            name_prefix=f"{self.props.name[:_ROLE_PREFIX_NAME]}-{kind}-",
            assume_role_policy=_trust_policy(service), tags=tags)
        role_name = role.name
        attachments = [aws.IamRolePolicyAttachment(
            self, f"{kind}-{policy}", role=role_name,
            policy_arn=self._arn("iam", f"policy/{policy}")) for policy in policies]
        return role, attachments

    def _version_check(self) -> Precondition:
        """Fail the plan when EKS does not offer ``kubernetes_version``, naming what it does."""
        offered = aws_eks.DataAwsEksClusterVersions(self, "versions")
        versions = f"{offered.fqn}.cluster_versions[*].cluster_version"
        version = self.props.kubernetes_version
        return Precondition(
            condition=f'${{contains({versions}, "{version}")}}',
            error_message=(
                f'Cluster {self.props.name}: kubernetes_version "{version}" is not a version '
                f'EKS offers (${{join(", ", {versions})}}).'))

    def _admins(self) -> aws_eks.EksAccessPolicyAssociation:
        """Cluster admin for the identity Terraform runs as, and for admin_principal_arns;
        returns the runner's policy association."""
        caller = aws.DataAwsCallerIdentity(self, "caller")
        session = aws.DataAwsIamSessionContext(self, "caller-session", arn=caller.arn)
        principals = [("admin", session.issuer_arn)] + [
            (f"admin-{i}", arn) for i, arn in enumerate(self.props.admin_principal_arns)]
        cluster_name = self.cluster.name
        associations = []
        for id, principal in principals:
            # The runner's entry stays the first runner's: a plan by another identity (an
            # operator's, after the pipeline's) must not replace the pipeline's access.
            # Whoever else plans is listed in admin_principal_arns.
            keep = TerraformResourceLifecycle(ignore_changes=["principal_arn"]) \
                if id == "admin" else None
            entry = aws_eks.EksAccessEntry(self, id, cluster_name=cluster_name,
                                           principal_arn=principal, type="STANDARD",
                                           lifecycle=keep)
            associations.append(aws_eks.EksAccessPolicyAssociation(
                self, f"{id}-policy", cluster_name=entry.cluster_name,
                principal_arn=entry.principal_arn,
                policy_arn=self._arn("eks", f"cluster-access-policy/{ADMIN_ACCESS_POLICY}"),
                access_scope=aws_eks.EksAccessPolicyAssociationAccessScope(type="cluster"),
                lifecycle=keep))
        return associations[0]

    def _node_group(self, pool: NodePool, role: aws.IamRole, subnet_ids: list[str],
                    tags: Mapping[str, str] | None, policies: list) -> aws_eks.EksNodeGroup:
        if pool.autoscale is not None:
            low, high = pool.autoscale.min_nodes, pool.autoscale.max_nodes
            scaling = aws_eks.EksNodeGroupScalingConfig(desired_size=low, min_size=low,
                                                    max_size=high)
            # The autoscaler owns the group's size between the bounds.
            lifecycle = TerraformResourceLifecycle(
                ignore_changes=["scaling_config[0].desired_size"])
        else:
            assert pool.count is not None  # NodePool's check: count or autoscale
            scaling = aws_eks.EksNodeGroupScalingConfig(desired_size=pool.count,
                                                        min_size=pool.count, max_size=pool.count)
            lifecycle = None
        pool_tags = {**(tags or {}), **{tag: "" for tag in pool.tags}} or None
        return aws_eks.EksNodeGroup(
            self, f"pool-{pool.name}",
            cluster_name=self.cluster.name,
            node_group_name=pool.name,
            node_role_arn=role.arn,
            subnet_ids=subnet_ids,
            instance_types=[pool.size],
            # Nodes follow the control plane's version when it is upgraded.
            version=self.cluster.version,
            scaling_config=scaling,
            labels=dict(pool.labels) or None,
            taint=[aws_eks.EksNodeGroupTaint(key=t.key, value=t.value or None,
                                         effect=TAINT_EFFECTS[t.effect])
                   for t in pool.taints] or None,
            tags=pool_tags,
            depends_on=policies,
            lifecycle=lifecycle,
        )

    def _kubeconfig(self) -> str:
        """A kubeconfig (JSON, which kubectl reads) that gets its token from the AWS CLI."""
        name = self.props.name
        args = ["eks", "get-token", "--cluster-name", name, "--region", self.props.region,
                "--output", "json"]
        return Fn.jsonencode({
            "apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {
                "server": self.endpoint,
                "certificate-authority-data":
                    self.cluster.get_string_attribute("certificate_authority[0].data")}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "users": [{"name": name, "user": {"exec": {
                "apiVersion": self.exec_credential.api_version, "command": "aws",
                "args": args, "interactiveMode": "Never"}}}],
        })

