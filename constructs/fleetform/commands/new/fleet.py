"""``fleetform new fleet DIR``: a fleet of one's own, from nothing but this project's tooling.

DIR gets this checkout's project files (the tooling: ``fleet``, the app, the library,
its tests and pipeline, the lock files) and none of its fleet: a ``clusters/`` with one
management cluster in the cloud asked for, and a ``manifests/global`` label
repository with one chart. ``./fleet synth`` and ``./fleet test`` work there. DIR is
written beside itself and moved into place: it exists whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ...constructs.formats import DNS1123_LABEL
from ...errors import ConfigError
from ...fleet import roundtrip
from ...fleet.clouds import CLOUDS
from ...fleet.config import CLUSTER_FILE, load_fleet

#: This fleet's own data, which a new fleet does not get.
FLEET_DATA = ("clusters/", "manifests/")
#: Files a project needs at its top: how DIR is told to be one.
PROJECT_FILES = ("fleet", "main.py", "cdktf.json", "Pipfile.lock", "package-lock.json")


#: The example chart of a new label repository: it renders, and says what to replace.
EXAMPLE_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: hello\ndescription: \"An example application of the "
                  "{label} label; replace it with the label's charts.\"\nversion: 0.1.0\n",
    "values.yaml": "# Every cluster with the {label} label receives this; per-cluster values go "
                   "in values/<cluster>/hello/values.yaml.\ngreeting: hello from {label}\n",
    "templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n"
                                "data:\n  greeting: {{ .Values.greeting | quote }}\n",
}


def check_name(name: str, field_name: str) -> None:
    """Raise ConfigError unless ``name`` is a DNS-1123 label (a cluster's name)."""
    if not DNS1123_LABEL.match(name) or len(name) > 63:
        raise ConfigError(f"{name!r} is not a DNS-1123 label: at most 63 lowercase letters, "
                          "digits and '-', starting and ending with a letter or digit",
                          field=field_name)


def project_root() -> Path:
    """The fleetform checkout this package runs from; ConfigError when it is installed."""
    root = Path(__file__).resolve().parents[4]  # <root>/constructs/fleetform/commands/new/
    if not all((root / f).is_file() for f in PROJECT_FILES):
        raise ConfigError("new fleet copies the tooling of a fleetform checkout (fleet, "
                          "main.py, the lock files), and fleetform runs from an installed "
                          f"package here: run it from a checkout ({', '.join(PROJECT_FILES)})",
                          field="DIR")
    return root


def _project_files(root: Path) -> list[str]:
    """The checkout's files (tracked and new, not ignored), its fleet data left out."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True, timeout=120).stdout.decode()
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"cannot list the project's files with git ({exc})",
                          file=root) from None
    return sorted(rel for rel in filter(None, listed.split("\0"))
                  if not rel.startswith(FLEET_DATA) and "__pycache__" not in rel
                  and (root / rel).is_file())


def management_yaml(cloud: str, region: str | None, url: str, hostname: str | None) -> str:
    """The cloud's example cluster as the fleet's management cluster: the global label,
    its repository, and three nodes (what Argo CD needs to be highly available later)."""
    from ruamel.yaml.comments import CommentedMap

    document = roundtrip.load(CLOUDS[cloud].worker_example, f"{cloud}'s example")
    document.yaml_set_start_comment(
        "The management cluster: runs Argo CD, which deploys to every cluster of the fleet.")
    document["role"] = "management"
    if region is not None:
        document["region"] = region
    pool = document["node_pools"][0]
    if "autoscale" in pool:
        pool["autoscale"]["min_nodes"] = max(3, pool["autoscale"]["min_nodes"])
        pool["autoscale"]["max_nodes"] = max(pool["autoscale"]["max_nodes"],
                                             pool["autoscale"]["min_nodes"])
    argocd = CommentedMap()
    if hostname:
        argocd["hostname"] = hostname
    argocd["repositories"] = CommentedMap()
    argocd["repositories"]["global"] = CommentedMap(url=url, revision="main",
                                                     path="manifests/global")
    document["argocd"] = argocd
    return roundtrip.dump(document)


def new_fleet(target: Path, *, cloud: str, region: str | None, name: str, url: str,
              hostname: str | None = None) -> list[str]:
    """Write the fleet at ``target`` (which must not exist, or be empty); returns its files."""
    check_name(name, "--name")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError("already exists and is not empty: a new fleet needs a directory of "
                          "its own", file=target, field="DIR")
    root = project_root()
    files = _project_files(root)
    parent = target.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}-"))
    try:
        for rel in files:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, staging / rel)
        cluster = staging / "clusters" / name / CLUSTER_FILE
        cluster.parent.mkdir(parents=True)
        cluster.write_text(management_yaml(cloud, region, url, hostname), encoding="utf-8")
        chart = staging / "manifests" / "global" / "apps" / "default" / "hello"
        for rel, text in EXAMPLE_CHART.items():
            (chart / rel).parent.mkdir(parents=True, exist_ok=True)
            (chart / rel).write_text(text.replace("{label}", "global"), encoding="utf-8")
        load_fleet(staging / "clusters")  # the new fleet is a fleet, or nothing is written
        if target.is_dir():
            target.rmdir()
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [f"clusters/{name}/{CLUSTER_FILE}",
            *(f"manifests/global/apps/default/hello/{rel}" for rel in EXAMPLE_CHART)]
