"""Run the real ``terraform`` binary on synthesized stacks, offline, against the stand-ins.

``Workspace`` owns a directory laid out like a checkout after ``./fleet synth``
(``cdktf.out/stacks/<name>/cdk.tf.json``, local state beside ``cdktf.out``), a
fake cloud (``cloud.json``), and a Terraform CLI configuration written for the
run: a filesystem mirror in which each provider is a small launcher script
that starts ``standin.py`` with this Python (``launch.py``: forked by a server
that has the stand-ins' imports done). ``terraform init`` installs the
stand-ins from that mirror as it would the real providers from the registry.
Beside it, ``bin/`` holds the tools the providers run, first on PATH: ``aws``
(``aws_cli.py``: ``aws eks get-token`` against the fake cloud, for the exec
plugins of the Kubernetes, Helm and Argo CD providers on EKS) and
``gke-gcloud-auth-plugin`` (``gke_auth_plugin.py``, for GKE). Google credentials in
``Workspace.env`` are the GitLab job's workload identity federation
(``cloud_google.workload_identity_env``; ``cloud_google`` has the other helpers and
``NO_GOOGLE_CREDENTIALS``).

AWS credentials, like ``DIGITALOCEAN_TOKEN``, are in ``Workspace.env`` for every
run: by default the GitLab pipeline's, a web identity (ID token file) for the
IAM role ``fleetform-deployer``. ``aws_role_env()``, ``aws_user_env()`` and
``aws_profile_env()`` give other principals' (made in the fake IAM when missing, with
no EKS access until an access entry says so), ``NO_AWS_CREDENTIALS`` none; pass one as a run's ``env=``
or update ``Workspace.env`` with it. A ``None`` in an environment unsets that
variable.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cloud as clouds  # noqa: E402
import cloud_aws  # noqa: E402
import cloud_azure  # noqa: E402
import cloud_google  # noqa: E402
from schemas import PROVIDERS  # noqa: E402

#: Every variable the AWS SDKs and CLI take credentials from, unset (``env=NO_AWS_CREDENTIALS``).
NO_AWS_CREDENTIALS = {name: None for name in cloud_aws.CREDENTIAL_VARIABLES}
#: A GitLab ID token as a job gets it (the fake STS checks only that there is one).
_ID_TOKEN = ".".join(cloud_aws._b64(json.dumps(part).encode()) for part in (
    {"alg": "RS256", "kid": "gitlab", "typ": "JWT"},
    {"iss": "https://gitlab.com", "aud": "sts.amazonaws.com",
     "sub": "project_path:acme/fleet:ref_type:branch:ref:main"})) + ".c2lnbmF0dXJl"

#: The Terraform version the harness is written for (README: Development).
TERRAFORM_VERSION = "1.11"
#: How long a stand-in started for Terraform to attach to may take to say where it listens.
STARTUP_TIMEOUT = 120


class TerraformMissing(Exception):
    pass


def terraform_binary() -> str:
    """The ``terraform`` on PATH, or TerraformMissing saying what to install."""
    found = shutil.which("terraform")
    if not found:
        raise TerraformMissing(
            f"terraform is not on PATH: the Terraform tests need Terraform {TERRAFORM_VERSION}.x "
            "(https://developer.hashicorp.com/terraform/install); they run it offline "
            "against stand-in providers")
    return found


def _launcher(name: str) -> str:
    """The executable a stand-in provider is installed as: it starts ``standin.py``
    (forked by ``launch.py``'s server, which has its imports done)."""
    return f"#!/bin/sh\nexec {sys.executable} -S -I {HERE / 'launch.py'} {name} \"$@\"\n"


def write_mirror(root: Path) -> Path:
    """A filesystem mirror (unpacked layout) of launchers for every stand-in provider."""
    mirror = root / "mirror"
    for name, (namespace, version, *_rest) in PROVIDERS.items():
        target = mirror / "registry.terraform.io" / namespace / name / version / "linux_amd64"
        target.mkdir(parents=True, exist_ok=True)
        launcher = target / f"terraform-provider-{name}_v{version}"
        launcher.write_text(_launcher(name))
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return mirror


def write_packaged_mirror(root: Path, platforms: tuple[str, ...] = ("linux_amd64",),
                          versions: dict[str, str] | None = None) -> Path:
    """A filesystem mirror in the packaged layout (the registry's zip files) of every
    stand-in provider, for each platform: what ``terraform providers lock
    -fs-mirror=`` reads. ``versions`` packages other versions of some providers.
    The zips hold the launchers of :func:`write_mirror`, so their checksums (``h1:``)
    are those of the providers Terraform installs from that mirror."""
    import zipfile

    mirror = root / "packaged"
    for name, (namespace, version, *_rest) in PROVIDERS.items():
        version = (versions or {}).get(name, version)
        target = mirror / "registry.terraform.io" / namespace / name
        target.mkdir(parents=True, exist_ok=True)
        for platform in platforms:
            archive = target / f"terraform-provider-{name}_{version}_{platform}.zip"
            with zipfile.ZipFile(archive, "w") as out:
                info = zipfile.ZipInfo(f"terraform-provider-{name}_v{version}")
                info.external_attr = 0o755 << 16
                out.writestr(info, _launcher(name))
    return mirror


def write_tools(root: Path) -> Path:
    """``bin/``: launchers of the tools the stand-ins run (``aws``), with this Python."""
    tools = root / "bin"
    tools.mkdir(parents=True, exist_ok=True)
    launcher = tools / "aws"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'aws_cli.py'} \"$@\"\n")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    # gke_auth_plugin.py: the GKE exec credential plugin
    launcher = tools / "gke-gcloud-auth-plugin"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'gke_auth_plugin.py'} \"$@\"\n")
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return tools


