"""Run the real ``terraform`` binary on synthesized stacks, offline, against the stand-ins.

``Workspace`` owns a directory laid out like a checkout after ``./fleet synth``
(``cdktf.out/stacks/<name>/cdk.tf.json``, local state beside ``cdktf.out``), a
fake cloud (``cloud.json``), and a Terraform CLI configuration written for the
run: a filesystem mirror in which each provider is a small launcher script
that starts ``standin.py`` with this Python. ``terraform init`` installs the
stand-ins from that mirror as it would the real providers from the registry.
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
from schemas import PROVIDERS  # noqa: E402

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


def write_mirror(root: Path) -> Path:
    """A filesystem mirror (unpacked layout) of launchers for every stand-in provider."""
    mirror = root / "mirror"
    for name, (namespace, version, *_rest) in PROVIDERS.items():
        target = mirror / "registry.terraform.io" / namespace / name / version / "linux_amd64"
        target.mkdir(parents=True, exist_ok=True)
        launcher = target / f"terraform-provider-{name}_v{version}"
        launcher.write_text(f"#!/bin/sh\nexec {sys.executable} {HERE / 'standin.py'} {name} \"$@\"\n")
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return mirror


def write_cli_config(root: Path) -> Path:
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
        self.env = {
            "PATH": os.environ.get("PATH", ""), "HOME": str(self.root),
            "TF_CLI_CONFIG_FILE": str(self.cli_config), "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "false", "CHECKPOINT_DISABLE": "1",
            "FLEETFORM_STANDIN_CLOUD": str(self.cloud_file),
            "DIGITALOCEAN_TOKEN": "do-token-for-tests",
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
                              env={**self.env, **(env or {})})
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
                env={**os.environ, **workspace.env})
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
