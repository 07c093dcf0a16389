"""GkeCluster: a Google Kubernetes Engine cluster with its node pools."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

from constructs import Construct

from ..cdk import Fn, Precondition, TerraformResourceLifecycle
from ..errors import ConfigError
from ..providers import google
from .cluster_access import ClusterAccess, ExecCredential
from .formats import (DNS1123_LABEL, GCE_MACHINE_TYPE, GCP_LOCATION, GCP_PROJECT, GKE_POOL_NAME,
                      GKE_VERSION, check_bool, check_instance, check_str)
from .props import NodePool, check_labels_map, check_node_pools

#: GKE's names of the Kubernetes taint effects.
TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE",
                 "PreferNoSchedule": "PREFER_NO_SCHEDULE"}
RELEASE_CHANNELS = ("UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED")
ReleaseChannel = Literal["UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED"]
#: An exact GKE version (anything else is a prefix).
EXACT_GKE_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+-gke\.[0-9]+\Z")
#: GKE's longest cluster and node pool names.
MAX_NAME = 40
_LABEL_KEY = re.compile(r"^[a-z][-_a-z0-9]{0,62}\Z")
#: The access the nodes' service account has (GKE's recommendation: IAM decides).
OAUTH_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)


@dataclass(frozen=True)
class GkeClusterProps:
    """Props of :class:`GkeCluster`, validated when built (a ConfigError names the prop).

    Attributes:
        name: the cluster's name in GKE (a DNS-1123 label of at most 40 characters,
            starting with a letter).
        location: a GCP region (``europe-west1``: a regional cluster, its pools' nodes in
            each of the region's zones) or a zone (``europe-west1-b``).
        project: the GCP project ID.
        kubernetes_version: a GKE version prefix (``1.33``: the newest 1.33.x offered in
            the location, resolved at plan time) or an exact ``1.33.5-gke.1080000``; the
            control plane's minimum version.
        node_pools: at least one :class:`~fleetform.NodePool`; ``size`` a Compute Engine
            machine type. ``count`` and ``autoscale`` are per zone.
        release_channel: ``UNSPECIFIED`` (no channel: nodes stay at the control plane's
            version) or a channel GKE upgrades the cluster along. Default: UNSPECIFIED.
        labels: GCP labels of the cluster and its nodes. Default: none.
        prevent_destroy: make Terraform, and GKE's own deletion protection, refuse to
            destroy the cluster. Default: False.
    """

    name: str
    location: str
    project: str
    kubernetes_version: str
    node_pools: Sequence[NodePool]
    release_channel: ReleaseChannel = "UNSPECIFIED"
    labels: Mapping[str, str] = field(default_factory=dict)
    prevent_destroy: bool = False

    def __post_init__(self) -> None:
        check_str(self.name, "name", "a DNS-1123 label starting with a letter (at most 40) "
                  "such as my-cluster", DNS1123_LABEL)
        if len(self.name) > MAX_NAME or not self.name[0].isalpha():
            raise ConfigError(f"GKE names a cluster with at most {MAX_NAME} characters, "
                              f"starting with a letter, got {self.name!r}", field="name")
        check_str(self.location, "location", "a GCP region such as europe-west1 or a zone "
                  "such as europe-west1-b", GCP_LOCATION)
        check_str(self.project, "project", "a GCP project ID", GCP_PROJECT)
        check_str(self.kubernetes_version, "kubernetes_version",
                  "a GKE version: a prefix such as 1.33 (the newest 1.33.x) or an exact "
                  "1.33.5-gke.1080000", GKE_VERSION)
        check_node_pools(self.node_pools, "node_pools", size=GCE_MACHINE_TYPE,
                         size_hint="a Compute Engine machine type such as e2-standard-4",
                         name=GKE_POOL_NAME, name_hint="a GKE pool name: at most 40 lowercase "
                         "letters, digits and '-', starting with a letter")
        if self.release_channel not in RELEASE_CHANNELS:
            raise ConfigError(f"must be one of {', '.join(RELEASE_CHANNELS)}, got "
                              f"{self.release_channel!r}", field="release_channel")
        check_labels_map(self.labels, "labels", "GCP label keys to values", _LABEL_KEY,
                         "a GCP label key: lowercase letters, digits, '-' and '_', starting "
                         "with a letter", 63)
        check_bool(self.prevent_destroy, "prevent_destroy")


class GkeCluster(Construct):
    """A GKE cluster without its default node pool, and one node pool per pool.

    The stack must configure the ``google`` provider (Application Default
    Credentials from the environment, never from synthesized JSON).

    The plan fails before anything is created when ``kubernetes_version`` matches no
    version GKE offers in the location (``google_container_engine_versions``), naming
    what it offers. Machine types are checked for their form only; GKE refuses one
    that does not exist at apply.

    Attributes:
        cluster: the ``google_container_cluster`` resource.
        node_pools: one ``google_container_node_pool`` per pool, in order.
        endpoint: the Kubernetes API server URL.
        ca_certificate: the API server's CA certificate (PEM).
        access: admin access for providers, through ``gke-gcloud-auth-plugin`` (an exec
            plugin: a fresh one-hour token whenever a provider needs one).
        kubeconfig: a kubeconfig using the same plugin (no secret in it).
    """

    def __init__(self, scope: Construct, id: str, *, props: GkeClusterProps) -> None:
        check_instance(props, "props", GkeClusterProps, "GkeClusterProps(name=..., ...)")
        super().__init__(scope, id)
        self.props = props
        version, check = self._version()
        labels = dict(props.labels) or None
        channel = props.release_channel
        self.cluster = google.ContainerCluster(
            self, "cluster",
            name=props.name, location=props.location, project=props.project,
            # Node pools are managed as their own resources: GKE's default pool is removed
            # once the cluster exists (it needs one to be created).
            remove_default_node_pool=True, initial_node_count=1,
            deletion_protection=props.prevent_destroy, min_master_version=version,
            release_channel=google.ContainerClusterReleaseChannel(channel=channel),
            resource_labels=labels,
            lifecycle=TerraformResourceLifecycle(
                prevent_destroy=True if props.prevent_destroy else None, precondition=[check]))
        cluster_id = self.cluster.id
        # Without a channel the nodes get the control plane's version; with one, GKE
        # upgrades them along the channel. The resolved version itself, not the cluster's
        # master_version: that one stays known at its old value in the plan of an upgrade,
        # so the pools would follow an apply late, and a pool with another change in the
        # same plan would fail the apply ("inconsistent final plan").
        node_version = version if channel == "UNSPECIFIED" else None
        self.node_pools = [self._pool(pool, cluster_id, node_version, labels)
                           for pool in props.node_pools]

        self.endpoint: str = f"https://{self.cluster.endpoint}"
        self.ca_certificate: str = Fn.base64decode(
            self.cluster.get_string_attribute("master_auth[0].cluster_ca_certificate"))
        # A token from `gke-gcloud-auth-plugin` each time a provider builds a client,
        # rather than google_client_config's access token: that one is read at plan time
        # and lives an hour, so the apply of a plan saved the day before would fail.
        self.access = ClusterAccess(
            name=props.name, endpoint=self.endpoint, cluster_ca_certificate=self.ca_certificate,
            # Without the flag the plugin asks gcloud for a token instead of reading
            # Application Default Credentials (the pipeline's federated identity).
            exec=ExecCredential(command="gke-gcloud-auth-plugin",
                                args=("--use_application_default_credentials",)))
        self.kubeconfig: str = self._kubeconfig()

    def _kubeconfig(self) -> str:
        """A kubeconfig (JSON, which kubectl reads) that gets its token from the plugin."""
        name = self.props.name
        plugin = self.access.exec
        assert plugin is not None
        return Fn.jsonencode({
            "apiVersion": "v1", "kind": "Config", "current-context": name,
            "clusters": [{"name": name, "cluster": {
                "server": self.endpoint,
                "certificate-authority-data":
                    self.cluster.get_string_attribute("master_auth[0].cluster_ca_certificate")}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "users": [{"name": name, "user": {"exec": {
                "apiVersion": plugin.api_version, "command": plugin.command,
                "args": list(plugin.args), "interactiveMode": "Never",
                "provideClusterInfo": True}}}],
        })

    def _version(self) -> tuple[str, Precondition]:
        """The control plane's minimum version, and the precondition that it is offered."""
        props = self.props
        offered = google.DataGoogleContainerEngineVersions(
            self, "offered", location=props.location, project=props.project)
        listed = f'join(", ", {offered.fqn}.valid_master_versions)'
        if EXACT_GKE_VERSION.match(props.kubernetes_version):
            return props.kubernetes_version, Precondition(
                condition=(f"${{contains({offered.fqn}.valid_master_versions, "
                           f'"{props.kubernetes_version}")}}'),
                error_message=(
                    f'Cluster {props.name}: kubernetes_version "{props.kubernetes_version}" '
                    f'is not a GKE version offered in {props.location} (${{{listed}}}).'))
        versions = google.DataGoogleContainerEngineVersions(
            self, "versions", location=props.location, project=props.project,
            version_prefix=props.kubernetes_version + ".")
        if props.release_channel == "UNSPECIFIED":
            latest, where = f"{versions.fqn}.latest_master_version", ""
        else:
            # On a channel, the newest version of the prefix in that channel: one outside
            # it passes a plan on latest_master_version and is refused at apply.
            latest = (f'lookup({versions.fqn}.release_channel_latest_version, '
                      f'"{props.release_channel}", "")')
            where = f" in the {props.release_channel} channel"
        return f"${{{latest}}}", Precondition(
            condition=f"${{try(length({latest}), 0) > 0}}",
            error_message=(
                f'Cluster {props.name}: kubernetes_version "{props.kubernetes_version}" matches '
                f'no GKE version offered in {props.location}{where} (${{{listed}}}): give a '
                'MAJOR.MINOR prefix of one of them, such as "1.33", or one of them exactly.'))

    def _pool(self, pool: NodePool, cluster_id: str, version: str | None,
              labels: Mapping[str, str] | None) -> google.ContainerNodePool:
        props = self.props
        if pool.autoscale is not None:
            sizing: dict = {"initial_node_count": pool.autoscale.min_nodes,
                            "autoscaling": google.ContainerNodePoolAutoscaling(
                                min_node_count=pool.autoscale.min_nodes,
                                max_node_count=pool.autoscale.max_nodes)}
            # The cluster autoscaler owns the count between the bounds.
            lifecycle = TerraformResourceLifecycle(ignore_changes=["node_count",
                                                                   "initial_node_count"])
        else:
            sizing, lifecycle = {"node_count": pool.count}, None
        return google.ContainerNodePool(
            self, f"pool-{pool.name}", name=pool.name, cluster=cluster_id,
            location=props.location, project=props.project, version=version,
            management=google.ContainerNodePoolManagement(
                auto_repair=True, auto_upgrade=props.release_channel != "UNSPECIFIED"),
            node_config=google.ContainerNodePoolNodeConfig(
                machine_type=pool.size, labels=dict(pool.labels) or None,
                resource_labels=labels, oauth_scopes=list(OAUTH_SCOPES),
                taint=[google.ContainerNodePoolNodeConfigTaint(
                    key=t.key, value=t.value, effect=TAINT_EFFECTS[t.effect])
                    for t in pool.taints] or None),
            lifecycle=lifecycle, **sizing)