def _environment(*layers: dict | None) -> dict:
    """Environments merged, later ones winning; a ``None`` value unsets the variable."""
    merged: dict = {}
    for layer in layers:
        merged.update(layer or {})
    return {k: v for k, v in merged.items() if v is not None}


def write_cli_config(root: Path) -> Path:
    write_tools(root)
    mirror = write_mirror(root)
    config = root / "terraformrc"
    config.write_text(
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{mirror}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        "}\n")
    return config


@dataclass
class Result:
    args: list
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> "Result":
        assert self.returncode == 0, (
            f"terraform {' '.join(self.args)} failed ({self.returncode}):\n{self.output[-6000:]}")
        return self


class Workspace:
    """A fleet's synthesized stacks, their state and the cloud they run against."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.binary = terraform_binary()
        self.cli_config = self.root / "terraformrc"
        if not self.cli_config.exists():
            write_cli_config(self.root)
        self.cloud_file = self.root / "cloud.json"
        if not self.cloud_file.exists():
            clouds.new_cloud(self.cloud_file)
        self.tools = self.root / "bin"
        if not (self.tools / "aws").exists() or \
                not (self.tools / "gke-gcloud-auth-plugin").exists():
            write_tools(self.root)
        self.env = {
            "PATH": f"{self.tools}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.root),
            "TF_CLI_CONFIG_FILE": str(self.cli_config), "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "false", "CHECKPOINT_DISABLE": "1",
            "FLEETFORM_STANDIN_CLOUD": str(self.cloud_file),
            "DIGITALOCEAN_TOKEN": "do-token-for-tests",
            **self.aws_role_env(),
            # Google: the GitLab job's workload identity federation (cloud_google)
            **cloud_google.workload_identity_env(self.root, self.cloud_file),
            # Azure: the GitLab job's OIDC federation (cloud_azure.oidc_env)
            **cloud_azure.oidc_env(self.root),
        }

    def stack(self, name: str) -> Path:
        return self.root / "cdktf.out" / "stacks" / name

    def put_stack(self, name: str, document: dict) -> None:
        """Write (or replace) a stack's Terraform JSON, keeping its .terraform and lock."""
        directory = self.stack(name)
        directory.mkdir(parents=True, exist_ok=True)
        # The synth puts local state relative to the project it ran in; here every
        # stack's state lives in the workspace, wherever the stack was synthesized.
        document = json.loads(json.dumps(document))
        document["terraform"]["backend"] = {"local": {"path": f"../../../terraform.{name}.tfstate"}}
        (directory / "cdk.tf.json").write_text(json.dumps(document, indent=2))

    def copy(self, root: Path) -> "Workspace":
        """An independent copy: stacks, providers installed, state and cloud."""
        shutil.copytree(self.root, root, symlinks=True)
        copied = Workspace(root)
        write_cli_config(copied.root)  # the mirror's paths are absolute
        return copied

    def run(self, stack: str, *args: str, env: dict | None = None) -> Result:
        proc = subprocess.run([self.binary, f"-chdir={self.stack(stack)}", *args],
                              capture_output=True, text=True, timeout=300,
                              env=_environment(self.env, env))
        return Result(list(args), proc.returncode, proc.stdout, proc.stderr)

    def init(self, stack: str) -> Result:
        return self.run(stack, "init", "-input=false", "-no-color").check()

    def plan(self, stack: str, *args: str, env: dict | None = None) -> Result:
        return self.run(stack, "plan", "-input=false", "-no-color", "-out=tfplan", *args,
                        env=env)

    def plan_json(self, stack: str, env: dict | None = None) -> dict:
        """``terraform show -json`` of the last saved plan."""
        result = self.run(stack, "show", "-json", "tfplan", env=env).check()
        return json.loads(result.stdout)

    def apply(self, stack: str, env: dict | None = None) -> Result:
        """Plan, then apply exactly that plan (as the pipeline does)."""
        self.plan(stack, env=env).check()
        return self.run(stack, "apply", "-input=false", "-no-color", "tfplan", env=env)

    def output(self, stack: str, name: str) -> str:
        return self.run(stack, "output", "-raw", name).check().stdout

    def outputs(self, stack: str) -> dict:
        return json.loads(self.run(stack, "output", "-json").check().stdout)

    def cloud(self) -> dict:
        with clouds.opened(self.cloud_file, write=False) as data:
            return data

    def advance_clock(self, seconds: int) -> None:
        with clouds.opened(self.cloud_file) as data:
            data["now"] += seconds

    def add_doks_version(self, version: str) -> None:
        """DigitalOcean starts offering ``version`` (newest first)."""
        with clouds.opened(self.cloud_file) as data:
            data["versions"].insert(0, version)

    # --- AWS

    def aws_role_env(self, role: str = cloud_aws.DEPLOYER_ROLE,
                     session: str | None = None) -> dict:
        """Credentials of a GitLab job for IAM role ``role``: AWS_ROLE_ARN and an ID token
        file (AWS_WEB_IDENTITY_TOKEN_FILE), the others unset. The role is made in the fake
        IAM if missing, trusting GitLab's OIDC provider. ``session``: AWS_ROLE_SESSION_NAME
        (unset, the SDK and the CLI name the session themselves)."""
        with clouds.opened(self.cloud_file) as data:
            arn = cloud_aws.add_role(data, role, cloud_aws.trust_policy(
                federated=cloud_aws.OIDC_PROVIDER))["arn"]
        token = self.root / "aws" / f"id-token-{role}"
        if not token.exists():
            token.parent.mkdir(parents=True, exist_ok=True)
            token.write_text(_ID_TOKEN)
        return {**NO_AWS_CREDENTIALS, "AWS_ROLE_ARN": arn,
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(token), "AWS_ROLE_SESSION_NAME": session}

    def aws_user_env(self, user: str = cloud_aws.ADMIN_USER) -> dict:
        """Access keys of IAM user ``user`` (made if missing), the other variables unset."""
        with clouds.opened(self.cloud_file) as data:
            key, secret = cloud_aws.add_user(data, user)
        return {**NO_AWS_CREDENTIALS, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}

    def aws_profile_env(self, profile: str, user: str = cloud_aws.ADMIN_USER) -> dict:
        """AWS_PROFILE naming a profile of ``~/.aws/credentials`` (HOME is the workspace)
        with the access keys of IAM user ``user``; the other variables unset."""
        import configparser

        keys = self.aws_user_env(user)
        path = self.root / ".aws" / "credentials"
        path.parent.mkdir(parents=True, exist_ok=True)
        parser = configparser.ConfigParser()
        parser.read(path)
        parser[profile] = {"aws_access_key_id": keys["AWS_ACCESS_KEY_ID"],
                           "aws_secret_access_key": keys["AWS_SECRET_ACCESS_KEY"]}
        with path.open("w") as out:
            parser.write(out)
        return {**NO_AWS_CREDENTIALS, "AWS_PROFILE": profile}

    def eks_cluster(self, name: str, region: str | None = None) -> dict:
        """The EKS cluster ``name`` as the fake holds it (``access_entries``, ``version``...)."""
        found = [c for c in cloud_aws.eks_clusters(self.cloud())
                 if c["name"] == name and region in (None, c["region"])]
        assert len(found) == 1, f"{len(found)} EKS clusters named {name}"
        return found[0]

    def grant_eks_access(self, cluster: str, principal_arn: str,
                         policy: str | None = "AmazonEKSClusterAdminPolicy",
                         region: str | None = None) -> None:
        """An access entry for ``principal_arn`` on ``cluster``, made outside Terraform, with
        that access policy (None: an entry with no policy, which EKS answers with 403)."""
        with clouds.opened(self.cloud_file) as data:
            (found,) = [c for c in cloud_aws.eks_clusters(data)
                        if c["name"] == cluster and region in (None, c["region"])]
            entry = found["access_entries"].setdefault(
                principal_arn, cloud_aws.new_access_entry(data, found, principal_arn))
            if policy:
                cloud_aws.associate_policy(data, entry, policy)

    def add_eks_version(self, version: str, status: str = "STANDARD_SUPPORT") -> None:
        """EKS starts offering ``version`` (newest first)."""
        with clouds.opened(self.cloud_file) as data:
            data["aws"]["eks_versions"].insert(0, {
                "cluster_version": version, "version_status": status, "cluster_type": "eks",
                "release_date": clouds.iso(data), "end_of_standard_support_date": None,
                "end_of_extended_support_date": None, "default_version": False,
                "kubernetes_patch_version": f"{version}.0", "default_platform_version": "eks.1"})

    def set_eks_version_status(self, version: str, status: str) -> None:
        """A version's support moves on (``UNSUPPORTED``: CreateCluster refuses it)."""
        with clouds.opened(self.cloud_file) as data:
            for entry in data["aws"]["eks_versions"]:
                if entry["cluster_version"] == version:
                    entry["version_status"] = status

    def add_aws_vpc(self, region: str, zones: str = "abc", cidr: str = "10.0.0.0/16"
                    ) -> tuple[str, list[str]]:
        """A VPC (not the default) with one private subnet per zone letter: its id and the
        subnets' ids."""
        with clouds.opened(self.cloud_file) as data:
            serial = clouds.next_id(data, "vpc")
            vpc_id = cloud_aws._hex_id("vpc", region, serial)
            base = cidr.rsplit(".", 2)[0]
            data["aws"]["vpcs"][region].append({
                "id": vpc_id, "cidr_block": cidr, "default": False, "state": "available",
                "tags": {}, "dhcp_options_id": cloud_aws._hex_id("dopt", region),
                "main_route_table_id": cloud_aws._hex_id("rtb", region, serial)})
            subnets = [{"id": cloud_aws._hex_id("subnet", region, serial, z), "vpc_id": vpc_id,
                        "availability_zone": f"{region}{z}",
                        "availability_zone_id": cloud_aws.az_id(region, z),
                        "cidr_block": f"{base}.{16 * i}.0/20", "default_for_az": False,
                        "state": "available", "tags": {}} for i, z in enumerate(zones)]
            data["aws"]["subnets"][region].extend(subnets)
        return vpc_id, [s["id"] for s in subnets]

    def aws_calls(self) -> list:
        """Every AWS API call the stand-in made: ``[operation, caller ARN, outcome]``."""
        return self.cloud()["aws"]["calls"]

    def withdraw(self, *, size: str | None = None, region: str | None = None) -> None:
        """DigitalOcean stops offering ``size`` anywhere, or closes ``region`` to new
        resources; both stay listed, marked unavailable, as the API lists them."""
        with clouds.opened(self.cloud_file) as data:
            for entry in data["sizes"]:
                if entry["slug"] == size:
                    entry.update(available=False, regions=[])
            for entry in data["regions"]:
                entry["sizes"] = [s for s in entry["sizes"] if s != size]
                if entry["slug"] == region:
                    entry.update(available=False, sizes=[])


