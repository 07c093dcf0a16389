"""Argo CD sized for the fleet it serves: high availability, controller shards, and which
shard serves which cluster.

The application controller keeps a cache of every cluster it manages in memory;
one replica for a large fleet grows until it is killed, and one busy cluster can
take the replica (and every other cluster on it) down. Argo CD splits the
clusters between the replicas of its controller StatefulSet ("shards"). A cluster
whose registration names a shard is served by that replica (while it exists);
any other is placed by the controller's sharding algorithm, whose placements
move when clusters are added (round-robin re-deals every cluster after the new
one) or that leaves clusters unserved with dynamic distribution (argo-cd#21975).

fleetform therefore gives every registration an explicit shard, computed here
from the fleet (:func:`controller_shards`): balanced to within one cluster,
stable for the clusters already there, and predictable when a replica is added.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from ..errors import ConfigError
from .props import NodePool

#: More than this many clusters (a handful) and Argo CD runs highly available by default.
HA_FROM_CLUSTERS = 6
#: Clusters each application-controller replica serves, at most, by default.
CLUSTERS_PER_CONTROLLER = 50
#: Fewest nodes an HA install spreads over: Redis HA and its proxies run one per node
#: (hard anti-affinity), three of each.
HA_MIN_NODES = 3
#: Replicas of the stateless components (API server, repo-server, ApplicationSet
#: controller) when highly available.
HA_REPLICAS = 2
#: The controller's defaults (Argo CD 3.x): status and operation processors, and the
#: Kubernetes client's queries per second and burst.
DEFAULT_PROCESSORS = (20, 10)
DEFAULT_CLIENT = (50, 100)


@dataclass(frozen=True)
class ArgoCdSizing:
    """How the Argo CD of a fleet is sized. Build it with :meth:`for_fleet`.

    Attributes:
        clusters: clusters Argo CD manages (the management cluster included).
        high_availability: several replicas of the API server, repo-server and
            ApplicationSet controller, Redis HA, disruption budgets, pods spread over nodes.
        controller_replicas: application-controller replicas, one shard each.
        status_processors / operation_processors: the controller's parallelism, per replica.
        client_qps / client_burst: each controller replica's Kubernetes client rate limits.
    """

    clusters: int
    high_availability: bool
    controller_replicas: int
    status_processors: int
    operation_processors: int
    client_qps: int
    client_burst: int

    @classmethod
    def for_fleet(cls, clusters: int, *, high_availability: bool | None = None,
                  controller_replicas: int | None = None) -> "ArgoCdSizing":
        """The sizing for ``clusters`` clusters; either choice may be given instead.

        Highly available from :data:`HA_FROM_CLUSTERS` clusters; one controller replica
        per :data:`CLUSTERS_PER_CONTROLLER` clusters (at least two when highly available,
        so that a replica's restart leaves the other shards served). Each replica gets
        the processors Argo CD's documentation gives for about 1,000 applications (50
        status, 25 operation) once it serves more than a handful of clusters, and
        twice the client's default rate limits.
        """
        if not isinstance(clusters, int) or isinstance(clusters, bool) or clusters < 1:
            raise ConfigError(f"must be a number of clusters >= 1 (got {clusters!r})",
                              field="clusters")
        ha = clusters >= HA_FROM_CLUSTERS if high_availability is None else high_availability
        if controller_replicas is None:
            controller_replicas = max(math.ceil(clusters / CLUSTERS_PER_CONTROLLER),
                                      2 if ha else 1)
        elif not isinstance(controller_replicas, int) or isinstance(controller_replicas, bool) \
                or not 1 <= controller_replicas <= clusters:
            raise ConfigError(f"must be between 1 and the number of clusters ({clusters}) "
                              f"(got {controller_replicas!r})", field="controller_replicas")
        per_replica = math.ceil(clusters / controller_replicas)
        busy = per_replica >= HA_FROM_CLUSTERS
        return cls(clusters=clusters, high_availability=ha,
                   controller_replicas=controller_replicas,
                   status_processors=50 if busy else DEFAULT_PROCESSORS[0],
                   operation_processors=25 if busy else DEFAULT_PROCESSORS[1],
                   client_qps=DEFAULT_CLIENT[0] * (2 if busy else 1),
                   client_burst=DEFAULT_CLIENT[1] * (2 if busy else 1))

    def chart_values(self) -> dict:
        """The argo-cd chart values of this sizing (merged into ArgoCd's own)."""
        values: dict = {}
        if self.controller_replicas > 1 or self.status_processors != DEFAULT_PROCESSORS[0]:
            values["controller"] = {
                "replicas": self.controller_replicas,
                # A StatefulSet: each replica's shard is its ordinal, never re-dealt.
                "dynamicClusterDistribution": False,
                "env": [{"name": "ARGOCD_K8S_CLIENT_QPS", "value": str(self.client_qps)},
                        {"name": "ARGOCD_K8S_CLIENT_BURST", "value": str(self.client_burst)}],
            }
            values["configs"] = {"params": {
                "controller.status.processors": self.status_processors,
                "controller.operation.processors": self.operation_processors,
                # Only for a cluster registered without a shard (none of fleetform's).
                "controller.sharding.algorithm": "legacy",
            }}
        if self.high_availability:
            # A drain or an upgrade takes one pod of a component at a time.
            pdb = {"pdb": {"enabled": True, "maxUnavailable": 1}}
            values.setdefault("controller", {}).update(pdb)
            for component in ("server", "repoServer", "applicationSet"):
                values[component] = {"replicas": HA_REPLICAS, **pdb}
            # Three Redis servers and three proxies, one per node (the subchart's hard
            # anti-affinity), with a disruption budget of their own.
            values["redis-ha"] = {"enabled": True, "podDisruptionBudget": {"maxUnavailable": 1},
                                  "haproxy": {"podDisruptionBudget": {"maxUnavailable": 1}}}
            # Each component's pods spread over the nodes (the chart's soft anti-affinity
            # stays: a controller of 20 replicas does not need 20 nodes).
            values["global"] = {"topologySpreadConstraints": [{
                "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway"}]}
        return values


def check_shard(shard: object, replicas: int, field: str = "shard") -> None:
    """Raise ConfigError unless ``shard`` is None or a shard of ``replicas`` replicas."""
    if shard is None:
        return
    if not isinstance(shard, int) or isinstance(shard, bool) or not 0 <= shard < replicas:
        raise ConfigError(f"must be a controller shard from 0 to {replicas - 1} (the "
                          f"controller has {replicas} replica(s)), got {shard!r}", field=field)


def check_nodes(sizing: ArgoCdSizing, node_pools: Sequence[NodePool],
                field: str = "node_pools") -> None:
    """Raise ConfigError, naming the pool, when a highly available Argo CD cannot spread
    over the management cluster's ``node_pools``.

    Redis HA runs three servers and three proxies, each on a node of its own. Nodes
    of pools with a ``NoSchedule`` or ``NoExecute`` taint do not count (Argo CD's pods
    do not tolerate them); an autoscaled pool counts its ``min_nodes``.
    """
    if not sizing.high_availability or not node_pools:
        return
    usable = [(i, p) for i, p in enumerate(node_pools)
              if not any(t.effect in ("NoSchedule", "NoExecute") for t in p.taints)]
    nodes = sum(p.count if p.count is not None else p.autoscale.min_nodes  # type: ignore[union-attr]
                for _, p in usable)
    if nodes >= HA_MIN_NODES:
        return
    index, pool = usable[0] if usable else (0, node_pools[0])
    if pool.count is not None:
        where, current = f"{field}[{index}].count", pool.count
    else:
        where, current = f"{field}[{index}].autoscale.min_nodes", pool.autoscale.min_nodes  # type: ignore[union-attr]
    wanted = current + HA_MIN_NODES - nodes if usable else HA_MIN_NODES
    raise ConfigError(
        f"Argo CD is highly available for this fleet ({sizing.clusters} clusters): Redis HA "
        f"needs {HA_MIN_NODES} nodes, one for each of its servers, and the node pools have "
        f"{nodes} that Argo CD can run on: raise {where} (pool {pool.name!r}) to {wanted}, "
        "or set argocd.high_availability: false", field=where)


def _score(cluster: str, shard: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{cluster}\0{shard}".encode()).digest()[:8], "big")


def controller_shards(clusters: Iterable[str], replicas: int) -> dict[str, int]:
    """The controller shard of each cluster: balanced, and stable as the fleet changes.

    Each cluster ranks the shards by a hash of (cluster, shard) (rendezvous hashing:
    its own order, which no other cluster changes); clusters, taken in the order of
    their own hash, each take the first shard in their ranking that has room. Room
    is ``ceil(n / replicas)`` for as many shards as ``n % replicas`` allows and
    ``floor`` for the others, so no shard serves more than one cluster above another.

    Adding a cluster moves no other cluster unless the room of a shard changes
    (then a few, each to its next choice); adding a replica moves clusters only to
    the new shard. ``bench``-style figures are in ``tests/test_argocd_sizing.py``.
    """
    if replicas < 1:
        raise ConfigError(f"must be >= 1 (got {replicas})", field="controller_replicas")
    # Every stack of a fleet asks (a worker's synth for its own shard): computed once.
    return dict(_placement(tuple(sorted(set(clusters))), replicas))


@functools.lru_cache(maxsize=8)
def _placement(names: tuple[str, ...], replicas: int) -> dict[str, int]:
    if not names:
        return {}
    base, extra = divmod(len(names), replicas)
    loads = [0] * replicas
    full_at_ceiling = 0
    out: dict[str, int] = {}
    for name in sorted(names, key=lambda n: (_score(n, -1), n)):
        for shard in sorted(range(replicas), key=lambda s: (-_score(name, s), s)):
            room = base + 1 if full_at_ceiling < extra or loads[shard] < base else base
            if loads[shard] < room:
                loads[shard] += 1
                if loads[shard] == base + 1:
                    full_at_ceiling += 1
                out[name] = shard
                break
    return out


def shard_loads(shards: Mapping[str, int], replicas: int) -> list[int]:
    """How many clusters each shard serves."""
    loads = [0] * replicas
    for shard in shards.values():
        loads[shard] += 1
    return loads
