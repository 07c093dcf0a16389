"""``fleetform new``: a cluster, a label or a fleet of one's own (:mod:`fleetform.commands.new`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from ...constructs.labels import check_labels
from ...fleet.clouds import CLOUDS, DEFAULT_CLOUD
from ...fleet.repositories import display
from ..new import new_cluster, new_label
from ..new.fleet import new_fleet
from .arguments import Arguments


@dataclass(frozen=True)
class NewFleetArguments(Arguments):
    """``new fleet DIR``."""

    dir: Path
    url: str
    cloud: str
    region: Optional[str]
    name: str
    hostname: str


@dataclass(frozen=True)
class ChangeFilesArguments(Arguments):
    """What ``new cluster`` and ``new label`` share: where, and what happens after."""

    clusters_dir: Path
    dry_run: bool
    no_validate: bool
    no_fetch: bool


@dataclass(frozen=True)
class NewClusterArguments(ChangeFilesArguments):
    """``new cluster NAME``."""

    name: str
    like: Optional[str]
    cloud: Optional[str]
    region: Optional[str]
    kubernetes_version: Optional[str]
    labels: Optional[str]


@dataclass(frozen=True)
class NewLabelArguments(ChangeFilesArguments):
    """``new label LABEL``."""

    label: str
    path: Optional[str]
    url: Optional[str]
    revision: Optional[str]
    on: list[str]


NewArguments = Union[NewClusterArguments, NewLabelArguments, NewFleetArguments]
#: ``new WHAT``'s arguments, by WHAT.
WHAT: dict[str, type[NewArguments]] = {"cluster": NewClusterArguments,
                                       "label": NewLabelArguments, "fleet": NewFleetArguments}


def read(namespace: argparse.Namespace) -> NewArguments:
    """The arguments of the ``new`` command asked (``namespace.what``)."""
    return WHAT[namespace.what].read(namespace)


def _labels(text: str | None) -> dict[str, str] | None:
    if text is None:
        return None
    labels = {label.strip(): "true" for label in text.split(",") if label.strip()}
    check_labels(labels, field="--labels")
    return labels


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True)
    cluster = sub.add_parser("cluster", help="add a cluster, like another one",
                             description="Add clusters/NAME/cluster.yaml, from --like OTHER's "
                                         "(its per-cluster values copied) or the cloud's "
                                         "example, then validate.")
    cluster.add_argument("name", metavar="NAME")
    cluster.add_argument("--like", metavar="CLUSTER", help="the worker to copy")
    cluster.add_argument("--cloud", choices=sorted(CLOUDS),
                         help=f"without --like: start from this cloud's example "
                              f"(default: {DEFAULT_CLOUD})")
    cluster.add_argument("--region")
    cluster.add_argument("--kubernetes-version", metavar="X.Y")
    cluster.add_argument("--labels", metavar="A,B", help="the routing labels, replacing OTHER's")
    label = sub.add_parser("label", help="add a routing label and its repository",
                           description="Add LABEL's repository to the management cluster "
                                       "(a new one scaffolded with --path, or --url), and "
                                       "the label to the clusters --on.")
    label.add_argument("label", metavar="LABEL")
    label.add_argument("--path", help="a new repository in this checkout, e.g. manifests/LABEL")
    label.add_argument("--url", help="an existing repository of Helm charts")
    label.add_argument("--revision", help="its branch or tag (default: main, or the "
                                          "checkout's revision with --path)")
    label.add_argument("--on", nargs="+", metavar="CLUSTER", default=[],
                       help="clusters that get the label")
    fleet = sub.add_parser("fleet", help="start a fleet of your own in DIR",
                           description="Write a new project in DIR: this checkout's tooling, "
                                       "one management cluster in --cloud, a global label "
                                       "repository with one chart; none of this fleet.")
    fleet.add_argument("dir", metavar="DIR", type=Path)
    fleet.add_argument("--url", required=True,
                       help="the new fleet's Git URL (Argo CD reads manifests/ from it)")
    fleet.add_argument("--cloud", choices=sorted(CLOUDS), default=DEFAULT_CLOUD)
    fleet.add_argument("--region", help="default: the cloud example's")
    fleet.add_argument("--name", default="management",
                       help="the management cluster's name (default: management)")
    fleet.add_argument("--hostname", required=True,
                       help="Argo CD's public hostname (argocd.hostname): workers register "
                            "through it")
    for command in (cluster, label):
        command.add_argument("--clusters-dir", default="clusters", type=Path)
        command.add_argument("--dry-run", action="store_true",
                             help="print what would be written, write nothing")
        command.add_argument("--no-validate", action="store_true",
                             help="do not run fleetform validate afterwards")
        command.add_argument("--no-fetch", action="store_true",
                             help="validate offline (see fleetform validate --help)")


def run(args: NewArguments) -> int:
    if isinstance(args, NewFleetArguments):
        files = new_fleet(args.dir, cloud=args.cloud, region=args.region, name=args.name,
                          url=args.url, hostname=args.hostname)
        print(f"a new fleet in {args.dir}: the tooling, and\n" +
              "\n".join(f"  {f}" for f in files) +
              f"\nnext: cd {args.dir} && git init -b main && git add -A && "
              "git commit -m 'A new fleet' && ./fleet synth && ./fleet test")
        return 0
    clusters_dir = Path(args.clusters_dir)
    if isinstance(args, NewClusterArguments):
        change = new_cluster(clusters_dir, args.name, like=args.like, cloud=args.cloud,
                             region=args.region, kubernetes_version=args.kubernetes_version,
                             labels=_labels(args.labels))
    else:
        change = new_label(clusters_dir, args.label, path=args.path, url=args.url,
                           revision=args.revision, on=args.on)
    if args.dry_run:
        for target, text in change.writes.items():
            print(f"--- would write {display(target)}\n{text}", end="" if text.endswith("\n")
                  else "\n")
        for source, target in change.copies:
            print(f"--- would copy {display(source)}/ to {display(target)}/")
    else:
        change.apply()
    for note in change.notes:
        print(f"by hand: {note}")
    code = 0
    if not args.dry_run and not args.no_validate:
        from . import validate

        only = [args.name] if isinstance(args, NewClusterArguments) else None
        print(f"fleetform validate{' --cluster ' + only[0] if only else ''}:")
        code = validate.run(validate.ValidateArguments(
            clusters_dir=clusters_dir, repo=None, no_fetch=args.no_fetch, only=only,
            argocd_schemas=None, kubernetes_version=None, strict=False, format="text"))
    if not args.dry_run:
        print("files to commit:\n" + "\n".join(f"  {f}" for f in change.files()),
              file=sys.stdout)
    return code
