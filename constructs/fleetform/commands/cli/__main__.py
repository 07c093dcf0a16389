"""``python -m fleetform.commands.cli``: the ``fleetform`` command, as pipelines run it."""

import sys

from . import main

sys.exit(main())
