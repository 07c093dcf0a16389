"""The fleetform app: one Terraform stack per clusters/<name>/ (cdktf.json runs this).

    python main.py                  # every cluster
    python main.py do-production    # only the clusters named (or FLEETFORM_CLUSTERS)
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.chdir(Path(__file__).resolve().parent)

from fleetform import interrupts  # noqa: E402

interrupts.install()  # first: Ctrl-C from here on ends with one line and 130

from fleetform.commands.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["synth", *sys.argv[1:]]))
