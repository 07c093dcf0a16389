"""What a team importing fleetform into its own stack gets: cheap, typed, quiet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fleetform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/main.py"))
HEAVY = ("cdktf", "jsii", "constructs", "cdktf_cdktf_provider_digitalocean",
         "cdktf_cdktf_provider_helm", "pydantic", "yaml")


def _loaded_after(code: str) -> set[str]:
    """Top-level modules of HEAVY that a fresh interpreter has loaded after ``code``."""
    probe = (f"{code}\nimport sys\n"
             f"print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return set(run.stdout.split())


def test_importing_fleetform_loads_no_cdktf_and_no_provider():
    assert _loaded_after("import fleetform") == set()


def test_props_load_no_cdktf():
    code = ("from fleetform import ClusterAccess, NodePool, Autoscale, Repository, "
            "MaintenanceWindow, ConfigError")
    assert _loaded_after(code) == set()


def test_a_construct_loads_only_the_providers_it_uses():
    loaded = _loaded_after("from fleetform import ArgoCluster")
    assert {"cdktf", "jsii", "constructs"} <= loaded
    assert not loaded & {"cdktf_cdktf_provider_digitalocean", "cdktf_cdktf_provider_helm",
                         "pydantic"}


def test_public_names_are_the_constructs_and_props():
    from fleetform.constructs import (argo_cluster, argocd, cluster_access, doks_cluster,
                                      eks_cluster, props)
    assert fleetform.DoksCluster is doks_cluster.DoksCluster
    assert fleetform.EksCluster is eks_cluster.EksCluster
    assert fleetform.EksClusterProps is eks_cluster.EksClusterProps
    assert fleetform.ExecCredential is cluster_access.ExecCredential
    assert fleetform.DoksClusterProps is doks_cluster.DoksClusterProps
    assert fleetform.ArgoCd is argocd.ArgoCd and fleetform.ArgoCdProps is argocd.ArgoCdProps
    assert fleetform.ArgoCluster is argo_cluster.ArgoCluster
    assert fleetform.ClusterAccess is cluster_access.ClusterAccess
    assert fleetform.NodePool is props.NodePool
    for name in fleetform.__all__:
        assert getattr(fleetform, name) is not None, name
    assert set(fleetform.__all__) <= set(dir(fleetform))


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'fleetform' has no attribute 'DoksClustr'"):
        fleetform.DoksClustr  # noqa: B018
    with pytest.raises(ImportError):
        exec("from fleetform import DoksClustr")


def test_package_is_marked_typed():
    assert (Path(fleetform.__file__).parent / "py.typed").is_file()


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory) -> Path:
    """One cache for the module's mypy runs: analysing cdktf's types once is enough."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(cache: Path, cwd: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(cache), *map(str, files)],
        capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("app", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_consumer_apps_are_mypy_strict_clean(mypy_cache, tmp_path, app):
    run = _mypy(mypy_cache, tmp_path, app)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_sees_the_types_of_the_public_api(mypy_cache, tmp_path):
    """A consumer's type errors are reported: fleetform's hints reach mypy (py.typed)."""
    bad = tmp_path / "bad_consumer.py"
    bad.write_text(
        "from fleetform import ClusterAccess, DoksClusterProps, NodePool\n"
        "access = ClusterAccess(name=1, endpoint='https://x', cluster_ca_certificate='c')\n"
        "pool = NodePool(name='default', size='s-1vcpu-2gb', count='3')\n"
        "props = DoksClusterProps(name='a', region='ams3', kubernetes_version='1.33',\n"
        "                         node_pools=[pool], ha='yes')\n")
    run = _mypy(mypy_cache, tmp_path, bad)
    assert run.returncode == 1
    assert 'Argument "name" to "ClusterAccess" has incompatible type "int"' in run.stdout
    assert 'Argument "count" to "NodePool" has incompatible type "str"' in run.stdout
    assert 'Argument "ha" to "DoksClusterProps" has incompatible type "str"' in run.stdout


def _import_cdktf(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items()
           if k != "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"}
    if env_value is not None:
        env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = env_value
    # cdktf first, as a user's app may: the banner is printed when jsii starts.
    run = subprocess.run([sys.executable, "-c", "import cdktf\nimport fleetform"],
                         capture_output=True, text=True, env=env, check=True)
    return run.stderr


def test_node_banner_is_silenced_even_when_cdktf_is_imported_first():
    """The installed fleetform-jsii-node.pth sets the variable at interpreter start-up."""
    shown = _import_cdktf("")  # set but empty: the .pth keeps a user's own setting
    if "end-of-life" not in shown:
        pytest.skip("this Node version prints no end-of-life banner")
    assert "end-of-life" not in _import_cdktf(None)


def test_command_line_without_the_tools_extra_says_what_to_install():
    """A core install has no pydantic: the command explains instead of a traceback."""
    code = ("import sys\nsys.modules['pydantic'] = None  # as if not installed\n"
            "from fleetform.commands.cli import main\nsys.exit(main(['validate']))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == ("error: the fleetform command needs the tools extra (module "
                          "'pydantic' is missing): pip install 'fleetform[tools]'\n")
