"""Google Kubernetes Engine: ``cloud: gcp``, with the keys only GKE has under ``gcp:``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ...constructs import formats
from ..cluster_yaml import ClusterBase, NodePool, Section
from .base import CiAccess, Cloud

if TYPE_CHECKING:
    from ...cdk import TerraformStack

    from ...constructs.gke_cluster import GkeCluster, GkeClusterProps


class GkeNodePool(NodePool):
    """A GKE node pool: ``size`` is a Compute Engine machine type; ``count`` and
    ``autoscale`` are per zone."""

    name: Annotated[str, StringConstraints(pattern=formats.GKE_POOL_NAME)]
    size: Annotated[str, StringConstraints(pattern=formats.GCE_MACHINE_TYPE)]


class GcpSettings(Section):
    """``gcp:``, what only a GKE cluster has: ``project`` (required), the GCP project ID;
    ``release_channel`` (default ``UNSPECIFIED``: no channel, the nodes follow the
    control plane's version) or ``RAPID``, ``REGULAR``, ``STABLE``, ``EXTENDED``."""

    project: Annotated[str, StringConstraints(pattern=formats.GCP_PROJECT)]
    release_channel: Literal["UNSPECIFIED", "RAPID", "REGULAR", "STABLE",
                             "EXTENDED"] = "UNSPECIFIED"


class GcpCluster(ClusterBase):
    """A GKE cluster: ``region`` is a GCP region (a regional cluster) or zone,
    ``kubernetes_version`` a GKE version prefix or exact version, ``size`` a machine
    type; ``tags`` become GCP labels with empty values."""

    cloud: Literal["gcp"]
    region: Annotated[str, StringConstraints(pattern=formats.GCP_LOCATION)]
    kubernetes_version: Annotated[str, StringConstraints(pattern=formats.GKE_VERSION)]
    node_pools: list[GkeNodePool] = Field(min_length=1)
    gcp: GcpSettings


def gke_props(cluster: Any) -> "GkeClusterProps":
    """GkeCluster props from a validated ``cluster.yaml``."""
    from ...constructs.gke_cluster import GkeClusterProps
    spec = cluster.spec
    assert isinstance(spec, GcpCluster)
    return GkeClusterProps(
        name=cluster.name, location=spec.region, project=spec.gcp.project,
        kubernetes_version=spec.kubernetes_version,
        node_pools=tuple(pool.to_props() for pool in spec.node_pools),
        release_channel=spec.gcp.release_channel, labels={tag: "" for tag in spec.tags},
        prevent_destroy=cluster.protected)


def build(stack: "TerraformStack", cluster: Any) -> "GkeCluster":
    """The google provider (for the cluster's project), the GKE cluster and its outputs."""
    from ...cdk import TerraformOutput

    from ...constructs.gke_cluster import GkeCluster
    from ...providers.google import GoogleProvider
    props = gke_props(cluster)
    # Application Default Credentials from the environment: none in the JSON.
    GoogleProvider(stack, "google", project=props.project)
    gke = GkeCluster(stack, "gke", props=props)
    TerraformOutput(stack, "endpoint", value=gke.endpoint,
                    description="Kubernetes API server URL")
    TerraformOutput(stack, "kubeconfig", value=gke.kubeconfig,
                    description="Kubeconfig whose token comes from gke-gcloud-auth-plugin "
                                "(no secret in it)")
    return gke


_FILES = "${CI_BUILDS_DIR}/.fleetform-gcp-${CI_JOB_ID}"
#: Application Default Credentials of workload identity federation: the ID token's file,
#: exchanged at Google's STS, then the service account impersonated.
_EXTERNAL_ACCOUNT = (
    '{"type": "external_account", '
    '"audience": "//iam.googleapis.com/%s", '
    '"subject_token_type": "urn:ietf:params:oauth:token-type:jwt", '
    '"token_url": "https://sts.googleapis.com/v1/token", '
    '"credential_source": {"file": "%s"}, '
    '"service_account_impersonation_url": '
    '"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/%s:generateAccessToken"}')
CI = CiAccess(
    id_token="FLEETFORM_GCP_ID_TOKEN",
    audience="https://iam.googleapis.com/$FLEETFORM_GCP_WORKLOAD_IDENTITY_PROVIDER",
    variables={"GOOGLE_APPLICATION_CREDENTIALS": f"{_FILES}.json",
               "FLEETFORM_GCP_TOKEN_FILE": f"{_FILES}.jwt"},
    required=(("FLEETFORM_GCP_WORKLOAD_IDENTITY_PROVIDER", "the workload identity pool "
               "provider that trusts this project, projects/NUMBER/locations/global/"
               "workloadIdentityPools/POOL/providers/PROVIDER"),
              ("FLEETFORM_GCP_SERVICE_ACCOUNT", "the email of the service account the jobs "
               "impersonate")),
    setup=('printf \'%s\' "$FLEETFORM_GCP_ID_TOKEN" > "$FLEETFORM_GCP_TOKEN_FILE"',
           f"printf '{_EXTERNAL_ACCOUNT}' \"$FLEETFORM_GCP_WORKLOAD_IDENTITY_PROVIDER\" "
           '"$FLEETFORM_GCP_TOKEN_FILE" "$FLEETFORM_GCP_SERVICE_ACCOUNT" '
           '> "$GOOGLE_APPLICATION_CREDENTIALS"'),
    cleanup=('rm -f "$FLEETFORM_GCP_TOKEN_FILE" "$GOOGLE_APPLICATION_CREDENTIALS"',),
    tools=(("gke-gcloud-auth-plugin", "gke-gcloud-auth-plugin (the providers run it for "
            "GKE tokens)"),),
)

#: The worker ``cluster.yaml`` that ``fleetform new cluster`` starts from.
WORKER_EXAMPLE = '''\
# A worker cluster in Google Cloud (GKE): Argo CD deploys to it every application of its labels.
cloud: gcp
role: worker
region: europe-west1              # a region (a regional cluster) or a zone
kubernetes_version: "1.33"        # a prefix or exact
node_pools:
  - name: default
    size: e2-standard-4           # a machine type; count and autoscale are per zone
    autoscale: {min_nodes: 1, max_nodes: 3}
labels: [global]
gcp:
  project: my-project             # required: your project
'''


CLOUD = Cloud(
    worker_example=WORKER_EXAMPLE,
    name="gcp",
    title="Google Cloud",
    model=GcpCluster,
    credentials=("GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
                 "GOOGLE_APPLICATION_CREDENTIALS"),
    build=build,
    kubeconfig_command="gcloud container clusters get-credentials {name} --location {region} "
                       "--project <its gcp.project>",
    destroy_credentials="Google credentials with the Kubernetes Engine Admin role on the "
                        "project (gcloud auth application-default login) and "
                        "gke-gcloud-auth-plugin on PATH",
    destroy_notes=(
        "GKE's deletion protection follows prevent_destroy: with it on, set",
        "prevent_destroy: false and apply before destroying.",
    ),
    ci=CI,
    max_name_length=40,
)
