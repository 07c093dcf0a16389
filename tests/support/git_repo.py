"""Small Git repositories for the tests of change detection: a fake project, driven by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

# `fleetform changed` and `fleetform pipeline` read Git, the cluster list and each
# cluster's role: these build small repositories with a fake project in tmp dirs.

#: Minimal cluster.yaml files: all that change detection reads.
FAKE_MANAGEMENT = "role: management\nargocd:\n  hostname: argocd.example.com\n"
FAKE_WORKER = "role: worker\nlabels: [global]\n"
#: The fake project: shared code and dependencies, two clusters, manifests, docs.
FAKE_PROJECT = {
    "clusters/do-management/cluster.yaml": FAKE_MANAGEMENT,
    "clusters/do-production/cluster.yaml": FAKE_WORKER,
    "constructs/fleetform/__init__.py": "",
    "constructs/fleetform/stacks.py": "STACK = 1\n",
    "main.py": "print('app')\n",
    "cdktf.json": "{}\n",
    "Pipfile": "[packages]\n",
    "Pipfile.lock": "{}\n",
    "pyproject.toml": "[project]\n",
    "package.json": "{}\n",
    "package-lock.json": "{}\n",
    "manifests/global/apps/web/nginx/Chart.yaml": "name: nginx\n",
    "manifests/global/values/do-production/nginx/values.yaml": "replicas: 1\n",
    "README.md": "# fleet\n",
    "tests/test_x.py": "",
}


class GitRepo:
    """A Git repository in a temporary directory, driven by the tests."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, cwd: Path | None = None) -> str:
        import subprocess
        proc = subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
             "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
            cwd=cwd or self.path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
        return proc.stdout.strip()

    def write(self, rel: str, text: str = "changed\n") -> Path:
        file = self.path / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
        return file

    def append(self, rel: str, text: str = "# changed\n") -> Path:
        file = self.path / rel
        file.write_text(file.read_text() + text)
        return file

    def remove(self, rel: str) -> None:
        target = self.path / rel
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")
