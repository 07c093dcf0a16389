"""DoksCluster: a DigitalOcean Kubernetes cluster with its node pools."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from constructs import Construct

from ..cdk import Fn, Precondition, TerraformResourceLifecycle
from ..errors import ConfigError
from ..providers.digitalocean import (DataDigitaloceanKubernetesVersions, DataDigitaloceanRegions,
                                     DataDigitaloceanSizes, DataDigitaloceanSizesFilter,
                                     KubernetesCluster, KubernetesClusterMaintenancePolicy,
                                     KubernetesClusterNodePool, KubernetesNodePool)
from .cluster_access import ClusterAccess
from .formats import DNS1123_LABEL, DOKS_VERSION, EXACT_DOKS_VERSION, REGION, UUID, check_bool, \
    check_instance, check_str
from .props import MaintenanceWindow, NodePool, check_maintenance_window, check_node_pool, \
    check_sequence, check_tags


@dataclass(frozen=True)
class DoksClusterProps:
    """Props of :class:`DoksCluster`, validated when built (a ConfigError names the prop).

    Attributes:
        name: the cluster's name in DigitalOcean (a DNS-1123 label).
        region: DigitalOcean region slug, e.g. ``fra1``; one DigitalOcean does not have
            fails the plan.
        kubernetes_version: an exact DOKS version (``1.33.1-do.0``), or a prefix
            (``1.33``) resolved to the newest matching version at plan time.
        node_pools: at least one :class:`~fleetform.NodePool`, with distinct names; the
            first is the cluster's default pool.
        tags: DigitalOcean tags. Default: none.
        ha: highly available control plane. Default: False.
        auto_upgrade: DOKS patch upgrades in the maintenance window. Default: True.
        surge_upgrade: upgrade with extra nodes. Default: True.
        maintenance_window: day and UTC start time. Default: DigitalOcean's choice.
        vpc_uuid: the VPC to place the cluster in. Default: the region's default VPC.
        prevent_destroy: make Terraform refuse to destroy the cluster. Default: False.
    """

    name: str
    region: str
    kubernetes_version: str
    node_pools: Sequence[NodePool]
    tags: Sequence[str] = field(default_factory=tuple)
    ha: bool = False
    auto_upgrade: bool = True
    surge_upgrade: bool = True
    maintenance_window: MaintenanceWindow | None = None
    vpc_uuid: str | None = None
    prevent_destroy: bool = False

    def __post_init__(self) -> None:
        check_str(self.name, "name", "a DNS-1123 label (lowercase letters, digits and '-', "
                  "at most 63) such as my-cluster", DNS1123_LABEL)
        if len(self.name) > 63:
            raise ConfigError(f"must be at most 63 characters, got {len(self.name)}", field="name")
        check_str(self.region, "region", "a DigitalOcean region slug such as fra1 or ams3",
                  REGION)
        check_str(self.kubernetes_version, "kubernetes_version",
                  "a DOKS version: a prefix such as 1.33 (the newest 1.33.x) or an exact "
                  "1.33.1-do.0", DOKS_VERSION)
        check_sequence(self.node_pools, "node_pools", "NodePool")
        if not self.node_pools:
            raise ConfigError("a cluster needs at least one node pool", field="node_pools")
        names: list[str] = []
        for i, pool in enumerate(self.node_pools):
            check_node_pool(pool, f"node_pools[{i}]")
            if pool.name in names:
                raise ConfigError(f"duplicate node pool name {pool.name!r}",
                                  field=f"node_pools[{i}].name")
            names.append(pool.name)
        check_tags(self.tags, "tags")
        for attr in ("ha", "auto_upgrade", "surge_upgrade", "prevent_destroy"):
            check_bool(getattr(self, attr), attr)
        if self.maintenance_window is not None:
            check_maintenance_window(self.maintenance_window, "maintenance_window")
        if self.vpc_uuid is not None:
            check_str(self.vpc_uuid, "vpc_uuid", "a VPC UUID such as "
                      "0d5c0a4e-2f7b-4c1e-9a55-0123456789ab", UUID)


def _pool_kwargs(pool: NodePool) -> dict:
    kwargs: dict = {"name": pool.name, "size": pool.size}
    if pool.autoscale is not None:
        kwargs.update(auto_scale=True, min_nodes=pool.autoscale.min_nodes,
                      max_nodes=pool.autoscale.max_nodes)
    else:
        kwargs["node_count"] = pool.count
    if pool.labels:
        kwargs["labels"] = dict(pool.labels)
    if pool.taints:
        kwargs["taint"] = [{"key": t.key, "value": t.value, "effect": t.effect}
                           for t in pool.taints]
    if pool.tags:
        kwargs["tags"] = list(pool.tags)
    return kwargs


def _catalogue_checks(props: DoksClusterProps, regions: str, sizes: str) -> list[Precondition]:
    """Preconditions failing the plan on a region or size DigitalOcean does not have.

    ``regions`` and ``sizes`` are the addresses of the two data sources. Only
    existence is checked: whether a region takes new clusters, or a size is on
    offer in a region, changes with DigitalOcean's capacity, and checking that
    would stop every plan of a running cluster whose size is sold out (the API
    refuses a create with such a size itself). The messages list what is on
    offer, which is what a new cluster can use.
    """
    name, region = props.name, props.region
    checks = [Precondition(
        condition=f'${{contains({regions}.regions[*].slug, "{region}")}}',
        error_message=(
            f'Cluster {name}: region "{region}" is not a DigitalOcean region. Regions taking '
            f'new clusters: ${{join(", ", sort([for r in {regions}.regions : r.slug '
            'if r.available]))}.'))]
    offered = f'flatten([for r in {regions}.regions : sort(r.sizes) if r.slug == "{region}"])'
    for i, pool in enumerate(props.node_pools):
        checks.append(Precondition(
            condition=f'${{contains({sizes}.sizes[*].slug, "{pool.size}")}}',
            error_message=(
                f'Cluster {name}: node_pools[{i}] size "{pool.size}" is not a DigitalOcean '
                f'Droplet size. Sizes on offer in {region}: '
                f'${{join(", ", coalescelist({offered}, ["none"]))}}.')))
    return checks


class DoksCluster(Construct):
    """A DigitalOcean Kubernetes (DOKS) cluster and its extra node pools.

    The stack must configure the ``digitalocean`` provider (its token comes
    from ``DIGITALOCEAN_TOKEN``, never from synthesized JSON).

    The plan fails before anything is created, naming the cluster, the prop and
    what DigitalOcean has, when the version prefix matches no DOKS version, or
    the region or a pool's size does not exist (read through the
    ``digitalocean_kubernetes_versions``, ``digitalocean_regions`` and
    ``digitalocean_sizes`` data sources at plan time).

    Attributes:
        cluster: the ``digitalocean_kubernetes_cluster`` resource.
        cluster_id: the cluster's DigitalOcean ID.
        endpoint: the Kubernetes API server URL.
        ca_certificate: the API server's CA certificate (PEM).
        kubeconfig: the raw kubeconfig (sensitive; its token expires after 7 days).
        access: admin access for providers; its token is renewed by the plan's refresh
            once expired.
    """

    def __init__(self, scope: Construct, id: str, *, props: DoksClusterProps) -> None:
        check_instance(props, "props", DoksClusterProps, "DoksClusterProps(name=..., ...)")
        super().__init__(scope, id)
        self.props = props

        version, preconditions = self._version()
        regions = DataDigitaloceanRegions(self, "regions")
        sizes = DataDigitaloceanSizes(self, "sizes", filter=[DataDigitaloceanSizesFilter(
            key="slug", values=sorted({pool.size for pool in props.node_pools}))])
        preconditions += _catalogue_checks(props, regions.fqn, sizes.fqn)

        default_pool, *extra_pools = props.node_pools
        lifecycle = TerraformResourceLifecycle(
            prevent_destroy=True if props.prevent_destroy else None,
            precondition=preconditions)
        maintenance = KubernetesClusterMaintenancePolicy(
            day=props.maintenance_window.day,
            start_time=props.maintenance_window.start_time,
        ) if props.maintenance_window else None
        self.cluster = KubernetesCluster(
            self, "cluster",
            name=props.name,
            region=props.region,
            version=version,
            node_pool=KubernetesClusterNodePool(**_pool_kwargs(default_pool)),
            tags=list(props.tags) or None,
            ha=props.ha,
            auto_upgrade=props.auto_upgrade,
            surge_upgrade=props.surge_upgrade,
            maintenance_policy=maintenance,
            vpc_uuid=props.vpc_uuid,
            lifecycle=lifecycle,
        )
        self.node_pools = [
            KubernetesNodePool(self, f"pool-{pool.name}", cluster_id=self.cluster.id,
                               **_pool_kwargs(pool))
            for pool in extra_pools
        ]

        self._outputs()

    def _version(self) -> tuple[str, list[Precondition]]:
        """The DOKS version to create, and the check that a prefix matches one."""
        props = self.props
        version = props.kubernetes_version
        if EXACT_DOKS_VERSION.match(version):
            return version, []
        versions = DataDigitaloceanKubernetesVersions(
            self, "versions", version_prefix=version.rstrip(".") + ".")
        # When no offered version has the prefix, latest_version is unset and the
        # plan would fail on a missing `version`: fail it first, naming what exists
        # (from a second, unfiltered read). The message reads the prefix from the
        # data source, so a version bump changes nothing here but the prefix.
        offered = DataDigitaloceanKubernetesVersions(self, "offered")
        return versions.latest_version, [Precondition(
            condition=f"${{try(length({versions.fqn}.latest_version), 0) > 0}}",
            error_message=(
                f"Cluster {props.name}: kubernetes_version "
                f'"${{trimsuffix({versions.fqn}.version_prefix, ".")}}" matches no DOKS '
                f'version DigitalOcean offers (${{join(", ", {offered.fqn}.valid_versions)}}): '
                'give a MAJOR.MINOR prefix of one of them, such as "1.33", or one of '
                "them exactly."))]

    def _outputs(self) -> None:
        """The endpoint, CA, kubeconfig and admin access read from the cluster."""
        props = self.props
        # Attribute paths rather than kube_config.get(0).<attr>: one jsii call
        # instead of three, for the same expression.
        self.endpoint: str = self.cluster.endpoint
        self.ca_certificate: str = Fn.base64decode(
            self.cluster.get_string_attribute("kube_config[0].cluster_ca_certificate"))
        self.kubeconfig: str = self.cluster.get_string_attribute("kube_config[0].raw_config")

        # Providers take the token from the resource, not from a data source. The
        # provider's Read fetches new credentials whenever the stored ones have
        # expired (resource_kubernetes_cluster.go, v2.71.0), and Terraform refreshes
        # the resource on every plan, so the token is valid after 7 days too. A
        # data source would not do: one that refers to the cluster is read only
        # during apply whenever the cluster has a change pending (a new patch
        # version, a pool edit), leaving providers with an unknown token at plan
        # time; one with a literal name fails the first plan, before the cluster
        # exists. On a first create the token is unknown at plan time, and nothing
        # needs it before the cluster exists.
        self.access = ClusterAccess(
            name=props.name,
            endpoint=self.endpoint,
            cluster_ca_certificate=self.ca_certificate,
            token=self.cluster.get_string_attribute("kube_config[0].token"),
        )

    @property
    def cluster_id(self) -> str:
        """The cluster's DigitalOcean ID (a token)."""
        return self.cluster.id