@contextmanager
def attached_providers(workspace: "Workspace") -> Iterator[dict]:
    """Every stand-in started once, for Terraform to attach to: ``{env var: value}``.

    Only for ``terraform validate``, which asks providers for schemas and
    validation and never configures them: one server per provider then serves
    any number of Terraform runs (``TF_REATTACH_PROVIDERS``), instead of a
    process per provider and run. Plans and applies launch their own, as
    Terraform does with real providers (one process per provider configuration).
    """
    processes, attach = [], {}
    try:
        for name in PROVIDERS:
            # -u: tf's --dev mode prints the reattach configuration without flushing it,
            # which a pipe would hold back for good.
            errors = tempfile.TemporaryFile(mode="w+")
            process = subprocess.Popen(
                [sys.executable, "-u", str(HERE / "standin.py"), name, "--dev"],
                stdout=subprocess.PIPE, stderr=errors, text=True,
                env=_environment(os.environ, workspace.env))
            processes.append(process)
            watchdog = threading.Timer(STARTUP_TIMEOUT, process.kill)
            watchdog.start()
            try:
                for line in process.stdout:
                    if "TF_REATTACH_PROVIDERS=" in line:
                        attach.update(json.loads(line.split("=", 1)[1].strip().strip("'")))
                        break
                else:
                    process.wait(timeout=30)
                    errors.seek(0)
                    raise RuntimeError(f"stand-in {name} did not start within "
                                       f"{STARTUP_TIMEOUT} s (or exited with "
                                       f"{process.returncode}): {errors.read()[-3000:]}")
            finally:
                watchdog.cancel()
                errors.close()
        yield {"TF_REATTACH_PROVIDERS": json.dumps(attach)}
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def changes(plan: dict) -> dict[str, list[str]]:
    """``{address: actions}`` of the resources a saved plan changes (no-ops left out)."""
    return {c["address"]: c["change"]["actions"] for c in plan.get("resource_changes", [])
            if c["change"]["actions"] != ["no-op"]}


def deferred_reads(plan: dict) -> list[str]:
    """Data sources the plan reads only during apply."""
    return [c["address"] for c in plan.get("resource_changes", [])
            if c["mode"] == "data" and c["change"]["actions"] == ["read"]]
