"""The child pipeline's batches: which clusters a plan or apply job holds, and the
waves the applies run in (see :mod:`fleetform.commands.pipeline`)."""

from __future__ import annotations

from dataclasses import dataclass

from ...fleet.clouds import CLOUDS
from ...integrations.gitlab import ENVIRONMENT_PREFIX
from ..changes import AffectedCluster, Changes

#: Workers per plan or apply job: 200 clusters are 20 jobs a step, 1,000 are 100.
DEFAULT_BATCH_SIZE = 10
#: A batch of more than this would exceed a job's time (and 50 ``needs``: no limit here).
MAX_BATCH_SIZE = 100
#: Apply jobs in a wave at most: each job of the next wave needs every one of them
#: (GitLab allows 50 ``needs`` per job).
MAX_WAVE = 32
#: The environment of a job of several clusters (``fleet/*`` variables reach it); each
#: cluster's own ``fleet/<name>`` records its deployments.
BATCH_ENVIRONMENT = "fleet/batches"
#: The GitLab environment of cluster ``<name>``: ``fleet/<name>``.
ENVIRONMENT = ENVIRONMENT_PREFIX + "{name}"


@dataclass(frozen=True)
class Batch:
    """Clusters planned (and applied) by one job: the management cluster alone, else
    up to ``--batch-size`` workers of one cloud (their jobs share its credentials)."""

    #: What the jobs are named after: the cluster, when the batch holds one; else
    #: ``<cloud> <i>/<n>``.
    name: str
    clusters: tuple[AffectedCluster, ...]
    cloud: str
    management: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.clusters]

    @property
    def single(self) -> bool:
        """A batch named after its one cluster: its jobs name that cluster's own
        environment, ``fleet/<name>``."""
        return len(self.clusters) == 1 and self.name == self.clusters[0].name

    @property
    def environment(self) -> str:
        return ENVIRONMENT.format(name=self.name) if self.single else BATCH_ENVIRONMENT

    @property
    def cache_group(self) -> str:
        """Its jobs' provider cache: its cloud's, or the (bigger) management stack's."""
        return f"management-{self.cloud}" if self.management else self.cloud

    @property
    def plan_job(self) -> str:
        return f"plan:{self.name}"

    @property
    def apply_job(self) -> str:
        return f"apply:{self.name}"


def batches(changes: Changes, size: int = DEFAULT_BATCH_SIZE) -> list[Batch]:
    """The change's batches, in the order they apply: the management cluster first
    (workers need its Argo CD token), then each cloud's workers, ``size`` at a time."""
    out: list[Batch] = []
    workers: dict[str, list[AffectedCluster]] = {}
    for cluster in changes.affected:
        if cluster.role == "management":
            out.append(Batch(cluster.name, (cluster,), cluster.cloud, management=True))
        else:
            workers.setdefault(cluster.cloud, []).append(cluster)
    for cloud in sorted(workers, key=lambda c: (list(CLOUDS).index(c) if c in CLOUDS else 99, c)):
        members = sorted(workers[cloud], key=lambda c: c.name)
        chunks = [tuple(members[i:i + size]) for i in range(0, len(members), size)]
        for index, chunk in enumerate(chunks, 1):
            name = chunk[0].name if len(chunks) == 1 and len(chunk) == 1 \
                else f"{cloud} {index}/{len(chunks)}"
            out.append(Batch(name, chunk, cloud))
    return out


def waves(planned: list[Batch]) -> list[list[Batch]]:
    """The order applies run in: the management cluster's alone, then the workers'
    batches in waves that double (1, 2, 4, ... batches, at most :data:`MAX_WAVE`), each
    wave after the whole wave before it. The first batches are canaries: a failed
    apply stops every later wave, and a change that works reaches 200 clusters in 5
    waves, 1,000 in 7."""
    out: list[list[Batch]] = []
    rest = list(planned)
    if rest and rest[0].management:
        out.append([rest.pop(0)])
    width = 1
    while rest:
        out.append(rest[:width])
        rest = rest[width:]
        width = min(width * 2, MAX_WAVE)
    return out
