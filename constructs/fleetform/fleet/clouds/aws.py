"""Amazon EKS: ``cloud: aws``, with the keys only EKS has under ``aws:``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ...constructs import formats
from ..cluster_yaml import ClusterBase, NodePool, Section
from .base import CiAccess, Cloud

if TYPE_CHECKING:
    from ...cdk import TerraformStack

    from ...constructs.eks_cluster import EksCluster, EksClusterProps

SubnetId = Annotated[str, StringConstraints(pattern=formats.SUBNET_ID)]
Cidr = Annotated[str, StringConstraints(pattern=formats.IPV4_CIDR)]
PrincipalArn = Annotated[str, StringConstraints(pattern=formats.IAM_PRINCIPAL_ARN)]


class EksNodePool(NodePool):
    """An EKS managed node group: ``size`` is an EC2 instance type."""

    size: Annotated[str, StringConstraints(pattern=formats.EC2_INSTANCE_TYPE)]


class AwsSettings(Section):
    """``aws:``, what only an EKS cluster has.

    ``subnet_ids`` (default: the region's default VPC's default subnets) are the
    control plane's and the nodes' subnets, at least two in two availability zones.
    ``endpoint_public_access`` (default true) and ``endpoint_private_access``
    (default false) say where the API server is reachable; ``public_access_cidrs``
    who reaches the public endpoint (default: anyone). ``admin_principal_arns``
    are IAM roles or users made cluster admins besides the identity Terraform
    runs as.
    """

    subnet_ids: list[SubnetId] | None = None
    endpoint_public_access: bool = True
    endpoint_private_access: bool = False
    public_access_cidrs: list[Cidr] | None = Field(default=None, min_length=1)
    admin_principal_arns: list[PrincipalArn] = Field(default_factory=list)

    @field_validator("subnet_ids")
    @classmethod
    def _two_zones(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) < 2:
            raise ValueError("EKS needs at least two subnets, in two availability zones "
                             f"(got {len(set(v))})")
        return v

    @model_validator(mode="after")
    def _reachable(self) -> "AwsSettings":
        if not (self.endpoint_public_access or self.endpoint_private_access):
            raise ValueError("endpoint_public_access: the API server needs an endpoint: set "
                             "endpoint_public_access or endpoint_private_access to true")
        return self


class AwsCluster(ClusterBase):
    """An EKS cluster: ``region`` is an AWS region, ``kubernetes_version`` an EKS minor
    version, ``size`` an EC2 instance type; ``tags`` become AWS tags with empty values."""

    cloud: Literal["aws"]
    region: Annotated[str, StringConstraints(pattern=formats.AWS_REGION)]
    kubernetes_version: Annotated[str, StringConstraints(pattern=formats.EKS_VERSION)]
    node_pools: list[EksNodePool] = Field(min_length=1)
    aws: AwsSettings = Field(default_factory=AwsSettings)

    @field_validator("aws", mode="before")
    @classmethod
    def _empty_section(cls, v: object) -> object:
        # `aws:` with every key commented out is an empty section, not an error.
        return {} if v is None else v


def eks_props(cluster: Any) -> "EksClusterProps":
    """EksCluster props from a validated ``cluster.yaml``."""
    from ...constructs.eks_cluster import EksClusterProps
    spec = cluster.spec
    assert isinstance(spec, AwsCluster)
    settings = spec.aws
    return EksClusterProps(
        name=cluster.name,
        region=spec.region,
        kubernetes_version=spec.kubernetes_version,
        node_pools=tuple(pool.to_props() for pool in spec.node_pools),
        subnet_ids=tuple(settings.subnet_ids) if settings.subnet_ids is not None else None,
        tags={tag: "" for tag in spec.tags},
        endpoint_public_access=settings.endpoint_public_access,
        endpoint_private_access=settings.endpoint_private_access,
        public_access_cidrs=tuple(settings.public_access_cidrs)
        if settings.public_access_cidrs is not None else None,
        admin_principal_arns=tuple(settings.admin_principal_arns),
        prevent_destroy=cluster.protected,
    )


def build(stack: "TerraformStack", cluster: Any) -> "EksCluster":
    """The aws provider (for the cluster's region), the EKS cluster and its outputs."""
    from ...cdk import TerraformOutput

    from ...constructs.eks_cluster import EksCluster
    from ...providers.aws import AwsProvider
    props = eks_props(cluster)
    # Credentials come from the environment (a role assumed with the pipeline's ID
    # token, a profile, keys): none in the JSON.
    AwsProvider(stack, "aws", region=props.region)
    eks = EksCluster(stack, "eks", props=props)
    TerraformOutput(stack, "endpoint", value=eks.endpoint,
                    description="Kubernetes API server URL")
    TerraformOutput(stack, "kubeconfig", value=eks.kubeconfig,
                    description="Kubeconfig whose token comes from `aws eks get-token` "
                                "(no secret in it)")
    return eks


#: The web identity the AWS SDKs, the aws CLI and the Terraform provider read.
_TOKEN_FILE = "${CI_BUILDS_DIR}/.fleetform-aws-${CI_JOB_ID}.jwt"
CI = CiAccess(
    id_token="FLEETFORM_AWS_ID_TOKEN",
    audience="$CI_SERVER_URL",
    variables={"AWS_ROLE_ARN": "$FLEETFORM_AWS_ROLE_ARN",
               "AWS_WEB_IDENTITY_TOKEN_FILE": _TOKEN_FILE,
               "AWS_ROLE_SESSION_NAME": "gitlab-${CI_PROJECT_ID}-${CI_JOB_ID}"},
    required=(("FLEETFORM_AWS_ROLE_ARN", "the IAM role this cluster's jobs assume"),),
    setup=('printf \'%s\' "$FLEETFORM_AWS_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',),
    cleanup=('rm -f "$AWS_WEB_IDENTITY_TOKEN_FILE"',),
    tools=(("aws", "the AWS CLI v2 (the providers run aws eks get-token)"),),
)

#: The worker ``cluster.yaml`` that ``fleetform new cluster`` starts from.
WORKER_EXAMPLE = '''\
# A worker cluster in AWS (EKS): Argo CD deploys to it every application of its labels.
cloud: aws
role: worker
region: eu-west-1                 # an AWS region
kubernetes_version: "1.33"        # an EKS minor version (EKS picks the patch)
node_pools:                       # one EKS managed node group each
  - name: default
    size: m6i.large               # an EC2 instance type
    autoscale: {min_nodes: 2, max_nodes: 5}
labels: [global]
'''


CLOUD = Cloud(
    worker_example=WORKER_EXAMPLE,
    name="aws",
    title="AWS",
    model=AwsCluster,
    credentials=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
    build=build,
    kubeconfig_command="aws eks update-kubeconfig --name {name} --region {region}",
    destroy_credentials="AWS credentials with the cluster's admin rights (AWS_PROFILE, or "
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), the aws CLI on PATH",
    destroy_notes=(
        "Load balancers and volumes that the cluster's own controllers created (a",
        "Service of type LoadBalancer, a PersistentVolumeClaim) are not in the state:",
        "delete those Services and claims first, or their AWS resources outlive it.",
    ),
    ci=CI,
)
