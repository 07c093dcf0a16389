"""Copies of this project, set up to run ./fleet without installing anything.

A copy is a new Git repository holding the project's files as they are now
(tracked and new, not ignored), so what is tested is the working tree, not the
last commit. Its ``.venv`` reuses the running interpreter's packages and its
``node_modules`` is a link to this checkout's: ``./fleet`` trusts both because
their stamps match the lock files. Everything else is the copy's own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


#: The user data of this checkout: its fleet.
FLEET_DATA = ("clusters/", "manifests/")


def copy_project(target: Path, *, skip: tuple[str, ...] = (), fleet: str = "fixture") -> Path:
    """The project's files (tracked and new, not ignored) in ``target``, committed.

    ``fleet``: ``"fixture"`` gives the copy the test fleet's clusters/ and manifests/
    (tests/fixtures/fleet); ``"repository"`` this checkout's own, which only the
    repository-fleet checks may read (``@pytest.mark.repository_fleet``).
    """
    assert fleet in ("fixture", "repository"), fleet
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    if fleet == "fixture":
        skip = (*skip, *FLEET_DATA)
    for rel in filter(None, listed.decode().split("\0")):
        # node_modules and .venv are links when this checkout is itself such a copy.
        if rel.startswith((".gitlab-ci-local", "node_modules", ".venv", *skip)) \
                or "__pycache__" in rel:
            continue
        source = ROOT / rel
        if source.is_file() or source.is_symlink():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel, follow_symlinks=False)
    if fleet == "fixture":
        use_fixture_fleet(target)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "copy")
    return target


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                           "-c", "commit.gpgsign=false", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def link_environments(project: Path, *, built_in: Path | None = None,
                      node_modules: bool = True) -> None:
    """``.venv`` (and ``node_modules``) for ./fleet in ``project``, without installing.

    The venv has no packages of its own: a .pth adds the running interpreter's
    site-packages; :func:`fleet_env` puts the copy's ``constructs/`` first on
    PYTHONPATH, so the copy's fleetform is the one imported. Its stamp says where
    it was built, as ./fleet's does.

    ``built_in``: build the venv in that directory, then move it into ``project``,
    as a CI cache restored into another project directory is.
    """
    origin = built_in or project
    venv = origin / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = venv / "lib" / version / "site-packages"
    shared = sysconfig.get_path("purelib")
    (site_packages / "fleetform-test.pth").write_text(
        f"import site; site.addsitedir({shared!r})\n")
    with (project / "pyproject.toml").open("rb") as stream:
        module, _, function = tomllib.load(stream)["project"]["scripts"]["fleetform"].partition(":")
    script = venv / "bin" / "fleetform"
    script.write_text(f"#!{venv}/bin/python\nimport sys\nfrom {module} import {function}\n"
                      f"sys.exit({function}())\n")
    script.chmod(0o755)
    lock = hashlib.sha256((project / "Pipfile.lock").read_bytes()).hexdigest()
    (venv / ".fleetform-lock").write_text(f"{lock}\n{origin}\n")
    if built_in is not None:
        shutil.move(str(venv), str(project / ".venv"))
    # ./fleet test's CDK Terrain environment (and CLI, where Node runs it): this checkout's.
    for rel in (".venv-cdktn", "cdk-terrain/node_modules"):
        target = project / rel
        if (ROOT / rel).exists() and not target.exists() and target.parent.is_dir():
            target.symlink_to(ROOT / rel)
    if node_modules:
        (project / "node_modules").symlink_to(ROOT / "node_modules")


def use_fixture_fleet(project: Path) -> None:
    """Replace ``project``'s clusters/ and manifests/ (user data) with the test fleet's."""
    fixture = ROOT / "tests" / "fixtures" / "fleet"
    for part in ("clusters", "manifests"):
        shutil.rmtree(project / part, ignore_errors=True)
        shutil.copytree(fixture / part, project / part)


def path_without(program: str) -> str:
    """This process's PATH without the directories that hold ``program``."""
    kept = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / program).exists()]
    return os.pathsep.join(kept)


def fleet_env(project: Path, home: Path, **extra: str) -> dict[str, str]:
    """An environment for ./fleet in ``project``: no pipenv on PATH, no CI or secrets."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CI", "GITLAB", "FLEETFORM", "TF_VAR_", "DIGITALOCEAN",
                                "PYTHON", "PIPENV", "VIRTUAL_ENV", "CDKTF", "CHECKPOINT",
                                "PYTEST"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(PATH=path_without("pipenv"), HOME=str(home),
               PYTHONPATH=str(project / "constructs"), NO_COLOR="1", FORCE_COLOR="0",
               **extra)
    return env
