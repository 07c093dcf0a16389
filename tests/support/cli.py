"""One way to run the ``fleetform`` command in a subprocess, as a user's shell would.

The environment is this one without the variables of a CI job, of GitLab, of
fleetform or of Terraform (``CI*``, ``GITLAB*``, ``FLEETFORM*``, ``TF_*``), which
would change what a command does (``--ci``'s base, the state backend, the cluster
selection...): a test gives those it means in ``env``. The suite's own settings,
which ``conftest`` gives every process (the chart cache, the scratch directory),
stay.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

#: Prefixes of the variables a command run by a test never inherits.
SCRUBBED = ("CI", "GITLAB", "FLEETFORM", "TF_")
#: But for these, the suite's (see conftest).
SUITE_SETTINGS = frozenset({"FLEETFORM_CHART_CACHE", "FLEETFORM_TEST_SCRATCH"})


def scrubbed_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment less :data:`SCRUBBED`, plus ``env``."""
    return {**{k: v for k, v in os.environ.items()
               if k in SUITE_SETTINGS or not k.startswith(SCRUBBED)}, **(env or {})}


def fleetform(*args: str, cwd: str | Path | None = None, env: Mapping[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m fleetform.commands.cli ARGS`` in ``cwd``; its output as text."""
    return subprocess.run([sys.executable, "-m", "fleetform.commands.cli", *args], cwd=cwd,
                          env=scrubbed_env(env), capture_output=True, text=True,
                          timeout=timeout)
