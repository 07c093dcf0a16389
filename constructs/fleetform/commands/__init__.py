"""The ``fleetform`` command line and its subcommands (the top layer)."""
